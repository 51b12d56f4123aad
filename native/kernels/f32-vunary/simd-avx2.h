// 8-lane AVX2+FMA vector for the kernel templates (include only from *-avx2*.cc files).
#pragma once
#include <immintrin.h>
#include <cstdint>

namespace i8k::simd {

struct Avx2 {
  static constexpr size_t W = 8;
  using V = __m256;
  using M = __m256;
  using I = __m256i;
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V splat(float x) { return _mm256_set1_ps(x); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V min(V a, V b) { return _mm256_min_ps(a, b); }
  static V sqrt(V a) { return _mm256_sqrt_ps(a); }
  static V floor(V a) { return _mm256_floor_ps(a); }
  static V ceil(V a) { return _mm256_ceil_ps(a); }
  static V abs(V a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static M lt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static M le(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
  static M ne(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_NEQ_UQ); }
  static M mor(M a, M b) { return _mm256_or_ps(a, b); }
  static bool any(M m) { return _mm256_movemask_ps(m) != 0; }
  static V select(M m, V a, V b) { return _mm256_blendv_ps(b, a, m); }
  static I to_int(V a) { return _mm256_cvttps_epi32(a); }
  static I isub(I a, I b) { return _mm256_sub_epi32(a, b); }
  static V exp2i(I n) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
  }
  static V mantissa(V a, I* e) {
    __m256i bits = _mm256_castps_si256(a);
    *e = _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127));
    bits = _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)),
                           _mm256_set1_epi32(0x3f800000));
    return _mm256_castsi256_ps(bits);
  }
  static V to_float(I n) { return _mm256_cvtepi32_ps(n); }
  static __m128 half(V a, __m128 (*op)(__m128, __m128)) {
    __m128 x = op(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    x = op(x, _mm_movehl_ps(x, x));
    return op(x, _mm_movehdup_ps(x));
  }
  static float hsum(V a) { return _mm_cvtss_f32(half(a, [](__m128 x, __m128 y) { return _mm_add_ps(x, y); })); }
  static float hmax(V a) { return _mm_cvtss_f32(half(a, [](__m128 x, __m128 y) { return _mm_max_ps(x, y); })); }
  static float hmin(V a) { return _mm_cvtss_f32(half(a, [](__m128 x, __m128 y) { return _mm_min_ps(x, y); })); }
};

}  // namespace i8k::simd
