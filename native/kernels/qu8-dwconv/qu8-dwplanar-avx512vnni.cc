// AVX-512 VNNI planar depthwise (qu8-dwplanar.h): 16 int32 lanes hold outputs PH apart (PH = 4 /
// sw), so the quad of input bytes each lane needs is exactly what one unaligned 64-byte load
// puts there; PH loads one sw apart cover 16 * PH outputs. Per 3x3 stride-1 block of 64 outputs:
// 12 loads and 12 vpdpbusd, no shuffles. The PH accumulators requantize lane by lane and their
// bytes interleave back into output order by shifts and ORs (stride 2: one vpmovdw).
// Blocks whose loads would pass the readable end use masked loads (zeros past it: they meet zero
// weights or feed outputs past count, which are not stored).
// GCC 12 reports its own _mm512_undefined_*() as "may be used uninitialized" once inlined (as in
// qu8-dwconv-avx512.h).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include "qu8-dwplanar.h"

namespace i8k {

namespace {

inline __mmask64 bytes_mask(size_t limit, size_t start) {
  const size_t avail = limit > start ? limit - start : 0;
  return avail >= 64 ? ~__mmask64(0) : (__mmask64(1) << avail) - 1;
}

// KH, Q: kernel rows and tap quads per row, 0 = from the shape.
template <size_t SW, size_t KH, size_t Q>
void planar(const QU8DwPlanarShape& shape, const uint8_t* in, const int8_t* w, int32_t bias, float scale, uint8_t* y,
            uint8_t y_flip, const RequantParams& p) {
  const QU8DwPlanarShape s = shape;  // a local copy: the stores through y cannot alias it
  constexpr size_t PH = 4 / SW, OB = 16 * PH;
  const size_t kh = KH ? KH : s.kh, quads = Q ? Q : s.quads();
  const __m512i vbias = _mm512_set1_epi32(bias), zp = _mm512_set1_epi32(p.y_zero_point);
  const __m512i flip = _mm512_set1_epi8(char(y_flip));
  const __m512 vscale = _mm512_set1_ps(scale);
  const __m512 lo = _mm512_set1_ps(float(p.y_min - p.y_zero_point)), hi = _mm512_set1_ps(float(p.y_max - p.y_zero_point));
  // The last load of a block ends this far past the block's first input byte.
  const size_t reach = (kh - 1) * s.row_step + 4 * (quads - 1) + (PH - 1) * SW + 64;
  size_t row_g = 0, row_y = 0;  // first long-row output of the current output row, its y offset
  for (size_t g0 = 0; g0 < s.count; g0 += OB) {
    const size_t base = g0 * SW;
    const bool full = base + reach <= s.readable;
    __m512i acc[PH];
    for (size_t j = 0; j < PH; j++) acc[j] = vbias;
    for (size_t ky = 0; ky < kh; ky++) {
      const size_t row = base + ky * s.row_step;
      for (size_t q = 0; q < quads; q++) {
        int32_t quad;
        std::memcpy(&quad, w + (ky * quads + q) * 4, 4);
        const __m512i wv = _mm512_set1_epi32(quad);
        for (size_t j = 0; j < PH; j++) {
          const size_t off = row + 4 * q + j * SW;
          const __m512i x = full ? _mm512_loadu_si512(in + off)
                                 : _mm512_maskz_loadu_epi8(bytes_mask(s.readable, off), in + off);
          acc[j] = _mm512_dpbusd_epi32(acc[j], x, wv);
        }
      }
    }
    // requantize_u8 lane by lane (vcvtps2dq rounds half to even in the default MXCSR mode);
    // results are 0..255, so phase j's byte goes to bits 8j of its lane.
    __m512i r = _mm512_setzero_si512();
    for (size_t j = 0; j < PH; j++) {
      const __m512 f = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(acc[j]), vscale), lo), hi);
      r = _mm512_or_si512(r, _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(f), zp), unsigned(8 * j)));
    }
    r = _mm512_xor_si512(r, flip);
    // One masked store per output row the block meets, at the address where lane 0 would go
    // (it may lie before y: only the selected lanes touch memory). Rows are tracked by counting,
    // not dividing: a small plane's block meets several.
    const size_t end = s.count - g0 < OB ? s.count : g0 + OB;
    while (row_g + s.pitch <= g0) row_g += s.pitch, row_y += s.width;
    for (size_t rg = row_g, ry = row_y; rg < end; rg += s.pitch, ry += s.width) {
      const size_t a = std::max(rg, g0), b = std::min(rg + s.width, end);
      if (a >= b) continue;
      const uintptr_t at = reinterpret_cast<uintptr_t>(y) + ry + (g0 - rg);  // y + ry + (a - rg) - (a - g0)
      const __mmask64 m = bytes_mask(b - g0, 0) & ~bytes_mask(a - g0, 0);
      if constexpr (SW == 1) _mm512_mask_storeu_epi8(reinterpret_cast<void*>(at), m, r);
      else _mm256_mask_storeu_epi8(reinterpret_cast<void*>(at), __mmask32(m), _mm512_cvtepi32_epi16(r));
    }
  }
}

}  // namespace

void qu8_dwplanar_avx512vnni(const QU8DwPlanarShape& s, const uint8_t* in, const int8_t* w, int32_t bias,
                             float scale, uint8_t* y, uint8_t y_flip, const RequantParams& p) {
  const bool k3 = s.kh == 3 && s.kw == 3;
  if (s.sw == 1) (k3 ? planar<1, 3, 1> : planar<1, 0, 0>)(s, in, w, bias, scale, y, y_flip, p);
  else (k3 ? planar<2, 3, 1> : planar<2, 0, 0>)(s, in, w, bias, scale, y, y_flip, p);
}

}  // namespace i8k
