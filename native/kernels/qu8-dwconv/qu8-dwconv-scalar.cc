// The scalar twin of the u8 depthwise rows: one channel at a time through the packed layout,
// requantize_u8 per output. The SIMD files must match it bit for bit; kernel-test checks it
// against a naive reference on the unpacked weights.
#include "qu8-dwconv.h"

namespace i8k {

namespace {
constexpr size_t B = 8;

// TAPS only names the entry point; the scalar loop takes the count at run time everywhere.
template <size_t TAPS>
void rows(size_t width, size_t channels, size_t taps, const uint8_t* const* input, size_t input_step,
          const void* packed, uint8_t* y, size_t y_step, const RequantParams& p) {
  const size_t pairs = (taps + 1) / 2, block_bytes = B * (2 * sizeof(int32_t) + pairs * 2 * sizeof(int16_t));
  for (size_t px = 0; px < width; px++, input += input_step, y += y_step) {
    const auto* blk = static_cast<const uint8_t*>(packed);
    for (size_t c0 = 0; c0 < channels; c0 += B, blk += block_bytes) {
      const auto* bias = reinterpret_cast<const int32_t*>(blk);
      const auto* scale = reinterpret_cast<const float*>(blk + B * sizeof(int32_t));
      const auto* w = reinterpret_cast<const int16_t*>(blk + 2 * B * sizeof(int32_t));
      for (size_t j = 0; j < B; j++) {
        const size_t c = c0 + qu8_dwconv_channel(B, j);
        if (c >= channels) continue;
        int32_t acc = bias[j];
        for (size_t t = 0; t < taps; t++) acc += int32_t(input[t][c]) * int32_t(w[(t / 2 * B + j) * 2 + t % 2]);
        y[c] = requantize_u8(acc, scale[j], p);
      }
    }
  }
}
}  // namespace

I8K_QU8_DWCONV_ENTRY_POINTS(qu8_dwconv_scalar)

}  // namespace i8k
