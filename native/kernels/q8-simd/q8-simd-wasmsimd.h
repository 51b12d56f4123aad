// 4-lane WebAssembly SIMD128 vectors for the quantized small kernel templates (include only from
// *-wasmsimd.cc). F: float32 lanes; I: int32 lanes; B: a register of bytes (for max pooling).
#pragma once
#include <wasm_simd128.h>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace i8k::q8simd {

struct WasmSimd {
  using F = v128_t;
  using I = v128_t;
  using B = v128_t;
  static constexpr size_t W = 4;
  static constexpr size_t WB = 16;
  static v128_t load4(const void* p) { uint32_t t; std::memcpy(&t, p, 4); return wasm_i32x4_make(int32_t(t), 0, 0, 0); }
  static I load_i(const uint8_t* p) { return wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(load4(p))); }
  static I load_i(const int8_t* p) { return wasm_i32x4_extend_low_i16x8(wasm_i16x8_extend_low_i8x16(load4(p))); }
  static F to_f(I v) { return wasm_f32x4_convert_i32x4(v); }
  static F loadf(const float* p) { return wasm_v128_load(p); }
  static void storef(float* p, F v) { wasm_v128_store(p, v); }
  static F set(float x) { return wasm_f32x4_splat(x); }
  static F add(F a, F b) { return wasm_f32x4_add(a, b); }
  static F sub(F a, F b) { return wasm_f32x4_sub(a, b); }
  static F mul(F a, F b) { return wasm_f32x4_mul(a, b); }
  static F div(F a, F b) { return wasm_f32x4_div(a, b); }
  static F round(F v) { return wasm_f32x4_nearest(v); }
  // pmax(lo, v) = lo < v ? v : lo, so NaN -> lo as q8_saturate; pmin(hi, v) = v < hi ? v : hi.
  static F clamp(F v, F lo, F hi) { return wasm_f32x4_pmin(hi, wasm_f32x4_pmax(lo, v)); }
  static v128_t pack16(F v) { const v128_t i = wasm_i32x4_trunc_sat_f32x4(v); return wasm_i16x8_narrow_i32x4(i, i); }
  static void store4(void* p, v128_t b) { const uint32_t t = uint32_t(wasm_i32x4_extract_lane(b, 0)); std::memcpy(p, &t, 4); }
  static void store(uint8_t* p, F v) { const v128_t w = pack16(v); store4(p, wasm_u8x16_narrow_i16x8(w, w)); }
  static void store(int8_t* p, F v) { const v128_t w = pack16(v); store4(p, wasm_i8x16_narrow_i16x8(w, w)); }
  static I zeroi() { return wasm_i32x4_splat(0); }
  static I addi(I a, I b) { return wasm_i32x4_add(a, b); }
  static void storei(int32_t* p, I v) { wasm_v128_store(p, v); }
  static int32_t hsum(I v) {
    return (wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1)) + (wasm_i32x4_extract_lane(v, 2) + wasm_i32x4_extract_lane(v, 3));
  }
  template <typename T>
  static B loadb(const T* p) { return wasm_v128_load(p); }
  template <typename T>
  static void storeb(T* p, B v) { wasm_v128_store(p, v); }
  static B max(B a, B b, uint8_t) { return wasm_u8x16_max(a, b); }
  static B max(B a, B b, int8_t) { return wasm_i8x16_max(a, b); }
  // The even bytes of x[0, 2 * WE) to y[0, WE).
  static constexpr size_t WE = 8;
  static void even(const void* x, void* y) {
    const v128_t v = wasm_v128_load(x);
    const v128_t e = wasm_i8x16_shuffle(v, v, 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
    const uint64_t t = uint64_t(wasm_i64x2_extract_lane(e, 0));
    std::memcpy(y, &t, 8);
  }
};

}  // namespace i8k::q8simd
