// 4-lane WebAssembly SIMD128 vector for the kernel templates (include only from *-wasmsimd.cc).
// V is a generic float vector so that + - * / apply; intrinsics take it as v128_t.
#pragma once
#include <wasm_simd128.h>
#include <cstddef>
#include <cstdint>

namespace i8k::simd {

struct WasmSimd {
  typedef float V __attribute__((vector_size(16)));
  typedef int32_t I __attribute__((vector_size(16)));
  using M = I;
  static constexpr size_t W = 4;
  static v128_t r(V a) { return v128_t(a); }
  static V load(const float* p) { return V(wasm_v128_load(p)); }
  static void store(float* p, V v) { wasm_v128_store(p, r(v)); }
  static V splat(float x) { return V(wasm_f32x4_splat(x)); }
  static V fma(V a, V b, V c) { return a * b + c; }
  static V max(V a, V b) { return V(wasm_f32x4_pmax(r(b), r(a))); }  // a < b ? b : a, like maxps(a, b)
  static V min(V a, V b) { return V(wasm_f32x4_pmin(r(b), r(a))); }
  static V sqrt(V a) { return V(wasm_f32x4_sqrt(r(a))); }
  static V floor(V a) { return V(wasm_f32x4_floor(r(a))); }
  static V ceil(V a) { return V(wasm_f32x4_ceil(r(a))); }
  static V abs(V a) { return V(wasm_f32x4_abs(r(a))); }
  static M lt(V a, V b) { return M(wasm_f32x4_lt(r(a), r(b))); }
  static M le(V a, V b) { return M(wasm_f32x4_le(r(a), r(b))); }
  static M ne(V a, V b) { return M(wasm_f32x4_ne(r(a), r(b))); }
  static M mor(M a, M b) { return a | b; }
  static bool any(M m) { return wasm_v128_any_true(v128_t(m)); }
  static V select(M m, V a, V b) { return V(wasm_v128_bitselect(r(a), r(b), v128_t(m))); }
  static I to_int(V a) { return I(wasm_i32x4_trunc_sat_f32x4(r(a))); }
  static I isub(I a, I b) { return a - b; }
  static V exp2i(I n) { return V((n + 127) << 23); }
  static V mantissa(V a, I* e) {
    I bits = I(a);
    *e = I(wasm_u32x4_shr(v128_t(bits), 23)) - 127;
    return V((bits & 0x007fffff) | 0x3f800000);
  }
  static V to_float(I n) { return V(wasm_f32x4_convert_i32x4(v128_t(n))); }
  static float hsum(V a) { return (a[0] + a[2]) + (a[1] + a[3]); }
  static float hmax(V a) { float x = a[0] > a[1] ? a[0] : a[1], y = a[2] > a[3] ? a[2] : a[3]; return x > y ? x : y; }
  static float hmin(V a) { float x = a[0] < a[1] ? a[0] : a[1], y = a[2] < a[3] ? a[2] : a[3]; return x < y ? x : y; }
};

}  // namespace i8k::simd
