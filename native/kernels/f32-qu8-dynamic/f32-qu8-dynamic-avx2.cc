// AVX2 DynamicQuantizeLinear kernels: 32 floats per step (four independent min/max chains).
// minps/maxps(x, acc) return acc when x is NaN, which is the scalar twin's "skip NaN"; in the
// quantizer, maxps(v, 0) maps NaN to 0 the same way, and vroundps rounds half to even.
#include <immintrin.h>
#include "f32-qu8-dynamic.h"

namespace i8k {

void f32_qu8_dynamic_avx2_minmax(size_t n, const float* x, float* lo, float* hi) {
  __m256 mn[4], mx[4];
  for (int j = 0; j < 4; j++) mn[j] = _mm256_set1_ps(*lo), mx[j] = _mm256_set1_ps(*hi);
  size_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int j = 0; j < 4; j++) {
      const __m256 v = _mm256_loadu_ps(x + i + 8 * j);
      mn[j] = _mm256_min_ps(v, mn[j]);
      mx[j] = _mm256_max_ps(v, mx[j]);
    }
  alignas(32) float l[8], h[8];
  _mm256_store_ps(l, _mm256_min_ps(_mm256_min_ps(mn[0], mn[1]), _mm256_min_ps(mn[2], mn[3])));
  _mm256_store_ps(h, _mm256_max_ps(_mm256_max_ps(mx[0], mx[1]), _mm256_max_ps(mx[2], mx[3])));
  for (int j = 0; j < 8; j++) f32_minmax_merge(l[j], h[j], *lo, *hi);
  for (; i < n; i++) f32_minmax_step(x[i], *lo, *hi);
}

void f32_qu8_dynamic_avx2_quantize(size_t n, const float* x, float scale, float zp, uint8_t* y) {
  const __m256 vs = _mm256_set1_ps(scale), vzp = _mm256_set1_ps(zp);
  const __m256 zero = _mm256_setzero_ps(), top = _mm256_set1_ps(255.0f);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256i q[2];
    for (int j = 0; j < 2; j++) {
      __m256 v = _mm256_div_ps(_mm256_loadu_ps(x + i + 8 * j), vs);
      v = _mm256_add_ps(_mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), vzp);
      q[j] = _mm256_cvttps_epi32(_mm256_min_ps(_mm256_max_ps(v, zero), top));
    }
    // Values are 0..255: packs to int16 then packus to bytes, lanes reordered by one permute.
    const __m256i w = _mm256_permute4x64_epi64(_mm256_packs_epi32(q[0], q[1]), 0xD8);
    const __m128i b = _mm_packus_epi16(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i), b);
  }
  for (; i < n; i++) y[i] = f32_quantize_u8(x[i], scale, zp);
}

}  // namespace i8k
