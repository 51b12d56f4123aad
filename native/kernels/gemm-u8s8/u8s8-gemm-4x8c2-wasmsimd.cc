// WebAssembly SIMD128 u8 x s8 GEMM microkernel, MR=4 x NR=8, KR=2: exact i32x4.dot_i16x8.
//
// Baseline SIMD128 has no u8 x s8 dot product, and its int16 products are exact only through
// i32x4.dot_i16x8 (pmaddwd on x86), so both operands are int16. A is widened in registers: one
// 32-bit splat (a0 a1 a2 a3) per row gives the int16 pairs (a0, a2) by masking and (a1, a3) by a
// 16-bit shift; the weights are packed to match those pairs. 8 accumulators + 4 weight vectors +
// 3 A temporaries fit the 16 xmm registers V8 has on x86-64.
#include "gemm-u8s8.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#include <cstring>

namespace i8k {

namespace {
constexpr size_t NR = 8;
constexpr size_t KR = 2;

inline size_t round_up_kr(size_t k) { return (k + KR - 1) / KR * KR; }

// Output stage of requantize_u8 for 4 columns. pmax(lo, x) = lo < x ? x : lo returns lo for a NaN
// x, like std::fmax(x, lo), and pmin/pmax lower to single minps/maxps, unlike f32x4.min/max.
// f32x4.nearest rounds half to even; the value is then integral and in range, so trunc_sat is
// exact.
inline v128_t requantize(v128_t acc, v128_t scale, v128_t lo, v128_t hi) {
  v128_t v = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), scale);
  v = wasm_f32x4_pmin(hi, wasm_f32x4_pmax(lo, v));
  return wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(v));
}

// 4 k of one row against the 4 weight vectors of a group: the 32-bit splat (a0 a1 a2 a3) gives
// int16 (a0, a2) per lane by masking and (a1, a3) by a 16-bit shift.
inline void step4(v128_t& c0, v128_t& c1, const uint8_t* a, v128_t e0, v128_t e1, v128_t o0,
                  v128_t o1) {
  const v128_t va = wasm_v128_load32_splat(a);
  const v128_t even = wasm_v128_and(va, wasm_i16x8_splat(0x00FF));
  const v128_t odd = wasm_u16x8_shr(va, 8);
  c0 = wasm_i32x4_add(c0, wasm_i32x4_dot_i16x8(even, e0));
  c1 = wasm_i32x4_add(c1, wasm_i32x4_dot_i16x8(even, e1));
  c0 = wasm_i32x4_add(c0, wasm_i32x4_dot_i16x8(odd, o0));
  c1 = wasm_i32x4_add(c1, wasm_i32x4_dot_i16x8(odd, o1));
}

// The last 2 k of a row: only these 2 bytes exist, so read exactly them. The 16-bit splat widened
// to int16 is (a0, a1) in every 32-bit lane.
inline void step2(v128_t& c0, v128_t& c1, const uint8_t* a, v128_t p0, v128_t p1) {
  const v128_t va = wasm_u16x8_extend_low_u8x16(wasm_v128_load16_splat(a));
  c0 = wasm_i32x4_add(c0, wasm_i32x4_dot_i16x8(va, p0));
  c1 = wasm_i32x4_add(c1, wasm_i32x4_dot_i16x8(va, p1));
}

struct OutputStage {
  v128_t s0, s1, lo, hi, zp;
};

// One row of 8 columns as int16 with the zero point added. Rounded values lie in [-255, 255], so
// int16 holds them and adding the zero point after narrowing (one add per row instead of two)
// gives the same bytes as adding it per i32 lane.
inline v128_t row_i16(v128_t c0, v128_t c1, const OutputStage& o) {
  return wasm_i16x8_add(
      wasm_i16x8_narrow_i32x4(requantize(c0, o.s0, o.lo, o.hi), requantize(c1, o.s1, o.lo, o.hi)),
      o.zp);
}

// Stores the first n (1..8) of the low 8 bytes of v with 8-, 4-, 2- and 1-byte stores, so no byte
// past the tile is written.
inline void store8(uint8_t* y, size_t n, v128_t v) {
  if (n >= 8) {
    wasm_v128_store64_lane(y, v, 0);
    return;
  }
  if (n & 4) {
    wasm_v128_store32_lane(y, v, 0);
    v = wasm_u64x2_shr(v, 32);
    y += 4;
  }
  if (n & 2) {
    wasm_v128_store16_lane(y, v, 0);
    v = wasm_u64x2_shr(v, 16);
    y += 2;
  }
  if (n & 1) wasm_v128_store8_lane(y, v, 0);
}
}  // namespace

size_t u8s8_gemm_4x8c2_wasmsimd_panel_bytes(size_t k) {
  return round_up_kr(k) * NR * sizeof(int16_t);
}

