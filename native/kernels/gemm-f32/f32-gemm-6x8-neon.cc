// AArch64 Advanced SIMD FP32 GEMM microkernel, MR=6 x NR=8, and its convolution form (gemm-f32.h).
//
// 12 float32x4 accumulators (6 rows x 8 columns) stay in registers for the whole K loop. Per 4 k,
// one 4-float load per A row feeds fmla-by-element (vfmaq_laneq_f32) against the 8 weight vectors
// of those 4 k, so A costs one load per 4 k instead of a broadcast per k. 12 accumulators + 6 A
// vectors + 2 weight vectors use 20 of the 32 vector registers, and 12 independent chains cover
// the FMA latency (4 cycles x 2 pipes on Cortex-A7x/Neoverse).
//
// Edge tiles (mr < 6) run an instance of the same loop compiled for exactly mr rows: no work is
// wasted on rows that are not stored (M=1 would otherwise cost 6 rows), and rows >= mr are never
// addressed at all.
// FMA rounds once per multiply-add, so results differ from the scalar kernel (built with
// -ffp-contract=off) within the usual summation error bound, not bit for bit.
#include "gemm-f32.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include "../unroll.h"

namespace i8k {

namespace {
constexpr size_t MR = 6;
constexpr size_t NR = 8;

// fmax/fmin (not fmaxnm/fminnm) propagate a NaN accumulator, as the scalar std::min/std::max
// chain does.
inline float32x4_t clamp(float32x4_t x, float32x4_t vmin, float32x4_t vmax) {
  return vminq_f32(vmaxq_f32(x, vmin), vmax);
}

// Stores the first n (1..8) floats of v0:v1 with 4-, 2- and 1-float stores, so no byte past the
// tile is written.
inline void store_row(float* c, size_t n, float32x4_t v0, float32x4_t v1) {
  if (n >= NR) {
    vst1q_f32(c, v0);
    vst1q_f32(c + 4, v1);
    return;
  }
  if (n & 4) {
    vst1q_f32(c, v0);
    v0 = v1;
    c += 4;
  }
  float32x2_t lo = vget_low_f32(v0);
  if (n & 2) {
    vst1_f32(c, lo);
    lo = vget_high_f32(v0);
    c += 2;
  }
  if (n & 1) vst1_lane_f32(c, lo, 0);
}

template <size_t R>
void tile(size_t nr, size_t k, const float* a, size_t a_stride, const float* w, const float* bias,
          float* c, size_t c_stride, float32x4_t vmin, float32x4_t vmax) {
  const float* ap[R];
  float32x4_t acc[R][2];
  const float32x4_t b0 = vld1q_f32(bias), b1 = vld1q_f32(bias + 4);
  unroll<R>([&](auto r) {
    ap[r] = a + r * a_stride;
    acc[r][0] = b0;
    acc[r][1] = b1;
  });

  size_t kk = 0;
  for (; kk + 4 <= k; kk += 4) {
    float32x4_t va[R];
    unroll<R>([&](auto r) { va[r] = vld1q_f32(ap[r] + kk); });
    unroll<4>([&](auto l) {
      const float32x4_t w0 = vld1q_f32(w + l * NR), w1 = vld1q_f32(w + l * NR + 4);
      unroll<R>([&](auto r) {
        acc[r][0] = vfmaq_laneq_f32(acc[r][0], w0, va[r], l);
        acc[r][1] = vfmaq_laneq_f32(acc[r][1], w1, va[r], l);
      });
    });
    w += 4 * NR;
  }
  // The last k % 4 values: a 4-float load would read past the end of the row.
  for (; kk < k; kk++) {
    const float32x4_t w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4);
    w += NR;
    unroll<R>([&](auto r) {
      const float av = ap[r][kk];
      acc[r][0] = vfmaq_n_f32(acc[r][0], w0, av);
      acc[r][1] = vfmaq_n_f32(acc[r][1], w1, av);
    });
  }

  unroll<R>([&](auto r) {
    store_row(c + r * c_stride, nr, clamp(acc[r][0], vmin, vmax), clamp(acc[r][1], vmin, vmax));
  });
}

// The conv form (gemm-f32.h): both operands walked by rows at run-time strides.
template <size_t R>
void conv_tile(size_t nr, const F32Rows& a, const F32Rows& b, const float* row_bias,
               const float* col_bias, float* c, size_t c_stride, float32x4_t vmin, float32x4_t vmax) {
  float32x4_t acc[R][2];
  const float32x4_t zero = vdupq_n_f32(0.0f);
  const float32x4_t b0 = col_bias ? vld1q_f32(col_bias) : zero;
  const float32x4_t b1 = col_bias ? vld1q_f32(col_bias + 4) : zero;
  unroll<R>([&](auto r) {
    const float32x4_t rb = vdupq_n_f32(row_bias ? row_bias[r] : 0.0f);
    acc[r][0] = vaddq_f32(b0, rb);
    acc[r][1] = vaddq_f32(b1, rb);
  });
  for (size_t t = 0; t < b.taps; t++) {
    const float* ap = a.base + a.offsets[t];
    const float* w = b.base + b.offsets[t];
    for (size_t j = 0; j < b.kc; j++) {
      const float32x4_t w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4);
      w += b.stride;
      unroll<R>([&](auto r) {
        acc[r][0] = vfmaq_n_f32(acc[r][0], w0, ap[r]);
        acc[r][1] = vfmaq_n_f32(acc[r][1], w1, ap[r]);
      });
      ap += a.stride;
    }
  }
  unroll<R>([&](auto r) {
    store_row(c + r * c_stride, nr, clamp(acc[r][0], vmin, vmax), clamp(acc[r][1], vmin, vmax));
  });
}
}  // namespace

void f32_gemm_6x8_neon(size_t mr, size_t nr, size_t k, const float* a, size_t a_stride,
                       const float* w, const float* bias, float* c, size_t c_stride, float min,
                       float max) {
  const float32x4_t vmin = vdupq_n_f32(min), vmax = vdupq_n_f32(max);
  with_rows<MR>(mr, [&](auto rows) {
    constexpr size_t R = decltype(rows)::value;
    tile<R>(nr, k, a, a_stride, w, bias, c, c_stride, vmin, vmax);
  });
}

void f32_convgemm_6x8_neon(size_t mr, size_t nr, const F32Rows& a, const F32Rows& b,
                           const float* row_bias, const float* col_bias, float* c, size_t c_stride,
                           float min, float max) {
  const float32x4_t vmin = vdupq_n_f32(min), vmax = vdupq_n_f32(max);
  with_rows<MR>(mr, [&](auto rows) {
    constexpr size_t R = decltype(rows)::value;
    conv_tile<R>(nr, a, b, row_bias, col_bias, c, c_stride, vmin, vmax);
  });
}

}  // namespace i8k

#endif  // defined(__aarch64__)
