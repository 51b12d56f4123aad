// u8 x u8 4x8 tile, SSE2 (any x86-64), QNNPACK style: A widened to int16 minus its zero point,
// weights packed as int16 minus theirs; pmaddwd multiplies pairs of k and adds them into int32.
#include <emmintrin.h>

#include "u8u8-pack-i16.h"

namespace i8k {

namespace {
constexpr size_t MR = 4, NR = 8, KB = 8;
}

size_t u8u8_gemm_4x8c2_sse2_panel_bytes(size_t kc, size_t ks) { return u8u8_i16_panel_bytes<NR, KB>(kc, ks); }

void u8u8_gemm_4x8c2_sse2_pack(size_t kc, size_t ks, size_t nvalid, const uint8_t* w, int32_t, void* panel) {
  u8u8_pack_i16<NR, 2, KB>(kc, ks, nvalid, w, panel);
}

void u8u8_gemm_4x8c2_sse2(size_t mr, size_t nr, size_t kc, size_t ks, const uint8_t* const* a, size_t a_offset,
                          const uint8_t* zero, const void* w, uint8_t* y, size_t y_stride, const U8U8Params* p) {
  const uint8_t* hdr = static_cast<const uint8_t*>(w);
  const __m128i* wp = reinterpret_cast<const __m128i*>(hdr + u8u8_header_bytes(NR));
  __m128i acc[MR][2];
  const __m128i b0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hdr));
  const __m128i b1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hdr + 16));
  for (size_t i = 0; i < MR; i++) acc[i][0] = b0, acc[i][1] = b1;
  const __m128i vzp = _mm_set1_epi16(int16_t(p->a_zero_point));
  const __m128i vzero = _mm_setzero_si128();
  // One block of 8 k of every row: widen minus the zero point, then 4 pairs x 8 columns.
  auto block = [&](const uint8_t* const* src) __attribute__((always_inline)) {
    __m128i va[MR];
    for (size_t i = 0; i < MR; i++)
      va[i] = _mm_sub_epi16(_mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src[i])), vzero), vzp);
#define I8K_PAIR(j)                                                          \
  {                                                                          \
    const __m128i w0 = _mm_loadu_si128(wp + 2 * (j));                        \
    const __m128i w1 = _mm_loadu_si128(wp + 2 * (j) + 1);                    \
    for (size_t i = 0; i < MR; i++) {                                        \
      const __m128i ab = _mm_shuffle_epi32(va[i], (j) * 0x55);               \
      acc[i][0] = _mm_add_epi32(acc[i][0], _mm_madd_epi16(ab, w0));          \
      acc[i][1] = _mm_add_epi32(acc[i][1], _mm_madd_epi16(ab, w1));          \
      /* Keeps each add on its accumulator (GCC would sum across pairs). */  \
      __asm__("" : "+x"(acc[i][0]), "+x"(acc[i][1]));                         \
    }                                                                        \
  }
    I8K_PAIR(0) I8K_PAIR(1) I8K_PAIR(2) I8K_PAIR(3)
#undef I8K_PAIR
    wp += 8;
  };
  u8u8_for_each_block<MR, KB>(ks, kc, a, a_offset, zero, block);
  // SSE2 has no signed 32x32->64 multiply, so the Q31 stage would be emulated; the tile goes through
  // the scalar output stage (O(MR x NR) per call against O(MR x NR x K) above).
  alignas(16) int32_t out[MR * NR];
  for (size_t i = 0; i < MR; i++) {
    _mm_store_si128(reinterpret_cast<__m128i*>(out + i * NR), acc[i][0]);
    _mm_store_si128(reinterpret_cast<__m128i*>(out + i * NR + 4), acc[i][1]);
  }
  u8u8_output_scalar(out, NR, mr, nr, w, NR, y, y_stride, *p);
}

}  // namespace i8k
