// INT8 depthwise convolution on one channel's plane (NCHW), the layout the runtime keeps at op
// boundaries: no NCHW <-> NHWC conversion, and no byte shuffles in the inner loop.
//
//   acc[g] = bias + sum over ky, kx of w[ky][kx] * in[g * sw + ky * row_step + kx]
//   out[g] = requantize_u8(acc, scale, p) ^ y_flip       (gemm-u8s8.h: the one output definition)
//
// for g in [0, count): a run of outputs along one row, or a whole stride-1 plane read as one long
// row. Long-row output g is plane output (g / pitch, g % pitch), stored at
// y[(g / pitch) * width + g % pitch] when g % pitch < width and dropped otherwise (those are the
// windows that wrap past a row end); pitch = width = count stores them all in order. The caller pads the plane (x_zero_point bytes around the input, the zero point folded
// into bias as for qu8-dwconv.h), so the kernel has no edge cases. Weights are s8 (w -
// w_zero_point within [-128, 127]): a row of kw taps is stored as quads of int8 (kw rounded up to
// 4, zero padded), so on VNNI the quad of bytes at in[g * sw + 4q] is one u8 x s8 vpdpbusd lane:
// stride-1 outputs g, g + 4, ..., g + 60 are one plain 64-byte load, and four loads one byte
// apart cover 64 outputs.
//
// |acc| must fit int32: the caller checks |bias| + 255 * sum |w| < 2^31.
#pragma once
#include <cstddef>
#include <cstdint>
#include "../gemm-u8s8/gemm-u8s8.h"

namespace i8k {

struct QU8DwPlanarShape {
  size_t count;     // outputs
  size_t sw;        // input bytes between neighbouring outputs
  size_t kh, kw;
  size_t row_step;  // input bytes between kernel rows (row dilation * plane pitch)
  size_t readable;  // bytes readable from in: >= (count - 1) * sw + (kh - 1) * row_step + kw
  size_t pitch, width;  // output rows: 1 <= width <= pitch
  size_t quads() const { return (kw + 3) / 4; }
};

// The kernel reads nothing at or past in + readable. w: [kh][4 * quads()] int8. y: the stored outputs.
using QU8DwPlanarUkernel = void (*)(const QU8DwPlanarShape& s, const uint8_t* in, const int8_t* w, int32_t bias,
                                    float scale, uint8_t* y, uint8_t y_flip, const RequantParams& p);

// Any stride (the twin the SIMD kernels must match bit for bit).
void qu8_dwplanar_scalar(const QU8DwPlanarShape& s, const uint8_t* in, const int8_t* w, int32_t bias, float scale,
                         uint8_t* y, uint8_t y_flip, const RequantParams& p);
// Column stride 1 or 2 only (the config's caller checks qu8_dwplanar_supports).
void qu8_dwplanar_avx512vnni(const QU8DwPlanarShape& s, const uint8_t* in, const int8_t* w, int32_t bias,
                             float scale, uint8_t* y, uint8_t y_flip, const RequantParams& p);

inline bool qu8_dwplanar_supports(size_t sw, size_t dw) { return (sw == 1 || sw == 2) && dw == 1; }

}  // namespace i8k
