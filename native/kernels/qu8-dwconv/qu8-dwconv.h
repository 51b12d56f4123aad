// INT8 depthwise convolution, NHWC: u8 activations x int16 weights -> int32 -> u8, one output row
// of pixels per call, channels vectorised.
//
//   acc[c] = bias[c] + sum over taps t of input[t][c] * w[t][c]
//   y[c]   = requantize_u8(acc[c], scale[c], p)        (gemm-u8s8.h: the one output definition)
//
// The caller folds zero points: w holds (w - w_zero_point) (within [-255, 255] for u8 and s8
// weights), bias holds bias - x_zero_point * sum_t w[t][c], and padding taps point at a row of
// x_zero_point bytes, so they contribute x_zp * w and cancel. Windows come as an indirection
// buffer (XNNPACK's design): pixel px reads tap t at input[px * input_step + t]; with taps ordered
// column by column (t = kx * kh + ky) neighbouring pixels share pointers (input_step = sw * kh), so
// one kernel serves every stride, dilation and padding. 3x3 (9 taps) and 5x5 (25) are unrolled.
//
// Packed weights (qu8_dwconv_pack), per block of B channels (B: the kernel's block, the last block
// zero padded): int32 bias[B], float scale[B], then per tap pair (taps 2q, 2q + 1; an odd last tap
// pairs with a zero weight) int16 w[B][2]. Within a block, position j holds channel
//   8 * (j % (B/2) / 4) + (j % 4) + (j < B/2 ? 0 : 4),
// the order in which interleaving two 8-channel groups of int16 inputs (x[t], x[t+1]) lane by lane
// (punpcklwd / punpckhwd within 128 bits) meets them: one pmaddwd then sums both taps exactly, and
// packing the low and high halves back (packssdw) restores channel order. For B = 8 this is plain
// channel order.
//
// |acc| must fit int32: the caller checks |bias| + 255 * sum_t |w[t][c]| < 2^31.
#pragma once
#include <cstddef>
#include <cstdint>
#include "../gemm-u8s8/gemm-u8s8.h"

namespace i8k {

// Writes width pixels of `channels` bytes at y, y + y_step, ...; reads exactly `channels` bytes at
// each input pointer. taps must be 9 for name_9 and 25 for name_25.
using QU8DwConvUkernel = void (*)(size_t width, size_t channels, size_t taps, const uint8_t* const* input,
                                  size_t input_step, const void* packed, uint8_t* y, size_t y_step,
                                  const RequantParams& p);

// Bytes of the packed weights for this block size.
inline size_t qu8_dwconv_packed_bytes(size_t block, size_t taps, size_t channels) {
  const size_t blocks = (channels + block - 1) / block, pairs = (taps + 1) / 2;
  return blocks * block * (2 * sizeof(int32_t) + pairs * 2 * sizeof(int16_t));
}
// w: [taps][channels] in the indirection's tap order; bias, scale: [channels].
void qu8_dwconv_pack(size_t block, size_t taps, size_t channels, const int16_t* w, const int32_t* bias,
                     const float* scale, void* out);

// Per ISA: name_9 (3x3), name_25 (5x5), name_any (any tap count), with its channel block.
#define I8K_QU8_DWCONV_KERNELS(X)  \
  X(qu8_dwconv_scalar, 8)          \
  X(qu8_dwconv_avx2, 16)           \
  X(qu8_dwconv_avx512bw, 32)       \
  X(qu8_dwconv_wasmsimd, 8)        \
  X(qu8_dwconv_neon, 8)

#define I8K_DECLARE_QU8_DW_ONE(fn)                                                                \
  void fn(size_t width, size_t channels, size_t taps, const uint8_t* const* input, size_t input_step, \
          const void* packed, uint8_t* y, size_t y_step, const RequantParams& p);
#define I8K_DECLARE_QU8_DW(name, B) \
  I8K_DECLARE_QU8_DW_ONE(name##_9)  \
  I8K_DECLARE_QU8_DW_ONE(name##_25) \
  I8K_DECLARE_QU8_DW_ONE(name##_any)
I8K_QU8_DWCONV_KERNELS(I8K_DECLARE_QU8_DW)
#undef I8K_DECLARE_QU8_DW
#undef I8K_DECLARE_QU8_DW_ONE

// Kernels for weights within s8 (the symmetric QDQ export) with their own packed layout: VNNI
// sums four u8 x s8 products per int32 lane (qu8-dwconv-avx512vnni.cc describes the layout).
using QU8DwPackedBytes = size_t (*)(size_t taps, size_t channels);
using QU8DwPack = void (*)(size_t taps, size_t channels, const int16_t* w, const int32_t* bias, const float* scale,
                           void* out);
void qu8_dwconv_avx512vnni_9(size_t width, size_t channels, size_t taps, const uint8_t* const* input,
                             size_t input_step, const void* packed, uint8_t* y, size_t y_step, const RequantParams& p);
void qu8_dwconv_avx512vnni_25(size_t width, size_t channels, size_t taps, const uint8_t* const* input,
                              size_t input_step, const void* packed, uint8_t* y, size_t y_step, const RequantParams& p);
void qu8_dwconv_avx512vnni_any(size_t width, size_t channels, size_t taps, const uint8_t* const* input,
                               size_t input_step, const void* packed, uint8_t* y, size_t y_step, const RequantParams& p);
size_t qu8_dwconv_avx512vnni_packed_bytes(size_t taps, size_t channels);
void qu8_dwconv_avx512vnni_pack(size_t taps, size_t channels, const int16_t* w, const int32_t* bias,
                                const float* scale, void* out);

// Defines name_9, name_25 and name_any in a kernel file on its rows<TAPS>(...) template (TAPS = 0:
// the tap count comes at run time).
#define I8K_QU8_DWCONV_ENTRY_POINTS(name)                                                              \
  void name##_9(size_t width, size_t channels, size_t, const uint8_t* const* input, size_t input_step,  \
                const void* packed, uint8_t* y, size_t y_step, const RequantParams& p) {                \
    rows<9>(width, channels, 9, input, input_step, packed, y, y_step, p);                               \
  }                                                                                                     \
  void name##_25(size_t width, size_t channels, size_t, const uint8_t* const* input, size_t input_step, \
                 const void* packed, uint8_t* y, size_t y_step, const RequantParams& p) {               \
    rows<25>(width, channels, 25, input, input_step, packed, y, y_step, p);                             \
  }                                                                                                     \
  void name##_any(size_t width, size_t channels, size_t taps, const uint8_t* const* input,              \
                  size_t input_step, const void* packed, uint8_t* y, size_t y_step, const RequantParams& p) { \
    rows<0>(width, channels, taps, input, input_step, packed, y, y_step, p);                            \
  }

// Position j of a block of B -> channel offset within the block (see above).
inline size_t qu8_dwconv_channel(size_t block, size_t j) {
  const size_t half = block / 2, k = j % half;
  return 8 * (k / 4) + (k % 4) + (j < half ? 0 : 4);
}

}  // namespace i8k
