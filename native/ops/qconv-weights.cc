#include "qconv-weights.h"
#include <algorithm>
#include <cstdlib>
#include <limits>

namespace i8k {

std::string prepare_qconv_weights(const QConvShape& s, const QConvRawWeights& raw, const int32_t* bias,
                                  const QConvParams& q, QConvPrepared* out) {
  const size_t cin_g = s.cin_g(), taps = s.taps(), k = s.k();
  out->w.assign(s.cout * k, 0);
  out->bias.assign(s.cout, 0);
  out->scale.assign(s.cout, 0.0f);
  out->w_min = out->w_max = 0;
  const auto* w8 = static_cast<const uint8_t*>(raw.data);
  for (size_t o = 0; o < s.cout; o++) {
    const int32_t zp = raw.zero_point ? raw.zero_point[raw.zero_point_count == 1 ? 0 : o] : 0;
    int64_t sum = 0, abs_sum = 0;
    // OIHW -> [o][ky][kx][ci], the order of an NHWC im2col row.
    for (size_t ci = 0; ci < cin_g; ci++)
      for (size_t t = 0; t < taps; t++) {
        const uint8_t b = w8[(o * cin_g + ci) * taps + t];
        const int32_t v = (raw.is_signed ? int32_t(int8_t(b)) : int32_t(b)) - zp;
        out->w[o * k + t * cin_g + ci] = int16_t(v);
        out->w_min = std::min<int16_t>(out->w_min, int16_t(v));
        out->w_max = std::max<int16_t>(out->w_max, int16_t(v));
        sum += v;
        abs_sum += std::abs(v);
      }
    const int64_t b = (bias ? bias[o] : 0) - int64_t(q.x_zero_point) * sum;
    if (std::abs(b) + 255 * abs_sum > std::numeric_limits<int32_t>::max())
      return "expected int32 accumulators to suffice (|bias - x_zero_point * sum(w)| + 255 * sum|w| < 2^31) but output channel " +
             std::to_string(o) + " reaches " + std::to_string(std::abs(b) + 255 * abs_sum);
    out->bias[o] = int32_t(b);
    // float32 arithmetic in this order, as U8S8Gemm: the multiplier is part of the numerics.
    out->scale[o] = q.x_scale * q.w_scale[q.w_scale_count == 1 ? 0 : o] / q.y_scale;
  }
  return "";
}

}  // namespace i8k
