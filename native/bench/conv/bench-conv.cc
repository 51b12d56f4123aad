// Per-layer FP32 convolution speed: the conv layers of ResNet-18 and MobileNetV2 (batch 1, 224x224)
// run alone through F32Conv on one thread. Rounds interleave the layers; each round repeats a
// layer for >= 10 ms of thread CPU time (steadier than wall time on a shared machine) and the
// median round is reported as GFLOP/s and flops/cycle (clock calibrated in the same run).
//   bench-conv [--isa NAME] [--rounds N]
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>
#include "../../config/conv-config.h"
#include "../../config/kernel-config.h"
#include "../../ops/conv-f32.h"
#include "../bench-clock.h"

using namespace i8k;
using bench::calibrate_hz;
using bench::thread_seconds;

namespace {
struct Layer {
  const char* model;
  size_t cin, h, cout, k, stride, group;
};

const Layer kLayers[] = {
    {"resnet18", 3, 224, 64, 7, 2, 1},    {"resnet18", 64, 56, 64, 3, 1, 1},
    {"resnet18", 64, 56, 128, 3, 2, 1},   {"resnet18", 128, 28, 128, 3, 1, 1},
    {"resnet18", 128, 28, 256, 3, 2, 1},  {"resnet18", 256, 14, 256, 3, 1, 1},
    {"resnet18", 256, 14, 512, 3, 2, 1},  {"resnet18", 512, 7, 512, 3, 1, 1},
    {"resnet18", 64, 56, 128, 1, 2, 1},   {"mobilenetv2", 3, 224, 32, 3, 2, 1},
    {"mobilenetv2", 16, 112, 96, 1, 1, 1}, {"mobilenetv2", 32, 112, 16, 1, 1, 1},
    {"mobilenetv2", 24, 56, 144, 1, 1, 1}, {"mobilenetv2", 144, 56, 24, 1, 1, 1},
    {"mobilenetv2", 32, 28, 192, 1, 1, 1}, {"mobilenetv2", 96, 14, 576, 1, 1, 1},
    {"mobilenetv2", 576, 14, 96, 1, 1, 1}, {"mobilenetv2", 160, 7, 960, 1, 1, 1},
    {"mobilenetv2", 960, 7, 320, 1, 1, 1}, {"mobilenetv2", 320, 7, 1280, 1, 1, 1},
    {"mobilenetv2", 96, 112, 96, 3, 2, 96}, {"mobilenetv2", 144, 56, 144, 3, 1, 144},
};

struct Case {
  const Layer* l;
  std::unique_ptr<F32Conv> conv;
  std::vector<float> x, y, ws;
  double flops;
  std::vector<double> rates;
};
}  // namespace

int main(int argc, char** argv) {
  std::string wanted, err;
  int rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--isa")) wanted = argv[i + 1];
    else if (!std::strcmp(argv[i], "--rounds")) rounds = std::atoi(argv[i + 1]);
  }
  Isa isa = default_isa(&err);
  for (Isa c : all_isas())
    if (wanted == isa_name(c)) isa = c;
  const KernelConfig* cfg = kernel_config(isa, &err);
  if (!cfg) return std::fprintf(stderr, "%s\n", err.c_str()), 1;
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<Case> cases;
  for (const Layer& l : kLayers) {
    const size_t pad = l.k / 2, oh = (l.h + 2 * pad - l.k) / l.stride + 1;
    Conv2DShape s{1, l.cin, l.h, l.h, l.cout, oh, oh, l.group, l.k, l.k, l.stride, l.stride, 1, 1, pad, pad};
    std::vector<float> w(l.cout * (l.cin / l.group) * l.k * l.k), b(l.cout);
    for (float& v : w) v = u(rng);
    for (float& v : b) v = u(rng);
    Activation act;
    act.min = 0;
    Case c{&l, std::make_unique<F32Conv>(cfg->f32_gemm, conv_config(isa), s, w.data(), b.data(), act)};
    c.x.resize(l.cin * l.h * l.h);
    for (float& v : c.x) v = u(rng);
    c.y.resize(l.cout * oh * oh);
    c.ws.resize(c.conv->workspace_bytes() / sizeof(float) + 16);
    c.flops = 2.0 * l.cout * (l.cin / l.group) * l.k * l.k * oh * oh;
    cases.push_back(std::move(c));
  }
  const double hz = calibrate_hz();
  for (int r = 0; r < rounds; r++)
    for (Case& c : cases) {
      RunContext ctx{nullptr, nullptr, c.ws.data()};
      c.conv->run(c.x.data(), c.y.data(), ctx);  // warm
      size_t reps = 0;
      const double t0 = thread_seconds();
      double t = t0;
      while (t - t0 < 0.01) {
        c.conv->run(c.x.data(), c.y.data(), ctx);
        reps++;
        t = thread_seconds();
      }
      c.rates.push_back(c.flops * reps / (t - t0));
    }
  std::printf("isa %s, clock %.2f GHz, median of %d rounds\n", isa_name(isa), hz / 1e9, rounds);
  std::printf("| model | layer | GFLOP/s | flops/cycle |\n|---|---|---|---|\n");
  for (Case& c : cases) {
    std::sort(c.rates.begin(), c.rates.end());
    const double g = c.rates[c.rates.size() / 2];
    const Layer& l = *c.l;
    std::printf("| %s | %zux%zu %zu->%zu k%zu s%zu%s | %.1f | %.1f |\n", l.model, l.h, l.h, l.cin, l.cout,
                l.k, l.stride, l.group > 1 ? " dw" : "", g / 1e9, g / hz);
  }
}
