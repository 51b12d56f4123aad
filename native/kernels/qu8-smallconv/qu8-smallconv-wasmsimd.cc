// Small-window direct conv with WebAssembly SIMD128: 8 output channels in two i32x4 accumulators
// per pixel, 4 pixels per block. The exact u8 x s8 product is i32x4.dot_i16x8 on int16 (as in
// u8s8-gemm-4x8c2-wasmsimd.cc): the pixel's 4-byte splat gives the pairs (x0, x2) by masking and
// (x1, x3) by a 16-bit shift, and the weights are packed as those pairs.
#include "qu8-smallconv.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#include <cstring>

namespace i8k {

// Layout: per tile, kernel row and group, four v128 of int16: (w0, w2) of lanes 0-3, of lanes
// 4-7, then (w1, w3) of lanes 0-3, of lanes 4-7.
size_t qu8_smallconv_wasmsimd_packed_bytes(size_t cout, size_t kh, size_t groups) {
  return qu8_smallconv_i16_packed_bytes(cout, kh, groups);
}

void qu8_smallconv_wasmsimd_pack(size_t cout, size_t kh, size_t span, const int8_t* w, void* out) {
  // Vector (b odd) * 2 + lane half; within it lane % 4, pair slot b / 2.
  qu8_smallconv_pack_i16(cout, kh, span, w, static_cast<int16_t*>(out),
                         [](size_t lane, size_t b) { return ((b % 2) * 2 + lane / 4) * 8 + (lane % 4) * 2 + b / 2; });
}

namespace {

// requantize_u8 for 4 lanes (pmin/pmax: NaN gives lo, like std::fmax; nearest: half to even).
inline v128_t requantize(v128_t acc, v128_t scale, v128_t lo, v128_t hi) {
  v128_t v = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), scale);
  v = wasm_f32x4_pmin(hi, wasm_f32x4_pmax(lo, v));
  return wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(v));
}

struct Out {
  v128_t s0, s1, lo, hi, zp;
  size_t valid;
};

template <size_t PB>
inline void block(const QU8SmallConvGeometry& g, const uint8_t* x, const int16_t* wt, v128_t b0, v128_t b1,
                  const Out& o, uint8_t* y) {
  v128_t c0[PB], c1[PB];
  for (size_t i = 0; i < PB; i++) c0[i] = b0, c1[i] = b1;
  for (size_t ky = 0; ky < g.kh; ky++) {
    const uint8_t* xr = x + ky * g.x_row_stride;
    for (size_t q = 0; q < g.groups; q++, wt += 32) {
      const v128_t e0 = wasm_v128_load(wt), e1 = wasm_v128_load(wt + 8);
      const v128_t d0 = wasm_v128_load(wt + 16), d1 = wasm_v128_load(wt + 24);
      for (size_t i = 0; i < PB; i++) {
        const v128_t v = wasm_v128_load32_splat(xr + i * g.x_pixel_stride + q * 4);
        const v128_t even = wasm_v128_and(v, wasm_i16x8_splat(0x00FF)), odd = wasm_u16x8_shr(v, 8);
        c0[i] = wasm_i32x4_add(c0[i], wasm_i32x4_add(wasm_i32x4_dot_i16x8(even, e0), wasm_i32x4_dot_i16x8(odd, d0)));
        c1[i] = wasm_i32x4_add(c1[i], wasm_i32x4_add(wasm_i32x4_dot_i16x8(even, e1), wasm_i32x4_dot_i16x8(odd, d1)));
      }
    }
  }
  for (size_t i = 0; i < PB; i++) {
    const v128_t r = wasm_i16x8_add(
        wasm_i16x8_narrow_i32x4(requantize(c0[i], o.s0, o.lo, o.hi), requantize(c1[i], o.s1, o.lo, o.hi)), o.zp);
    const v128_t bytes = wasm_u8x16_narrow_i16x8(r, r);
    uint8_t* yi = y + i * g.cout;
    if (o.valid == kSmallConvTile) {
      wasm_v128_store64_lane(yi, bytes, 0);
    } else {
      uint8_t tmp[16];
      wasm_v128_store(tmp, bytes);
      std::memcpy(yi, tmp, o.valid);
    }
  }
}

}  // namespace

void qu8_smallconv_wasmsimd(size_t n, const QU8SmallConvGeometry& g, const uint8_t* x, const void* wv,
                            const int32_t* bias, const float* scale, uint8_t* y, const RequantParams* p) {
  const int16_t* w = static_cast<const int16_t*>(wv);
  const size_t tiles = qu8_smallconv_tiles(g.cout), tile_elems = g.kh * g.groups * kSmallConvTile * 4;
  for (size_t t = 0; t < tiles; t++) {
    const size_t o = t * kSmallConvTile;
    const Out out{wasm_v128_load(scale + o), wasm_v128_load(scale + o + 4),
                  wasm_f32x4_splat(float(p->y_min - p->y_zero_point)), wasm_f32x4_splat(float(p->y_max - p->y_zero_point)),
                  wasm_i16x8_splat(int16_t(p->y_zero_point)), g.cout - o < kSmallConvTile ? g.cout - o : kSmallConvTile};
    const v128_t b0 = wasm_v128_load(bias + o), b1 = wasm_v128_load(bias + o + 4);
    const int16_t* wt = w + t * tile_elems;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) block<4>(g, x + i * g.x_pixel_stride, wt, b0, b1, out, y + i * g.cout + o);
    for (; i < n; i++) block<1>(g, x + i * g.x_pixel_stride, wt, b0, b1, out, y + i * g.cout + o);
  }
}

}  // namespace i8k

#endif  // defined(__wasm_simd128__)
