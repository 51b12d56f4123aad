// WebAssembly SIMD DynamicQuantizeLinear kernels. pmin/pmax(a, b) are b < a ? b : a and
// a < b ? b : a: with the running value as a they keep it when x is NaN (the scalar twin's skip),
// and pmax(0, v) maps a NaN v to 0. f32x4.nearest rounds half to even.
#include "f32-qu8-dynamic.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

namespace i8k {

void f32_qu8_dynamic_wasmsimd_minmax(size_t n, const float* x, float* lo, float* hi) {
  v128_t mn0 = wasm_f32x4_splat(*lo), mn1 = mn0, mx0 = wasm_f32x4_splat(*hi), mx1 = mx0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const v128_t v0 = wasm_v128_load(x + i), v1 = wasm_v128_load(x + i + 4);
    mn0 = wasm_f32x4_pmin(mn0, v0), mn1 = wasm_f32x4_pmin(mn1, v1);
    mx0 = wasm_f32x4_pmax(mx0, v0), mx1 = wasm_f32x4_pmax(mx1, v1);
  }
  alignas(16) float l[4], h[4];
  wasm_v128_store(l, wasm_f32x4_pmin(mn0, mn1));
  wasm_v128_store(h, wasm_f32x4_pmax(mx0, mx1));
  for (int j = 0; j < 4; j++) f32_minmax_merge(l[j], h[j], *lo, *hi);
  for (; i < n; i++) f32_minmax_step(x[i], *lo, *hi);
}

void f32_qu8_dynamic_wasmsimd_quantize(size_t n, const float* x, float scale, float zp, uint8_t* y) {
  const v128_t vs = wasm_f32x4_splat(scale), vzp = wasm_f32x4_splat(zp);
  const v128_t zero = wasm_f32x4_splat(0.0f), top = wasm_f32x4_splat(255.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    v128_t q[2];
    for (int j = 0; j < 2; j++) {
      v128_t v = wasm_f32x4_div(wasm_v128_load(x + i + 4 * j), vs);
      v = wasm_f32x4_add(wasm_f32x4_nearest(v), vzp);
      q[j] = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_pmin(top, wasm_f32x4_pmax(zero, v)));
    }
    const v128_t w = wasm_i16x8_narrow_i32x4(q[0], q[1]);
    wasm_v128_store64_lane(y + i, wasm_u8x16_narrow_i16x8(w, w), 0);
  }
  for (; i < n; i++) y[i] = f32_quantize_u8(x[i], scale, zp);
}

}  // namespace i8k

#endif  // defined(__wasm_simd128__)