// Layout, int16: for each whole group of 4 k (k0 = 4q), 32 values: (b[k0][n], b[k0+2][n]) for
// n = 0..7, then (b[k0+1][n], b[k0+3][n]) for n = 0..7, i.e. four v128 of 4 column pairs. When
// round_up(k, 2) is not a multiple of 4, a last group of 2 k holds (b[k0][n], b[k0+1][n]).
void u8s8_gemm_4x8c2_wasmsimd_pack(size_t k, size_t nvalid, const int8_t* b, size_t ldb,
                                   void* out) {
  int16_t* w = static_cast<int16_t*>(out);
  const size_t kp = round_up_kr(k), quads = kp / 4;
  std::memset(w, 0, kp * NR * sizeof(int16_t));
  for (size_t kk = 0; kk < k; kk++) {
    const size_t q = kk / 4, r = kk % 4;
    int16_t* g = q < quads ? w + q * 32 + (r & 1) * 16 + (r >> 1) : w + q * 32 + r;
    for (size_t n = 0; n < nvalid; n++) g[2 * n] = b[kk * ldb + n];
  }
}

namespace {
// c[i][*] += the dot products of rows i < mr of A with the panel (rows past mr repeat row mr - 1).
inline void dot_tile(size_t mr, size_t k, const uint8_t* a, size_t a_stride, const void* w,
                     v128_t (&c)[4][2]) {
  // Rows past mr alias the last valid row (as in XNNPACK): the loop stays branch free and never
  // reads a row the caller did not hand us; their results are simply not stored.
  const uint8_t* a0 = a;
  const uint8_t* a1 = mr > 1 ? a0 + a_stride : a0;
  const uint8_t* a2 = mr > 2 ? a1 + a_stride : a1;
  const uint8_t* a3 = mr > 3 ? a2 + a_stride : a2;

  const int16_t* wp = static_cast<const int16_t*>(w);
  const size_t kp = round_up_kr(k), k4 = kp & ~size_t{3};
  for (size_t kk = 0; kk < k4; kk += 4) {
    const v128_t e0 = wasm_v128_load(wp), e1 = wasm_v128_load(wp + 8);
    const v128_t o0 = wasm_v128_load(wp + 16), o1 = wasm_v128_load(wp + 24);
    wp += 32;
    step4(c[0][0], c[0][1], a0 + kk, e0, e1, o0, o1);
    step4(c[1][0], c[1][1], a1 + kk, e0, e1, o0, o1);
    step4(c[2][0], c[2][1], a2 + kk, e0, e1, o0, o1);
    step4(c[3][0], c[3][1], a3 + kk, e0, e1, o0, o1);
  }
  if (k4 != kp) {
    const v128_t p0 = wasm_v128_load(wp), p1 = wasm_v128_load(wp + 8);
    step2(c[0][0], c[0][1], a0 + k4, p0, p1);
    step2(c[1][0], c[1][1], a1 + k4, p0, p1);
    step2(c[2][0], c[2][1], a2 + k4, p0, p1);
    step2(c[3][0], c[3][1], a3 + k4, p0, p1);
  }
}
}  // namespace

void u8s8_gemm_4x8c2_wasmsimd_acc(size_t mr, size_t k, const uint8_t* a, size_t a_stride,
                                  const void* w, int32_t* tile) {
  v128_t c[4][2];
  for (auto& row : c) row[0] = row[1] = wasm_i32x4_splat(0);
  dot_tile(mr, k, a, a_stride, w, c);
  for (size_t i = 0; i < mr && i < 4; i++) {
    wasm_v128_store(tile + i * NR, c[i][0]);
    wasm_v128_store(tile + i * NR + 4, c[i][1]);
  }
}

void u8s8_gemm_4x8c2_wasmsimd(size_t mr, size_t nr, size_t k, const uint8_t* a, size_t a_stride,
                              const void* w, const int32_t* bias, const float* scale, uint8_t* y,
                              size_t y_stride, const RequantParams* p) {
  v128_t c[4][2];
  c[0][0] = wasm_v128_load(bias), c[0][1] = wasm_v128_load(bias + 4);
  c[1][0] = c[2][0] = c[3][0] = c[0][0];
  c[1][1] = c[2][1] = c[3][1] = c[0][1];
  dot_tile(mr, k, a, a_stride, w, c);
  const v128_t c00 = c[0][0], c01 = c[0][1], c10 = c[1][0], c11 = c[1][1];
  const v128_t c20 = c[2][0], c21 = c[2][1], c30 = c[3][0], c31 = c[3][1];

  const OutputStage o{wasm_v128_load(scale), wasm_v128_load(scale + 4),
                      wasm_f32x4_splat(static_cast<float>(p->y_min - p->y_zero_point)),
                      wasm_f32x4_splat(static_cast<float>(p->y_max - p->y_zero_point)),
                      wasm_i16x8_splat(static_cast<int16_t>(p->y_zero_point))};
  // Rows 0 and 1 in the low and high 8 bytes of one vector, rows 2 and 3 in another.
  const v128_t y01 = wasm_u8x16_narrow_i16x8(row_i16(c00, c01, o), row_i16(c10, c11, o));
  store8(y, nr, y01);
  if (mr > 1) store8(y + y_stride, nr, wasm_i64x2_shuffle(y01, y01, 1, 1));
  if (mr > 2) {
    const v128_t y23 = wasm_u8x16_narrow_i16x8(row_i16(c20, c21, o), row_i16(c30, c31, o));
    store8(y + 2 * y_stride, nr, y23);
    if (mr > 3) store8(y + 3 * y_stride, nr, wasm_i64x2_shuffle(y23, y23, 1, 1));
  }
}

}  // namespace i8k

#endif  // defined(__wasm_simd128__)
