// The ymm output stage shared by the AVX2 and AVX-VNNI u8 x s8 GEMM kernels. Included inside an
// anonymous namespace on purpose: each kernel file compiles its own copy with its own ISA flags,
// and the linker must never swap one copy for another (an EVEX-encoded copy would fault on an
// AVX2-only CPU).
#pragma once
#include <immintrin.h>
#include <cstdint>
#include <cstring>
#include "gemm-u8s8.h"

namespace i8k {
namespace {

// Output stage of requantize_u8 for 8 columns. max(x, lo) returns lo for a NaN x, like
// std::fmax(x, lo), so the lane values equal the scalar ones in every case.
inline __m256i requantize(__m256i acc, __m256 scale, __m256 lo, __m256 hi) {
  __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), scale);
  v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
  return _mm256_cvtps_epi32(v);  // MXCSR default: round half to even, as std::nearbyint
}

// Stores the first n (1..16) bytes of v with 8-, 4-, 2- and 1-byte stores, so no byte past the
// tile is written.
inline void store16(uint8_t* y, size_t n, __m128i v) {
  if (n >= 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y), v);
    return;
  }
  if (n & 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(y), v);
    v = _mm_unpackhi_epi64(v, v);
    y += 8;
  }
  uint32_t t = static_cast<uint32_t>(_mm_cvtsi128_si32(v));
  if (n & 4) {
    std::memcpy(y, &t, 4);
    t = static_cast<uint32_t>(_mm_extract_epi32(v, 1));
    y += 4;
  }
  if (n & 2) {
    const uint16_t h = static_cast<uint16_t>(t);
    std::memcpy(y, &h, 2);
    t >>= 16;
    y += 2;
  }
  if (n & 1) *y = static_cast<uint8_t>(t);
}

// Requantizes an MR x 16 tile (two ymm of int32 per row; MR even) and stores its first nr
// columns of the first mr rows.
template <size_t MR>
inline void store_tile16(const __m256i (&acc)[MR][2], size_t mr, size_t nr, const float* scale, uint8_t* y,
                         size_t y_stride, const RequantParams& p) {
  const __m256 s0 = _mm256_loadu_ps(scale);
  const __m256 s1 = _mm256_loadu_ps(scale + 8);
  const __m256 lo = _mm256_set1_ps(static_cast<float>(p.y_min - p.y_zero_point));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(p.y_max - p.y_zero_point));
  // Rounded values lie in [-255, 255], so int16 holds them: adding the zero point after the
  // int32 -> int16 pack (one add per row instead of two) gives the same bytes.
  const __m256i vzp = _mm256_set1_epi16(static_cast<int16_t>(p.y_zero_point));
  // packs/packus work within 128-bit lanes: lane j ends up with columns 4j..4j+3 and 8+4j..
  // of row r, then the same of row r+1; one dword permute puts row r in the low half.
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
#pragma GCC unroll 4
  for (size_t i = 0; i < MR; i += 2) {
    if (i >= mr) break;
    const __m256i r0 = _mm256_packs_epi32(requantize(acc[i][0], s0, lo, hi),
                                          requantize(acc[i][1], s1, lo, hi));
    const __m256i r1 = _mm256_packs_epi32(requantize(acc[i + 1][0], s0, lo, hi),
                                          requantize(acc[i + 1][1], s1, lo, hi));
    const __m256i bytes = _mm256_permutevar8x32_epi32(
        _mm256_packus_epi16(_mm256_add_epi16(r0, vzp), _mm256_add_epi16(r1, vzp)), order);
    store16(y + i * y_stride, nr, _mm256_castsi256_si128(bytes));
    if (i + 1 < mr) store16(y + (i + 1) * y_stride, nr, _mm256_extracti128_si256(bytes, 1));
  }
}

// Stores rows i < mr of an MR x 16 int32 tile (the _acc entry points) into tile[i * 16 + j].
template <size_t MR>
inline void store_acc_tile16(const __m256i (&acc)[MR][2], size_t mr, int32_t* tile) {
#pragma GCC unroll 6
  for (size_t i = 0; i < MR; i++) {
    if (i >= mr) break;
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(tile + i * 16), acc[i][0]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(tile + i * 16 + 8), acc[i][1]);
  }
}

}  // namespace
}  // namespace i8k
