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
//        this order and never an FMA
//   u8:  y = requantize_u8(acc, scale[n], rq)
//   s8:  y = requantize_u8(acc, scale[n], rq) - 128, with rq in u8 units (zero point and bounds
//        already shifted by +128): the same integers as clamping to [-128, 127] around zp - 128.
// Every ISA's stage gives the scalar twin's values: the accumulators are the same integers and
// each float step is one IEEE rounding in the same order.
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
// is in elements of the output type. One implementation per ISA (u8s8-output-<isa>.cc), chosen in
// kernel-config.cc; u8s8_output_scalar is the twin the others are tested against.
using U8S8OutputFn = void (*)(const U8S8Output& o, size_t m0, size_t mr, size_t n0, size_t nr,
                              const int32_t* tile, size_t tile_stride, void* y, size_t y_stride);

// A kernel's accumulator entry fused with the stage (rows m0.., columns n0.. of y), where an ISA
// has one: the same values as acc followed by output, without the tile round trip.
using U8S8GemmFusedUkernel = void (*)(size_t mr, size_t nr, size_t k, const uint8_t* a, size_t a_stride,
                                      const void* w, const U8S8Output& o, size_t m0, size_t n0, void* y,
                                      size_t y_stride);
#define I8K_U8S8_FUSED(X)            \
  X(u8s8_gemm_8x32c4_avx512vnni_fused) \
  X(u8s8_gemm_6x16c4_avxvnni_fused)    \
  X(u8s8_gemm_6x16c4_avxvnni_evex_fused) \
  X(u8s8_gemm_6x16c4_avx2_rr_fused)    \
  X(u8s8_gemm_4x16c2_avx2_fused)
#define I8K_DECLARE_U8S8_FUSED(name)                                                                  \
  void name(size_t mr, size_t nr, size_t k, const uint8_t* a, size_t a_stride, const void* w,        \
            const U8S8Output& o, size_t m0, size_t n0, void* y, size_t y_stride);
I8K_U8S8_FUSED(I8K_DECLARE_U8S8_FUSED)
#undef I8K_DECLARE_U8S8_FUSED

#define I8K_U8S8_OUTPUTS(X) \
  X(u8s8_output_scalar)     \
  X(u8s8_output_avx2)       \
  X(u8s8_output_avx512)     \
  X(u8s8_output_wasmsimd)   \
  X(u8s8_output_neon)
#define I8K_DECLARE_U8S8_OUTPUT(name)                                                            \
  void name(const U8S8Output& o, size_t m0, size_t mr, size_t n0, size_t nr, const int32_t* tile, \
            size_t tile_stride, void* y, size_t y_stride);
I8K_U8S8_OUTPUTS(I8K_DECLARE_U8S8_OUTPUT)
#undef I8K_DECLARE_U8S8_OUTPUT

// Keeps a float product from being contracted with a following add into an FMA (GCC contracts
// across statements by default, and the SIMD files are built with -mfma): the value must be
// materialized, rounded, before it is used.
static inline float u8s8_no_contract(float v) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  __asm__("" : "+x"(v));
#elif defined(__GNUC__) && defined(__aarch64__)
  __asm__("" : "+w"(v));
#endif
  return v;
}

// The stage for one element: the definition. SIMD stages use it for their column tails (static,
// like requantize_u8: one copy per file, built with that file's ISA flags).
static inline void u8s8_output_element(const U8S8Output& o, int32_t t, size_t m, size_t n, void* y) {
  // Unsigned arithmetic: the sums wrap like the kernels' int32 lanes instead of being undefined.
  uint32_t u = uint32_t(t) + uint32_t(o.col_off[n]);
  if (o.col_mult) u += uint32_t(o.row_sum[m]) * uint32_t(o.col_mult[n]);
  const int32_t acc = int32_t(u);
  switch (o.kind) {
    case U8S8OutputKind::s32:
      *static_cast<int32_t*>(y) = acc;
      break;
    case U8S8OutputKind::f32: {
      const float v = u8s8_no_contract(static_cast<float>(acc) * o.scale[n]);
      *static_cast<float*>(y) = o.bias ? v + o.bias[n] : v;
      break;
    }
    case U8S8OutputKind::u8:
    case U8S8OutputKind::s8:
      *static_cast<uint8_t*>(y) =
          uint8_t(requantize_u8(acc, o.scale[n], o.rq) ^ (o.kind == U8S8OutputKind::s8 ? 0x80 : 0));
      break;
  }
}

static inline size_t u8s8_output_size(U8S8OutputKind k) {
  return k == U8S8OutputKind::u8 || k == U8S8OutputKind::s8 ? 1 : 4;
}

}  // namespace i8k
