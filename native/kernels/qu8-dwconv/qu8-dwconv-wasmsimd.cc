// WebAssembly SIMD u8 depthwise rows, 8 channels per block: per tap pair, two 8-byte input rows
// widened to int16, interleaved and summed against the packed weight pairs with i32x4.dot_i16x8_s
// (the pmaddwd of WASM: exact). A channel tail goes through zeroed 8-byte buffers.
#include <wasm_simd128.h>
#include <cstring>
#include "qu8-dwconv.h"

namespace i8k {

namespace {
constexpr size_t B = 8;

inline v128_t load_row(const uint8_t* p, size_t rem) {
  if (rem >= B) return wasm_u16x8_load8x8(p);
  uint8_t buf[B] = {};
  std::memcpy(buf, p, rem);
  return wasm_u16x8_load8x8(buf);
}

template <size_t TAPS>
void rows(size_t width, size_t channels, size_t taps_rt, const uint8_t* const* input, size_t input_step,
          const void* packed, uint8_t* y, size_t y_step, const RequantParams& p) {
  const size_t taps = TAPS ? TAPS : taps_rt, pairs = (taps + 1) / 2;
  const size_t block_bytes = B * (2 * sizeof(int32_t) + pairs * 2 * sizeof(int16_t));
  const v128_t lo = wasm_f32x4_splat(float(p.y_min - p.y_zero_point));
  const v128_t hi = wasm_f32x4_splat(float(p.y_max - p.y_zero_point));
  const v128_t zp = wasm_i16x8_splat(int16_t(p.y_zero_point));
  for (size_t px = 0; px < width; px++, input += input_step, y += y_step) {
    const auto* blk = static_cast<const uint8_t*>(packed);
    for (size_t c0 = 0; c0 < channels; c0 += B, blk += block_bytes) {
      const size_t rem = channels - c0;
      const uint8_t* w = blk + 2 * B * sizeof(int32_t);
      v128_t acc_lo = wasm_v128_load(blk), acc_hi = wasm_v128_load(blk + 16);
      for (size_t q = 0; q < pairs; q++, w += 2 * B * sizeof(int16_t)) {
        const uint8_t* p0 = input[2 * q] + c0;
        const uint8_t* p1 = 2 * q + 1 < taps ? input[2 * q + 1] + c0 : p0;  // meets a zero weight
        const v128_t x0 = load_row(p0, rem), x1 = load_row(p1, rem);
        const v128_t il = wasm_i16x8_shuffle(x0, x1, 0, 8, 1, 9, 2, 10, 3, 11);
        const v128_t ih = wasm_i16x8_shuffle(x0, x1, 4, 12, 5, 13, 6, 14, 7, 15);
        acc_lo = wasm_i32x4_add(acc_lo, wasm_i32x4_dot_i16x8(il, wasm_v128_load(w)));
        acc_hi = wasm_i32x4_add(acc_hi, wasm_i32x4_dot_i16x8(ih, wasm_v128_load(w + 16)));
      }
      // requantize_u8 lane by lane: float product, clamp, nearest (ties to even), + zero point.
      const uint8_t* scale = blk + B * sizeof(int32_t);
      v128_t f_lo = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc_lo), wasm_v128_load(scale));
      v128_t f_hi = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc_hi), wasm_v128_load(scale + 16));
      f_lo = wasm_f32x4_min(wasm_f32x4_max(f_lo, lo), hi);
      f_hi = wasm_f32x4_min(wasm_f32x4_max(f_hi, lo), hi);
      const v128_t q_lo = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(f_lo));
      const v128_t q_hi = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(f_hi));
      const v128_t q16 = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(q_lo, q_hi), zp);
      const v128_t out = wasm_u8x16_narrow_i16x8(q16, q16);
      if (rem >= B) {
        wasm_v128_store64_lane(y + c0, out, 0);
      } else {
        uint8_t buf[16];
        wasm_v128_store(buf, out);
        std::memcpy(y + c0, buf, rem);
      }
    }
  }
}
}  // namespace

I8K_QU8_DWCONV_ENTRY_POINTS(qu8_dwconv_wasmsimd)

}  // namespace i8k
