// 16-lane AVX-512F vector for the kernel templates (include only from *-avx512*.cc files).
#pragma once
// GCC 12's AVX-512 intrinsics start from _mm512_undefined_ps() and trip (maybe-)uninitialized
// warnings once inlined; the whole translation unit of a kernel file is affected, so no pop.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <cstdint>

namespace i8k::simd {

struct Avx512 {
  static constexpr size_t W = 16;
  using V = __m512;
  using M = __mmask16;
  using I = __m512i;
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V splat(float x) { return _mm512_set1_ps(x); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  // maxps/minps semantics (b when either is NaN) through compare and blend: GCC 12's
  // _mm512_max_ps/_mm512_min_ps trip -Wuninitialized.
  static V max(V a, V b) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(b, a, _CMP_LT_OQ), b, a); }
  static V min(V a, V b) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), b, a); }
  static V sqrt(V a) { return _mm512_sqrt_ps(a); }
  static V floor(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
  static V ceil(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC); }
  static V abs(V a) { return _mm512_abs_ps(a); }
  static M lt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static M le(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
  static M ne(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_NEQ_UQ); }
  static M mor(M a, M b) { return M(a | b); }
  static V select(M m, V a, V b) { return _mm512_mask_blend_ps(m, b, a); }
  static I to_int(V a) { return _mm512_cvttps_epi32(a); }
  static I isub(I a, I b) { return _mm512_sub_epi32(a, b); }
  static V exp2i(I n) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n, _mm512_set1_epi32(127)), 23));
  }
  static V mantissa(V a, I* e) {
    __m512i bits = _mm512_castps_si512(a);
    *e = _mm512_sub_epi32(_mm512_srli_epi32(bits, 23), _mm512_set1_epi32(127));
    bits = _mm512_or_si512(_mm512_and_si512(bits, _mm512_set1_epi32(0x007fffff)),
                           _mm512_set1_epi32(0x3f800000));
    return _mm512_castsi512_ps(bits);
  }
  static V to_float(I n) { return _mm512_cvtepi32_ps(n); }
  static float hsum(V a) { return _mm512_reduce_add_ps(a); }
  static float hmax(V a) { return _mm512_reduce_max_ps(a); }
  static float hmin(V a) { return _mm512_reduce_min_ps(a); }
  static bool any(M m) { return m != 0; }
};

}  // namespace i8k::simd
