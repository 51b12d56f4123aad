// WebAssembly SIMD128 FP32 GEMM microkernel, MR=4 x NR=16, computed as two passes over K of 4 rows
// x 8 columns each. One pass keeps 8 f32x4 accumulators + 2 weight vectors + 1 splat in
// registers; a single 16-column pass needs 16 accumulators + 4 weight vectors, which V8 on x86-64
// (16 xmm registers) spills: measured 33 vs 39 GFLOP/s at M=N=K=1024 in Node 20. The second pass
// re-reads A from L1 and is skipped when nr <= 8.
// Baseline SIMD128 has no FMA: with a separate multiply and add in k order, each lane is rounded
// exactly like the scalar reference built with -ffp-contract=off, so results match it bit for bit.
#include "gemm-f32.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

namespace i8k {

namespace {
constexpr size_t NR = 16;

// pmax(x, lo) = x < lo ? lo : x and pmin(x, hi) = hi < x ? hi : x are std::max / std::min
// exactly (NaN passes through) and lower to single minps/maxps, unlike the IEEE f32x4.min/max.
inline v128_t clamp(v128_t x, v128_t vmin, v128_t vmax) {
  return wasm_f32x4_pmin(wasm_f32x4_pmax(x, vmin), vmax);
}

// Stores the first n (1..8) floats of v0:v1 with 4-, 2- and 1-float stores, so no byte past the
// tile is written.
inline void store8(float* c, size_t n, v128_t v0, v128_t v1) {
  if (n >= 8) {
    wasm_v128_store(c, v0);
    wasm_v128_store(c + 4, v1);
    return;
  }
  if (n & 4) {
    wasm_v128_store(c, v0);
    v0 = v1;
    c += 4;
  }
  if (n & 2) {
    wasm_v128_store64_lane(c, v0, 0);
    v0 = wasm_i64x2_shuffle(v0, v0, 1, 1);
    c += 2;
  }
  if (n & 1) wasm_v128_store32_lane(c, v0, 0);
}
}  // namespace

void f32_gemm_4x16_wasmsimd(size_t mr, size_t nr, size_t k, const float* a, size_t a_stride,
                            const float* w, const float* bias, float* c, size_t c_stride,
                            float min, float max) {
  // Rows past mr alias the last valid row (as in XNNPACK): never read a row the caller did not
  // hand us; their results are simply not stored.
  const float* a0 = a;
  const float* a1 = mr > 1 ? a0 + a_stride : a0;
  const float* a2 = mr > 2 ? a1 + a_stride : a1;
  const float* a3 = mr > 3 ? a2 + a_stride : a2;
  const v128_t vmin = wasm_f32x4_splat(min), vmax = wasm_f32x4_splat(max);

  for (size_t n0 = 0; n0 < nr; n0 += 8) {
    // Columns n0..n0+7 of the panel: 8 floats at the start or middle of each 16-float k row.
    const float* wp = w + n0;
    v128_t c00 = wasm_v128_load(bias + n0), c01 = wasm_v128_load(bias + n0 + 4);
    v128_t c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
    for (size_t kk = 0; kk < k; kk++) {
      const v128_t w0 = wasm_v128_load(wp), w1 = wasm_v128_load(wp + 4);
      wp += NR;
      const v128_t va0 = wasm_v128_load32_splat(a0 + kk);
      c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(va0, w0));
      c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(va0, w1));
      const v128_t va1 = wasm_v128_load32_splat(a1 + kk);
      c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(va1, w0));
      c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(va1, w1));
      const v128_t va2 = wasm_v128_load32_splat(a2 + kk);
      c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(va2, w0));
      c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(va2, w1));
      const v128_t va3 = wasm_v128_load32_splat(a3 + kk);
      c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(va3, w0));
      c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(va3, w1));
    }

    const size_t n = nr - n0;  // valid columns in this pass (>= 1; store8 caps at 8)
    float* cp = c + n0;
    // Rows >= mr are not stored (their accumulators duplicate the last valid row).
    store8(cp, n, clamp(c00, vmin, vmax), clamp(c01, vmin, vmax));
    if (mr > 1) store8(cp + c_stride, n, clamp(c10, vmin, vmax), clamp(c11, vmin, vmax));
    if (mr > 2) store8(cp + 2 * c_stride, n, clamp(c20, vmin, vmax), clamp(c21, vmin, vmax));
    if (mr > 3) store8(cp + 3 * c_stride, n, clamp(c30, vmin, vmax), clamp(c31, vmin, vmax));
  }
}

