// u8 x u8 8x32 tile on AVX-512 VNNI: vpdpbusd multiplies u8 by s8, so the weights are packed
// sign-flipped (w - 128 as s8, i.e. w ^ 0x80) and the kernel corrects the sum:
//
//   sum (a - za)(w - zw) = sum a (w - 128) + (128 - zw) rowsum(a) - za colsum(w) + K za zw
//
// (zw per output channel)
//
// The first term is vpdpbusd's, the second the kernel's (rowsum by vpsadbw, one per 16 bytes of a
// row block), and the last two are constants folded into the bias at pack time. All of it is exact modulo
// 2^32, so the result is the scalar twin's integer.
#include <immintrin.h>

#include "gemm-u8u8.h"

namespace i8k {

namespace {
constexpr size_t MR = 8, NR = 32, KB = 16;
// All-ones maskz forms are the plain instructions; the unmasked intrinsics trip GCC 12's false
// -Wmaybe-uninitialized (their _mm512_undefined_* operand).
constexpr __mmask16 kAll = 0xFFFF;
constexpr __mmask8 kAll64 = 0xFF;

__m512i srdhm(__m512i a, __m512i b) {
  const __m512i zero = _mm512_setzero_si512();
  const __m512i pos_nudge = _mm512_set1_epi64(int64_t(1) << 30);
  const __m512i neg_nudge = _mm512_set1_epi64(int64_t(1) - (int64_t(1) << 30));
  const __m512i trunc = _mm512_set1_epi64((int64_t(1) << 31) - 1);
  auto half = [&](__m512i prod) {
    __m512i t = _mm512_add_epi64(prod, _mm512_mask_blend_epi64(_mm512_cmplt_epi64_mask(prod, zero), pos_nudge, neg_nudge));
    t = _mm512_mask_add_epi64(t, _mm512_cmplt_epi64_mask(t, zero), t, trunc);
    return _mm512_maskz_srai_epi64(kAll64, t, 31);
  };
  const __m512i even = half(_mm512_maskz_mul_epi32(kAll64, a, b));
  const __m512i odd = half(_mm512_maskz_mul_epi32(kAll64, _mm512_maskz_srli_epi64(kAll64, a, 32), _mm512_maskz_srli_epi64(kAll64, b, 32)));
  const __m512i r = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_maskz_slli_epi64(kAll64, odd, 32));
  const __m512i min = _mm512_set1_epi32(INT32_MIN);
  const __mmask16 sat = _mm512_cmpeq_epi32_mask(a, min) & _mm512_cmpeq_epi32_mask(b, min);
  return _mm512_mask_mov_epi32(r, sat, _mm512_set1_epi32(INT32_MAX));
}

__m512i rdbp(__m512i x, __m512i e) {
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i mask = _mm512_sub_epi32(_mm512_maskz_sllv_epi32(kAll, one, e), one);
  const __m512i rem = _mm512_and_si512(x, mask);
  const __m512i thr = _mm512_add_epi32(_mm512_maskz_srai_epi32(kAll, mask, 1), _mm512_maskz_srli_epi32(kAll, x, 31));
  const __m512i q = _mm512_maskz_srav_epi32(kAll, x, e);
  return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(rem, thr), q, one);
}

__m512i requant(__m512i acc, const uint8_t* hdr, size_t h, const U8U8Params& p) {
  const __m512i lo = _mm512_set1_epi32(p.y_min - p.y_zero_point), hi = _mm512_set1_epi32(p.y_max - p.y_zero_point);
  __m512i v;
  if (p.mode == U8U8Requant::q31) {
    const __m512i m = _mm512_loadu_si512(hdr + 8 * NR + 64 * h);
    const __m512i s = _mm512_loadu_si512(hdr + 12 * NR + 64 * h);
    v = _mm512_maskz_min_epi32(kAll, _mm512_maskz_max_epi32(kAll, rdbp(srdhm(acc, m), s), lo), hi);
  } else {
    // Round half to even (MXCSR default), as nearbyint.
    __m512 f = _mm512_mul_ps(_mm512_maskz_cvtepi32_ps(kAll, acc), _mm512_loadu_ps(hdr + 4 * NR + 64 * h));
    f = _mm512_maskz_min_ps(kAll, _mm512_maskz_max_ps(kAll, f, _mm512_maskz_cvtepi32_ps(kAll, lo)), _mm512_maskz_cvtepi32_ps(kAll, hi));
    v = _mm512_maskz_cvtps_epi32(kAll, f);
  }
  return _mm512_add_epi32(v, _mm512_set1_epi32(p.y_zero_point));
}
}  // namespace

size_t u8u8_gemm_8x32c4_avx512vnni_panel_bytes(size_t kc, size_t ks) {
  return u8u8_header_bytes(NR) + ks * ((kc + KB - 1) / KB * KB) * NR;
}

