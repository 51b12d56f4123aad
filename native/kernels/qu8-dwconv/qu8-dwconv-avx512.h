// What the two AVX-512 depthwise kernels (avx512bw: pmaddwd, any weights; avx512vnni: vpdpbusd,
// s8 weights) share: the output constants and the row driver, which runs output pixels in pairs
// (two independent accumulator chains sharing each weight load; one chain alone is latency
// bound) over 32-channel blocks, the last one masked. Included only by those two files.
#pragma once
// GCC 12 reports its own _mm512_undefined_*() (a self-initialised variable the unmasked intrinsics
// pass as the unused merge source) as "may be used uninitialized" once inlined into the kernels.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#include <type_traits>
#include "qu8-dwconv.h"

namespace i8k {
namespace qu8_dwconv_avx512 {

constexpr size_t B = 32;

struct Out {
  __m512 lo, hi;    // y_min - zp, y_max - zp
  __m512i zp;       // int16 lanes
  __m512i order;    // qword permute that restores channel order after packssdw (vnni)
};

inline Out out_params(const RequantParams& p) {
  return Out{_mm512_set1_ps(float(p.y_min - p.y_zero_point)), _mm512_set1_ps(float(p.y_max - p.y_zero_point)),
             _mm512_set1_epi16(int16_t(p.y_zero_point)), _mm512_set_epi64(7, 3, 6, 2, 5, 1, 4, 0)};
}

// K::block<TAPS, NP>(taps, input, input_step, c0, mask, block, y, y_step, out) computes NP pixels
// of one block; block_bytes is the size of one packed block.
template <class K, size_t TAPS>
void rows(size_t width, size_t channels, size_t taps, const uint8_t* const* input, size_t input_step,
          const void* packed, size_t block_bytes, uint8_t* y, size_t y_step, const RequantParams& p) {
  const Out o = out_params(p);
  size_t px = 0;
  auto blocks = [&](auto np) {
    const auto* blk = static_cast<const uint8_t*>(packed);
    for (size_t c0 = 0; c0 < channels; c0 += B, blk += block_bytes) {
      const size_t rem = channels - c0;
      const __mmask32 m = rem >= B ? ~__mmask32(0) : (__mmask32(1) << rem) - 1;
      K::template block<TAPS, decltype(np)::value>(taps, input, input_step, c0, m, blk, y, y_step, o);
    }
  };
  for (; px + 2 <= width; px += 2, input += 2 * input_step, y += 2 * y_step) blocks(std::integral_constant<size_t, 2>());
  if (px < width) blocks(std::integral_constant<size_t, 1>());
}

}  // namespace qu8_dwconv_avx512
}  // namespace i8k
