// AVX-512 VNNI u8 depthwise rows for weights within s8 (the symmetric QDQ export; u8 weights minus
// a zero point can reach +-255 and take qu8-dwconv-avx512bw): four taps at a time, 32 channels per
// block. Four 32-byte input rows are interleaved into (x[t], x[t+1], x[t+2], x[t+3]) byte quads
// per channel (two rounds of unpacks within 128-bit lanes) and vpdpbusd sums the four u8 x s8
// products into int32 exactly: 128 multiply-adds for 12 instructions, against 16 for the pmaddwd
// rows. 3x3 runs as 12 taps (three zero weights), 5x5 as 28.
//
// Packed layout per block of 32 channels: int32 bias[32], float scale[32], then per tap quad
// int8 w[32][4]. Slot j < 16 belongs to the first accumulator, whose 128-bit lanes hold channels
// 0-3, 16-19, 4-7, 20-23; slots 16..31 to the second (8-11, 24-27, 12-15, 28-31). packssdw of the
// two and a qword permute restore channel order.
#include <cstring>
#include "qu8-dwconv-avx512.h"

namespace i8k {

namespace {
using qu8_dwconv_avx512::B;
using qu8_dwconv_avx512::Out;

size_t block_bytes(size_t taps) { return B * (2 * sizeof(int32_t) + (taps + 3) / 4 * 4); }

// Channel of slot j within a block.
size_t slot_channel(size_t j) {
  static const size_t base[8] = {0, 16, 4, 20, 8, 24, 12, 28};
  return base[j / 4] + j % 4;
}

struct Kernel {
  template <size_t TAPS, size_t NP>
  static void block(size_t taps_rt, const uint8_t* const* input, size_t input_step, size_t c0, __mmask32 m,
                    const uint8_t* blk, uint8_t* y, size_t y_step, const Out& o) {
    const size_t taps = TAPS ? TAPS : taps_rt, quads = (taps + 3) / 4;
    const auto* bias = reinterpret_cast<const int32_t*>(blk);
    const auto* scale = reinterpret_cast<const float*>(blk + B * sizeof(int32_t));
    const uint8_t* w = blk + 2 * B * sizeof(int32_t);
    __m512i acc_a[NP], acc_b[NP];
    for (size_t i = 0; i < NP; i++) acc_a[i] = _mm512_loadu_si512(bias), acc_b[i] = _mm512_loadu_si512(bias + 16);
    for (size_t q = 0; q < quads; q++, w += 4 * B) {
      const __m512i w_a = _mm512_loadu_si512(w), w_b = _mm512_loadu_si512(w + 2 * B);
      for (size_t i = 0; i < NP; i++) {
        const uint8_t* const* in = input + i * input_step;
        const uint8_t* p0 = in[4 * q] + c0;
        // Taps past the last meet zero weights: any readable row will do.
        const uint8_t* p1 = 4 * q + 1 < taps ? in[4 * q + 1] + c0 : p0;
        const uint8_t* p2 = 4 * q + 2 < taps ? in[4 * q + 2] + c0 : p0;
        const uint8_t* p3 = 4 * q + 3 < taps ? in[4 * q + 3] + c0 : p0;
        const __m256i x0 = _mm256_maskz_loadu_epi8(m, p0), x1 = _mm256_maskz_loadu_epi8(m, p1);
        const __m256i x2 = _mm256_maskz_loadu_epi8(m, p2), x3 = _mm256_maskz_loadu_epi8(m, p3);
        const __m256i p01l = _mm256_unpacklo_epi8(x0, x1), p01h = _mm256_unpackhi_epi8(x0, x1);
        const __m256i p23l = _mm256_unpacklo_epi8(x2, x3), p23h = _mm256_unpackhi_epi8(x2, x3);
        const __m512i a = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_unpacklo_epi16(p01l, p23l)),
                                             _mm256_unpackhi_epi16(p01l, p23l), 1);
        const __m512i b = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_unpacklo_epi16(p01h, p23h)),
                                             _mm256_unpackhi_epi16(p01h, p23h), 1);
        acc_a[i] = _mm512_dpbusd_epi32(acc_a[i], a, w_a);
        acc_b[i] = _mm512_dpbusd_epi32(acc_b[i], b, w_b);
      }
    }
    // requantize_u8 lane by lane (vcvtps2dq rounds half to even in the default MXCSR mode).
    const __m512 s_a = _mm512_loadu_ps(scale), s_b = _mm512_loadu_ps(scale + 16);
    for (size_t i = 0; i < NP; i++) {
      const __m512 f_a = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(acc_a[i]), s_a), o.lo), o.hi);
      const __m512 f_b = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(acc_b[i]), s_b), o.lo), o.hi);
      __m512i q16 = _mm512_packs_epi32(_mm512_cvtps_epi32(f_a), _mm512_cvtps_epi32(f_b));
      q16 = _mm512_adds_epi16(_mm512_permutexvar_epi64(o.order, q16), o.zp);
      _mm256_mask_storeu_epi8(y + i * y_step + c0, m, _mm512_cvtusepi16_epi8(q16));
    }
  }
};

template <size_t TAPS>
void rows(size_t width, size_t channels, size_t taps_rt, const uint8_t* const* input, size_t input_step,
          const void* packed, uint8_t* y, size_t y_step, const RequantParams& p) {
  const size_t taps = TAPS ? TAPS : taps_rt;
  qu8_dwconv_avx512::rows<Kernel, TAPS>(width, channels, taps, input, input_step, packed, block_bytes(taps), y, y_step, p);
}
}  // namespace

size_t qu8_dwconv_avx512vnni_packed_bytes(size_t taps, size_t channels) {
  return (channels + B - 1) / B * block_bytes(taps);
}

void qu8_dwconv_avx512vnni_pack(size_t taps, size_t channels, const int16_t* w, const int32_t* bias,
                                const float* scale, void* out) {
  const size_t quads = (taps + 3) / 4, bytes = block_bytes(taps);
  std::memset(out, 0, qu8_dwconv_avx512vnni_packed_bytes(taps, channels));
  for (size_t b = 0; b * B < channels; b++) {
    uint8_t* blk = static_cast<uint8_t*>(out) + b * bytes;
    int32_t* pb = reinterpret_cast<int32_t*>(blk);
    float* ps = reinterpret_cast<float*>(blk + B * sizeof(int32_t));
    int8_t* pw = reinterpret_cast<int8_t*>(blk + 2 * B * sizeof(int32_t));
    for (size_t j = 0; j < B; j++) {
      const size_t c = b * B + slot_channel(j);
      if (c >= channels) continue;
      pb[j] = bias[c];
      ps[j] = scale[c];
      for (size_t t = 0; t < quads * 4; t++)
        pw[(t / 4 * B + j) * 4 + t % 4] = t < taps ? int8_t(w[t * channels + c]) : int8_t(0);
    }
  }
}

I8K_QU8_DWCONV_ENTRY_POINTS(qu8_dwconv_avx512vnni)

}  // namespace i8k
