// INT8 convolution speed: QConv (the QLinearConv op class, NCHW in and out, layout conversions
// included) on ResNet-18 and MobileNetV2 layers, next to F32Conv on the same layer in the same
// rounds, on 1 and 2 threads.
//   bench-qconv [--isa NAME] [--rounds N] [--threads T] [--layer SUBSTRING] [--planar 0|1]
// "NHWC core" times QConv::run_nhwc alone (no NCHW boundary conversions), what a runtime that keeps
// activations NHWC would pay. Rounds interleave every (layer, op) case; a sample repeats one case for >= 20 ms of wall time
// (1 thread: the thread's CPU time, steadier on a shared machine); the median over rounds is
// reported as GOPS (2 ops per multiply-add), int8 ops per cycle per thread (clock calibrated in
// the same run), and the INT8 / FP32 ratio of medians. Every QConv output is checked against the
// scalar config before timing, so a broken kernel cannot look fast.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>
#include "../../config/conv-config.h"
#include "../../config/kernel-config.h"
#include "../../config/qconv-config.h"
#include "../../ops/conv-f32.h"
#include "../../ops/qconv-op.h"
#include "../bench-clock.h"

using namespace i8k;
using bench::calibrate_hz;
using bench::thread_seconds;

namespace {

struct Layer {
  const char* name;
  size_t cin, h, cout, k, stride, group;
};

const Layer kLayers[] = {
    {"resnet18 3x3 56x56 64->64", 64, 56, 64, 3, 1, 1},
    {"resnet18 3x3 7x7 512->512", 512, 7, 512, 3, 1, 1},
    {"resnet18 3x3 s2 56x56 64->128", 64, 56, 128, 3, 2, 1},
    {"mobilenetv2 dw3x3 112x112x32", 32, 112, 32, 3, 1, 32},
    {"mobilenetv2 dw3x3 s2 112x112x96", 96, 112, 96, 3, 2, 96},
    {"mobilenetv2 dw3x3 56x56x144", 144, 56, 144, 3, 1, 144},
    {"mobilenetv2 dw3x3 28x28x192", 192, 28, 192, 3, 1, 192},
    {"mobilenetv2 dw3x3 14x14x576", 576, 14, 576, 3, 1, 576},
    {"mobilenetv2 dw3x3 7x7x960", 960, 7, 960, 3, 1, 960},
    {"mobilenetv2 pw 56x56 144->24", 144, 56, 24, 1, 1, 1},
    {"mobilenetv2 pw 14x14 96->576", 96, 14, 576, 1, 1, 1},
};

double seconds_wall() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Case {
  const Layer* l;
  std::unique_ptr<QConv> q;
  std::unique_ptr<F32Conv> f;
  std::vector<uint8_t> x, y;
  std::vector<float> xf, yf;
  std::vector<uint8_t> ws, xn, yn;
  std::vector<float> wsf;
  double ops;
  std::vector<double> q_rates, core_rates, f_rates;
};

template <typename F>
double sample(F&& run, bool cpu_time) {
  run();  // warm
  const auto now = cpu_time ? thread_seconds : seconds_wall;
  size_t reps = 0;
  const double t0 = now();
  double t = t0;
  while (t - t0 < 0.02) {
    run();
    reps++;
    t = now();
  }
  return double(reps) / (t - t0);
}

void* align64(void* p) { return reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(p) + 63) & ~uintptr_t(63)); }

}  // namespace

