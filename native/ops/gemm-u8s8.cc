#include "gemm-u8s8.h"
#include <algorithm>
#include <cstring>
#include "u8s8-blocks.h"

namespace i8k {

U8S8Gemm::U8S8Gemm(const U8S8GemmConfig& cfg, size_t k, size_t n, const int8_t* b,
                   const int32_t* bias, const U8S8GemmQuant& q)
    : cfg_(cfg), k_(k), n_(n), panel_bytes_(cfg.panel_bytes(k)), out_(q.out) {
  const size_t nr = cfg.nr, panels = (n + nr - 1) / nr;
  packed_.assign(panels * panel_bytes_, 0);
  bias_.assign(panels * nr, 0);
  scale_.assign(panels * nr, 0.0f);
  for (size_t p = 0; p < panels; p++)
    cfg.pack(k, std::min(nr, n - p * nr), b + p * nr, n, packed_.data() + p * panel_bytes_);
  for (size_t j = 0; j < n; j++) {
    int32_t colsum = 0;
    for (size_t kk = 0; kk < k; kk++) colsum += b[kk * n + j];
    bias_[j] = (bias ? bias[j] : 0) - q.a_zero_point * colsum;
    // float32 arithmetic, in this order, on every backend: the multiplier is part of the numerics.
    const float bs = q.b_scale[q.b_scale_count == 1 ? 0 : j];
    scale_[j] = q.a_scale * bs / q.y_scale;
  }
}

void U8S8Gemm::run(size_t m, const uint8_t* a, uint8_t* y, const RunContext& ctx) const {
  const size_t mr = cfg_.mr, nr = cfg_.nr, kr = cfg_.kr;
  // Kernels read A in whole groups of KR; pad rows with zeros (zero weights pad B likewise).
  const size_t kp = (k_ + kr - 1) / kr * kr;
  std::vector<uint8_t> padded;
  if (kp != k_) {
    padded.assign(m * kp, 0);
    for (size_t i = 0; i < m; i++) std::memcpy(padded.data() + i * kp, a + i * k_, k_);
    a = padded.data();
  }
  const GemmBlocks blocks = u8s8_blocks(m, n_, mr, nr, kp, ctx.threads());
  ctx.parallel_for(blocks.count(), 1, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; t++) {
      const auto b = blocks.at(t);
      const uint8_t* w = packed_.data() + b.panel * panel_bytes_;
      for (size_t i = b.m0; i < b.m1; i += mr)
        cfg_.ukernel(std::min(mr, b.m1 - i), b.nvalid, k_, a + i * kp, kp, w, bias_.data() + b.n0,
                     scale_.data() + b.n0, y + i * n_ + b.n0, n_, &out_);
    }
  });
}

}  // namespace i8k
