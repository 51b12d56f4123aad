#include "pool-f32.h"
#include <algorithm>
#include <cmath>
#include <vector>

namespace i8k {

namespace {

// NaN-propagating max, as ONNX Runtime's (and the generic loop below): v > m is false when
// either is NaN, so a NaN m is kept, and a NaN v is taken by the second select. Two plain selects
// (no || between compares) are what GCC vectorises into compare-and-blend.
inline float max_nan(float m, float v) {
  const float r = v > m ? v : m;
  return v != v ? v : r;
}

// One axis of a window grid: for output o, the image positions [lo, hi) it covers and how many
// positions of the declared padding it covers (count_include_pad).
struct AxisWindows {
  std::vector<size_t> lo, hi, padded;
  AxisWindows(size_t n, size_t on, size_t k, size_t stride, size_t pad_begin, size_t pad_end) {
    for (size_t o = 0; o < on; o++) {
      const long start = long(o * stride) - long(pad_begin), stop = start + long(k);
      lo.push_back(size_t(std::clamp<long>(start, 0, long(n))));
      hi.push_back(size_t(std::clamp<long>(stop, 0, long(n))));
      padded.push_back(size_t(std::clamp<long>(stop, -long(pad_begin), long(n + pad_end)) -
                              std::clamp<long>(start, -long(pad_begin), long(n + pad_end))));
    }
  }
};

// Undilated windows are separable: reduce each input row over the x windows, then those rows over
// the y windows. 2k instead of k^2 reads per output, and no bounds tests in the inner loops.
void pool2d_separable(PoolKind kind, const Pool2DShape& s, const float* x, float* y, const RunContext& ctx) {
  const AxisWindows wx(s.w, s.ow, s.kw, s.sw, s.pl, s.pr), wy(s.h, s.oh, s.kh, s.sh, s.pt, s.pb);
  const bool max = kind == PoolKind::max;
  // Output columns whose window lies entirely inside the row.
  size_t full_lo = 0, full_hi = 0;
  while (full_lo < s.ow && wx.hi[full_lo] - wx.lo[full_lo] != s.kw) full_lo++;
  full_hi = full_lo;
  while (full_hi < s.ow && wx.hi[full_hi] - wx.lo[full_hi] == s.kw) full_hi++;
  // A window clipped by the border, reduced directly.
  auto clipped = [&](const float* r, size_t ox) {
    float acc = max ? -INFINITY : 0.0f;
    for (size_t ix = wx.lo[ox]; ix < wx.hi[ox]; ix++) acc = max ? max_nan(acc, r[ix]) : acc + r[ix];
    return acc;
  };
  ctx.parallel_for(s.planes, 1, [&](size_t begin, size_t end) {
    std::vector<float> rows(s.h * s.ow), win(s.w);
    for (size_t p = begin; p < end; p++) {
      const float* in = x + p * s.h * s.w;
      for (size_t iy = 0; iy < s.h; iy++) {
        const float* r = in + iy * s.w;
        float* h = rows.data() + iy * s.ow;
        // Every full window of the row at stride 1 (vectorised across positions), then the
        // strided windows pick theirs; windows clipped by the border are reduced directly.
        const size_t full = s.w >= s.kw ? s.w - s.kw + 1 : 0;
        for (size_t ix = 0; ix < full; ix++) win[ix] = r[ix];
        for (size_t kx = 1; kx < s.kw; kx++)
          if (max)
            for (size_t ix = 0; ix < full; ix++) win[ix] = max_nan(win[ix], r[ix + kx]);
          else
            for (size_t ix = 0; ix < full; ix++) win[ix] += r[ix + kx];
        // Windows [full_lo, full_hi) lie inside the row: a strided pick without bounds tests.
        for (size_t ox = 0; ox < full_lo; ox++) h[ox] = clipped(r, ox);
        if (s.sw == 2)
          for (size_t ox = full_lo; ox < full_hi; ox++) h[ox] = win[2 * ox - s.pl];
        else
          for (size_t ox = full_lo; ox < full_hi; ox++) h[ox] = win[ox * s.sw - s.pl];
        for (size_t ox = std::max(full_lo, full_hi); ox < s.ow; ox++) h[ox] = clipped(r, ox);
      }
      float* out = y + p * s.oh * s.ow;
      for (size_t oy = 0; oy < s.oh; oy++) {
        float* o = out + oy * s.ow;
        for (size_t ox = 0; ox < s.ow; ox++) o[ox] = max ? -INFINITY : 0.0f;
        for (size_t iy = wy.lo[oy]; iy < wy.hi[oy]; iy++) {
          const float* h = rows.data() + iy * s.ow;
          if (max)
            for (size_t ox = 0; ox < s.ow; ox++) o[ox] = max_nan(o[ox], h[ox]);
          else
            for (size_t ox = 0; ox < s.ow; ox++) o[ox] += h[ox];
        }
        if (max) continue;
        for (size_t ox = 0; ox < s.ow; ox++) {
          const size_t n = kind == PoolKind::average ? (wy.hi[oy] - wy.lo[oy]) * (wx.hi[ox] - wx.lo[ox])
                                                     : wy.padded[oy] * wx.padded[ox];
          o[ox] = n ? o[ox] / float(n) : 0.0f;
        }
      }
    }
  });
}

}  // namespace

void f32_pool2d(PoolKind kind, const Pool2DShape& s, const float* x, float* y, const RunContext& ctx) {
  if (s.dh == 1 && s.dw == 1) return pool2d_separable(kind, s, x, y, ctx);
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
