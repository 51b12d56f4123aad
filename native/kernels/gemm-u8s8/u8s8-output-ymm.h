// The ymm output stage shared by the AVX2 and AVX-VNNI u8 x s8 GEMM kernels. Included inside an
// anonymous namespace on purpose: each kernel file compiles its own copy with its own ISA flags,
// and the linker must never swap one copy for another (an EVEX-encoded copy would fault on an
// AVX2-only CPU).
#pragma once
#include <immintrin.h>
#include <cstdint>
#include <cstring>

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

}  // namespace
}  // namespace i8k
