// The depthwise pixel loop in generic vectors of VL channels, compiled per ISA by the file that
// includes it (qu8-dwconv-<isa>.cc): the same source becomes AVX2, AVX-512, WASM SIMD or NEON code
// through that file's flags, as f32-dwconv does. Channels are split into two vectors per step (two
// independent accumulator chains), then one vector, then a scalar tail that calls requantize_u8
// itself, so no load or store ever passes the C bytes of a row.
//
// Output stage, lane by lane equal to requantize_u8: float(acc) * scale is one float32 rounding
// (no FMA: there is no add to contract with), the clamp equals fmin/fmax for non-NaN values, and
// (v + 1.5 * 2^23) - 1.5 * 2^23 rounds |v| <= 255 to the nearest integer, ties to even, exactly as
// nearbyint does in the default rounding mode.
#pragma once
#include <cstring>
#include "qu8-dwconv.h"
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif
#if defined(__ARM_NEON)
#include <arm_neon.h>
#endif

namespace i8k {
// Internal linkage: every including file compiles its own copy for its ISA; the linker must never
// merge them.
namespace qu8_dwconv_impl {
namespace {

template <size_t VL>
struct Vec {
  typedef int32_t i32 __attribute__((vector_size(VL * 4)));
  typedef float f32 __attribute__((vector_size(VL * 4)));
  typedef int16_t i16 __attribute__((vector_size(VL * 2)));
  typedef uint8_t u8 __attribute__((vector_size(VL)));
};

template <typename T>
inline T load(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Widening loads in the ISA's own instructions: GCC turns __builtin_convertvector of u8 lanes into
// one scalar insert per lane, which made this loop 20x slower.
template <size_t VL>
inline typename Vec<VL>::i32 widen_u8(const uint8_t* p) {
  typename Vec<VL>::i32 v;
#if defined(__AVX512F__)
  if constexpr (VL == 16) {
    const __m512i r = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    std::memcpy(&v, &r, sizeof v);
    return v;
  }
#endif
#if defined(__AVX2__)
  if constexpr (VL == 8) {
    const __m256i r = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
    std::memcpy(&v, &r, sizeof v);
    return v;
  }
#endif
#if defined(__wasm_simd128__)
  if constexpr (VL == 8) {
    const v128_t b = wasm_u16x8_load8x8(p);
    const v128_t r[2] = {wasm_u32x4_extend_low_u16x8(b), wasm_u32x4_extend_high_u16x8(b)};
    std::memcpy(&v, r, sizeof v);
    return v;
  }
#endif
#if defined(__ARM_NEON)
  if constexpr (VL == 8) {
    const uint16x8_t b = vmovl_u8(vld1_u8(p));
    const uint32x4_t r[2] = {vmovl_u16(vget_low_u16(b)), vmovl_u16(vget_high_u16(b))};
    std::memcpy(&v, r, sizeof v);
    return v;
  }
#endif
  return __builtin_convertvector(load<typename Vec<VL>::u8>(p), typename Vec<VL>::i32);
}

template <size_t VL>
inline typename Vec<VL>::i32 widen_i16(const int16_t* p) {
  typename Vec<VL>::i32 v;
#if defined(__AVX512F__)
  if constexpr (VL == 16) {
    const __m512i r = _mm512_cvtepi16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    std::memcpy(&v, &r, sizeof v);
    return v;
  }
#endif
#if defined(__AVX2__)
  if constexpr (VL == 8) {
    const __m256i r = _mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    std::memcpy(&v, &r, sizeof v);
    return v;
  }
#endif
#if defined(__wasm_simd128__)
  if constexpr (VL == 8) {
    const v128_t b = wasm_v128_load(p);
    const v128_t r[2] = {wasm_i32x4_extend_low_i16x8(b), wasm_i32x4_extend_high_i16x8(b)};
    std::memcpy(&v, r, sizeof v);
    return v;
  }
#endif
#if defined(__ARM_NEON)
  if constexpr (VL == 8) {
    const int16x8_t b = vld1q_s16(p);
    const int32x4_t r[2] = {vmovl_s16(vget_low_s16(b)), vmovl_s16(vget_high_s16(b))};
    std::memcpy(&v, r, sizeof v);
    return v;
  }
#endif
  return __builtin_convertvector(load<typename Vec<VL>::i16>(p), typename Vec<VL>::i32);
}

template <size_t VL>
inline typename Vec<VL>::i32 tap(const uint8_t* x, const int16_t* w) {
  return widen_u8<VL>(x) * widen_i16<VL>(w);
}

template <size_t VL>
inline void requant_store(typename Vec<VL>::i32 acc, const float* scale, const RequantParams& p,
                          uint8_t* y) {
  using V = Vec<VL>;
  const typename V::f32 lo = typename V::f32{} + float(p.y_min - p.y_zero_point);
  const typename V::f32 hi = typename V::f32{} + float(p.y_max - p.y_zero_point);
  const typename V::f32 magic = typename V::f32{} + 12582912.0f;
  typename V::f32 v = __builtin_convertvector(acc, typename V::f32) * load<typename V::f32>(scale);
  v = v < lo ? lo : v;
  v = v > hi ? hi : v;
  v = (v + magic) - magic;
  const typename V::i32 q = __builtin_convertvector(v, typename V::i32) + p.y_zero_point;
  const typename V::u8 out = __builtin_convertvector(q, typename V::u8);
  std::memcpy(y, &out, VL);
}

// TAPS = 0: the tap count comes at run time.
template <size_t VL, size_t TAPS>
void rows(size_t width, size_t taps_rt, const uint8_t* const* input, const QU8DwWeights& wt,
          uint8_t* y, size_t y_step, const RequantParams& p) {
  using V = Vec<VL>;
  const size_t taps = TAPS ? TAPS : taps_rt, C = wt.channels;
  for (size_t px = 0; px < width; px++, input += taps, y += y_step) {
    size_t c = 0;
    for (; c + 2 * VL <= C; c += 2 * VL) {
      typename V::i32 a0 = load<typename V::i32>(wt.bias + c);
      typename V::i32 a1 = load<typename V::i32>(wt.bias + c + VL);
      const int16_t* w = wt.w + c;
      for (size_t t = 0; t < taps; t++, w += C) {
        a0 += tap<VL>(input[t] + c, w);
        a1 += tap<VL>(input[t] + c + VL, w + VL);
      }
      requant_store<VL>(a0, wt.scale + c, p, y + c);
      requant_store<VL>(a1, wt.scale + c + VL, p, y + c + VL);
    }
    for (; c + VL <= C; c += VL) {
      typename V::i32 a = load<typename V::i32>(wt.bias + c);
      const int16_t* w = wt.w + c;
      for (size_t t = 0; t < taps; t++, w += C) a += tap<VL>(input[t] + c, w);
      requant_store<VL>(a, wt.scale + c, p, y + c);
    }
    for (; c < C; c++) {
      int32_t a = wt.bias[c];
      for (size_t t = 0; t < taps; t++) a += int32_t(input[t][c]) * int32_t(wt.w[t * C + c]);
      y[c] = requantize_u8(a, wt.scale[c], p);
    }
  }
}

}  // namespace
}  // namespace qu8_dwconv_impl
}  // namespace i8k

// Defines name_9, name_25 and name_any for one ISA file.
#define I8K_QU8_DWCONV_DEFINE(name, VL)                                                             \
  namespace i8k {                                                                                   \
  void name##_9(size_t width, size_t taps, const uint8_t* const* input, const QU8DwWeights& w,      \
                uint8_t* y, size_t y_step, const RequantParams& p) {                                \
    qu8_dwconv_impl::rows<VL, 9>(width, taps, input, w, y, y_step, p);                              \
  }                                                                                                 \
  void name##_25(size_t width, size_t taps, const uint8_t* const* input, const QU8DwWeights& w,     \
                 uint8_t* y, size_t y_step, const RequantParams& p) {                               \
    qu8_dwconv_impl::rows<VL, 25>(width, taps, input, w, y, y_step, p);                             \
  }                                                                                                 \
  void name##_any(size_t width, size_t taps, const uint8_t* const* input, const QU8DwWeights& w,    \
                  uint8_t* y, size_t y_step, const RequantParams& p) {                              \
    qu8_dwconv_impl::rows<VL, 0>(width, taps, input, w, y, y_step, p);                              \
  }                                                                                                 \
  }
