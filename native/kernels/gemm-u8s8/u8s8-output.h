// Output stages of the u8 x s8 GEMM for the raw accumulator tiles of U8S8GemmAccUkernel: every
// zero-point form and the s32 / f32 / u8 / s8 outputs of QLinearMatMul, MatMulInteger,
// ConvInteger and dynamically quantized MatMul.
//
// The kernels only ever see u8 A' and s8 B'. With A = A' - 128 for s8 A (a zero point za then
// becomes za + 128) and B = B' + c (c = 128 for u8 B, 0 for s8 B), the exact product is
//   sum_k (A'[m][k] - za) (B'[k][n] + c - zb[n])
//     = dot[m][n] + rowsum(A')[m] * d[n] - za * (colsum(B')[n] + K * d[n]),   d[n] = c - zb[n]
// so one per-row term (row sums of A', computed while A is read or converted) times one per-column
// multiplier, plus a per-column offset, turns the dot products into the zero-point corrected
// accumulators:
//   acc[m][n] = tile[m][n] + col_off[n] + row_sum[m] * col_mult[n]     (int32, wrapping)
// and the stages are
//   s32: y = acc
//   f32: y = float(acc) * scale[n], then y + bias[n] when a bias is given: two float32 roundings in
//        this order and never an FMA (this file's definition is compiled with -ffp-contract=off)
//   u8:  y = requantize_u8(acc, scale[n], rq)
//   s8:  y = requantize_u8(acc, scale[n], rq) - 128, with rq in u8 units (zero point and bounds
//        already shifted by +128): the same integers as clamping to [-128, 127] around zp - 128.
// Defined once, in scalar code, for every ISA: the results are identical on all of them because
// the accumulators are and the float steps are single IEEE roundings.
#pragma once
#include <cstddef>
#include <cstdint>
#include "gemm-u8s8.h"

namespace i8k {

enum class U8S8OutputKind { s32, f32, u8, s8 };

struct U8S8Output {
  U8S8OutputKind kind;
  const int32_t* col_off;   // N entries (required)
  const int32_t* col_mult;  // N entries, or nullptr when no zero point term is needed
  const int32_t* row_sum;   // M entries indexed by absolute row, with col_mult
  const float* scale;       // f32, u8, s8: N entries
  const float* bias;        // f32 only: N entries or nullptr
  RequantParams rq;         // u8, s8
};

// Applies the stage to rows [m0, m0 + mr) and columns [n0, n0 + nr) of the output from an
// accumulator tile (tile_stride int32 per row). y points at element (0, 0) of the output; y_stride
// is in elements of the output type.
void u8s8_output_tile(const U8S8Output& o, size_t m0, size_t mr, size_t n0, size_t nr,
                      const int32_t* tile, size_t tile_stride, void* y, size_t y_stride);

}  // namespace i8k
