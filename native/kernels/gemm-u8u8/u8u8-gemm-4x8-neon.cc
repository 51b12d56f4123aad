// u8 x u8 4x8 tile, AArch64 NEON, QNNPACK style: vsubl_u8 widens A minus its zero point to int16,
// weights are packed as int16 minus theirs (8 columns per k), vmlal_laneq multiplies one k of a row
// by 8 columns into int32.
#include <arm_neon.h>

#include "u8u8-pack-i16.h"

namespace i8k {

namespace {
constexpr size_t MR = 4, NR = 8, KB = 8;
}

size_t u8u8_gemm_4x8_neon_panel_bytes(size_t kc, size_t ks) { return u8u8_i16_panel_bytes<NR, KB>(kc, ks); }

void u8u8_gemm_4x8_neon_pack(size_t kc, size_t ks, size_t nvalid, const uint8_t* w, int32_t, void* panel) {
  u8u8_pack_i16<NR, 1, KB>(kc, ks, nvalid, w, panel);
}

void u8u8_gemm_4x8_neon(size_t mr, size_t nr, size_t kc, size_t ks, const uint8_t* const* a, size_t a_offset,
                        const uint8_t* zero, const void* w, uint8_t* y, size_t y_stride, const U8U8Params* p) {
  const uint8_t* hdr = static_cast<const uint8_t*>(w);
  const int16_t* wp = reinterpret_cast<const int16_t*>(hdr + u8u8_header_bytes(NR));
  int32x4_t lo[MR], hi[MR];
  const int32x4_t b0 = vld1q_s32(reinterpret_cast<const int32_t*>(hdr));
  const int32x4_t b1 = vld1q_s32(reinterpret_cast<const int32_t*>(hdr + 16));
  for (size_t i = 0; i < MR; i++) lo[i] = b0, hi[i] = b1;
  const uint8x8_t vzp = vdup_n_u8(uint8_t(p->a_zero_point));
  uint8_t tail[MR][KB];
  for (size_t t = 0; t < ks; t++) {
    const uint8_t* r[MR];
    for (size_t i = 0; i < MR; i++) r[i] = u8u8_row(a + t * MR, i, a_offset, zero);
    for (size_t c = 0; c < kc; c += KB) {
      int16x8_t va[MR];
      // Modulo 2^16 the unsigned difference is the signed one (|a - zp| <= 255).
      for (size_t i = 0; i < MR; i++)
        va[i] = vreinterpretq_s16_u16(vsubl_u8(vld1_u8(u8u8_block(r[i], c, kc, KB, tail[i])), vzp));
#define I8K_K(l)                                                               \
  {                                                                            \
    const int16x8_t wv = vld1q_s16(wp + 8 * (l));                              \
    for (size_t i = 0; i < MR; i++) {                                          \
      lo[i] = vmlal_laneq_s16(lo[i], vget_low_s16(wv), va[i], l);              \
      hi[i] = vmlal_laneq_s16(hi[i], vget_high_s16(wv), va[i], l);             \
    }                                                                          \
  }
      I8K_K(0) I8K_K(1) I8K_K(2) I8K_K(3) I8K_K(4) I8K_K(5) I8K_K(6) I8K_K(7)
#undef I8K_K
      wp += 64;
    }
  }
  int32_t out[MR * NR];
  for (size_t i = 0; i < MR; i++) {
    vst1q_s32(out + i * NR, lo[i]);
    vst1q_s32(out + i * NR + 4, hi[i]);
  }
  u8u8_output_scalar(out, NR, mr, nr, w, NR, y, y_stride, *p);
}

}  // namespace i8k
