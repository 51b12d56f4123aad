// bench-dwconv: FP32 depthwise convolution kernels (f32-dwconv) on MobileNetV2's depthwise layers,
// per kernel, single thread.
//
//   bench-dwconv [--rounds N] [--kernel name,name] [--shape CxHxW/S/K ...]
//
// A sample runs one whole layer (every channel plane, one after another, as one thread of the
// conv op does) often enough to last >= 10 ms of this thread's CPU time (steadier than wall time
// on a shared machine). The (shape, kernel) cases are measured round robin, one sample each per
// round, so a slow patch of time hits all of them alike; the median over the rounds is reported,
// with the spread (min..max GFLOP/s) to show how noisy the run was. Every kernel's output is
// checked against the scalar kernel once before timing, so a broken kernel cannot look fast.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../kernels/f32-dwconv/f32-dwconv.h"
#include "../bench-clock.h"

using namespace i8k;

namespace {

constexpr double kMinSampleSeconds = 0.01;

using bench::thread_seconds;

struct Kernel {
  const char* name;
  F32DwConvUkernel fn;
};

// Only the kernels this build has and this CPU runs (the bench is an x86 developer tool).
std::vector<Kernel> available_kernels() {
  std::vector<Kernel> k;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) k.push_back({"avx512f", f32_dwconv_avx512f});
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    k.push_back({"avx2", f32_dwconv_avx2});
#endif
  k.push_back({"scalar", f32_dwconv_scalar});
  return k;
}

struct Layer {
  size_t c, h, w, stride, k;
  DwConvShape shape() const {
    const size_t pad = k / 2, oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
    return {h, w, oh, ow, k, k, stride, stride, 1, 1, pad, pad};
  }
  double flops() const {
    const DwConvShape s = shape();
    return 2.0 * double(c * s.oh * s.ow * k * k);
  }
  std::string name() const {
    return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w) + "/s" +
           std::to_string(stride) + "/k" + std::to_string(k);
  }
};

// MobileNetV2's depthwise layers (3x3, pad 1, ReLU6).
const Layer kMobileNetV2[] = {
    {32, 112, 112, 1, 3}, {144, 56, 56, 1, 3}, {192, 28, 28, 1, 3}, {384, 14, 14, 1, 3},
    {576, 14, 14, 1, 3},  {960, 7, 7, 1, 3},   {96, 112, 112, 2, 3}, {144, 56, 56, 2, 3},
    {192, 28, 28, 2, 3},  {576, 14, 14, 2, 3},
};

bool parse_layer(const char* arg, Layer* l) {
  return std::sscanf(arg, "%zux%zux%zu/%zu/%zu", &l->c, &l->h, &l->w, &l->stride, &l->k) == 5 &&
         l->c && l->h && l->w && l->stride && l->k;
}

struct Data {
  std::vector<float> in, w, bias, out;
};

Data make_data(const Layer& l, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  const DwConvShape s = l.shape();
  Data d;
  d.in.resize(l.c * l.h * l.w);
  d.w.resize(l.c * l.k * l.k);
  d.bias.resize(l.c);
  d.out.resize(l.c * s.oh * s.ow);
  for (auto* v : {&d.in, &d.w, &d.bias})
    for (float& x : *v) x = u(rng);
  return d;
}

void run_layer(const Kernel& k, const Layer& l, Data& d) {
  const DwConvShape s = l.shape();
  const size_t taps = l.k * l.k, in_plane = l.h * l.w, out_plane = s.oh * s.ow;
  for (size_t c = 0; c < l.c; c++)
    k.fn(s, d.in.data() + c * in_plane, d.w.data() + c * taps, d.bias[c],
         d.out.data() + c * out_plane, 0.0f, 6.0f);
}

