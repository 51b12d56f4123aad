#include "pool-f32.h"
#include <algorithm>
#include <cmath>

namespace i8k {

void f32_pool2d(PoolKind kind, const Pool2DShape& s, const float* x, float* y, const RunContext& ctx) {
  ctx.parallel_for(s.planes, 1, [&](size_t begin, size_t end) {
    for (size_t p = begin; p < end; p++) {
      const float* in = x + p * s.h * s.w;
      float* out = y + p * s.oh * s.ow;
      for (size_t oy = 0; oy < s.oh; oy++) {
        const long y0 = long(oy * s.sh) - long(s.pt);
        for (size_t ox = 0; ox < s.ow; ox++) {
          const long x0 = long(ox * s.sw) - long(s.pl);
          float mx = -INFINITY, sum = 0;
          size_t inside = 0, padded = 0;
          for (size_t ky = 0; ky < s.kh; ky++) {
            const long iy = y0 + long(ky * s.dh);
            // count_include_pad counts the declared padding but not what ceil_mode adds past it.
            const bool in_pad_y = iy >= -long(s.pt) && iy < long(s.h + s.pb);
            for (size_t kx = 0; kx < s.kw; kx++) {
              const long ix = x0 + long(kx * s.dw);
              if (in_pad_y && ix >= -long(s.pl) && ix < long(s.w + s.pr)) padded++;
              if (iy < 0 || iy >= long(s.h) || ix < 0 || ix >= long(s.w)) continue;
              const float v = in[iy * long(s.w) + ix];
              // NaN propagates like ONNX Runtime's max (v > mx is false for NaN, so test it).
              if (v > mx || std::isnan(v)) mx = std::isnan(mx) ? mx : v;
              sum += v;
              inside++;
            }
          }
          float v;
          if (kind == PoolKind::max) v = mx;
          else if (kind == PoolKind::average) v = inside ? sum / float(inside) : 0.0f;
          else v = padded ? sum / float(padded) : 0.0f;
          out[oy * s.ow + ox] = v;
        }
      }
    }
  });
}

void f32_global_pool(bool max, size_t planes, size_t size, const float* x, float* y,
                     const RunContext& ctx) {
  ctx.parallel_for(planes, 1, [&](size_t begin, size_t end) {
    for (size_t p = begin; p < end; p++) {
      const float* in = x + p * size;
      if (max) {
        float m = -INFINITY;
        for (size_t i = 0; i < size; i++) m = std::isnan(m) ? m : (in[i] > m || std::isnan(in[i]) ? in[i] : m);
        y[p] = m;
      } else {
        double sum = 0;
        for (size_t i = 0; i < size; i++) sum += in[i];
        y[p] = size ? float(sum / double(size)) : NAN;
      }
    }
  });
}

}  // namespace i8k
