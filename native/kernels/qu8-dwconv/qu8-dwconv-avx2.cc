// AVX2 u8 depthwise rows, 16 channels per block: per tap pair, two 16-byte input rows widened to
// int16 (vpmovzxbw), interleaved within 128-bit lanes and summed against the packed weight pairs
// with vpmaddwd (exact: |x * w| <= 255 * 255, two of them < 2^31). A channel tail is copied into
// zeroed 16-byte buffers first, so no load or store passes the row.
#include <immintrin.h>
#include <cstring>
#include "qu8-dwconv.h"

namespace i8k {

namespace {
constexpr size_t B = 16;

inline __m128i load_row(const uint8_t* p, size_t rem) {
  if (rem >= B) return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  alignas(16) uint8_t buf[B] = {};
  std::memcpy(buf, p, rem);
  return _mm_load_si128(reinterpret_cast<const __m128i*>(buf));
}

struct Out {
  __m256 lo, hi;
  __m256i zp;
};

// NP output pixels of one 16-channel block: NP independent accumulator chains (one pixel's chain
// alone is latency bound), sharing each weight load.
template <size_t TAPS, size_t NP>
inline void block(size_t taps_rt, const uint8_t* const* input, size_t input_step, size_t c0, size_t rem,
                  const uint8_t* blk, uint8_t* y, size_t y_step, const Out& o) {
  const size_t taps = TAPS ? TAPS : taps_rt, pairs = (taps + 1) / 2;
  const auto* bias = reinterpret_cast<const __m256i*>(blk);
  const auto* scale = reinterpret_cast<const float*>(blk + B * sizeof(int32_t));
  const auto* w = reinterpret_cast<const __m256i*>(blk + 2 * B * sizeof(int32_t));
  __m256i acc_lo[NP], acc_hi[NP];
  for (size_t i = 0; i < NP; i++) acc_lo[i] = _mm256_loadu_si256(bias), acc_hi[i] = _mm256_loadu_si256(bias + 1);
  for (size_t q = 0; q < pairs; q++, w += 2) {
    const __m256i w_lo = _mm256_loadu_si256(w), w_hi = _mm256_loadu_si256(w + 1);
    for (size_t i = 0; i < NP; i++) {
      const uint8_t* const* in = input + i * input_step;
      const uint8_t* p0 = in[2 * q] + c0;
      const uint8_t* p1 = 2 * q + 1 < taps ? in[2 * q + 1] + c0 : p0;  // meets a zero weight
      const __m256i x0 = _mm256_cvtepu8_epi16(load_row(p0, rem));
      const __m256i x1 = _mm256_cvtepu8_epi16(load_row(p1, rem));
      acc_lo[i] = _mm256_add_epi32(acc_lo[i], _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), w_lo));
      acc_hi[i] = _mm256_add_epi32(acc_hi[i], _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), w_hi));
    }
  }
  // requantize_u8 lane by lane (vcvtps2dq rounds half to even in the default MXCSR mode).
  const __m256 s_lo = _mm256_loadu_ps(scale), s_hi = _mm256_loadu_ps(scale + 8);
  for (size_t i = 0; i < NP; i++) {
    const __m256 f_lo = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc_lo[i]), s_lo), o.lo), o.hi);
    const __m256 f_hi = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc_hi[i]), s_hi), o.lo), o.hi);
    const __m256i q16 = _mm256_adds_epi16(_mm256_packs_epi32(_mm256_cvtps_epi32(f_lo), _mm256_cvtps_epi32(f_hi)), o.zp);
    const __m128i out = _mm_packus_epi16(_mm256_castsi256_si128(q16), _mm256_extracti128_si256(q16, 1));
    uint8_t* dst = y + i * y_step + c0;
    if (rem >= B) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), out);
    } else {
      alignas(16) uint8_t buf[B];
      _mm_store_si128(reinterpret_cast<__m128i*>(buf), out);
      std::memcpy(dst, buf, rem);
    }
  }
}

template <size_t TAPS>
void rows(size_t width, size_t channels, size_t taps_rt, const uint8_t* const* input, size_t input_step,
          const void* packed, uint8_t* y, size_t y_step, const RequantParams& p) {
  const size_t taps = TAPS ? TAPS : taps_rt, pairs = (taps + 1) / 2;
  const size_t block_bytes = B * (2 * sizeof(int32_t) + pairs * 2 * sizeof(int16_t));
  const Out o{_mm256_set1_ps(float(p.y_min - p.y_zero_point)), _mm256_set1_ps(float(p.y_max - p.y_zero_point)),
              _mm256_set1_epi16(int16_t(p.y_zero_point))};
  size_t px = 0;
  for (; px + 2 <= width; px += 2, input += 2 * input_step, y += 2 * y_step) {
    const auto* blk = static_cast<const uint8_t*>(packed);
    for (size_t c0 = 0; c0 < channels; c0 += B, blk += block_bytes)
      block<TAPS, 2>(taps, input, input_step, c0, channels - c0, blk, y, y_step, o);
  }
  if (px < width) {
    const auto* blk = static_cast<const uint8_t*>(packed);
    for (size_t c0 = 0; c0 < channels; c0 += B, blk += block_bytes)
      block<TAPS, 1>(taps, input, input_step, c0, channels - c0, blk, y, y_step, o);
  }
}
}  // namespace

I8K_QU8_DWCONV_ENTRY_POINTS(qu8_dwconv_avx2)

}  // namespace i8k
