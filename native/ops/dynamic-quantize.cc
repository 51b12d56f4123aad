#include "dynamic-quantize.h"
#include <algorithm>
#include <cmath>
#include <vector>

namespace i8k {

void dynamic_quantize_u8(const DynQuantConfig& k, size_t n, const float* x, uint8_t* y, float* y_scale,
                         uint8_t* y_zero_point, const RunContext& ctx) {
  // The range in chunks (one partial range each, merged in order), then the codes.
  constexpr size_t kGrain = 16384;
  const size_t chunks = std::max<size_t>(1, std::min(ctx.threads() * 4, n / kGrain));
  std::vector<float> lo(chunks, INFINITY), hi(chunks, -INFINITY);
  ctx.parallel_for(chunks, 1, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; i++) {
      const size_t s = n * i / chunks, t = n * (i + 1) / chunks;
      k.minmax(t - s, x + s, &lo[i], &hi[i]);
    }
  });
  float mn = 0.0f, mx = 0.0f;
  for (size_t i = 0; i < chunks; i++) f32_minmax_merge(lo[i], hi[i], mn, mx);
  const float scale = mx == mn ? 1.0f : (mx - mn) / 255.0f;
  const float zp = std::nearbyint(std::min(255.0f, std::max(0.0f, 0.0f - mn / scale)));
  *y_scale = scale;
  *y_zero_point = uint8_t(zp);
  ctx.parallel_for(n, kGrain, [&](size_t b, size_t e) { k.quantize(e - b, x + b, scale, zp, y + b); });
}

}  // namespace i8k