// Per tap, kc padded to KB; per group of 4 k: NR columns x 4 bytes (w - 128). Padding is zero (the
// kernel feeds zeros for A there too, so it adds nothing to either sum).
void u8u8_gemm_8x32c4_avx512vnni_pack(size_t kc, size_t ks, size_t nvalid, const uint8_t* w, int32_t a_zero_point,
                                      void* panel) {
  uint8_t* h = static_cast<uint8_t*>(panel);
  int8_t* out = reinterpret_cast<int8_t*>(h + u8u8_header_bytes(NR));
  const size_t kp = (kc + KB - 1) / KB * KB;
  for (size_t t = 0; t < ks; t++)
    for (size_t k = 0; k < kp; k += 4)
      for (size_t n = 0; n < NR; n++)
        for (size_t j = 0; j < 4; j++) {
          const size_t c = k + j;
          *out++ = n < nvalid && c < kc ? int8_t(int32_t(w[n * ks * kc + t * kc + c]) - 128) : 0;
        }
  const uint32_t kk = uint32_t(kc * ks);
  for (size_t n = 0; n < nvalid; n++) {
    uint32_t colsum = 0;
    for (size_t c = 0; c < kc * ks; c++) colsum += w[n * ks * kc + c];
    int32_t b, zw;
    std::memcpy(&b, h + 4 * n, 4);
    std::memcpy(&zw, h + 16 * NR + 4 * n, 4);
    b = int32_t(uint32_t(b) - uint32_t(a_zero_point) * colsum + kk * uint32_t(a_zero_point) * uint32_t(zw));
    std::memcpy(h + 4 * n, &b, 4);
  }
}

void u8u8_gemm_8x32c4_avx512vnni(size_t mr, size_t nr, size_t kc, size_t ks, const uint8_t* const* a, size_t a_offset,
                                 const uint8_t* zero, const void* w, uint8_t* y, size_t y_stride,
                                 const U8U8Params* p) {
  const uint8_t* hdr = static_cast<const uint8_t*>(w);
  const __m512i* wp = reinterpret_cast<const __m512i*>(hdr + u8u8_header_bytes(NR));
  __m512i acc[MR][2];
  const __m512i b0 = _mm512_loadu_si512(hdr), b1 = _mm512_loadu_si512(hdr + 64);
  for (size_t i = 0; i < MR; i++) acc[i][0] = b0, acc[i][1] = b1;
  // Row sums by vpsadbw: rows 0-3 in rs[0], rows 4-7 in rs[1], two 64-bit partial sums per row
  // (a register each would spill).
  __m512i rs[2] = {_mm512_setzero_si512(), _mm512_setzero_si512()};
  // One block of KB bytes of every row: the sums, then 4 groups of 4 k x 32 columns.
  auto block = [&](const uint8_t* const* src) __attribute__((always_inline)) {
    for (size_t h = 0; h < 2; h++) {
      __m512i v = _mm512_zextsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src[4 * h])));
      v = _mm512_inserti32x4(v, _mm_loadu_si128(reinterpret_cast<const __m128i*>(src[4 * h + 1])), 1);
      v = _mm512_inserti32x4(v, _mm_loadu_si128(reinterpret_cast<const __m128i*>(src[4 * h + 2])), 2);
      v = _mm512_inserti32x4(v, _mm_loadu_si128(reinterpret_cast<const __m128i*>(src[4 * h + 3])), 3);
      rs[h] = _mm512_add_epi64(rs[h], _mm512_sad_epu8(v, _mm512_setzero_si512()));
    }
    for (size_t j = 0; j < KB / 4; j++) {
      const __m512i w0 = _mm512_loadu_si512(wp), w1 = _mm512_loadu_si512(wp + 1);
      wp += 2;
      for (size_t i = 0; i < MR; i++) {
        int32_t g;
        std::memcpy(&g, src[i] + 4 * j, 4);
        const __m512i ab = _mm512_set1_epi32(g);
        acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], ab, w0);
        acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], ab, w1);
      }
    }
  };
  u8u8_for_each_block<MR, KB>(ks, kc, a, a_offset, zero, block);
  // Per row: the sum of its two partial sums.
  alignas(64) int64_t sums[16];
  _mm512_store_si512(sums, rs[0]);
  _mm512_store_si512(sums + 8, rs[1]);
  // 128 - zw per column (vpmulld keeps the low 32 bits: the product modulo 2^32).
  const __m512i c128 = _mm512_set1_epi32(128);
  const __m512i flip[2] = {_mm512_sub_epi32(c128, _mm512_loadu_si512(hdr + 16 * NR)),
                           _mm512_sub_epi32(c128, _mm512_loadu_si512(hdr + 16 * NR + 64))};
  for (size_t i = 0; i < mr; i++) {
    const __m512i s = _mm512_set1_epi32(int32_t(uint32_t(sums[2 * i] + sums[2 * i + 1])));
    const __mmask64 keep = nr >= 64 ? ~__mmask64(0) : (__mmask64(1) << nr) - 1;
    for (size_t h = 0; h < 2; h++) {
      const __m512i v = requant(_mm512_add_epi32(acc[i][h], _mm512_mullo_epi32(s, flip[h])), hdr, h, *p);
      // Values are in [0, 255]: vpmovdb's truncation is exact.
      const size_t n0 = 16 * h;
      if (nr > n0) _mm_mask_storeu_epi8(y + i * y_stride + n0, __mmask16(keep >> n0), _mm512_maskz_cvtepi32_epi8(kAll, v));
    }
  }
}

}  // namespace i8k
