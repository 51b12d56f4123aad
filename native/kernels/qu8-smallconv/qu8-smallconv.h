// Direct (im2col-free) INT8 convolution for small windows: u8 NHWC activations x s8 weights, one
// output row segment per call, requantized per output channel to u8 exactly as requantize_u8.
//
// Why: a conv whose im2col row is a few bytes (the MNIST stem: 1 channel, 3x3, 8 outputs) spends
// its time gathering 3-byte runs and running a GEMM tile padded to 32 columns. Here the window is
// read in place from a zero-point-padded copy of the input rows the caller prepares: with no
// horizontal dilation, a kernel row's taps are one contiguous span of kw * cin bytes, read as
// `groups` = ceil(span / 4) 4-byte groups (the bytes past the span meet zero weights). Lanes are
// output channels, in tiles of 8.
//
//   y[i][o] = requantize_u8(bias[o] + sum_{ky < kh, j < 4 * groups} x[i * x_pixel_stride +
//             ky * x_row_stride + j] * w(o, ky, j), scale[o])           (w = 0 for j >= span)
//
// x must be readable for every byte named above (the caller's padded rows carry 4 bytes of
// slack). y: n pixels of `cout` bytes, contiguous; nothing past them is written.
#pragma once
#include <cstddef>
#include <cstdint>
#include "../gemm-u8s8/gemm-u8s8.h"

namespace i8k {

constexpr size_t kSmallConvTile = 8;  // output channels per weight tile (every ISA)

struct QU8SmallConvGeometry {
  size_t cout, kh, groups;          // groups: 4-byte groups per kernel row
  size_t x_pixel_stride, x_row_stride;
};

// w: the kernel's packed weights (its own _pack). bias, scale: cout entries rounded up to a tile.
using QU8SmallConvUkernel = void (*)(size_t n, const QU8SmallConvGeometry& g, const uint8_t* x, const void* w,
                                     const int32_t* bias, const float* scale, uint8_t* y, const RequantParams* p);
// Packs w[o][ky][j] (o < cout, ky < kh, j < span; row-major, span = kw * cin bytes per kernel row)
// into out, packed_bytes(cout, kh, groups) bytes.
using QU8SmallConvPack = void (*)(size_t cout, size_t kh, size_t span, const int8_t* w, void* out);
using QU8SmallConvPackedBytes = size_t (*)(size_t cout, size_t kh, size_t groups);

#define I8K_QU8_SMALLCONV_KERNELS(X) \
  X(qu8_smallconv_scalar)            \
  X(qu8_smallconv_avx2)              \
  X(qu8_smallconv_avx512vnni)        \
  X(qu8_smallconv_wasmsimd)

#define I8K_DECLARE_QU8_SMALLCONV(name)                                                                    \
  void name(size_t n, const QU8SmallConvGeometry& g, const uint8_t* x, const void* w, const int32_t* bias, \
            const float* scale, uint8_t* y, const RequantParams* p);                                       \
  void name##_pack(size_t cout, size_t kh, size_t span, const int8_t* w, void* out);                      \
  size_t name##_packed_bytes(size_t cout, size_t kh, size_t groups);
I8K_QU8_SMALLCONV_KERNELS(I8K_DECLARE_QU8_SMALLCONV)
#undef I8K_DECLARE_QU8_SMALLCONV

// The dword layout of the scalar and VNNI kernels: per tile of 8 outputs, per kernel row, per
// 4-byte group, 8 lanes of the 4 weights w(o, ky, 4g .. 4g + 3) (zero past the span or cout).
inline size_t qu8_smallconv_tiles(size_t cout) { return (cout + kSmallConvTile - 1) / kSmallConvTile; }
void qu8_smallconv_pack_c4(size_t cout, size_t kh, size_t span, const int8_t* w, int8_t* out);
// The int16 layouts of the kernels without a u8 x s8 dot product (AVX2, WebAssembly): per tile,
// kernel row and group, 32 int16, weight b (< 4) of lane `lane` at slot(lane, b).
size_t qu8_smallconv_i16_packed_bytes(size_t cout, size_t kh, size_t groups);
void qu8_smallconv_pack_i16(size_t cout, size_t kh, size_t span, const int8_t* w, int16_t* out,
                            size_t (*slot)(size_t lane, size_t b));

}  // namespace i8k
