// Scalar reference twin of every u8 x s8 GEMM kernel: the definition of the integers.
#include <cstring>
#include "gemm-u8s8.h"

namespace i8k {

namespace {
constexpr size_t NR = 8;
}

size_t u8s8_gemm_4x8_scalar_panel_bytes(size_t k) { return k * NR; }

// Layout: for each k, NR weights.
void u8s8_gemm_4x8_scalar_pack(size_t k, size_t nvalid, const int8_t* b, size_t ldb, void* out) {
  int8_t* w = static_cast<int8_t*>(out);
  std::memset(w, 0, k * NR);
  for (size_t kk = 0; kk < k; kk++)
    for (size_t n = 0; n < nvalid; n++) w[kk * NR + n] = b[kk * ldb + n];
}

namespace {
// acc[n] += sum_k a[k] * w[k][n] for one row.
inline void dot_row(size_t k, const uint8_t* a, const int8_t* wb, int32_t* acc) {
  for (size_t kk = 0; kk < k; kk++) {
    const int32_t av = a[kk];
    for (size_t n = 0; n < NR; n++) acc[n] += av * int32_t(wb[kk * NR + n]);
  }
}
}  // namespace

void u8s8_gemm_4x8_scalar_acc(size_t mr, size_t k, const uint8_t* a, size_t a_stride,
                              const void* w, int32_t* tile) {
  for (size_t m = 0; m < mr; m++) {
    int32_t* acc = tile + m * NR;
    for (size_t n = 0; n < NR; n++) acc[n] = 0;
    dot_row(k, a + m * a_stride, static_cast<const int8_t*>(w), acc);
  }
}

void u8s8_gemm_4x8_scalar(size_t mr, size_t nr, size_t k, const uint8_t* a, size_t a_stride,
                          const void* w, const int32_t* bias, const float* scale, uint8_t* y,
                          size_t y_stride, const RequantParams* p) {
  const int8_t* wb = static_cast<const int8_t*>(w);
  for (size_t m = 0; m < mr; m++) {
    int32_t acc[NR];
    for (size_t n = 0; n < NR; n++) acc[n] = bias[n];
    dot_row(k, a + m * a_stride, wb, acc);
    for (size_t n = 0; n < nr; n++) y[m * y_stride + n] = requantize_u8(acc[n], scale[n], *p);
  }
}

}  // namespace i8k
