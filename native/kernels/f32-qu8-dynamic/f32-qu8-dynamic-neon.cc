// AArch64 DynamicQuantizeLinear kernels. fmin/fmax propagate NaN, so the range uses compare and
// select (x < lo ? x : lo), the scalar twin's expression; fmaxnm(v, 0) maps a NaN v to 0; frintn
// rounds half to even; a division and an add cannot be contracted into an FMA.
#include "f32-qu8-dynamic.h"

#if defined(__aarch64__)
#include <arm_neon.h>

namespace i8k {

void f32_qu8_dynamic_neon_minmax(size_t n, const float* x, float* lo, float* hi) {
  float32x4_t mn = vdupq_n_f32(*lo), mx = vdupq_n_f32(*hi);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t v = vld1q_f32(x + i);
    mn = vbslq_f32(vcltq_f32(v, mn), v, mn);
    mx = vbslq_f32(vcgtq_f32(v, mx), v, mx);
  }
  float l[4], h[4];
  vst1q_f32(l, mn);
  vst1q_f32(h, mx);
  for (int j = 0; j < 4; j++) f32_minmax_merge(l[j], h[j], *lo, *hi);
  for (; i < n; i++) f32_minmax_step(x[i], *lo, *hi);
}

void f32_qu8_dynamic_neon_quantize(size_t n, const float* x, float scale, float zp, uint8_t* y) {
  const float32x4_t vs = vdupq_n_f32(scale), vzp = vdupq_n_f32(zp);
  const float32x4_t zero = vdupq_n_f32(0.0f), top = vdupq_n_f32(255.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint32x4_t q[2];
    for (int j = 0; j < 2; j++) {
      float32x4_t v = vaddq_f32(vrndnq_f32(vdivq_f32(vld1q_f32(x + i + 4 * j), vs)), vzp);
      q[j] = vcvtq_u32_f32(vminnmq_f32(vmaxnmq_f32(v, zero), top));
    }
    vst1_u8(y + i, vmovn_u16(vcombine_u16(vmovn_u32(q[0]), vmovn_u32(q[1]))));
  }
  for (; i < n; i++) y[i] = f32_quantize_u8(x[i], scale, zp);
}

}  // namespace i8k

#endif  // defined(__aarch64__)
