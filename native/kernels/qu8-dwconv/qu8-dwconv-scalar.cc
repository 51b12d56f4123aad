// The scalar twin of the u8 depthwise rows: one channel at a time, requantize_u8 per output. The
// SIMD files must match it bit for bit; kernel-test checks it against a naive NCHW convolution.
#include "qu8-dwconv.h"

namespace i8k {

namespace {
void rows_scalar(size_t width, size_t taps, const uint8_t* const* input, const QU8DwWeights& wt,
                 uint8_t* y, size_t y_step, const RequantParams& p) {
  const size_t C = wt.channels;
  for (size_t px = 0; px < width; px++, input += taps, y += y_step)
    for (size_t c = 0; c < C; c++) {
      int32_t acc = wt.bias[c];
      for (size_t t = 0; t < taps; t++) acc += int32_t(input[t][c]) * int32_t(wt.w[t * C + c]);
      y[c] = requantize_u8(acc, wt.scale[c], p);
    }
}
}  // namespace

void qu8_dwconv_scalar_9(size_t width, size_t, const uint8_t* const* input, const QU8DwWeights& w,
                         uint8_t* y, size_t y_step, const RequantParams& p) {
  rows_scalar(width, 9, input, w, y, y_step, p);
}
void qu8_dwconv_scalar_25(size_t width, size_t, const uint8_t* const* input, const QU8DwWeights& w,
                          uint8_t* y, size_t y_step, const RequantParams& p) {
  rows_scalar(width, 25, input, w, y, y_step, p);
}
void qu8_dwconv_scalar_any(size_t width, size_t taps, const uint8_t* const* input,
                           const QU8DwWeights& w, uint8_t* y, size_t y_step, const RequantParams& p) {
  rows_scalar(width, taps, input, w, y, y_step, p);
}

}  // namespace i8k