// Relative difference to the scalar kernel; the kernels may only differ by summation order.
double max_rel_diff(const Kernel& k, const Kernel& ref, const Layer& l, Data& d) {
  run_layer(ref, l, d);
  const std::vector<float> expect = d.out;
  run_layer(k, l, d);
  double worst = 0;
  for (size_t i = 0; i < expect.size(); i++)
    worst = std::max(worst, std::fabs(double(d.out[i]) - expect[i]) / (1.0 + std::fabs(expect[i])));
  return worst;
}

// Repetitions that make one sample last about kMinSampleSeconds.
size_t calibrate(const Kernel& k, const Layer& l, Data& d) {
  for (size_t reps = 1;; reps *= 2) {
    const double t0 = thread_seconds();
    for (size_t r = 0; r < reps; r++) run_layer(k, l, d);
    const double t = thread_seconds() - t0;
    if (t >= kMinSampleSeconds / 4)
      return std::max<size_t>(1, size_t(double(reps) * kMinSampleSeconds / t));
  }
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t a = 0;
  for (size_t b; (b = s.find(',', a)) != std::string::npos; a = b + 1) out.push_back(s.substr(a, b - a));
  out.push_back(s.substr(a));
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Case {
  const Layer* layer;
  Kernel kernel;
  Data* data;
  size_t reps;
  std::vector<double> gflops;
};

}  // namespace

int main(int argc, char** argv) {
  size_t rounds = 15;
  std::vector<std::string> only;
  std::vector<Layer> layers;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    Layer l;
    if (a == "--rounds" && i + 1 < argc) rounds = std::max(1, std::atoi(argv[++i]));
    else if (a == "--kernel" && i + 1 < argc) only = split(argv[++i]);
    else if (a == "--shape" && i + 1 < argc && parse_layer(argv[i + 1], &l)) layers.push_back(l), i++;
    else {
      std::fprintf(stderr, "usage: %s [--rounds N] [--kernel name,name] [--shape CxHxW/S/K ...]\n",
                   argv[0]);
      return 2;
    }
  }
  if (layers.empty()) layers.assign(std::begin(kMobileNetV2), std::end(kMobileNetV2));

  const std::vector<Kernel> all = available_kernels();
  const Kernel scalar = all.back();
  std::vector<Kernel> kernels;
  for (const Kernel& k : all)
    if (only.empty() || std::find(only.begin(), only.end(), k.name) != only.end()) kernels.push_back(k);

  std::mt19937 rng(1);
  std::vector<Data> data;
  data.reserve(layers.size());
  for (const Layer& l : layers) data.push_back(make_data(l, rng));

  std::vector<Case> cases;
  bool wrong = false;
  for (size_t li = 0; li < layers.size(); li++)
    for (const Kernel& k : kernels) {
      const double diff = max_rel_diff(k, scalar, layers[li], data[li]);
      if (!(diff <= 1e-5)) {
        std::printf("WRONG %s %s: relative difference %.3g to scalar\n", k.name,
                    layers[li].name().c_str(), diff);
        wrong = true;
      }
      cases.push_back({&layers[li], k, &data[li], calibrate(k, layers[li], data[li]), {}});
    }

  for (size_t r = 0; r < rounds; r++)
    for (Case& c : cases) {
      const double t0 = thread_seconds();
      for (size_t i = 0; i < c.reps; i++) run_layer(c.kernel, *c.layer, *c.data);
      const double t = thread_seconds() - t0;
      c.gflops.push_back(c.layer->flops() * double(c.reps) / t * 1e-9);
    }

  std::printf("%-20s %-8s %10s %10s %18s\n", "layer", "kernel", "GFLOP/s", "us/layer", "min..max");
  for (const Case& c : cases) {
    const double g = median(c.gflops);
    const auto mm = std::minmax_element(c.gflops.begin(), c.gflops.end());
    std::printf("%-20s %-8s %10.1f %10.1f %8.1f..%-8.1f\n", c.layer->name().c_str(), c.kernel.name, g,
                c.layer->flops() / g * 1e-3, *mm.first, *mm.second);
  }
  return wrong ? 1 : 0;
}
