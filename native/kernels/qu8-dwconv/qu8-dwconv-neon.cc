// AArch64 NEON u8 depthwise rows, 8 channels per block: vld2q_s16 splits the packed weight pairs
// back into the two taps, and widening multiply-accumulates (smlal / smlal2) sum x * w into int32
// exactly. A channel tail goes through zeroed 8-byte buffers.
#include <arm_neon.h>
#include <cstring>
#include "qu8-dwconv.h"

namespace i8k {

namespace {
constexpr size_t B = 8;

inline int16x8_t load_row(const uint8_t* p, size_t rem) {
  if (rem >= B) return vreinterpretq_s16_u16(vmovl_u8(vld1_u8(p)));
  uint8_t buf[B] = {};
  std::memcpy(buf, p, rem);
  return vreinterpretq_s16_u16(vmovl_u8(vld1_u8(buf)));
}

template <size_t TAPS>
void rows(size_t width, size_t channels, size_t taps_rt, const uint8_t* const* input, size_t input_step,
          const void* packed, uint8_t* y, size_t y_step, const RequantParams& p) {
  const size_t taps = TAPS ? TAPS : taps_rt, pairs = (taps + 1) / 2;
  const size_t block_bytes = B * (2 * sizeof(int32_t) + pairs * 2 * sizeof(int16_t));
  const float32x4_t lo = vdupq_n_f32(float(p.y_min - p.y_zero_point));
  const float32x4_t hi = vdupq_n_f32(float(p.y_max - p.y_zero_point));
  const int16x8_t zp = vdupq_n_s16(int16_t(p.y_zero_point));
  for (size_t px = 0; px < width; px++, input += input_step, y += y_step) {
    const auto* blk = static_cast<const uint8_t*>(packed);
    for (size_t c0 = 0; c0 < channels; c0 += B, blk += block_bytes) {
      const size_t rem = channels - c0;
      const auto* bias = reinterpret_cast<const int32_t*>(blk);
      const auto* scale = reinterpret_cast<const float*>(blk + B * sizeof(int32_t));
      const auto* w = reinterpret_cast<const int16_t*>(blk + 2 * B * sizeof(int32_t));
      int32x4_t acc_lo = vld1q_s32(bias), acc_hi = vld1q_s32(bias + 4);
      for (size_t q = 0; q < pairs; q++, w += 2 * B) {
        const uint8_t* p0 = input[2 * q] + c0;
        const uint8_t* p1 = 2 * q + 1 < taps ? input[2 * q + 1] + c0 : p0;  // meets a zero weight
        const int16x8_t x0 = load_row(p0, rem), x1 = load_row(p1, rem);
        const int16x8x2_t wv = vld2q_s16(w);  // val[0]: tap 2q, val[1]: tap 2q + 1, channels 0..7
        acc_lo = vmlal_s16(acc_lo, vget_low_s16(x0), vget_low_s16(wv.val[0]));
        acc_hi = vmlal_high_s16(acc_hi, x0, wv.val[0]);
        acc_lo = vmlal_s16(acc_lo, vget_low_s16(x1), vget_low_s16(wv.val[1]));
        acc_hi = vmlal_high_s16(acc_hi, x1, wv.val[1]);
      }
      // requantize_u8 lane by lane: float product, clamp, round to nearest even (fcvtns), + zero point.
      float32x4_t f_lo = vmulq_f32(vcvtq_f32_s32(acc_lo), vld1q_f32(scale));
      float32x4_t f_hi = vmulq_f32(vcvtq_f32_s32(acc_hi), vld1q_f32(scale + 4));
      f_lo = vminq_f32(vmaxq_f32(f_lo, lo), hi);
      f_hi = vminq_f32(vmaxq_f32(f_hi, lo), hi);
      const int16x8_t q16 = vqaddq_s16(vcombine_s16(vqmovn_s32(vcvtnq_s32_f32(f_lo)), vqmovn_s32(vcvtnq_s32_f32(f_hi))), zp);
      const uint8x8_t out = vqmovun_s16(q16);
      if (rem >= B) {
        vst1_u8(y + c0, out);
      } else {
        uint8_t buf[B];
        vst1_u8(buf, out);
        std::memcpy(y + c0, buf, rem);
      }
    }
  }
}
}  // namespace

I8K_QU8_DWCONV_ENTRY_POINTS(qu8_dwconv_neon)

}  // namespace i8k
