// AVX2 output stages of u8s8-output.h (also the AVX-VNNI kernels' stage): 8 columns per step and
// the scalar definition (u8s8_output_element) for the last nr % 8, so no access leaves the arrays.
// Lane by lane the scalar twin's steps: vpmulld / vpaddd wrap like its unsigned sums; cvtdq2ps,
// mulps and addps are its single roundings (an empty asm between the multiply and the add keeps
// GCC from contracting them into an FMA under -mfma); max(v, lo) returns lo for a NaN v like
// std::fmax; cvtps2dq rounds half to even (MXCSR default) like std::nearbyint.
#include <immintrin.h>
#include "u8s8-output.h"

namespace i8k {

void u8s8_output_avx2(const U8S8Output& o, size_t m0, size_t mr, size_t n0, size_t nr,
                      const int32_t* tile, size_t tile_stride, void* y, size_t y_stride) {
  const size_t es = u8s8_output_size(o.kind), n8 = nr & ~size_t{7};
  const __m256 lo = _mm256_set1_ps(static_cast<float>(o.rq.y_min - o.rq.y_zero_point));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(o.rq.y_max - o.rq.y_zero_point));
  const __m256i zp = _mm256_set1_epi32(o.rq.y_zero_point);
  const __m256i flip = _mm256_set1_epi32(o.kind == U8S8OutputKind::s8 ? 0x80 : 0);
  const auto load = [](const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); };
  for (size_t i = 0; i < mr; i++) {
    const int32_t* t = tile + i * tile_stride;
    uint8_t* row = static_cast<uint8_t*>(y) + ((m0 + i) * y_stride + n0) * es;
    const __m256i rs = _mm256_set1_epi32(o.col_mult ? o.row_sum[m0 + i] : 0);
    for (size_t j = 0; j < n8; j += 8) {
      const size_t n = n0 + j;
      __m256i acc = _mm256_add_epi32(load(t + j), load(o.col_off + n));
      if (o.col_mult) acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(rs, load(o.col_mult + n)));
      switch (o.kind) {
        case U8S8OutputKind::s32:
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(row + j * 4), acc);
          break;
        case U8S8OutputKind::f32: {
          __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(o.scale + n));
          __asm__("" : "+x"(v));
          if (o.bias) v = _mm256_add_ps(v, _mm256_loadu_ps(o.bias + n));
          _mm256_storeu_ps(reinterpret_cast<float*>(row + j * 4), v);
          break;
        }
        default: {
          __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(o.scale + n));
          v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
          const __m256i q = _mm256_xor_si256(_mm256_add_epi32(_mm256_cvtps_epi32(v), zp), flip);
          // 0..255 in every dword: two packs give the 8 bytes in order in the low 4 + high 4.
          const __m128i w = _mm_packus_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
          _mm_storel_epi64(reinterpret_cast<__m128i*>(row + j), _mm_packus_epi16(w, w));
          break;
        }
      }
    }
    for (size_t j = n8; j < nr; j++) u8s8_output_element(o, t[j], m0 + i, n0 + j, row + j * es);
  }
}

}  // namespace i8k
