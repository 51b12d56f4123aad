// AVX-512 DynamicQuantizeLinear kernels: 64 floats per step for the range, 16 per step for the
// codes (vpmovusdb narrows with unsigned saturation, after the clamp a plain truncation). The NaN
// and rounding arguments are those of the AVX2 kernels.
#include <immintrin.h>
#include "f32-qu8-dynamic.h"

namespace i8k {

namespace {
// The all-ones maskz forms are the plain instructions; they avoid GCC 12's false
// -Wmaybe-uninitialized warnings from the unmasked intrinsics (_mm512_undefined_*).
constexpr __mmask16 kAll = 0xFFFF;
}  // namespace

void f32_qu8_dynamic_avx512_minmax(size_t n, const float* x, float* lo, float* hi) {
  __m512 mn[4], mx[4];
  for (int j = 0; j < 4; j++) mn[j] = _mm512_set1_ps(*lo), mx[j] = _mm512_set1_ps(*hi);
  size_t i = 0;
  for (; i + 64 <= n; i += 64)
    for (int j = 0; j < 4; j++) {
      const __m512 v = _mm512_loadu_ps(x + i + 16 * j);
      mn[j] = _mm512_maskz_min_ps(kAll, v, mn[j]);
      mx[j] = _mm512_maskz_max_ps(kAll, v, mx[j]);
    }
  alignas(64) float l[16], h[16];
  _mm512_store_ps(l, _mm512_maskz_min_ps(kAll, _mm512_maskz_min_ps(kAll, mn[0], mn[1]), _mm512_maskz_min_ps(kAll, mn[2], mn[3])));
  _mm512_store_ps(h, _mm512_maskz_max_ps(kAll, _mm512_maskz_max_ps(kAll, mx[0], mx[1]), _mm512_maskz_max_ps(kAll, mx[2], mx[3])));
  for (int j = 0; j < 16; j++) f32_minmax_merge(l[j], h[j], *lo, *hi);
  for (; i < n; i++) f32_minmax_step(x[i], *lo, *hi);
}

void f32_qu8_dynamic_avx512_quantize(size_t n, const float* x, float scale, float zp, uint8_t* y) {
  const __m512 vs = _mm512_set1_ps(scale), vzp = _mm512_set1_ps(zp);
  const __m512 zero = _mm512_setzero_ps(), top = _mm512_set1_ps(255.0f);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512 v = _mm512_div_ps(_mm512_loadu_ps(x + i), vs);
    v = _mm512_add_ps(_mm512_maskz_roundscale_ps(kAll, v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), vzp);
    const __m512i q = _mm512_maskz_cvttps_epi32(kAll, _mm512_maskz_min_ps(kAll, _mm512_maskz_max_ps(kAll, v, zero), top));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i), _mm512_maskz_cvtusepi32_epi8(kAll, q));
  }
  for (; i < n; i++) y[i] = f32_quantize_u8(x[i], scale, zp);
}

}  // namespace i8k
