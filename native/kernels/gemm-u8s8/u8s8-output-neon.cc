// AArch64 output stages of u8s8-output.h: 4 columns per step and the scalar definition
// (u8s8_output_element) for the last nr % 4. Lane by lane the scalar twin's steps: mul/add wrap
// like its unsigned sums; scvtf, fmul and fadd are single roundings (an empty asm between the
// multiply and the add keeps GCC from contracting them into fmla); fmaxnm/fminnm return the
// number when the product is NaN, as std::fmax/std::fmin do; fcvtns rounds half to even.
#include "u8s8-output.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <cstring>

namespace i8k {

void u8s8_output_neon(const U8S8Output& o, size_t m0, size_t mr, size_t n0, size_t nr,
                      const int32_t* tile, size_t tile_stride, void* y, size_t y_stride) {
  const size_t es = u8s8_output_size(o.kind), n4 = nr & ~size_t{3};
  const float32x4_t lo = vdupq_n_f32(static_cast<float>(o.rq.y_min - o.rq.y_zero_point));
  const float32x4_t hi = vdupq_n_f32(static_cast<float>(o.rq.y_max - o.rq.y_zero_point));
  const int32x4_t zp = vdupq_n_s32(o.rq.y_zero_point);
  const int32x4_t flip = vdupq_n_s32(o.kind == U8S8OutputKind::s8 ? 0x80 : 0);
  for (size_t i = 0; i < mr; i++) {
    const int32_t* t = tile + i * tile_stride;
    uint8_t* row = static_cast<uint8_t*>(y) + ((m0 + i) * y_stride + n0) * es;
    const int32x4_t rs = vdupq_n_s32(o.col_mult ? o.row_sum[m0 + i] : 0);
    for (size_t j = 0; j < n4; j += 4) {
      const size_t n = n0 + j;
      int32x4_t acc = vaddq_s32(vld1q_s32(t + j), vld1q_s32(o.col_off + n));
      if (o.col_mult) acc = vmlaq_s32(acc, rs, vld1q_s32(o.col_mult + n));
      switch (o.kind) {
        case U8S8OutputKind::s32:
          vst1q_s32(reinterpret_cast<int32_t*>(row + j * 4), acc);
          break;
        case U8S8OutputKind::f32: {
          float32x4_t v = vmulq_f32(vcvtq_f32_s32(acc), vld1q_f32(o.scale + n));
          __asm__("" : "+w"(v));
          if (o.bias) v = vaddq_f32(v, vld1q_f32(o.bias + n));
          vst1q_f32(reinterpret_cast<float*>(row + j * 4), v);
          break;
        }
        default: {
          float32x4_t v = vmulq_f32(vcvtq_f32_s32(acc), vld1q_f32(o.scale + n));
          v = vminnmq_f32(vmaxnmq_f32(v, lo), hi);
          const int32x4_t q = veorq_s32(vaddq_s32(vcvtnq_s32_f32(v), zp), flip);
          const uint8x8_t b = vmovn_u16(vcombine_u16(vmovn_u32(vreinterpretq_u32_s32(q)), vdup_n_u16(0)));
          const uint32_t four = vget_lane_u32(vreinterpret_u32_u8(b), 0);
          std::memcpy(row + j, &four, 4);
          break;
        }
      }
    }
    for (size_t j = n4; j < nr; j++) u8s8_output_element(o, t[j], m0 + i, n0 + j, row + j * es);
  }
}

}  // namespace i8k

#endif  // defined(__aarch64__)
