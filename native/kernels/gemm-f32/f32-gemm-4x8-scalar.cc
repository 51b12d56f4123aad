// Scalar reference twin of every FP32 GEMM kernel: plain loops, no vector code.
#include <algorithm>
#include "gemm-f32.h"

namespace i8k {

void f32_gemm_4x8_scalar(size_t mr, size_t nr, size_t k, const float* a, size_t a_stride,
                         const float* w, const float* bias, float* c, size_t c_stride, float min,
                         float max) {
  constexpr size_t NR = 8;
  for (size_t m = 0; m < mr; m++) {
    float acc[NR];
    for (size_t n = 0; n < NR; n++) acc[n] = bias[n];
    for (size_t kk = 0; kk < k; kk++) {
      const float av = a[m * a_stride + kk];
      for (size_t n = 0; n < NR; n++) acc[n] += av * w[kk * NR + n];
    }
    for (size_t n = 0; n < nr; n++) c[m * c_stride + n] = std::min(std::max(acc[n], min), max);
  }
}

void f32_convgemm_4x8_scalar(size_t mr, size_t nr, const F32Rows& a, const F32Rows& b,
                             const float* row_bias, const float* col_bias, float* c,
                             size_t c_stride, float min, float max) {
  for (size_t m = 0; m < mr; m++) {
    float acc[8];
    for (size_t n = 0; n < nr; n++)
      acc[n] = (row_bias ? row_bias[m] : 0.0f) + (col_bias ? col_bias[n] : 0.0f);
    for (size_t t = 0; t < b.taps; t++)
      for (size_t j = 0; j < b.kc; j++) {
        const float av = a.base[a.offsets[t] + ptrdiff_t(j * a.stride + m)];
        const float* w = b.base + b.offsets[t] + j * b.stride;
        for (size_t n = 0; n < nr; n++) acc[n] += av * w[n];
      }
    for (size_t n = 0; n < nr; n++) c[m * c_stride + n] = std::min(std::max(acc[n], min), max);
  }
}

}  // namespace i8k
