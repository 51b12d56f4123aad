// 4-lane AArch64 Advanced SIMD vectors for the quantized small kernel templates (include only
// from *-neon.cc). F: float32 lanes; I: int32 lanes; B: a register of bytes (for max pooling).
#pragma once
#include <arm_neon.h>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace i8k::q8simd {

struct Neon {
  using F = float32x4_t;
  using I = int32x4_t;
  using B = uint8x16_t;
  static constexpr size_t W = 4;
  static constexpr size_t WB = 16;
  static uint8x8_t load4(const void* p) { uint32_t t; std::memcpy(&t, p, 4); return vreinterpret_u8_u32(vdup_n_u32(t)); }
  static I load_i(const uint8_t* p) { return vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(vmovl_u8(load4(p))))); }
  static I load_i(const int8_t* p) { return vmovl_s16(vget_low_s16(vmovl_s8(vreinterpret_s8_u8(load4(p))))); }
  static F to_f(I v) { return vcvtq_f32_s32(v); }
  static F loadf(const float* p) { return vld1q_f32(p); }
  static void storef(float* p, F v) { vst1q_f32(p, v); }
  static F set(float x) { return vdupq_n_f32(x); }
  static F add(F a, F b) { return vaddq_f32(a, b); }
  static F sub(F a, F b) { return vsubq_f32(a, b); }
  static F mul(F a, F b) { return vmulq_f32(a, b); }
  static F div(F a, F b) { return vdivq_f32(a, b); }
  static F round(F v) { return vrndnq_f32(v); }
  // fmaxnm returns the number when one operand is NaN: NaN -> lo, as q8_saturate.
  static F clamp(F v, F lo, F hi) { return vminq_f32(vmaxnmq_f32(v, lo), hi); }
  static int16x8_t pack16(F v) { const int16x4_t h = vqmovn_s32(vcvtq_s32_f32(v)); return vcombine_s16(h, h); }
  static void store4(void* p, uint8x8_t b) { const uint32_t t = vget_lane_u32(vreinterpret_u32_u8(b), 0); std::memcpy(p, &t, 4); }
  static void store(uint8_t* p, F v) { store4(p, vqmovun_s16(pack16(v))); }
  static void store(int8_t* p, F v) { store4(p, vreinterpret_u8_s8(vqmovn_s16(pack16(v)))); }
  static I zeroi() { return vdupq_n_s32(0); }
  static I addi(I a, I b) { return vaddq_s32(a, b); }
  static void storei(int32_t* p, I v) { vst1q_s32(p, v); }
  static int32_t hsum(I v) { return vaddvq_s32(v); }
  template <typename T>
  static B loadb(const T* p) { return vld1q_u8(reinterpret_cast<const uint8_t*>(p)); }
  template <typename T>
  static void storeb(T* p, B v) { vst1q_u8(reinterpret_cast<uint8_t*>(p), v); }
  static B max(B a, B b, uint8_t) { return vmaxq_u8(a, b); }
  static B max(B a, B b, int8_t) { return vreinterpretq_u8_s8(vmaxq_s8(vreinterpretq_s8_u8(a), vreinterpretq_s8_u8(b))); }
  // The even bytes of x[0, 2 * WE) to y[0, WE): ld2 deinterleaves.
  static constexpr size_t WE = 16;
  static void even(const void* x, void* y) { vst1q_u8(static_cast<uint8_t*>(y), vld2q_u8(static_cast<const uint8_t*>(x)).val[0]); }
};

}  // namespace i8k::q8simd
