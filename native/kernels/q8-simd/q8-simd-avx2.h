// 8-lane AVX2 vectors for the quantized small kernel templates (include only from *-avx2.cc).
// F: float32 lanes; I: int32 lanes; B: a register of bytes (for max pooling).
#pragma once
#include <immintrin.h>
#include <cstddef>
#include <cstdint>

namespace i8k::q8simd {

struct Avx2 {
  using F = __m256;
  using I = __m256i;
  using B = __m256i;
  static constexpr size_t W = 8;    // float / int32 lanes
  static constexpr size_t WB = 32;  // bytes of B
  static I load_i(const uint8_t* p) { return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))); }
  static I load_i(const int8_t* p) { return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))); }
  static F to_f(I v) { return _mm256_cvtepi32_ps(v); }
  static F loadf(const float* p) { return _mm256_loadu_ps(p); }
  static void storef(float* p, F v) { _mm256_storeu_ps(p, v); }
  static F set(float x) { return _mm256_set1_ps(x); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  static F round(F v) { return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // maxps returns its second operand when either is NaN: NaN -> lo, as q8_saturate.
  static F clamp(F v, F lo, F hi) { return _mm256_min_ps(_mm256_max_ps(v, lo), hi); }
  // v holds integers within T's range.
  static __m128i pack16(F v) {
    const I i = _mm256_cvtps_epi32(v);
    return _mm_packs_epi32(_mm256_castsi256_si128(i), _mm256_extracti128_si256(i, 1));
  }
  static void store(uint8_t* p, F v) { const __m128i w = pack16(v); _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packus_epi16(w, w)); }
  static void store(int8_t* p, F v) { const __m128i w = pack16(v); _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packs_epi16(w, w)); }
  static I zeroi() { return _mm256_setzero_si256(); }
  static I addi(I a, I b) { return _mm256_add_epi32(a, b); }
  static void storei(int32_t* p, I v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static int32_t hsum(I v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
  }
  template <typename T>
  static B loadb(const T* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  template <typename T>
  static void storeb(T* p, B v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static B max(B a, B b, uint8_t) { return _mm256_max_epu8(a, b); }
  static B max(B a, B b, int8_t) { return _mm256_max_epi8(a, b); }
  // The even bytes of x[0, 2 * WE) to y[0, WE): clear the odd bytes, pack the 16-bit lanes
  // (per 128-bit half), join the halves.
  static constexpr size_t WE = 16;
  static void even(const void* x, void* y) {
    const __m256i v = _mm256_and_si256(_mm256_loadu_si256(static_cast<const __m256i*>(x)), _mm256_set1_epi16(0xFF));
    const __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi16(v, v), 0x08);
    _mm_storeu_si128(static_cast<__m128i*>(y), _mm256_castsi256_si128(p));
  }
};

}  // namespace i8k::q8simd
