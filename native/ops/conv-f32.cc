#include "conv-f32.h"
#include <algorithm>
#include <cstring>

namespace i8k {

F32Conv::F32Conv(const F32GemmConfig& gemm, const ConvConfig& conv, const Conv2DShape& s,
                 const float* w, const float* bias, const Activation& act)
    : gemm_(gemm), conv_(conv), s_(s), act_(act) {
  const size_t cin_g = s.cin / s.group, taps = s.kh * s.kw, k = cin_g * taps;
  depthwise_ = cin_g == 1 && s.kw <= 64;
  k1_ = k + 1;
  zeros_.assign(gemm.nr, 0.0f);
  if (depthwise_) {
    w_.assign(w, w + s.cout * taps);
    bias_.assign(s.cout, 0.0f);
    if (bias) std::copy(bias, bias + s.cout, bias_.begin());
  } else {
    w_.assign(s.cout * k1_, 0.0f);
    for (size_t o = 0; o < s.cout; o++) {
      std::copy(w + o * k, w + (o + 1) * k, w_.begin() + o * k1_);
      w_[o * k1_ + k] = bias ? bias[o] : 0.0f;
    }
  }
}

void F32Conv::run(const float* x, float* y, const RunContext& ctx) const {
  if (depthwise_) run_depthwise(x, y, ctx);
  else run_gemm(x, y, ctx);
}

void F32Conv::run_depthwise(const float* x, float* y, const RunContext& ctx) const {
  const DwConvShape d{s_.h, s_.w, s_.oh, s_.ow, s_.kh, s_.kw, s_.sh, s_.sw, s_.dh, s_.dw, s_.pt, s_.pl};
  const size_t planes = s_.n * s_.cout, mult = s_.cout / s_.group, taps = s_.kh * s_.kw;
  const size_t in_plane = s_.h * s_.w, out_plane = s_.oh * s_.ow;
  ctx.parallel_for(planes, 1, [&](size_t begin, size_t end) {
    for (size_t p = begin; p < end; p++) {
      const size_t b = p / s_.cout, oc = p % s_.cout, ic = oc / mult;
      float* out = y + p * out_plane;
      conv_.dwconv(d, x + (b * s_.cin + ic) * in_plane, w_.data() + oc * taps, bias_[oc], out,
                   act_.min, act_.max);
      act_.apply(out, out_plane);
    }
  });
}

// Column panel of pixels [p0, p0 + nv): panel[k * NR + j] = im2col[k][p0 + j] for the channels of
// one group (x points at the group's first input channel), then the row of ones.
void F32Conv::pack_panel(const float* x, size_t p0, size_t nv, float* panel) const {
  const size_t nr = gemm_.nr, cin_g = s_.cin / s_.group;
  // The panel's pixels as runs along one output row.
  struct Run { size_t oy, ox, j, count; };
  Run runs[64];
  size_t nruns = 0;
  for (size_t j = 0; j < nv;) {
    const size_t p = p0 + j, oy = p / s_.ow, ox = p % s_.ow, count = std::min(nv - j, s_.ow - ox);
    runs[nruns++] = {oy, ox, j, count};
    j += count;
  }
  float* dst = panel;
  for (size_t c = 0; c < cin_g; c++) {
    const float* plane = x + c * s_.h * s_.w;
    for (size_t ky = 0; ky < s_.kh; ky++) {
      for (size_t kx = 0; kx < s_.kw; kx++, dst += nr) {
        for (size_t r = 0; r < nruns; r++) {
          const Run& run = runs[r];
          float* o = dst + run.j;
          const long iy = long(run.oy * s_.sh + ky * s_.dh) - long(s_.pt);
          if (iy < 0 || iy >= long(s_.h)) {
            std::fill(o, o + run.count, 0.0f);
            continue;
          }
          // Columns t in [lo, hi) of the run read inside the row; the rest is padding.
          const long sw = long(s_.sw), ix0 = long(run.ox * s_.sw + kx * s_.dw) - long(s_.pl);
          long lo = ix0 >= 0 ? 0 : (-ix0 + sw - 1) / sw;
          long hi = long(s_.w) - 1 - ix0 < 0 ? 0 : (long(s_.w) - 1 - ix0) / sw + 1;
          lo = std::min<long>(lo, long(run.count));
          hi = std::max(std::min<long>(hi, long(run.count)), lo);
          std::fill(o, o + lo, 0.0f);
          const float* src = plane + size_t(iy) * s_.w + ix0;
          if (sw == 1) std::memcpy(o + lo, src + lo, size_t(hi - lo) * sizeof(float));
          else
            for (long t = lo; t < hi; t++) o[t] = src[t * sw];
          std::fill(o + hi, o + run.count, 0.0f);
        }
      }
    }
  }
  std::fill(dst, dst + nv, 1.0f);
}

void F32Conv::run_gemm(const float* x, float* y, const RunContext& ctx) const {
  const size_t nr = gemm_.nr, mr = gemm_.mr, pixels = s_.oh * s_.ow;
  const size_t panels = (pixels + nr - 1) / nr, cin_g = s_.cin / s_.group, cout_g = s_.cout / s_.group;
  const size_t tasks = s_.n * s_.group * panels;
  ctx.parallel_for(tasks, 1, [&](size_t begin, size_t end) {
    // Columns past nv are never stored by the kernel; zeroed once so they hold no stale NaNs.
    std::vector<float> panel(k1_ * nr, 0.0f);
    for (size_t t = begin; t < end; t++) {
      const size_t p = t % panels, ng = t / panels, g = ng % s_.group, b = ng / s_.group;
      const size_t p0 = p * nr, nv = std::min(nr, pixels - p0);
      pack_panel(x + (b * s_.cin + g * cin_g) * s_.h * s_.w, p0, nv, panel.data());
      const size_t oc0 = g * cout_g;
      float* out = y + (b * s_.cout + oc0) * pixels + p0;
      for (size_t i = 0; i < cout_g; i += mr) {
        const size_t rows = std::min(mr, cout_g - i);
        gemm_.ukernel(rows, nv, k1_, w_.data() + (oc0 + i) * k1_, k1_, panel.data(), zeros_.data(),
                      out + i * pixels, pixels, act_.min, act_.max);
        if (act_.kind != Activation::none)
          for (size_t r = 0; r < rows; r++) act_.apply(out + (i + r) * pixels, nv);
      }
    }
  });
}

}  // namespace i8k
