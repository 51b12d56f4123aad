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

void F32Gemm::run(size_t m, const float* a, float* y) const {
  const size_t mr = cfg_.mr, nr = cfg_.nr, panels = (n_ + nr - 1) / nr;
  const size_t mc = rows_per_block(m, mr, k_ * sizeof(float));
  for (size_t m0 = 0; m0 < m; m0 += mc) {
    const size_t m1 = std::min(m, m0 + mc);
    for (size_t p = 0; p < panels; p++) {
      const size_t n0 = p * nr, nv = std::min(nr, n_ - n0);
      const float* w = packed_.data() + p * k_ * nr;
      for (size_t i = m0; i < m1; i += mr)
        cfg_.ukernel(std::min(mr, m1 - i), nv, k_, a + i * k_, k_, w, bias_.data() + n0,
                     y + i * n_ + n0, n_, min_, max_);
    }
  }
}

}  // namespace i8k
