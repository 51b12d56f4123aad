// DynamicQuantizeLinear's two passes over float32 X: the range, then the u8 codes.
//
//   minmax:   *lo = min(*lo, x[i]), *hi = max(*hi, x[i]) over the non-NaN x[i] (NaN is skipped)
//   quantize: y[i] = clamp(nearbyint(x[i] / scale) + zp, 0, 255), NaN -> 0
// x / scale is one float32 division and nearbyint rounds half to even, so every ISA gives the
// scalar twin's codes; min and max are exact whatever the reduction order (a -0 / +0 choice can
// differ, which no later step can see: the range is widened to include +0 by the caller).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace i8k {

using F32MinMaxFn = void (*)(size_t n, const float* x, float* lo, float* hi);
using F32QuantizeU8Fn = void (*)(size_t n, const float* x, float scale, float zp, uint8_t* y);

#define I8K_F32_QU8_DYNAMIC_KERNELS(X) \
  X(f32_qu8_dynamic_scalar, scalar)    \
  X(f32_qu8_dynamic_avx2, avx2)        \
  X(f32_qu8_dynamic_avx512, avx512vnni) \
  X(f32_qu8_dynamic_wasmsimd, wasmsimd) \
  X(f32_qu8_dynamic_neon, neon)

#define I8K_DECLARE_F32_QU8(name, isa)                                    \
  void name##_minmax(size_t n, const float* x, float* lo, float* hi);      \
  void name##_quantize(size_t n, const float* x, float scale, float zp, uint8_t* y);
I8K_F32_QU8_DYNAMIC_KERNELS(I8K_DECLARE_F32_QU8)
#undef I8K_DECLARE_F32_QU8

// The scalar definitions, also used by the SIMD kernels for their tails (static: one copy per file,
// built with that file's ISA flags, never shared across ISAs by the linker).
static inline void f32_minmax_step(float x, float& lo, float& hi) {
  lo = x < lo ? x : lo;
  hi = x > hi ? x : hi;
}
// Merges a partial range [l, h] into [lo, hi].
static inline void f32_minmax_merge(float l, float h, float& lo, float& hi) {
  lo = l < lo ? l : lo;
  hi = h > hi ? h : hi;
}
static inline uint8_t f32_quantize_u8(float x, float scale, float zp) {
  const float v = std::nearbyint(x / scale) + zp;
  return static_cast<uint8_t>(v >= 0.0f ? (v <= 255.0f ? v : 255.0f) : 0.0f);
}

}  // namespace i8k
