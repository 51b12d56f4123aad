// AVX-512 (F/BW/VL) u8 depthwise rows, 32 channels per block: per tap pair, two 32-byte input rows
// widened to int16 (vpmovzxbw), interleaved lane by lane (vpunpcklwd / vpunpckhwd) and summed
// against the packed weight pairs with vpmaddwd: 64 exact multiply-adds for 8 instructions, where
// widening both operands to int32 (vpmulld) takes 16. The channel tail uses masked byte loads and
// stores, which never touch the bytes they mask off.
#include "qu8-dwconv-avx512.h"

namespace i8k {

namespace {
using qu8_dwconv_avx512::B;
using qu8_dwconv_avx512::Out;

// NP output pixels of one 32-channel block: NP independent accumulator chains (the madd chain of
// one pixel alone is latency bound), sharing each weight load.
struct Kernel {
  template <size_t TAPS, size_t NP>
  static void block(size_t taps_rt, const uint8_t* const* input, size_t input_step, size_t c0, __mmask32 m,
                    const uint8_t* blk, uint8_t* y, size_t y_step, const Out& o) {
    const size_t taps = TAPS ? TAPS : taps_rt, pairs = (taps + 1) / 2;
    const auto* bias = reinterpret_cast<const int32_t*>(blk);
    const auto* scale = reinterpret_cast<const float*>(blk + B * sizeof(int32_t));
    const auto* w = reinterpret_cast<const int16_t*>(blk + 2 * B * sizeof(int32_t));
    __m512i acc_lo[NP], acc_hi[NP];
    for (size_t i = 0; i < NP; i++) acc_lo[i] = _mm512_loadu_si512(bias), acc_hi[i] = _mm512_loadu_si512(bias + 16);
    for (size_t q = 0; q < pairs; q++, w += 2 * B) {
      const __m512i w_lo = _mm512_loadu_si512(w), w_hi = _mm512_loadu_si512(w + B);
      for (size_t i = 0; i < NP; i++) {
        const uint8_t* const* in = input + i * input_step;
        const uint8_t* p0 = in[2 * q] + c0;
        const uint8_t* p1 = 2 * q + 1 < taps ? in[2 * q + 1] + c0 : p0;  // meets a zero weight
        const __m512i x0 = _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(m, p0));
        const __m512i x1 = _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(m, p1));
        acc_lo[i] = _mm512_add_epi32(acc_lo[i], _mm512_madd_epi16(_mm512_unpacklo_epi16(x0, x1), w_lo));
        acc_hi[i] = _mm512_add_epi32(acc_hi[i], _mm512_madd_epi16(_mm512_unpackhi_epi16(x0, x1), w_hi));
      }
    }
    // requantize_u8 lane by lane: one float32 product, clamp, round half to even (the default MXCSR
    // mode of vcvtps2dq), + zero point; packssdw puts the channels back in order.
    const __m512 s_lo = _mm512_loadu_ps(scale), s_hi = _mm512_loadu_ps(scale + 16);
    for (size_t i = 0; i < NP; i++) {
      const __m512 f_lo = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(acc_lo[i]), s_lo), o.lo), o.hi);
      const __m512 f_hi = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(acc_hi[i]), s_hi), o.lo), o.hi);
      const __m512i q16 = _mm512_adds_epi16(_mm512_packs_epi32(_mm512_cvtps_epi32(f_lo), _mm512_cvtps_epi32(f_hi)), o.zp);
      _mm256_mask_storeu_epi8(y + i * y_step + c0, m, _mm512_cvtusepi16_epi8(q16));
    }
  }
};

template <size_t TAPS>
void rows(size_t width, size_t channels, size_t taps_rt, const uint8_t* const* input, size_t input_step,
          const void* packed, uint8_t* y, size_t y_step, const RequantParams& p) {
  const size_t taps = TAPS ? TAPS : taps_rt;
  qu8_dwconv_avx512::rows<Kernel, TAPS>(width, channels, taps, input, input_step, packed, B * (2 * sizeof(int32_t) + (taps + 1) / 2 * 2 * sizeof(int16_t)), y, y_step, p);
}
}  // namespace

I8K_QU8_DWCONV_ENTRY_POINTS(qu8_dwconv_avx512bw)

}  // namespace i8k
