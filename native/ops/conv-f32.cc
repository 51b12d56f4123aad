#include "conv-f32.h"
#include <algorithm>
#include <cstring>

namespace i8k {

namespace {
// Rows of a pixel-major tile: one 7-pixel run of an output row.
constexpr size_t kPixelTile = 7;
// B data one task should keep in L2 while it runs every row tile of its weights over its panels.
constexpr size_t kPanelBudget = 384 * 1024;

// Per-thread panel memory, reused across runs (pool threads are persistent).
float* thread_buffer(size_t floats) {
  thread_local std::vector<float> buf;
  if (buf.size() < floats) buf.resize(floats);
  return buf.data();
}
}  // namespace

F32Conv::F32Conv(const F32GemmConfig& gemm, const ConvConfig& conv, const Conv2DShape& s,
                 const float* w, const float* bias, const Activation& act)
    : gemm_(gemm), conv_(conv), s_(s), act_(act) {
  const size_t cin_g = s.cin / s.group, taps = s.kh * s.kw;
  k_ = cin_g * taps;
  bias_.assign(s.cout, 0.0f);
  if (bias) std::copy(bias, bias + s.cout, bias_.begin());
  if (cin_g == 1 && s.kw <= 64) {
    depthwise_ = true;
    w_.assign(w, w + s.cout * taps);
    return;
  }
  // The kernel reads the input in place. A strided conv reads every sh-th row and sw-th column,
  // so its input is first split into sh*sw phase planes (rows py, py + sh, ...; columns px,
  // px + sw, ...): each tap then reads one phase plane at stride 1.
  phases_ = s.sh * s.sw;
  wp_ = s.ow + (s.kw - 1) * s.dw / s.sw;
  hp_ = s.oh + (s.kh - 1) * s.dh / s.sh;
  const size_t mr = gemm.mr, nr = gemm.nr, cout_g = s.cout / s.group;
  padded_ = !(phases_ == 1 && s.pt == 0 && s.pl == 0 && wp_ == s.w && hp_ == s.h);
  virt_ = s.oh ? (s.oh - 1) * wp_ + s.ow : 0;
  for (size_t ky = 0; ky < s.kh; ky++)
    for (size_t kx = 0; kx < s.kw; kx++) {
      const size_t y = ky * s.dh, x = kx * s.dw, phase = y % s.sh * s.sw + x % s.sw;
      offsets_.push_back(ptrdiff_t(phase * hp_ * wp_ + y / s.sh * wp_ + x / s.sw));
    }
  // Few pixels (late layers): NR-pixel column panels would mostly be partial (7x7 = 32 + 17),
  // while tiles of one 7-pixel row segment cover widths that are multiples of 7 exactly. But a
  // 7-row tile does 14 FMAs per k against the 12-row tile's 24 and its output is stored
  // transposed: measured (bench-conv), it wins at 77% panel use (7x7) and, at 87.5% (14x14),
  // only when K is large enough to hide the per-tile cost.
  const size_t panels = (virt_ + nr - 1) / nr;
  const double use = virt_ ? double(s.oh * s.ow) / double(panels * nr) : 1.0;
  pixel_major_ = mr >= kPixelTile && s.ow % kPixelTile == 0 && cout_g >= nr / 2 &&
                 (use < 0.8 || (use < 0.9 && k_ >= 256));
  // Weights, k in (tap, channel) order so that a tap's input rows are one plane stride apart,
  // packed per group as the kernel's operand: channel-major, A tiles of MR output channels with
  // the MR weights of each k together; pixel-major, B panels of NR output channels.
  const size_t width = pixel_major_ ? nr : mr, tiles = (cout_g + width - 1) / width;
  w_.assign(s.group * tiles * k_ * width, 0.0f);
  for (size_t g = 0; g < s.group; g++)
    for (size_t o = 0; o < cout_g; o++) {
      float* tile = w_.data() + (g * tiles + o / width) * k_ * width + o % width;
      const float* src = w + (g * cout_g + o) * cin_g * taps;
      for (size_t c = 0; c < cin_g; c++)
        for (size_t t = 0; t < taps; t++) tile[(t * cin_g + c) * width] = src[c * taps + t];
    }
  for (size_t t = 0; t < offsets_.size(); t++) w_offsets_.push_back(ptrdiff_t(t * cin_g * width));
  if (pixel_major_) {
    // Column bias of the pixel-major tiles: NR readable entries per panel.
    bias_panels_.assign(s.group * tiles * nr, 0.0f);
    for (size_t g = 0; g < s.group; g++)
      std::copy(bias_.begin() + g * cout_g, bias_.begin() + (g + 1) * cout_g, bias_panels_.begin() + g * tiles * nr);
  }
}

size_t F32Conv::workspace_bytes() const {
  if (depthwise_ || !padded_) return 0;
  // Every input plane zero-padded (and phase-split), then NR floats of slack for the last
  // panel's reads.
  return (s_.n * s_.cin * phases_ * hp_ * wp_ + gemm_.nr) * sizeof(float);
}

void F32Conv::run(const float* x, float* y, const RunContext& ctx) const {
  if (depthwise_) return run_depthwise(x, y, ctx);
  if (!s_.oh || !s_.ow || !s_.cout) return;
  Source whole{x, s_.h * s_.w};
  if (padded_) whole = pad_input(x, static_cast<float*>(ctx.workspace), ctx);
  if (pixel_major_) run_pixel_major(whole, y, ctx);
  else run_channel_major(whole, y, ctx);
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

// Copies every input plane into the workspace as phases_ planes of hp_ rows of wp_ floats: phase
// (py, px) holds the zero-padded input at rows sh*u + py and columns sw*v + px.
F32Conv::Source F32Conv::pad_input(const float* x, float* xpad, const RunContext& ctx) const {
  const size_t planes = s_.n * s_.cin, pp = hp_ * wp_, plane = phases_ * pp;
  const size_t sh = s_.sh, sw = s_.sw;
  ctx.parallel_for(planes, 1, [&](size_t begin, size_t end) {
    for (size_t p = begin; p < end; p++) {
      const float* src = x + p * s_.h * s_.w;
      for (size_t py = 0; py < sh; py++)
        for (size_t px = 0; px < sw; px++) {
          float* d = xpad + p * plane + (py * sw + px) * pp;
          // Columns v in [lo, hi) come from the image; the rest is padding.
          const long first = long(px) - long(s_.pl);  // image column of v = 0
          const long lo_l = first >= 0 ? 0 : (-first + long(sw) - 1) / long(sw);
          const long hi_l = long(s_.w) - first <= 0 ? 0 : (long(s_.w) - first + long(sw) - 1) / long(sw);
          const size_t lo = size_t(std::min<long>(lo_l, long(wp_)));
          const size_t hi = std::max(lo, size_t(std::min<long>(hi_l, long(wp_))));
          for (size_t u = 0; u < hp_; u++) {
            float* __restrict row = d + u * wp_;
            const long iy = long(u * sh + py) - long(s_.pt);
            if (iy < 0 || iy >= long(s_.h)) {
              std::fill(row, row + wp_, 0.0f);
              continue;
            }
            const float* __restrict in = src + size_t(iy) * s_.w + (long(lo * sw) + first);
            std::fill(row, row + lo, 0.0f);
            if (sw == 1) for (size_t v = lo; v < hi; v++) row[v] = in[v - lo];
            else if (sw == 2) for (size_t v = lo; v < hi; v++) row[v] = in[2 * (v - lo)];
            else for (size_t v = lo; v < hi; v++) row[v] = in[(v - lo) * sw];
            std::fill(row + hi, row + wp_, 0.0f);
          }
        }
    }
  });
  std::fill(xpad + planes * plane, xpad + planes * plane + gemm_.nr, 0.0f);
  return {xpad, plane};
}

// The rows of B for virtual columns [q0, q0 + nv) copied into a packed panel (zeros past nv):
// the in-place rows of the last, partial panel would be read past the end of the input.
void F32Conv::pack_rows(const Source& src, size_t q0, size_t nv, float* panel) const {
  const size_t nr = gemm_.nr, cin_g = s_.cin / s_.group;
  for (size_t t = 0; t < offsets_.size(); t++)
    for (size_t c = 0; c < cin_g; c++) {
      const float* row = src.base + offsets_[t] + c * src.plane + q0;
      float* d = panel + (t * cin_g + c) * nr;
      std::copy(row, row + nv, d);
      std::fill(d + nv, d + nr, 0.0f);
    }
}

void F32Conv::scatter_tile(const float* tile, size_t rows, size_t q0, size_t nv, float* y) const {
  const size_t nr = gemm_.nr, pixels = s_.oh * s_.ow;
  for (size_t q = q0; q < q0 + nv;) {
    const size_t oy = q / wp_, ox = q % wp_, row_end = oy * wp_ + s_.ow;
    if (ox >= s_.ow) {  // padded-width columns: discarded
      q = (oy + 1) * wp_;
      continue;
    }
    const size_t n = std::min(q0 + nv, row_end) - q;
    for (size_t r = 0; r < rows; r++)
      std::copy(tile + r * nr + (q - q0), tile + r * nr + (q - q0) + n, y + r * pixels + oy * s_.ow + ox);
    q += n;
  }
}

void F32Conv::run_channel_major(const Source& whole, float* y, const RunContext& ctx) const {
  const size_t nr = gemm_.nr, mr = gemm_.mr, pixels = s_.oh * s_.ow, taps = offsets_.size();
  const size_t cin_g = s_.cin / s_.group, cout_g = s_.cout / s_.group;
  const size_t panels = (virt_ + nr - 1) / nr;
  // Panels per task: a task runs each row tile of weights over all its panels, so the weights
  // stream once per task while the input rows its panels read (about cin_g rows of the panels'
  // width plus the taps' spread) stay in L2.
  const size_t row_floats = kPanelBudget / sizeof(float) / std::max<size_t>(cin_g, 1);
  const size_t spread = size_t(*std::max_element(offsets_.begin(), offsets_.end()));
  const size_t ppt = std::clamp<size_t>(row_floats > spread ? (row_floats - spread) / nr : 1, 1, panels);
  const size_t panel_groups = (panels + ppt - 1) / ppt;
  // With few panels (late layers), they alone would leave threads idle: then the output channels
  // are split too.
  const size_t row_blocks = (cout_g + mr - 1) / mr, base = s_.n * s_.group * panel_groups;
  const size_t want = ctx.threads() > 1 ? 4 * ctx.threads() : 1;
  const size_t splits = std::max<size_t>(1, std::min(row_blocks, (want + base - 1) / base));
  const size_t rows_per = (row_blocks + splits - 1) / splits * mr;
  const bool scatter = wp_ != s_.ow;
  ctx.parallel_for(base * splits, 1, [&](size_t begin, size_t end) {
    for (size_t task = begin; task < end; task++) {
      const size_t t = task / splits, split = task % splits;
      const size_t pg = t % panel_groups, ng = t / panel_groups, g = ng % s_.group, b = ng / s_.group;
      const size_t i0 = split * rows_per, i1 = std::min(cout_g, i0 + rows_per);
      if (i0 >= i1) continue;
      const size_t p_begin = pg * ppt, p_end = std::min(panels, p_begin + ppt);
      const Source src{whole.base + (b * s_.cin + g * cin_g) * whole.plane, whole.plane};
      // Read in place, the last panel's rows would run past the end of the input when partial:
      // that panel is copied.
      const bool last_partial = !padded_ && p_end == panels && virt_ % nr;
      float* packed = thread_buffer((last_partial ? k_ * nr : 0) + mr * nr);
      if (last_partial) pack_rows(src, (panels - 1) * nr, virt_ % nr, packed);
      float* tile = packed + (last_partial ? k_ * nr : 0);
      const size_t oc0 = g * cout_g;
      float* out = y + (b * s_.cout + oc0) * pixels;
      for (size_t i = i0; i < i1; i += mr) {
        const size_t rows = std::min(mr, i1 - i);
        const float* wt = w_.data() + (g * row_blocks + i / mr) * k_ * mr;
        for (size_t p = p_begin; p < p_end; p++) {
          const size_t q0 = p * nr, nv = std::min(nr, virt_ - q0);
          const bool copied = last_partial && p == panels - 1;
          const F32Rows a = copied ? F32Rows::packed(wt, k_, mr) : F32Rows{wt, w_offsets_.data(), taps, cin_g, mr};
          const F32Rows bsrc = copied ? F32Rows::packed(packed, k_, nr)
                                      : F32Rows{src.base + q0, offsets_.data(), taps, cin_g, src.plane};
          float* c = scatter ? tile : out + i * pixels + q0;
          const size_t c_stride = scatter ? nr : pixels;
          gemm_.conv(rows, nv, a, bsrc, bias_.data() + oc0 + i, nullptr, c, c_stride, act_.min, act_.max);
          if (act_.kind != Activation::none)
            for (size_t r = 0; r < rows; r++) act_.apply(c + r * c_stride, nv);
          if (scatter) scatter_tile(tile, rows, q0, nv, out + i * pixels);
        }
      }
    }
  });
}

// Tiles of kPixelTile output pixels (one run of a row) by NR output channels: A is the input read
// in place (consecutive pixels are consecutive floats of a plane row), B the packed weights. The
// tile comes out pixel-major and is stored transposed into the NCHW output.
void F32Conv::run_pixel_major(const Source& whole, float* y, const RunContext& ctx) const {
  const size_t nr = gemm_.nr, pixels = s_.oh * s_.ow, cin_g = s_.cin / s_.group;
  const size_t cout_g = s_.cout / s_.group, panels = (cout_g + nr - 1) / nr;
  const size_t runs = s_.ow / kPixelTile, tiles = s_.oh * runs, taps = offsets_.size();
  // Tasks: (image, group, weight panel, share of the pixel tiles); each weight panel is reused
  // from cache by all its task's tiles.
  const size_t base = s_.n * s_.group * panels;
  const size_t want = ctx.threads() > 1 ? 4 * ctx.threads() : 1;
  const size_t splits = std::max<size_t>(1, std::min(tiles, (want + base - 1) / base));
  ctx.parallel_for(base * splits, 1, [&](size_t begin, size_t end) {
    float* tile = thread_buffer(kPixelTile * nr);
    for (size_t task = begin; task < end; task++) {
      const size_t t = task / splits, split = task % splits;
      const size_t p = t % panels, ng = t / panels, g = ng % s_.group, b = ng / s_.group;
      const size_t co = p * nr, nv = std::min(nr, cout_g - co);
      const float* src = whole.base + (b * s_.cin + g * cin_g) * whole.plane;
      const float* wp = w_.data() + (g * panels + p) * k_ * nr;
      const F32Rows bw{wp, w_offsets_.data(), taps, cin_g, nr};
      float* out = y + (b * s_.cout + g * cout_g + co) * pixels;
      for (size_t i = tiles * split / splits; i < tiles * (split + 1) / splits; i++) {
        const size_t oy = i / runs, ox = i % runs * kPixelTile;
        const F32Rows a{src + oy * wp_ + ox, offsets_.data(), taps, cin_g, whole.plane};
        gemm_.conv(kPixelTile, nv, a, bw, nullptr, bias_panels_.data() + (g * panels + p) * nr, tile,
                   nr, act_.min, act_.max);
        if (act_.kind != Activation::none)
          for (size_t r = 0; r < kPixelTile; r++) act_.apply(tile + r * nr, nv);
        float* o = out + oy * s_.ow + ox;
        for (size_t c = 0; c < nv; c++)
          for (size_t r = 0; r < kPixelTile; r++) o[c * pixels + r] = tile[r * nr + c];
      }
    }
  });
}

}  // namespace i8k