// The conv form (gemm-f32.h): both operands walked by rows. One v128 load gives the four rows'
// A values of a k and lane splats replace four scalar loads.
void f32_convgemm_4x16_wasmsimd(size_t mr, size_t nr, const F32Rows& a, const F32Rows& b,
                                const float* row_bias, const float* col_bias, float* c,
                                size_t c_stride, float min, float max) {
  const v128_t vmin = wasm_f32x4_splat(min), vmax = wasm_f32x4_splat(max);
  auto rb = [&](size_t i) { return wasm_f32x4_splat(row_bias ? row_bias[i < mr ? i : mr - 1] : 0.0f); };
  const v128_t r0 = rb(0), r1 = rb(1), r2 = rb(2), r3 = rb(3);
  for (size_t n0 = 0; n0 < nr; n0 += 8) {
    const v128_t zero = wasm_f32x4_splat(0.0f);
    const v128_t b0 = col_bias ? wasm_v128_load(col_bias + n0) : zero;
    const v128_t b1 = col_bias ? wasm_v128_load(col_bias + n0 + 4) : zero;
    v128_t c00 = wasm_f32x4_add(b0, r0), c01 = wasm_f32x4_add(b1, r0);
    v128_t c10 = wasm_f32x4_add(b0, r1), c11 = wasm_f32x4_add(b1, r1);
    v128_t c20 = wasm_f32x4_add(b0, r2), c21 = wasm_f32x4_add(b1, r2);
    v128_t c30 = wasm_f32x4_add(b0, r3), c31 = wasm_f32x4_add(b1, r3);
    for (size_t t = 0; t < b.taps; t++) {
      const float* ap = a.base + a.offsets[t];
      const float* wp = b.base + b.offsets[t] + n0;
      for (size_t j = 0; j < b.kc; j++) {
        const v128_t w0 = wasm_v128_load(wp), w1 = wasm_v128_load(wp + 4);
        wp += b.stride;
        const v128_t va = wasm_v128_load(ap);
        ap += a.stride;
        const v128_t va0 = wasm_i32x4_shuffle(va, va, 0, 0, 0, 0);
        c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(va0, w0));
        c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(va0, w1));
        const v128_t va1 = wasm_i32x4_shuffle(va, va, 1, 1, 1, 1);
        c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(va1, w0));
        c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(va1, w1));
        const v128_t va2 = wasm_i32x4_shuffle(va, va, 2, 2, 2, 2);
        c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(va2, w0));
        c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(va2, w1));
        const v128_t va3 = wasm_i32x4_shuffle(va, va, 3, 3, 3, 3);
        c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(va3, w0));
        c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(va3, w1));
      }
    }
    const size_t n = nr - n0;
    float* cp = c + n0;
    store8(cp, n, clamp(c00, vmin, vmax), clamp(c01, vmin, vmax));
    if (mr > 1) store8(cp + c_stride, n, clamp(c10, vmin, vmax), clamp(c11, vmin, vmax));
    if (mr > 2) store8(cp + 2 * c_stride, n, clamp(c20, vmin, vmax), clamp(c21, vmin, vmax));
    if (mr > 3) store8(cp + 3 * c_stride, n, clamp(c30, vmin, vmax), clamp(c31, vmin, vmax));
  }
}

}  // namespace i8k

#endif  // defined(__wasm_simd128__)
