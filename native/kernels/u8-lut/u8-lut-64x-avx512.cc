// 64 lookups per step with AVX-512BW: the table is 16 rows of 16 bytes, each broadcast to the four
// 128-bit lanes; vpshufb picks by the low nibble inside a row and a byte mask (high nibble == row)
// merges that row's picks into the result: two instructions per row, 32 per 64 bytes. (vpermb,
// AVX512-VBMI, would take four, but the avx512vnni config does not assume VBMI.)
// GCC 12 reports its own _mm512_undefined_* placeholders in avx512fintrin.h as maybe-uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>
#include "u8-lut.h"

namespace i8k {

namespace {

void lut(size_t n, const uint8_t* x, const uint8_t* t, uint8_t* y) {
  __m512i rows[16];
  for (int j = 0; j < 16; j++) rows[j] = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t + 16 * j)));
  const __m512i nibble = _mm512_set1_epi8(0x0F);
  auto block = [&](__m512i v) {
    const __m512i lo = _mm512_and_si512(v, nibble), hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), nibble);
    __m512i r = _mm512_shuffle_epi8(rows[0], lo);
    for (int j = 1; j < 16; j++)
      r = _mm512_mask_shuffle_epi8(r, _mm512_cmpeq_epi8_mask(hi, _mm512_set1_epi8(char(j))), rows[j], lo);
    return r;
  };
  for (; n >= 64; n -= 64, x += 64, y += 64) _mm512_storeu_si512(y, block(_mm512_loadu_si512(x)));
  if (n) {
    // The tail through a byte mask: masked-off bytes are neither read nor written.
    const __mmask64 m = _cvtu64_mask64((uint64_t(1) << n) - 1);
    _mm512_mask_storeu_epi8(y, m, block(_mm512_maskz_loadu_epi8(m, x)));
  }
}

}  // namespace

const U8LutKernels u8_lut_64x_avx512 = {"64x_avx512", lut};

}  // namespace i8k
