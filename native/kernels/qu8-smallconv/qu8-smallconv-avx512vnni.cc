// Small-window direct conv with AVX512-VL VNNI on ymm: 8 output channels per vector, 8 output
// pixels per block, so a 4-byte group of weights is loaded once and feeds 8 independent vpdpbusd
// whose u8 operand is a dword broadcast straight from the pixel's window. ymm rather than zmm:
// the common case is 8 or 16 outputs, and Zen 4 runs a zmm vpdpbusd as two ymm halves anyway.
// vpdpbusd adds the exact products (no saturation): the integers of the scalar twin.
#include <immintrin.h>
#include <cstring>
#include "../gemm-u8s8/u8s8-output-ymm.h"
#include "qu8-smallconv.h"

namespace i8k {

size_t qu8_smallconv_avx512vnni_packed_bytes(size_t cout, size_t kh, size_t groups) {
  return qu8_smallconv_tiles(cout) * kh * groups * kSmallConvTile * 4;
}

void qu8_smallconv_avx512vnni_pack(size_t cout, size_t kh, size_t span, const int8_t* w, void* out) {
  qu8_smallconv_pack_c4(cout, kh, span, w, static_cast<int8_t*>(out));
}

namespace {

inline __m256i bcast4(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// Requantizes one pixel's 8 lanes and stores the first `valid` bytes (masked: nothing past them).
inline void store8(__m256i acc, __m256 s, __m256 lo, __m256 hi, __m128i zp, uint8_t* y, __mmask16 mask) {
  const __m256i r = requantize(acc, s, lo, hi);
  const __m128i w16 = _mm_add_epi16(_mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1)), zp);
  _mm_mask_storeu_epi8(y, mask, _mm_packus_epi16(w16, w16));
}

// PB pixels (PB <= 8) of one tile.
template <size_t PB>
inline void block(const QU8SmallConvGeometry& g, const uint8_t* x, const int8_t* wt, __m256i b, __m256 s,
                  __m256 lo, __m256 hi, __m128i zp, uint8_t* y, __mmask16 mask) {
  __m256i acc[PB];
#pragma GCC unroll 8
  for (size_t i = 0; i < PB; i++) acc[i] = b;
  for (size_t ky = 0; ky < g.kh; ky++) {
    const uint8_t* xr = x + ky * g.x_row_stride;
    for (size_t q = 0; q < g.groups; q++, wt += kSmallConvTile * 4) {
      const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wt));
#pragma GCC unroll 8
      for (size_t i = 0; i < PB; i++) acc[i] = _mm256_dpbusd_epi32(acc[i], bcast4(xr + i * g.x_pixel_stride + q * 4), wv);
    }
  }
#pragma GCC unroll 8
  for (size_t i = 0; i < PB; i++) store8(acc[i], s, lo, hi, zp, y + i * g.cout, mask);
}

}  // namespace

void qu8_smallconv_avx512vnni(size_t n, const QU8SmallConvGeometry& g, const uint8_t* x, const void* wv,
                              const int32_t* bias, const float* scale, uint8_t* y, const RequantParams* p) {
  const int8_t* w = static_cast<const int8_t*>(wv);
  const size_t tiles = qu8_smallconv_tiles(g.cout), tile_bytes = g.kh * g.groups * kSmallConvTile * 4;
  const __m256 lo = _mm256_set1_ps(float(p->y_min - p->y_zero_point));
  const __m256 hi = _mm256_set1_ps(float(p->y_max - p->y_zero_point));
  const __m128i zp = _mm_set1_epi16(int16_t(p->y_zero_point));
  for (size_t t = 0; t < tiles; t++) {
    const size_t o = t * kSmallConvTile, valid = g.cout - o < kSmallConvTile ? g.cout - o : kSmallConvTile;
    const __mmask16 mask = __mmask16((1u << valid) - 1);
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + o));
    const __m256 s = _mm256_loadu_ps(scale + o);
    const int8_t* wt = w + t * tile_bytes;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) block<8>(g, x + i * g.x_pixel_stride, wt, b, s, lo, hi, zp, y + i * g.cout + o, mask);
    for (; i < n; i++) block<1>(g, x + i * g.x_pixel_stride, wt, b, s, lo, hi, zp, y + i * g.cout + o, mask);
  }
}

}  // namespace i8k
