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

template <size_t VL>
inline typename Vec<VL>::i32 tap(const uint8_t* x, const int16_t* w) {
  using V = Vec<VL>;
  return __builtin_convertvector(load<typename V::u8>(x), typename V::i32) *
         __builtin_convertvector(load<typename V::i16>(w), typename V::i32);
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
