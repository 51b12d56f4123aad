#include "qu8-dwplanar.h"

namespace i8k {

void qu8_dwplanar_scalar(const QU8DwPlanarShape& s, const uint8_t* in, const int8_t* w, int32_t bias, float scale,
                         uint8_t* y, uint8_t y_flip, const RequantParams& p) {
  const size_t wrow = 4 * s.quads();
  for (size_t g = 0; g < s.count; g++) {
    int32_t acc = bias;
    for (size_t ky = 0; ky < s.kh; ky++) {
      const uint8_t* row = in + g * s.sw + ky * s.row_step;
      for (size_t kx = 0; kx < s.kw; kx++) acc += int32_t(row[kx]) * int32_t(w[ky * wrow + kx]);
    }
    const size_t ox = g % s.pitch;
    if (ox < s.width) y[g / s.pitch * s.width + ox] = requantize_u8(acc, scale, p) ^ y_flip;
  }
}

}  // namespace i8k
