// INT8 depthwise convolution, NHWC: u8 activations x int16 weights -> int32 -> u8, one output row
// of pixels per call, every channel vectorised.
//
//   acc[c] = bias[c] + sum over taps t of input[px][t][c] * w[t][c]
//   y[px][c] = requantize_u8(acc[c], scale[c], p)        (gemm-u8s8.h: the one output definition)
//
// The caller folds zero points: w holds (w - w_zero_point) (fits int16 for u8 and s8 weights), bias
// holds bias - x_zero_point * sum_t w[t][c], and padding taps point at a row of x_zero_point bytes,
// so they contribute x_zp * w and cancel. Windows are given as an indirection row (XNNPACK's
// design): pixel px reads its taps through input[px * taps + t], so one kernel serves every stride,
// dilation and padding; the tap count is what the fixed 3x3 (9) and 5x5 (25) variants unroll.
//
// |acc| must fit int32: the caller checks |bias| + taps * 255 * 255 < 2^31 (taps <= 32000).
#pragma once
#include <cstddef>
#include <cstdint>
#include "../gemm-u8s8/gemm-u8s8.h"

namespace i8k {

struct QU8DwWeights {
  size_t channels;       // C: the stride between taps in w, and the length of bias and scale
  const int32_t* bias;   // [C], zero points folded in
  const float* scale;    // [C], x_scale * w_scale[c] / y_scale
  const int16_t* w;      // [taps][C]
};

// Writes width pixels of C bytes at y, y + y_step, ...; reads exactly C bytes at each input pointer.
using QU8DwConvUkernel = void (*)(size_t width, size_t taps, const uint8_t* const* input,
                                  const QU8DwWeights& w, uint8_t* y, size_t y_step,
                                  const RequantParams& p);

// Per ISA: name_9 (3x3), name_25 (5x5) and name_any (any tap count; taps must match the call).
#define I8K_QU8_DWCONV_KERNELS(X) \
  X(qu8_dwconv_scalar)            \
  X(qu8_dwconv_avx2)              \
  X(qu8_dwconv_avx512bw)          \
  X(qu8_dwconv_wasmsimd)          \
  X(qu8_dwconv_neon)

#define I8K_DECLARE_QU8_DW(name)                                                                  \
  void name##_9(size_t width, size_t taps, const uint8_t* const* input, const QU8DwWeights& w,     \
                uint8_t* y, size_t y_step, const RequantParams& p);                                \
  void name##_25(size_t width, size_t taps, const uint8_t* const* input, const QU8DwWeights& w,    \
                 uint8_t* y, size_t y_step, const RequantParams& p);                               \
  void name##_any(size_t width, size_t taps, const uint8_t* const* input, const QU8DwWeights& w,   \
                  uint8_t* y, size_t y_step, const RequantParams& p);
I8K_QU8_DWCONV_KERNELS(I8K_DECLARE_QU8_DW)
#undef I8K_DECLARE_QU8_DW

}  // namespace i8k
