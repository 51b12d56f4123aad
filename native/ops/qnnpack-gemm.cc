#include "qnnpack-gemm.h"
#include <algorithm>
#include <cstring>
#include "blocking.h"

namespace i8k {

U8U8Gemm::U8U8Gemm(const U8U8GemmConfig& cfg, size_t kc, size_t ks, size_t n, const uint8_t* w,
                   const int32_t* w_zero_point, const int32_t* bias, const float* scale, const U8U8Params& p)
    : cfg_(cfg), kc_(kc), ks_(ks), n_(n), panel_bytes_(cfg.panel_bytes(kc, ks)), p_(p) {
  const size_t nr = cfg.nr, panels = (n + nr - 1) / nr;
  packed_.assign(panels * panel_bytes_, 0);
  for (size_t q = 0; q < panels; q++) {
    uint8_t* panel = packed_.data() + q * panel_bytes_;
    const size_t n0 = q * nr, nvalid = std::min(nr, n - n0);
    for (size_t j = 0; j < nvalid; j++) {
      const int32_t b = bias ? bias[n0 + j] : 0;
      int32_t mult = 0, shift = 0;
      if (!u8u8_q31_from_scale(scale[n0 + j], &mult, &shift)) mult = shift = 0;  // unused in fp32 mode
      std::memcpy(panel + 4 * j, &b, 4);
      std::memcpy(panel + 4 * nr + 4 * j, &scale[n0 + j], 4);
      std::memcpy(panel + 8 * nr + 4 * j, &mult, 4);
      std::memcpy(panel + 12 * nr + 4 * j, &shift, 4);
      std::memcpy(panel + 16 * nr + 4 * j, &w_zero_point[n0 + j], 4);
    }
    cfg.pack(kc, ks, nvalid, w + n0 * ks * kc, p.a_zero_point, panel);
  }
}

void U8U8Gemm::run(size_t m, const uint8_t* const* ind, size_t a_offset, const uint8_t* zero, uint8_t* y,
                   size_t y_stride, const RunContext& ctx) const {
  const size_t mr = cfg_.mr;
  const GemmBlocks blocks(m, n_, mr, cfg_.nr, kc_ * ks_);
  ctx.parallel_for(blocks.count(), 1, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; t++) {
      const auto b = blocks.at(t);
      const uint8_t* w = packed_.data() + b.panel * panel_bytes_;
      for (size_t i = b.m0; i < b.m1; i += mr)
        cfg_.ukernel(std::min(mr, b.m1 - i), b.nvalid, kc_, ks_, ind + i * ks_, a_offset, zero, w,
                     y + i * y_stride + b.n0, y_stride, &p_);
    }
  });
}

void U8U8Gemm::run_rows(size_t m, const uint8_t* a, size_t lda, const uint8_t** ind, uint8_t* y, size_t y_stride,
                        const RunContext& ctx) const {
  if (m == 0) return;
  // Rows past m (the last block's padding) repeat the last row: valid memory, results discarded.
  const size_t total = indirection_size(m);
  for (size_t i = 0; i < total; i++) ind[i] = a + std::min(i, m - 1) * lda;
  run(m, ind, 0, nullptr, y, y_stride, ctx);
}

}  // namespace i8k
