// Small-window direct conv with AVX2: 8 output channels per vector, 4 output pixels per block.
// Without VNNI the exact u8 x s8 dot product is vpmaddwd on int16 (vpmaddubsw would saturate its
// int16 pair sums): each lane holds the weight pairs (w0, w1) and (w2, w3) of a 4-byte group as
// int16, and the pixel's 4 bytes are widened once and broadcast as the pairs (x0, x1), (x2, x3).
#include <immintrin.h>
#include <cstring>
#include "../gemm-u8s8/u8s8-output-ymm.h"
#include "qu8-smallconv.h"

namespace i8k {

// Layout: per tile, kernel row and group, two ymm of 8 lanes: int16 (w0, w1), then (w2, w3).
size_t qu8_smallconv_avx2_packed_bytes(size_t cout, size_t kh, size_t groups) {
  return qu8_smallconv_i16_packed_bytes(cout, kh, groups);
}

void qu8_smallconv_avx2_pack(size_t cout, size_t kh, size_t span, const int8_t* w, void* out) {
  qu8_smallconv_pack_i16(cout, kh, span, w, static_cast<int16_t*>(out),
                         [](size_t lane, size_t b) { return b / 2 * kSmallConvTile * 2 + lane * 2 + b % 2; });
}

namespace {

// The dword broadcasts of (x0, x1) and (x2, x3) as int16 pairs.
inline void pairs(const uint8_t* p, __m256i* x01, __m256i* x23) {
  int32_t v;
  std::memcpy(&v, p, 4);
  const __m128i w = _mm_cvtepu8_epi16(_mm_cvtsi32_si128(v));
  *x01 = _mm256_broadcastd_epi32(w);
  *x23 = _mm256_broadcastd_epi32(_mm_srli_si128(w, 4));
}

template <size_t PB>
inline void block(const QU8SmallConvGeometry& g, const uint8_t* x, const int16_t* wt, __m256i b, __m256 s,
                  __m256 lo, __m256 hi, __m128i zp, uint8_t* y, size_t valid) {
  __m256i acc[PB];
#pragma GCC unroll 4
  for (size_t i = 0; i < PB; i++) acc[i] = b;
  for (size_t ky = 0; ky < g.kh; ky++) {
    const uint8_t* xr = x + ky * g.x_row_stride;
    for (size_t q = 0; q < g.groups; q++, wt += kSmallConvTile * 4) {
      const __m256i w01 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wt));
      const __m256i w23 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wt + kSmallConvTile * 2));
#pragma GCC unroll 4
      for (size_t i = 0; i < PB; i++) {
        __m256i x01, x23;
        pairs(xr + i * g.x_pixel_stride + q * 4, &x01, &x23);
        acc[i] = _mm256_add_epi32(acc[i], _mm256_add_epi32(_mm256_madd_epi16(x01, w01), _mm256_madd_epi16(x23, w23)));
      }
    }
  }
#pragma GCC unroll 4
  for (size_t i = 0; i < PB; i++) {
    const __m256i r = requantize(acc[i], s, lo, hi);
    const __m128i w16 = _mm_add_epi16(_mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1)), zp);
    store16(y + i * g.cout, valid, _mm_packus_epi16(w16, w16));
  }
}

}  // namespace

void qu8_smallconv_avx2(size_t n, const QU8SmallConvGeometry& g, const uint8_t* x, const void* wv,
                        const int32_t* bias, const float* scale, uint8_t* y, const RequantParams* p) {
  const int16_t* w = static_cast<const int16_t*>(wv);
  const size_t tiles = qu8_smallconv_tiles(g.cout), tile_elems = g.kh * g.groups * kSmallConvTile * 4;
  const __m256 lo = _mm256_set1_ps(float(p->y_min - p->y_zero_point));
  const __m256 hi = _mm256_set1_ps(float(p->y_max - p->y_zero_point));
  const __m128i zp = _mm_set1_epi16(int16_t(p->y_zero_point));
  for (size_t t = 0; t < tiles; t++) {
    const size_t o = t * kSmallConvTile, valid = g.cout - o < kSmallConvTile ? g.cout - o : kSmallConvTile;
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + o));
    const __m256 s = _mm256_loadu_ps(scale + o);
    const int16_t* wt = w + t * tile_elems;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) block<4>(g, x + i * g.x_pixel_stride, wt, b, s, lo, hi, zp, y + i * g.cout + o, valid);
    for (; i < n; i++) block<1>(g, x + i * g.x_pixel_stride, wt, b, s, lo, hi, zp, y + i * g.cout + o, valid);
  }
}

}  // namespace i8k
