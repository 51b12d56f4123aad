#include "gemm-f32.h"
#include <algorithm>
#include "blocking.h"

namespace i8k {

F32Gemm::F32Gemm(const F32GemmConfig& cfg, size_t k, size_t n, const float* b, const float* bias,
                 float min, float max)
    : cfg_(cfg), k_(k), n_(n), min_(min), max_(max) {
  const size_t nr = cfg.nr, panels = (n + nr - 1) / nr;
  packed_.assign(panels * k * nr, 0.0f);
  bias_.assign(panels * nr, 0.0f);
  for (size_t p = 0; p < panels; p++) {
    float* w = packed_.data() + p * k * nr;
    const size_t n0 = p * nr, nv = std::min(nr, n - n0);
    for (size_t kk = 0; kk < k; kk++)
      std::copy(b + kk * n + n0, b + kk * n + n0 + nv, w + kk * nr);
  }
  if (bias) std::copy(bias, bias + n, bias_.begin());
}

void F32Gemm::run(size_t m, const float* a, float* y, const RunContext& ctx) const {
  const size_t mr = cfg_.mr, nr = cfg_.nr;
  const GemmBlocks blocks(m, n_, mr, nr, k_ * sizeof(float));
  ctx.parallel_for(blocks.count(), 1, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; t++) {
      const auto b = blocks.at(t);
      const float* w = packed_.data() + b.panel * k_ * nr;
      for (size_t i = b.m0; i < b.m1; i += mr)
        cfg_.ukernel(std::min(mr, b.m1 - i), b.nvalid, k_, a + i * k_, k_, w, bias_.data() + b.n0,
                     y + i * n_ + b.n0, n_, min_, max_);
    }
  });
}

}  // namespace i8k
