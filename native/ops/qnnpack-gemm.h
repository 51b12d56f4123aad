// The QNNPACK-like u8 x u8 operator core: weights of one GEMM packed once (per channel bias and
// requantization in each panel's header), run over an indirection buffer of row pointers, so a
// fully connected layer (one pointer per row) and a convolution (one per row and tap, see
// qnnpack-conv.h) share it. run() may be called from several threads at once.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>
#include "../config/qnnpack-config.h"
#include "../plan/thread-pool.h"

namespace i8k {

// The real multiplier of output channel n, computed as PyTorch's QNNPACK does (float32, in this
// order): f32(a_scale * w_scale) * f32(1 / y_scale). Both requantization modes use it.
inline float u8u8_real_scale(float a_scale, float w_scale, float y_scale) {
  const float product = a_scale * w_scale, inverse = 1.0f / y_scale;
  return product * inverse;
}

class U8U8Gemm {
 public:
  // w: n x ks x kc (output channel major); w_zero_point: n entries (0..255); bias: n entries or null;
  // scale: n real multipliers (each in [2^-32, 1) when p.mode is q31: the caller checks).
  U8U8Gemm(const U8U8GemmConfig& cfg, size_t kc, size_t ks, size_t n, const uint8_t* w, const int32_t* w_zero_point,
           const int32_t* bias, const float* scale, const U8U8Params& p);
  size_t mr() const { return cfg_.mr; }
  size_t ks() const { return ks_; }
  // Pointers an indirection buffer for m rows holds: whole MR-row blocks of ks x MR.
  size_t indirection_size(size_t m) const { return (m + cfg_.mr - 1) / cfg_.mr * cfg_.mr * ks_; }
  // y[i * y_stride + j] for i < m, j < n, from the indirection buffer (U8U8GemmUkernel's contract).
  void run(size_t m, const uint8_t* const* ind, size_t a_offset, const uint8_t* zero, uint8_t* y, size_t y_stride,
           const RunContext& ctx) const;
  // A plain GEMM (ks must be 1): rows a + i * lda; ind is scratch of indirection_size(m) pointers.
  void run_rows(size_t m, const uint8_t* a, size_t lda, const uint8_t** ind, uint8_t* y, size_t y_stride,
                const RunContext& ctx) const;

 private:
  U8U8GemmConfig cfg_;
  size_t kc_, ks_, n_, panel_bytes_;
  U8U8Params p_;
  std::vector<uint8_t> packed_;
};

}  // namespace i8k
