// u8 x u8 4x16 tile, AVX2, QNNPACK style (the SSE2 kernel's scheme on 256-bit vectors: vpmaddwd on
// pairs of k, 16 columns per pair), with both requantization modes in vector form.
#include <immintrin.h>

#include "u8u8-pack-i16.h"

namespace i8k {

namespace {
constexpr size_t MR = 4, NR = 16, KB = 8;

// q31_srdhm on 8 lanes: 64-bit products of the even and odd lanes, the nudge by the product's sign,
// truncation toward zero (add 2^31 - 1 to negatives), and bits 31..62 (a logical shift keeps the
// same low 32 bits as an arithmetic one).
__m256i srdhm(__m256i a, __m256i b) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i pos_nudge = _mm256_set1_epi64x(int64_t(1) << 30);
  const __m256i neg_nudge = _mm256_set1_epi64x(int64_t(1) - (int64_t(1) << 30));
  const __m256i trunc = _mm256_set1_epi64x((int64_t(1) << 31) - 1);
  auto half = [&](__m256i prod) {
    const __m256i neg = _mm256_cmpgt_epi64(zero, prod);
    __m256i t = _mm256_add_epi64(prod, _mm256_blendv_epi8(pos_nudge, neg_nudge, neg));
    t = _mm256_add_epi64(t, _mm256_and_si256(_mm256_cmpgt_epi64(zero, t), trunc));
    return _mm256_srli_epi64(t, 31);
  };
  const __m256i even = half(_mm256_mul_epi32(a, b));
  const __m256i odd = half(_mm256_mul_epi32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(b, 32)));
  __m256i r = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  const __m256i min = _mm256_set1_epi32(INT32_MIN);
  const __m256i sat = _mm256_and_si256(_mm256_cmpeq_epi32(a, min), _mm256_cmpeq_epi32(b, min));
  return _mm256_blendv_epi8(r, _mm256_set1_epi32(INT32_MAX), sat);
}

// q31_rdbp with a shift per lane.
__m256i rdbp(__m256i x, __m256i e) {
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), e), _mm256_set1_epi32(1));
  const __m256i rem = _mm256_and_si256(x, mask);
  const __m256i thr = _mm256_add_epi32(_mm256_srai_epi32(mask, 1), _mm256_srli_epi32(x, 31));
  return _mm256_sub_epi32(_mm256_srav_epi32(x, e), _mm256_cmpgt_epi32(rem, thr));
}

// One row of 16 accumulators (two vectors) to clamped int32 offsets from the zero point.
void requant_row(__m256i acc[2], const uint8_t* hdr, const U8U8Params& p) {
  const __m256i lo = _mm256_set1_epi32(p.y_min - p.y_zero_point), hi = _mm256_set1_epi32(p.y_max - p.y_zero_point);
  for (int h = 0; h < 2; h++) {
    __m256i v;
    if (p.mode == U8U8Requant::q31) {
      const __m256i m = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hdr + 8 * NR + 32 * h));
      const __m256i s = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hdr + 12 * NR + 32 * h));
      v = _mm256_min_epi32(_mm256_max_epi32(rdbp(srdhm(acc[h], m), s), lo), hi);
    } else {
      // cvtps rounds half to even in the default MXCSR mode, as nearbyint does.
      const __m256 sc = _mm256_loadu_ps(reinterpret_cast<const float*>(hdr + 4 * NR + 32 * h));
      __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc[h]), sc);
      f = _mm256_min_ps(_mm256_max_ps(f, _mm256_cvtepi32_ps(lo)), _mm256_cvtepi32_ps(hi));
      v = _mm256_cvtps_epi32(f);
    }
    acc[h] = _mm256_add_epi32(v, _mm256_set1_epi32(p.y_zero_point));
  }
}
}  // namespace

size_t u8u8_gemm_4x16c2_avx2_panel_bytes(size_t kc, size_t ks) { return u8u8_i16_panel_bytes<NR, KB>(kc, ks); }

void u8u8_gemm_4x16c2_avx2_pack(size_t kc, size_t ks, size_t nvalid, const uint8_t* w, int32_t, void* panel) {
  u8u8_pack_i16<NR, 2, KB>(kc, ks, nvalid, w, panel);
}

void u8u8_gemm_4x16c2_avx2(size_t mr, size_t nr, size_t kc, size_t ks, const uint8_t* const* a, size_t a_offset,
                           const uint8_t* zero, const void* w, uint8_t* y, size_t y_stride, const U8U8Params* p) {
  const uint8_t* hdr = static_cast<const uint8_t*>(w);
  const __m256i* wp = reinterpret_cast<const __m256i*>(hdr + u8u8_header_bytes(NR));
  __m256i acc[MR][2];
  const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hdr));
  const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hdr + 32));
  for (size_t i = 0; i < MR; i++) acc[i][0] = b0, acc[i][1] = b1;
  const __m128i vzp = _mm_set1_epi16(int16_t(p->a_zero_point));
  // Each row's block of 8 k, widened minus the zero point, goes through memory: vpbroadcastd then
  // feeds the pairs from the load ports, leaving the registers to the 8 accumulators (shuffling
  // from registers spilled them).
  alignas(16) int16_t ab[MR][KB];
  auto block = [&](const uint8_t* const* src) __attribute__((always_inline)) {
    for (size_t i = 0; i < MR; i++)
      _mm_store_si128(reinterpret_cast<__m128i*>(ab[i]),
                      _mm_sub_epi16(_mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src[i]))), vzp));
    for (size_t j = 0; j < KB / 2; j++) {
      const __m256i w0 = _mm256_loadu_si256(wp), w1 = _mm256_loadu_si256(wp + 1);
      wp += 2;
      for (size_t i = 0; i < MR; i++) {
        int32_t pair;
        std::memcpy(&pair, ab[i] + 2 * j, 4);
        const __m256i av = _mm256_set1_epi32(pair);
        acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(av, w0));
        acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(av, w1));
        // Keeps each add on its accumulator: GCC otherwise first sums products across pairs and
        // spills the registers that takes.
        __asm__("" : "+x"(acc[i][0]), "+x"(acc[i][1]));
      }
    }
  };
  u8u8_for_each_block<MR, KB>(ks, kc, a, a_offset, zero, block);
  for (size_t i = 0; i < mr; i++) {
    requant_row(acc[i], hdr, *p);
    // Values are in [0, 255]: the saturating packs are exact; permute undoes their lane interleave.
    const __m256i w16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(acc[i][0], acc[i][1]), 0xD8);
    const __m128i b = _mm_packus_epi16(_mm256_castsi256_si128(w16), _mm256_extracti128_si256(w16, 1));
    if (nr == NR) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i * y_stride), b);
    } else {
      alignas(16) uint8_t row[NR];
      _mm_store_si128(reinterpret_cast<__m128i*>(row), b);
      std::memcpy(y + i * y_stride, row, nr);
    }
  }
}

}  // namespace i8k
