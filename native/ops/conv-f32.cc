#include "conv-f32.h"
#include <algorithm>
#include <cstring>

namespace i8k {

namespace {
inline void copy_run(float* __restrict dst, const float* __restrict src, size_t n) {
  for (size_t i = 0; i < n; i++) dst[i] = src[i];
}
// Stride 2 (ResNet's stem, downsampling convs) with the stride known to the compiler.
inline void copy_run_stride2(float* __restrict dst, const float* __restrict src, size_t n) {
  for (size_t i = 0; i < n; i++) dst[i] = src[2 * i];
}
}  // namespace

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
// one group (x points at the group's first input channel), then the row of ones. Which parts of
// a tap's row are padding and where the rest comes from do not depend on the channel, so they are
// worked out once per panel as segments and replayed for every channel.
void F32Conv::pack_panel(const float* x, size_t p0, size_t nv, float* panel,
                         std::vector<PackSegment>* segs_buf) const {
  const size_t nr = gemm_.nr, cin_g = s_.cin / s_.group, taps = s_.kh * s_.kw;
  std::vector<PackSegment>& segs = *segs_buf;
  segs.clear();
  std::vector<uint32_t> tap_end(taps);
  for (size_t ky = 0; ky < s_.kh; ky++)
    for (size_t kx = 0; kx < s_.kw; kx++) {
      for (size_t j = 0; j < nv;) {
        const size_t p = p0 + j, oy = p / s_.ow, ox = p % s_.ow, count = std::min(nv - j, s_.ow - ox);
        const long iy = long(oy * s_.sh + ky * s_.dh) - long(s_.pt);
        if (iy < 0 || iy >= long(s_.h)) {
          segs.push_back({uint32_t(j), 0, uint32_t(count), PackSegment::zero});
        } else {
          // Columns t in [lo, hi) of the run read inside the row; the rest is padding.
          const long sw = long(s_.sw), ix0 = long(ox * s_.sw + kx * s_.dw) - long(s_.pl);
          long lo = ix0 >= 0 ? 0 : (-ix0 + sw - 1) / sw;
          long hi = long(s_.w) - 1 - ix0 < 0 ? 0 : (long(s_.w) - 1 - ix0) / sw + 1;
          lo = std::min<long>(lo, long(count));
          hi = std::max(std::min<long>(hi, long(count)), lo);
          if (lo > 0) segs.push_back({uint32_t(j), 0, uint32_t(lo), PackSegment::zero});
          if (hi > lo)
            segs.push_back({uint32_t(j + lo), iy * long(s_.w) + ix0 + lo * sw, uint32_t(hi - lo),
                            sw == 1 ? PackSegment::copy : PackSegment::strided});
          if (long(count) > hi)
            segs.push_back({uint32_t(j + hi), 0, uint32_t(long(count) - hi), PackSegment::zero});
        }
        j += count;
      }
      tap_end[ky * s_.kw + kx] = uint32_t(segs.size());
    }
  const size_t plane = s_.h * s_.w, sw = s_.sw;
  float* dst = panel;
  for (size_t c = 0; c < cin_g; c++) {
    const float* src = x + c * plane;
    size_t sg = 0;
    for (size_t t = 0; t < taps; t++, dst += nr) {
      for (; sg < tap_end[t]; sg++) {
        const PackSegment& g = segs[sg];
        float* o = dst + g.dst;
        if (g.kind == PackSegment::copy) copy_run(o, src + g.src, g.n);
        else if (g.kind == PackSegment::zero) for (uint32_t i = 0; i < g.n; i++) o[i] = 0.0f;
        else if (sw == 2) copy_run_stride2(o, src + g.src, g.n);
        else for (uint32_t i = 0; i < g.n; i++) o[i] = src[g.src + long(i * sw)];
      }
    }
  }
  std::fill(dst, dst + nv, 1.0f);
}

void F32Conv::run_gemm(const float* x, float* y, const RunContext& ctx) const {
  const size_t nr = gemm_.nr, mr = gemm_.mr, pixels = s_.oh * s_.ow;
  const size_t panels = (pixels + nr - 1) / nr, cin_g = s_.cin / s_.group, cout_g = s_.cout / s_.group;
  // With few pixels (late layers), panels alone would leave threads idle: then the output
  // channels are split too, each task packing its own copy of the panel.
  const size_t row_blocks = (cout_g + mr - 1) / mr, base = s_.n * s_.group * panels;
  const size_t want = ctx.threads() > 1 ? 4 * ctx.threads() : 1;
  const size_t splits = std::max<size_t>(1, std::min(row_blocks, (want + base - 1) / base));
  const size_t rows_per = (row_blocks + splits - 1) / splits * mr;
  ctx.parallel_for(base * splits, 1, [&](size_t begin, size_t end) {
    // Columns past nv are never stored by the kernel; zeroed once so they hold no stale NaNs.
    std::vector<float> panel(k1_ * nr, 0.0f);
    std::vector<PackSegment> segs;
    for (size_t task = begin; task < end; task++) {
      const size_t t = task / splits, split = task % splits;
      const size_t p = t % panels, ng = t / panels, g = ng % s_.group, b = ng / s_.group;
      const size_t p0 = p * nr, nv = std::min(nr, pixels - p0);
      const size_t i0 = split * rows_per, i1 = std::min(cout_g, i0 + rows_per);
      if (i0 >= i1) continue;
      pack_panel(x + (b * s_.cin + g * cin_g) * s_.h * s_.w, p0, nv, panel.data(), &segs);
      const size_t oc0 = g * cout_g;
      float* out = y + (b * s_.cout + oc0) * pixels + p0;
      for (size_t i = i0; i < i1; i += mr) {
        const size_t rows = std::min(mr, i1 - i);
        gemm_.ukernel(rows, nv, k1_, w_.data() + (oc0 + i) * k1_, k1_, panel.data(), zeros_.data(),
                      out + i * pixels, pixels, act_.min, act_.max);
        if (act_.kind != Activation::none)
          for (size_t r = 0; r < rows; r++) act_.apply(out + (i + r) * pixels, nv);
      }
    }
  });
}

}  // namespace i8k
