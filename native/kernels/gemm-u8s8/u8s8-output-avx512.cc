// AVX-512 output stages of u8s8-output.h: 16 columns per step, the column tail by masks (masked
// loads and stores never touch the masked-out elements, so no access leaves the arrays).
// Lane by lane the scalar twin's steps: vpmulld / vpaddd wrap like its unsigned sums; cvtdq2ps,
// mulps and addps are its single roundings (the maskz forms are builtins GCC never contracts into
// an FMA); max(v, lo) returns lo for a NaN v like std::fmax; cvtps2dq rounds half to even (MXCSR
// default) like std::nearbyint.
#include <immintrin.h>
#include "u8s8-output.h"

namespace i8k {

namespace {
// The all-ones maskz forms are the plain instructions; they avoid GCC 12's false
// -Wmaybe-uninitialized warnings from the unmasked intrinsics (_mm512_undefined_*).
constexpr __mmask16 kAll = 0xFFFF;
}  // namespace

void u8s8_output_avx512(const U8S8Output& o, size_t m0, size_t mr, size_t n0, size_t nr,
                        const int32_t* tile, size_t tile_stride, void* y, size_t y_stride) {
  const size_t es = u8s8_output_size(o.kind);
  const __m512 lo = _mm512_set1_ps(static_cast<float>(o.rq.y_min - o.rq.y_zero_point));
  const __m512 hi = _mm512_set1_ps(static_cast<float>(o.rq.y_max - o.rq.y_zero_point));
  const __m512i zp = _mm512_set1_epi32(o.rq.y_zero_point);
  const __m512i flip = _mm512_set1_epi32(o.kind == U8S8OutputKind::s8 ? 0x80 : 0);
  for (size_t i = 0; i < mr; i++) {
    const int32_t* t = tile + i * tile_stride;
    uint8_t* row = static_cast<uint8_t*>(y) + ((m0 + i) * y_stride + n0) * es;
    const __m512i rs = _mm512_set1_epi32(o.col_mult ? o.row_sum[m0 + i] : 0);
    for (size_t j = 0; j < nr; j += 16) {
      const __mmask16 mask = nr - j >= 16 ? kAll : __mmask16((1u << (nr - j)) - 1);
      const size_t n = n0 + j;
      __m512i acc = _mm512_add_epi32(_mm512_maskz_loadu_epi32(mask, t + j), _mm512_maskz_loadu_epi32(mask, o.col_off + n));
      if (o.col_mult)
        acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(rs, _mm512_maskz_loadu_epi32(mask, o.col_mult + n)));
      switch (o.kind) {
        case U8S8OutputKind::s32:
          _mm512_mask_storeu_epi32(row + j * 4, mask, acc);
          break;
        case U8S8OutputKind::f32: {
          __m512 v = _mm512_maskz_mul_ps(kAll, _mm512_maskz_cvtepi32_ps(kAll, acc), _mm512_maskz_loadu_ps(mask, o.scale + n));
          if (o.bias) v = _mm512_maskz_add_ps(kAll, v, _mm512_maskz_loadu_ps(mask, o.bias + n));
          _mm512_mask_storeu_ps(row + j * 4, mask, v);
          break;
        }
        default: {
          __m512 v = _mm512_maskz_mul_ps(kAll, _mm512_maskz_cvtepi32_ps(kAll, acc), _mm512_maskz_loadu_ps(mask, o.scale + n));
          v = _mm512_maskz_min_ps(kAll, _mm512_maskz_max_ps(kAll, v, lo), hi);
          const __m512i q = _mm512_xor_si512(_mm512_add_epi32(_mm512_maskz_cvtps_epi32(kAll, v), zp), flip);
          // q is 0..255 (bounds in u8 units), so the truncating narrow keeps it.
          _mm_mask_storeu_epi8(row + j, mask, _mm512_maskz_cvtepi32_epi8(kAll, q));
          break;
        }
      }
    }
  }
}

}  // namespace i8k