int main(int argc, char** argv) {
  std::string wanted, only, err;
  int rounds = 7;
  size_t threads = 1;
  bool planar = true;  // --planar 0: depthwise through NHWC even where a planar kernel exists
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--isa")) wanted = argv[i + 1];
    else if (!std::strcmp(argv[i], "--rounds")) rounds = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = size_t(std::max(1, std::atoi(argv[i + 1])));
    else if (!std::strcmp(argv[i], "--layer")) only = argv[i + 1];
    else if (!std::strcmp(argv[i], "--planar")) planar = std::atoi(argv[i + 1]) != 0;
  }
  Isa isa = default_isa(&err);
  for (Isa c : all_isas())
    if (wanted == isa_name(c)) isa = c;
  const KernelConfig* cfg = kernel_config(isa, &err);
  const KernelConfig* scalar = kernel_config(Isa::scalar, &err);
  if (!cfg || !scalar) return std::fprintf(stderr, "%s\n", err.c_str()), 1;
  std::unique_ptr<ThreadPool> pool(threads > 1 ? new ThreadPool(threads) : nullptr);
  const RunContext base{pool.get(), nullptr, nullptr};
  std::mt19937 rng(1);
  std::vector<Case> cases;
  for (const Layer& l : kLayers) {
    if (!only.empty() && std::string(l.name).find(only) == std::string::npos) continue;
    const size_t pad = l.k / 2, oh = (l.h + 2 * pad - l.k) / l.stride + 1, kk = (l.cin / l.group) * l.k * l.k;
    const QConvShape s{1, l.cin, l.h, l.h, l.cout, oh, oh, l.group, l.k, l.k, l.stride, l.stride, 1, 1, pad, pad};
    std::vector<uint8_t> w(l.cout * kk);
    std::vector<int32_t> bias(l.cout);
    for (auto& v : w) v = uint8_t(int8_t(std::uniform_int_distribution<int>(-127, 127)(rng)));
    for (auto& v : bias) v = std::uniform_int_distribution<int>(-5000, 5000)(rng);
    const float w_scale = 0.01f;
    const QConvParams qp{0.02f, 128, &w_scale, 1, 0.02f * 0.01f * 40.0f * float(kk) / 64.0f, RequantParams{128, 0, 255}};
    const QConvRawWeights raw{w.data(), true, nullptr, 0};
    Case c{&l};
    std::string why;
    QConvConfig qcfg = qconv_config(isa);
    if (!planar) qcfg.dw_planar = nullptr;
    c.q = QConv::create(*cfg, qcfg, s, raw, bias.data(), qp, QConvIo{false, false}, &why);
    auto ref = QConv::create(*scalar, qconv_config(Isa::scalar), s, raw, bias.data(), qp, QConvIo{false, false}, &why);
    if (!c.q || !ref) return std::fprintf(stderr, "%s: %s\n", l.name, why.c_str()), 1;
    c.x.resize(l.cin * l.h * l.h);
    for (auto& v : c.x) v = uint8_t(rng());
    c.y.resize(l.cout * oh * oh);
    c.ws.resize(c.q->workspace_bytes() + 64);
    c.xn.assign(c.x.size() + c.q->nhwc_input_slack(), 0);
    c.yn.resize(c.y.size());
    std::vector<uint8_t> want(c.y.size()), ws_ref(ref->workspace_bytes() + 64);
    ref->run(c.x.data(), want.data(), align64(ws_ref.data()), RunContext{});
    c.q->run(c.x.data(), c.y.data(), align64(c.ws.data()), base);
    if (c.y != want) return std::fprintf(stderr, "%s: %s output differs from the scalar config\n", l.name, isa_name(isa)), 1;
    // The same layer in FP32 (F32Conv, ReLU fused as in bench-conv).
    std::vector<float> wf(w.size()), bf(l.cout);
    for (size_t i = 0; i < w.size(); i++) wf[i] = float(int8_t(w[i])) * 0.01f;
    for (auto& v : bf) v = 0.1f;
    Activation act;
    act.min = 0;
    const Conv2DShape sf{1, l.cin, l.h, l.h, l.cout, oh, oh, l.group, l.k, l.k, l.stride, l.stride, 1, 1, pad, pad};
    c.f = std::make_unique<F32Conv>(cfg->f32_gemm, conv_config(isa), sf, wf.data(), bf.data(), act);
    c.xf.assign(c.x.size(), 0.5f);
    c.yf.resize(c.y.size());
    c.wsf.resize(c.f->workspace_bytes() / sizeof(float) + 16);
    c.ops = 2.0 * double(l.cout * kk * oh * oh);
    cases.push_back(std::move(c));
  }
  const double hz = calibrate_hz();
  const bool cpu_time = threads == 1;
  for (int r = 0; r < rounds; r++)
    for (Case& c : cases) {
      RunContext ctx = base;
      void* ws = align64(c.ws.data());
      c.q_rates.push_back(c.ops * sample([&] { c.q->run(c.x.data(), c.y.data(), ws, ctx); }, cpu_time));
      // NHWC buffers of their own (a planar depthwise op's workspace holds neither layout).
      uint8_t* xn = c.xn.data();
      uint8_t* yn = c.yn.data();
      c.core_rates.push_back(c.ops * sample([&] { c.q->run_nhwc(xn, yn, ctx); }, cpu_time));
      RunContext fctx{pool.get(), nullptr, c.wsf.data()};
      c.f_rates.push_back(c.ops * sample([&] { c.f->run(c.xf.data(), c.yf.data(), fctx); }, cpu_time));
    }
  std::printf("isa %s, %zu thread%s, clock %.2f GHz, median of %d rounds (%s time)\n", isa_name(isa), threads,
              threads > 1 ? "s" : "", hz / 1e9, rounds, cpu_time ? "thread CPU" : "wall");
  std::printf("| layer | INT8 path | INT8 GOPS | int8 ops/cycle/thread | NHWC core GOPS | FP32 GFLOP/s | INT8 / FP32 | core / FP32 |\n|---|---|---|---|---|---|---|---|\n");
  for (Case& c : cases) {
    std::sort(c.q_rates.begin(), c.q_rates.end());
    std::sort(c.f_rates.begin(), c.f_rates.end());
    std::sort(c.core_rates.begin(), c.core_rates.end());
    const double q = c.q_rates[c.q_rates.size() / 2], f = c.f_rates[c.f_rates.size() / 2];
    const double core = c.core_rates[c.core_rates.size() / 2];
    std::printf("| %s | %s | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f |\n", c.l->name, c.q->path(), q / 1e9,
                q / hz / double(threads), core / 1e9, f / 1e9, q / f, core / f);
  }
}
