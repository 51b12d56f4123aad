// Speed of the QNNPACK-like u8 x u8 kernels (native/kernels/gemm-u8u8) through their operators on
// one thread: U8U8Gemm on 1024x1024x1024 and BERT-base's 128x768x768, and the indirection-buffer
// U8U8Conv on ResNet-18's 3x3 56x56x64->64 layer, for every kernel this CPU runs (SSE2, AVX2, the
// AVX-512 VNNI sign-flip variant) in both requantization modes. Rounds interleave all cases; each
// round repeats a case for >= 10 ms of thread CPU time; the median round is reported in int8 ops
// (2 per multiply-add) per cycle against the clock calibrated in the same run.
//   bench-qnnpack [--rounds N]
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>
#include "../../config/qnnpack-config.h"
#include "../../ops/qnnpack-conv.h"
#include "../../ops/qnnpack-gemm.h"
#include "../bench-clock.h"

using namespace i8k;
using bench::calibrate_hz;
using bench::thread_seconds;

namespace {
struct Case {
  std::string kernel, shape, mode;
  double ops;
  std::function<void()> run;
  std::vector<double> rates;
};
}  // namespace

int main(int argc, char** argv) {
  int rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2)
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::atoi(argv[i + 1]);
  std::vector<U8U8GemmConfig> kernels;
  for (Isa isa : {Isa::scalar, Isa::avx2, Isa::avx512vnni, Isa::neon, Isa::wasmsimd}) {
    if (!isa_unsupported_reason(isa).empty()) continue;
    for (const U8U8GemmConfig& k : qnnpack_variants(isa))
      if (std::none_of(kernels.begin(), kernels.end(), [&](const U8U8GemmConfig& o) { return o.ukernel == k.ukernel; }))
        kernels.push_back(k);
  }
  std::mt19937 rng(1);
  auto bytes = [&](size_t n) {
    std::vector<uint8_t> v(n);
    for (auto& x : v) x = uint8_t(rng());
    return v;
  };
  RunContext ctx;  // one thread
  std::vector<std::unique_ptr<Case>> cases;
  // Owned by the closures through shared_ptr.
  for (const U8U8GemmConfig& k : kernels) {
    if (std::string(k.name).find("scalar") != std::string::npos) continue;  // the twin: correctness only
    for (const char* mode : {"fp32", "q31"}) {
      U8U8Params p{128, 128, 0, 255, std::string(mode) == "q31" ? U8U8Requant::q31 : U8U8Requant::fp32};
      struct G { size_t m, k, n; const char* name; };
      for (G g : {G{1024, 1024, 1024, "gemm 1024x1024x1024"}, G{128, 768, 768, "BERT 128x768x768"}}) {
        auto w = bytes(g.n * g.k);
        std::vector<float> scale(g.n, 1.0f / 4096);
        const std::vector<int32_t> wzp(g.n, 120);
        auto gemm = std::make_shared<U8U8Gemm>(k, g.k, 1, g.n, w.data(), wzp.data(), nullptr, scale.data(), p);
        auto a = std::make_shared<std::vector<uint8_t>>(bytes(g.m * g.k));
        auto y = std::make_shared<std::vector<uint8_t>>(g.m * g.n);
        auto ind = std::make_shared<std::vector<const uint8_t*>>(gemm->indirection_size(g.m));
        cases.push_back(std::make_unique<Case>(Case{k.name, g.name, mode, 2.0 * g.m * g.n * g.k, [=, &ctx] {
          gemm->run_rows(g.m, a->data(), g.k, ind->data(), y->data(), g.n, ctx);
        }, {}}));
      }
      U8U8ConvShape s{1, 64, 56, 56, 1, 64, 3, 3, 1, 1, 1, 1, 1, 1, 56, 56};
      auto w = bytes(64 * 64 * 9);
      std::vector<float> scale(64, 1.0f / 4096);
      const std::vector<int32_t> wzp(64, 120);
      auto conv = std::make_shared<U8U8Conv>(k, s, w.data(), wzp.data(), nullptr, scale.data(), p);
      auto x = std::make_shared<std::vector<uint8_t>>(bytes(64 * 56 * 56));
      auto y = std::make_shared<std::vector<uint8_t>>(64 * 56 * 56);
      auto ws = std::make_shared<std::vector<uint8_t>>(conv->workspace_bytes() + 64);
      cases.push_back(std::make_unique<Case>(Case{k.name, "ResNet-18 conv 3x3 56x56x64->64", mode, 2.0 * 56 * 56 * 64 * 64 * 9, [=, &ctx] {
        void* aligned = ws->data() + (64 - reinterpret_cast<uintptr_t>(ws->data()) % 64) % 64;
        conv->run(x->data(), y->data(), aligned, ctx);
      }, {}}));
    }
  }
  const double hz = calibrate_hz();
  for (int r = 0; r < rounds; r++)
    for (auto& c : cases) {
      c->run();  // warm
      size_t reps = 0;
      const double t0 = thread_seconds();
      double t;
      do c->run(), reps++;
      while ((t = thread_seconds() - t0) < 0.01);
      c->rates.push_back(c->ops * double(reps) / t);
    }
  std::printf("clock %.2f GHz, one thread, median of %d interleaved rounds\n", hz / 1e9, rounds);
  std::printf("| kernel | shape | requantization | GOP/s | int8 ops/cycle |\n|---|---|---|---|---|\n");
  for (auto& c : cases) {
    std::sort(c->rates.begin(), c->rates.end());
    const double med = c->rates[c->rates.size() / 2];
    std::printf("| %s | %s | %s | %.1f | %.1f |\n", c->kernel.c_str(), c->shape.c_str(), c->mode.c_str(), med / 1e9,
                hz > 0 ? med / hz : 0.0);
  }
  return 0;
}
