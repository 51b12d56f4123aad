// 16-lane AVX-512 (F, BW) vectors for the quantized small kernel templates (include only from
// *-avx512*.cc). F: float32 lanes; I: int32 lanes; B: a register of bytes (for max pooling).
#pragma once
// GCC 12 reports its own _mm512_undefined_* placeholders in avx512fintrin.h as maybe-uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#include <cstddef>
#include <cstdint>

namespace i8k::q8simd {

struct Avx512 {
  using F = __m512;
  using I = __m512i;
  using B = __m512i;
  static constexpr size_t W = 16;
  static constexpr size_t WB = 64;
  static I load_i(const uint8_t* p) { return _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
  static I load_i(const int8_t* p) { return _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
  static F to_f(I v) { return _mm512_cvtepi32_ps(v); }
  static F loadf(const float* p) { return _mm512_loadu_ps(p); }
  static void storef(float* p, F v) { _mm512_storeu_ps(p, v); }
  static F set(float x) { return _mm512_set1_ps(x); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F div(F a, F b) { return _mm512_div_ps(a, b); }
  static F round(F v) { return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // vmaxps returns its second operand when either is NaN: NaN -> lo, as q8_saturate.
  static F clamp(F v, F lo, F hi) { return _mm512_min_ps(_mm512_max_ps(v, lo), hi); }
  // v holds integers within T's range, so truncating int32 -> int8 is exact.
  static void store(uint8_t* p, F v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(v))); }
  static void store(int8_t* p, F v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(v))); }
  static I zeroi() { return _mm512_setzero_si512(); }
  static I addi(I a, I b) { return _mm512_add_epi32(a, b); }
  static void storei(int32_t* p, I v) { _mm512_storeu_si512(p, v); }
  static int32_t hsum(I v) { return _mm512_reduce_add_epi32(v); }
  template <typename T>
  static B loadb(const T* p) { return _mm512_loadu_si512(p); }
  template <typename T>
  static void storeb(T* p, B v) { _mm512_storeu_si512(p, v); }
  static B max(B a, B b, uint8_t) { return _mm512_max_epu8(a, b); }
  static B max(B a, B b, int8_t) { return _mm512_max_epi8(a, b); }
  // The even bytes of x[0, 2 * WE) to y[0, WE): vpmovwb keeps the low byte of each 16-bit lane.
  static constexpr size_t WE = 32;
  static void even(const void* x, void* y) {
    _mm256_storeu_si256(static_cast<__m256i*>(y), _mm512_cvtepi16_epi8(_mm512_loadu_si512(x)));
  }
};

}  // namespace i8k::q8simd
