// WebAssembly SIMD output stages of u8s8-output.h: 4 columns per step and the scalar definition
// (u8s8_output_element) for the last nr % 4. Lane by lane the scalar twin's steps: i32x4 mul/add
// wrap like its unsigned sums; convert, mul and add are single roundings (SIMD128 has no FMA to
// contract into); pmax(lo, v) returns lo for a NaN v like std::fmax; f32x4.nearest rounds half to
// even, after which the value is integral and in range, so trunc_sat is exact.
#include "u8s8-output.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

namespace i8k {

void u8s8_output_wasmsimd(const U8S8Output& o, size_t m0, size_t mr, size_t n0, size_t nr,
                          const int32_t* tile, size_t tile_stride, void* y, size_t y_stride) {
  const size_t es = u8s8_output_size(o.kind), n4 = nr & ~size_t{3};
  const v128_t lo = wasm_f32x4_splat(static_cast<float>(o.rq.y_min - o.rq.y_zero_point));
  const v128_t hi = wasm_f32x4_splat(static_cast<float>(o.rq.y_max - o.rq.y_zero_point));
  const v128_t zp = wasm_i32x4_splat(o.rq.y_zero_point);
  const v128_t flip = wasm_i32x4_splat(o.kind == U8S8OutputKind::s8 ? 0x80 : 0);
  for (size_t i = 0; i < mr; i++) {
    const int32_t* t = tile + i * tile_stride;
    uint8_t* row = static_cast<uint8_t*>(y) + ((m0 + i) * y_stride + n0) * es;
    const v128_t rs = wasm_i32x4_splat(o.col_mult ? o.row_sum[m0 + i] : 0);
    for (size_t j = 0; j < n4; j += 4) {
      const size_t n = n0 + j;
      v128_t acc = wasm_i32x4_add(wasm_v128_load(t + j), wasm_v128_load(o.col_off + n));
      if (o.col_mult) acc = wasm_i32x4_add(acc, wasm_i32x4_mul(rs, wasm_v128_load(o.col_mult + n)));
      switch (o.kind) {
        case U8S8OutputKind::s32:
          wasm_v128_store(row + j * 4, acc);
          break;
        case U8S8OutputKind::f32: {
          v128_t v = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), wasm_v128_load(o.scale + n));
          if (o.bias) v = wasm_f32x4_add(v, wasm_v128_load(o.bias + n));
          wasm_v128_store(row + j * 4, v);
          break;
        }
        default: {
          v128_t v = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), wasm_v128_load(o.scale + n));
          v = wasm_f32x4_pmin(hi, wasm_f32x4_pmax(lo, v));
          const v128_t q = wasm_v128_xor(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(v)), zp), flip);
          const v128_t w = wasm_u16x8_narrow_i32x4(q, q);
          wasm_v128_store32_lane(row + j, wasm_u8x16_narrow_i16x8(w, w), 0);
          break;
        }
      }
    }
    for (size_t j = n4; j < nr; j++) u8s8_output_element(o, t[j], m0 + i, n0 + j, row + j * es);
  }
}

}  // namespace i8k

#endif  // defined(__wasm_simd128__)
