#include <immintrin.h>
#include "x32-transpose.h"

namespace i8k {

namespace {
// Blocks that do not fill 8 x 8.
void edge(const uint8_t* src, int64_t src_col, uint8_t* dst, int64_t dst_row, int64_t r0, int64_t r1,
          int64_t c0, int64_t c1) {
  for (int64_t r = r0; r < r1; r++)
    for (int64_t c = c0; c < c1; c++)
      *reinterpret_cast<uint32_t*>(dst + r * dst_row + c * 4) =
          *reinterpret_cast<const uint32_t*>(src + c * src_col + r * 4);
}
}  // namespace

// 8 x 8 in registers (shuffles move bits only, so integers pass through unchanged).
void x32_transpose_8x8_avx2(const uint8_t* src, int64_t src_col, uint8_t* dst, int64_t dst_row,
                            int64_t rows, int64_t cols) {
  const int64_t rows8 = rows & ~int64_t{7}, cols8 = cols & ~int64_t{7};
  auto block = [&](int64_t r0, int64_t c0) {
    const uint8_t* s = src + c0 * src_col + r0 * 4;
    const __m256 v0 = _mm256_loadu_ps(reinterpret_cast<const float*>(s));
    const __m256 v1 = _mm256_loadu_ps(reinterpret_cast<const float*>(s + src_col));
    const __m256 v2 = _mm256_loadu_ps(reinterpret_cast<const float*>(s + 2 * src_col));
    const __m256 v3 = _mm256_loadu_ps(reinterpret_cast<const float*>(s + 3 * src_col));
    const __m256 v4 = _mm256_loadu_ps(reinterpret_cast<const float*>(s + 4 * src_col));
    const __m256 v5 = _mm256_loadu_ps(reinterpret_cast<const float*>(s + 5 * src_col));
    const __m256 v6 = _mm256_loadu_ps(reinterpret_cast<const float*>(s + 6 * src_col));
    const __m256 v7 = _mm256_loadu_ps(reinterpret_cast<const float*>(s + 7 * src_col));
    const __m256 t0 = _mm256_unpacklo_ps(v0, v1), t1 = _mm256_unpackhi_ps(v0, v1);
    const __m256 t2 = _mm256_unpacklo_ps(v2, v3), t3 = _mm256_unpackhi_ps(v2, v3);
    const __m256 t4 = _mm256_unpacklo_ps(v4, v5), t5 = _mm256_unpackhi_ps(v4, v5);
    const __m256 t6 = _mm256_unpacklo_ps(v6, v7), t7 = _mm256_unpackhi_ps(v6, v7);
    const __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    float* d = reinterpret_cast<float*>(dst + r0 * dst_row + c0 * 4);
    auto row = [&](int k) { return reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(d) + k * dst_row); };
    _mm256_storeu_ps(row(0), _mm256_permute2f128_ps(s0, s4, 0x20));
    _mm256_storeu_ps(row(1), _mm256_permute2f128_ps(s1, s5, 0x20));
    _mm256_storeu_ps(row(2), _mm256_permute2f128_ps(s2, s6, 0x20));
    _mm256_storeu_ps(row(3), _mm256_permute2f128_ps(s3, s7, 0x20));
    _mm256_storeu_ps(row(4), _mm256_permute2f128_ps(s0, s4, 0x31));
    _mm256_storeu_ps(row(5), _mm256_permute2f128_ps(s1, s5, 0x31));
    _mm256_storeu_ps(row(6), _mm256_permute2f128_ps(s2, s6, 0x31));
    _mm256_storeu_ps(row(7), _mm256_permute2f128_ps(s3, s7, 0x31));
  };
  // Two blocks down r per step use all 64 bytes of each src line read.
  int64_t r0 = 0;
  for (; r0 + 16 <= rows8; r0 += 16) {
    for (int64_t c0 = 0; c0 < cols8; c0 += 8) block(r0, c0), block(r0 + 8, c0);
    edge(src, src_col, dst, dst_row, r0, r0 + 16, cols8, cols);
  }
  for (; r0 < rows8; r0 += 8) {
    for (int64_t c0 = 0; c0 < cols8; c0 += 8) block(r0, c0);
    edge(src, src_col, dst, dst_row, r0, r0 + 8, cols8, cols);
  }
  edge(src, src_col, dst, dst_row, rows8, rows, 0, cols);
}

}  // namespace i8k
