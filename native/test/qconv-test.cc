// INT8 convolution: the u8 depthwise rows of every ISA bit-exact against the scalar twin (the
// scalar twin against a naive NHWC reference), and the QConv operator (every path: depthwise,
// 1x1 GEMM, im2col GEMM, split u8 weights) on every ISA against a naive NCHW integer convolution.
// Inputs end at an inaccessible page, and every padding tap reads a guarded row of zero points.
#include "harness.h"

#include <memory>
#include "../config/qconv-config.h"
#include "../ops/qconv-op.h"

using namespace i8k;
using namespace i8k_test;

namespace {

// The output definition, restated: float(acc) * scale, clamp to the output range less the zero
// point, round half to even, add the zero point.
int32_t requant_ref(int64_t acc, float scale, int32_t zp, int32_t lo, int32_t hi) {
  float v = float(acc) * scale;
  v = std::min(std::max(v, float(lo - zp)), float(hi - zp));
  return int32_t(std::nearbyint(v)) + zp;
}

// A scale that puts outputs of accumulators of this magnitude mostly inside [0, 255], sometimes a
// power of two (exact products: many ties).
float pick_scale(double acc_rms) {
  if (irand(0, 2) == 0) return std::ldexp(1.0f, -std::max(1, int(std::log2(std::max(acc_rms, 2.0) / 64.0)) + irand(-1, 1)));
  return float(frand(20.0f, 160.0f) / std::max(acc_rms, 1.0));
}

RequantParams pick_out() {
  RequantParams out;
  out.y_zero_point = irand(0, 4) == 0 ? irand(0, 255) : pick({0, 128, 255});
  switch (irand(0, 3)) {
    case 0: out.y_min = out.y_zero_point, out.y_max = 255; break;  // fused ReLU
    case 1: out.y_min = irand(0, 200), out.y_max = irand(out.y_min, 255); break;
    default: out.y_min = 0, out.y_max = 255; break;
  }
  return out;
}

// Bytes: random, or mostly the extremes.
void fill_u8(std::vector<uint8_t>& v, bool extreme) {
  for (auto& x : v) x = extreme ? uint8_t(pick({0, 255, 255, 0, irand(0, 255)})) : uint8_t(irand(0, 255));
}

// ---- depthwise rows ---------------------------------------------------------------------------

struct DwRowCase {
  size_t c, width, kh, kw, step;  // step: indirection entries between pixels (1..taps)
  std::vector<uint8_t> x;          // one row of c bytes per indirection entry
  std::vector<int8_t> pad;         // per entry: 1 = padding (reads the zero-point row)
  std::vector<int16_t> w;          // [taps][c]
  std::vector<int32_t> bias;
  std::vector<float> scale;
  uint8_t x_zp;
  RequantParams out;
  std::string str;
  size_t taps() const { return kh * kw; }
  size_t entries() const { return (width - 1) * step + taps(); }
};

DwRowCase make_dw_row() {
  DwRowCase p;
  p.c = irand(0, 3) == 0 ? pick<size_t>({1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 144, 576}) : size_t(irand(1, 70));
  p.width = size_t(irand(1, 9));
  if (irand(0, 2)) p.kh = p.kw = pick<size_t>({3, 5});
  else p.kh = size_t(irand(1, 7)), p.kw = size_t(irand(1, 7));
  const size_t taps = p.taps();
  p.step = irand(0, 1) ? taps : size_t(irand(1, int(taps)));
  p.x.resize(p.entries() * p.c);
  fill_u8(p.x, irand(0, 3) == 0);
  p.pad.resize(p.entries());
  const int pad_rate = pick({0, 0, 3, 10});
  for (auto& b : p.pad) b = int8_t(pad_rate && irand(0, pad_rate) == 0);
  // Weights as u8 - zero point ([-255, 255]) or s8.
  const bool wide = irand(0, 1);
  p.w.resize(taps * p.c);
  for (auto& v : p.w) v = int16_t(wide ? pick({-255, 255, irand(-255, 255), irand(-255, 255)}) : irand(-128, 127));
  p.x_zp = uint8_t(irand(0, 3) == 0 ? irand(0, 255) : pick({0, 128, 255}));
  const double acc_rms = std::sqrt(double(taps)) * 147.0 * (wide ? 147.0 : 74.0);
  p.bias.resize(p.c);
  p.scale.resize(p.c);
  for (auto& b : p.bias) b = irand(-int(acc_rms), int(acc_rms));
  for (auto& s : p.scale) s = pick_scale(acc_rms);
  p.out = pick_out();
  char buf[200];
  std::snprintf(buf, sizeof buf, "dw rows C=%zu width=%zu %zux%zu step %zu x_zp=%d y_zp=%d y in [%d, %d]%s", p.c, p.width,
                p.kh, p.kw, p.step, p.x_zp, p.out.y_zero_point, p.out.y_min, p.out.y_max, wide ? " wide weights" : "");
  p.str = buf;
  return p;
}

// Runs fn with every input in guarded memory (the packed weights for the kernel's block); the
// output pixels sit 3 bytes apart (sentinels in between) and end at a guard page.
// s8: the config whose s8-weight kernels (and layout) fn is, else null (qu8_dwconv_pack for block).
std::vector<uint8_t> run_dw_row(QU8DwConvUkernel fn, size_t block, const DwRowCase& p, std::string* outside,
                                const QConvConfig* s8 = nullptr) {
  const size_t step = p.c + 3;
  std::vector<uint8_t> packed(s8 ? s8->dw_s8_packed_bytes(p.taps(), p.c) : qu8_dwconv_packed_bytes(block, p.taps(), p.c));
  if (s8) s8->dw_s8_pack(p.taps(), p.c, p.w.data(), p.bias.data(), p.scale.data(), packed.data());
  else qu8_dwconv_pack(block, p.taps(), p.c, p.w.data(), p.bias.data(), p.scale.data(), packed.data());
  const Guarded x(p.x), w(packed), zp_row(std::vector<uint8_t>(p.c, p.x_zp));
  std::vector<const uint8_t*> ind(p.entries());
  for (size_t i = 0; i < ind.size(); i++) ind[i] = p.pad[i] ? zp_row.as<uint8_t>() : x.as<uint8_t>() + i * p.c;
  const Guarded ind_g(ind);
  const size_t y_len = (p.width - 1) * step + p.c;
  Guarded y(y_len);
  std::memset(y.as<uint8_t>(), 0xA5, y_len);
  fn(p.width, p.c, p.taps(), ind_g.as<const uint8_t*>(), p.step, w.as<uint8_t>(), y.as<uint8_t>(), step, p.out);
  std::vector<uint8_t> out;
  for (size_t px = 0; px < p.width; px++) {
    out.insert(out.end(), y.as<uint8_t>() + px * step, y.as<uint8_t>() + px * step + p.c);
    for (size_t g = p.c; g < step && px + 1 < p.width; g++)
      if (y.as<uint8_t>()[px * step + g] != 0xA5) *outside = "wrote between pixels";
  }
  return out;
}

// Naive: (x - x_zp) * w over the taps, padding contributing nothing, with the folded bias undone.
std::vector<uint8_t> dw_row_reference(const DwRowCase& p) {
  const size_t taps = p.taps();
  std::vector<uint8_t> y;
  for (size_t px = 0; px < p.width; px++)
    for (size_t ch = 0; ch < p.c; ch++) {
      int64_t wsum = 0, acc = 0;
      for (size_t t = 0; t < taps; t++) {
        wsum += p.w[t * p.c + ch];
        const size_t i = px * p.step + t;
        if (!p.pad[i]) acc += (int64_t(p.x[i * p.c + ch]) - p.x_zp) * p.w[t * p.c + ch];
      }
      // The kernel's bias is the caller's folded one: bias_true = bias + x_zp * sum(w).
      acc += p.bias[ch] + int64_t(p.x_zp) * wsum;
      y.push_back(uint8_t(requant_ref(acc, p.scale[ch], p.out.y_zero_point, p.out.y_min, p.out.y_max)));
    }
  return y;
}

void test_dw_rows(Isa isa) {
  const QConvConfig cfg = qconv_config(isa), scalar = qconv_config(Isa::scalar);
  for (int iter = 0; iter < 600; iter++) {
    const DwRowCase p = make_dw_row();
    const size_t taps = p.taps();
    struct Variant { const char* name; QU8DwConvUkernel fn, ref; bool s8; };
    std::vector<Variant> variants{{"any", cfg.dw_any, scalar.dw_any, false}};
    if (taps == 9) variants.push_back({"3x3", cfg.dw9, scalar.dw9, false});
    if (taps == 25) variants.push_back({"5x5", cfg.dw25, scalar.dw25, false});
    // The s8-weight kernels, when the ISA has them and the weights fit.
    const bool fits_s8 = std::all_of(p.w.begin(), p.w.end(), [](int16_t v) { return v >= -128 && v <= 127; });
    if (cfg.dw_s8_pack && fits_s8) {
      variants.push_back({"s8 any", cfg.dw_s8_any, scalar.dw_any, true});
      if (taps == 9) variants.push_back({"s8 3x3", cfg.dw_s8_9, scalar.dw9, true});
      if (taps == 25) variants.push_back({"s8 5x5", cfg.dw_s8_25, scalar.dw25, true});
    }
    for (const Variant& v : variants) {
      std::snprintf(g_case, sizeof g_case, "%s %s (%s) %s", isa_name(isa), cfg.dw_name, v.name, p.str.c_str());
      std::string outside;
      const auto got = run_dw_row(v.fn, cfg.dw_block, p, &outside, v.s8 ? &cfg : nullptr);
      const auto want = isa == Isa::scalar ? dw_row_reference(p) : run_dw_row(v.ref, scalar.dw_block, p, &outside);
      size_t bad = 0;
      while (bad < got.size() && got[bad] == want[bad]) bad++;
      record(bad == got.size() && outside.empty(),
             std::string(g_case) + (outside.empty() ? ": output " + std::to_string(bad) + " = " + std::to_string(got[bad < got.size() ? bad : 0]) +
                                                          ", expected " + std::to_string(want[bad < want.size() ? bad : 0])
                                                    : ": " + outside));
    }
  }
}

// ---- depthwise on planes ------------------------------------------------------------------------

// Runs a planar kernel with the input (exactly `readable` bytes) and weights ending at a guard
// page and 16 sentinel bytes before the output (which itself ends at one).
std::vector<uint8_t> run_dw_planar(QU8DwPlanarUkernel fn, const QU8DwPlanarShape& s, const std::vector<uint8_t>& in,
                                   const std::vector<int8_t>& w, int32_t bias, float scale, uint8_t flip,
                                   const RequantParams& out, bool* outside) {
  const Guarded ig(in), wg(w);
  // Stored outputs: whole rows of width, then the last row's part.
  const size_t rows = s.count / s.pitch, last = std::min(s.count % s.pitch, s.width), n = rows * s.width + last;
  Guarded y(16 + n);
  std::memset(y.as<uint8_t>(), 0xA5, 16 + n);
  fn(s, ig.as<uint8_t>(), wg.as<int8_t>(), bias, scale, y.as<uint8_t>() + 16, flip, out);
  for (size_t i = 0; i < 16; i++) *outside |= y.as<uint8_t>()[i] != 0xA5;
  return std::vector<uint8_t>(y.as<uint8_t>() + 16, y.as<uint8_t>() + 16 + n);
}

// The ISA's planar kernel against the scalar twin, the twin against a naive int64 sum; counts
// around the 32 / 64-output blocks, inputs with and without spare bytes past the last window.
void test_dw_planar(Isa isa) {
  const QConvConfig cfg = qconv_config(isa);
  if (isa != Isa::scalar && !cfg.dw_planar) return;
  for (int iter = 0; iter < 400; iter++) {
    QU8DwPlanarShape s;
    s.sw = size_t(irand(1, 2));
    if (irand(0, 1)) s.kh = s.kw = pick<size_t>({3, 5});
    else s.kh = size_t(irand(1, 7)), s.kw = size_t(irand(1, 9));
    s.count = irand(0, 2) == 0 ? pick<size_t>({1, 31, 32, 33, 63, 64, 65, 127, 128, 129, 3000}) : size_t(irand(1, 300));
    s.row_step = size_t(irand(0, 1) ? irand(int(s.kw), int(s.kw) + 3) : irand(0, 200));
    s.readable = (s.count - 1) * s.sw + (s.kh - 1) * s.row_step + s.kw + (irand(0, 1) ? 0 : size_t(irand(1, 200)));
    // Output rows: all in order, or a plane's (pitch 1..150, some columns dropped).
    s.pitch = irand(0, 2) == 0 ? s.count : size_t(irand(1, 150));
    s.width = irand(0, 1) ? s.pitch : size_t(irand(1, int(s.pitch)));
    std::vector<uint8_t> in(s.readable);
    fill_u8(in, irand(0, 3) == 0);
    const size_t wrow = 4 * s.quads();
    std::vector<int8_t> w(s.kh * wrow, 0);
    for (size_t ky = 0; ky < s.kh; ky++)
      for (size_t kx = 0; kx < s.kw; kx++) w[ky * wrow + kx] = int8_t(pick({-128, 127, irand(-128, 127), irand(-128, 127)}));
    const double acc_rms = std::sqrt(double(s.kh * s.kw)) * 147.0 * 74.0;
    const int32_t bias = irand(-int(acc_rms), int(acc_rms));
    const float scale = pick_scale(acc_rms);
    const RequantParams out = pick_out();
    const uint8_t flip = uint8_t(pick({0, 0x80}));
    std::snprintf(g_case, sizeof g_case, "%s dw planar %zux%zu count=%zu sw=%zu row_step=%zu readable=%zu pitch=%zu width=%zu y_zp=%d flip=%d",
                  isa_name(isa), s.kh, s.kw, s.count, s.sw, s.row_step, s.readable, s.pitch, s.width, out.y_zero_point, flip);
    bool outside = false;
    std::vector<uint8_t> want;
    if (isa == Isa::scalar) {
      for (size_t g = 0; g < s.count; g++) {
        int64_t acc = bias;
        for (size_t ky = 0; ky < s.kh; ky++)
          for (size_t kx = 0; kx < s.kw; kx++) acc += int64_t(in[g * s.sw + ky * s.row_step + kx]) * w[ky * wrow + kx];
        if (g % s.pitch < s.width) want.push_back(uint8_t(requant_ref(acc, scale, out.y_zero_point, out.y_min, out.y_max)) ^ flip);
      }
    } else {
      want = run_dw_planar(qu8_dwplanar_scalar, s, in, w, bias, scale, flip, out, &outside);
    }
    const auto got = run_dw_planar(isa == Isa::scalar ? qu8_dwplanar_scalar : cfg.dw_planar, s, in, w, bias, scale,
                                   flip, out, &outside);
    size_t bad = 0;
    while (bad < got.size() && got[bad] == want[bad]) bad++;
    record(bad == got.size() && !outside,
           std::string(g_case) + (outside ? ": wrote before the output" : ": output " + std::to_string(bad) + " = " +
                                  std::to_string(got[bad % got.size()]) + ", expected " + std::to_string(want[bad % got.size()])));
  }
}

// ---- the operator -----------------------------------------------------------------------------

struct ConvCase {
  QConvShape s;
  bool x_signed, w_signed, y_signed, per_channel;
  std::vector<uint8_t> x, w;  // NCHW, OIHW bytes (s8 stored as two's complement)
  std::vector<int32_t> bias, w_zp;
  bool has_bias;
  std::vector<float> w_scale;
  float x_scale, y_scale;
  int32_t x_zp, y_zp, y_min, y_max;  // in the dtypes' own units
  std::string str;
};

ConvCase make_conv() {
  ConvCase p;
  QConvShape& s = p.s;
  const int kind = irand(0, 5);  // 0 depthwise, 1 1x1 stride 1, 2 grouped, 5 small window (s8 weights), else any
  s.n = size_t(irand(1, 2));
  s.group = kind == 0 ? size_t(irand(1, 40)) : kind == 2 ? size_t(irand(2, 4)) : 1;
  s.cin = s.group * (kind == 0 ? 1 : kind == 5 ? size_t(irand(1, 4)) : size_t(irand(1, kind == 1 ? 70 : 20)));
  s.cout = kind == 0 ? s.cin : s.group * size_t(irand(1, 40));
  if (kind == 1) {
    s.kh = s.kw = s.sh = s.sw = s.dh = s.dw = 1;
    s.pt = s.pl = 0;
  } else {
    s.kh = kind == 0 && irand(0, 1) ? pick<size_t>({3, 5}) : size_t(irand(1, 5));
    s.kw = irand(0, 2) ? s.kh : size_t(irand(1, 5));
    s.sh = size_t(irand(1, 2)), s.sw = irand(0, 3) ? s.sh : size_t(irand(1, 3));
    s.dh = irand(0, 3) ? 1 : 2, s.dw = irand(0, 3) ? s.dh : 1;
  }
  s.h = size_t(irand(1, 12)), s.w = size_t(irand(1, 12));
  // Wide depthwise planes: the planar path (qconv-dwplanar.h) takes outputs of 24+ columns.
  if (kind == 0 && irand(0, 2) == 0) s.h = size_t(irand(1, 6)), s.w = size_t(irand(24, 200));
  // Small windows (QConvSmall): rows longer than its 64-pixel chunks too.
  if (kind == 5 && irand(0, 1)) s.h = size_t(irand(1, 30)), s.w = size_t(irand(1, 80));
  if (kind != 0 && kind != 5 && irand(0, 9) == 0) {
    // Long K (up to 4096 per group, 4608 for 3x3 x 512) on small images.
    s.cin = s.group * (s.kh * s.kw > 1 ? size_t(irand(200, 512)) : pick<size_t>({256, 455, 1024, 4096}));
    s.h = size_t(irand(1, 4)), s.w = size_t(irand(1, 4));
  }
  size_t pb = 0, pr = 0;
  const size_t reach_h = s.dh * (s.kh - 1), reach_w = s.dw * (s.kw - 1);
  if (kind != 1) s.pt = size_t(irand(0, int(reach_h))), pb = size_t(irand(0, int(reach_h))), s.pl = size_t(irand(0, int(reach_w))), pr = size_t(irand(0, int(reach_w)));
  s.h = std::max(s.h, reach_h + 1 > s.pt + pb ? reach_h + 1 - s.pt - pb : 1);
  s.w = std::max(s.w, reach_w + 1 > s.pl + pr ? reach_w + 1 - s.pl - pr : 1);
  s.oh = (s.h + s.pt + pb - reach_h - 1) / s.sh + 1;
  s.ow = (s.w + s.pl + pr - reach_w - 1) / s.sw + 1;
  p.x_signed = irand(0, 3) == 0, p.w_signed = kind == 5 || irand(0, 1), p.y_signed = irand(0, 3) == 0;
  p.per_channel = irand(0, 1);
  p.x.resize(s.n * s.cin * s.h * s.w);
  fill_u8(p.x, irand(0, 3) == 0);
  p.w.resize(s.cout * s.cin_g() * s.kh * s.kw);
  fill_u8(p.w, irand(0, 3) == 0);
  p.x_zp = irand(0, 3) == 0 ? irand(0, 255) : pick({0, 128, 255});
  if (p.x_signed) p.x_zp -= 128;
  // s8 weights: zero point 0 (the QDQ export); u8: any, per tensor or per channel.
  p.w_zp.assign(p.per_channel ? s.cout : 1, 0);
  if (!p.w_signed)
    for (auto& z : p.w_zp) z = irand(0, 3) == 0 ? irand(0, 255) : pick({0, 128, 255});
  const double acc_rms = std::sqrt(double(s.k())) * 147.0 * (p.w_signed ? 74.0 : 147.0);
  p.has_bias = irand(0, 3) != 0;
  p.bias.resize(s.cout);
  for (auto& b : p.bias) b = irand(-int(acc_rms), int(acc_rms));
  p.x_scale = frand(0.002f, 0.05f);
  p.w_scale.resize(p.per_channel ? s.cout : 1);
  for (auto& v : p.w_scale) v = frand(0.001f, 0.02f);
  p.y_scale = float(p.x_scale * 0.01 / pick_scale(acc_rms));
  const RequantParams o = pick_out();
  const int32_t shift = p.y_signed ? 128 : 0;
  p.y_zp = o.y_zero_point - shift, p.y_min = o.y_min - shift, p.y_max = o.y_max - shift;
  char buf[300];
  std::snprintf(buf, sizeof buf,
                "N%zu C%zu %zux%zu -> K%zu %zux%zu g%zu k%zux%zu s%zux%zu d%zux%zu p%zu,%zu x %s zp %d, w %s%s, y %s zp %d in [%d, %d]",
                s.n, s.cin, s.h, s.w, s.cout, s.oh, s.ow, s.group, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw, s.pt, s.pl,
                p.x_signed ? "s8" : "u8", p.x_zp, p.w_signed ? "s8" : "u8", p.per_channel ? " per channel" : "",
                p.y_signed ? "s8" : "u8", p.y_zp, p.y_min, p.y_max);
  p.str = buf;
  return p;
}

int32_t as_int(uint8_t b, bool is_signed) { return is_signed ? int32_t(int8_t(b)) : int32_t(b); }

// Direct NCHW convolution in int64, then the output definition.
std::vector<uint8_t> conv_reference(const ConvCase& p) {
  const QConvShape& s = p.s;
  std::vector<uint8_t> y(s.n * s.cout * s.oh * s.ow);
  const size_t cin_g = s.cin_g(), cout_g = s.cout_g();
  for (size_t n = 0; n < s.n; n++)
    for (size_t o = 0; o < s.cout; o++) {
      const size_t g = o / cout_g, ch = p.per_channel ? o : 0;
      const float scale = p.x_scale * p.w_scale[ch] / p.y_scale;
      for (size_t oy = 0; oy < s.oh; oy++)
        for (size_t ox = 0; ox < s.ow; ox++) {
          int64_t acc = p.has_bias ? p.bias[o] : 0;
          for (size_t ci = 0; ci < cin_g; ci++)
            for (size_t ky = 0; ky < s.kh; ky++)
              for (size_t kx = 0; kx < s.kw; kx++) {
                const long iy = long(oy * s.sh + ky * s.dh) - long(s.pt), ix = long(ox * s.sw + kx * s.dw) - long(s.pl);
                if (iy < 0 || iy >= long(s.h) || ix < 0 || ix >= long(s.w)) continue;
                const int64_t xv = as_int(p.x[((n * s.cin + g * cin_g + ci) * s.h + size_t(iy)) * s.w + size_t(ix)], p.x_signed);
                const int64_t wv = as_int(p.w[((o * cin_g + ci) * s.kh + ky) * s.kw + kx], p.w_signed);
                acc += (xv - p.x_zp) * (wv - p.w_zp[ch]);
              }
          const int32_t q = requant_ref(acc, scale, p.y_zp, p.y_min, p.y_max);
          y[((n * s.cout + o) * s.oh + oy) * s.ow + ox] = uint8_t(q);
        }
    }
  return y;
}

std::vector<uint8_t> run_conv(const KernelConfig& cfg, Isa isa, const ConvCase& p, size_t threads, const char** path) {
  const int32_t xs = p.x_signed ? 128 : 0, ys = p.y_signed ? 128 : 0;
  QConvParams q{p.x_scale, p.x_zp + xs, p.w_scale.data(), p.w_scale.size(), p.y_scale,
                RequantParams{p.y_zp + ys, p.y_min + ys, p.y_max + ys}};
  const Guarded w(p.w), bias(p.bias), x(p.x);
  QConvRawWeights raw{w.as<uint8_t>(), p.w_signed, p.w_zp.data(), p.w_zp.size()};
  std::string why;
  auto conv = QConv::create(cfg, qconv_config(isa), p.s, raw, p.has_bias ? bias.as<int32_t>() : nullptr, q,
                            QConvIo{p.x_signed, p.y_signed}, &why);
  if (!conv) {
    record(false, std::string(g_case) + ": create failed: " + why);
    return {};
  }
  *path = conv->path();
  Guarded y(p.s.n * p.s.cout * p.s.oh * p.s.ow);
  std::vector<uint8_t> ws(conv->workspace_bytes() + 64);
  void* aligned = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(ws.data()) + 63) & ~uintptr_t(63));
  std::unique_ptr<ThreadPool> pool(threads > 1 ? new ThreadPool(threads) : nullptr);
  RunContext ctx{pool.get(), nullptr, aligned};
  conv->run(x.as<uint8_t>(), y.as<uint8_t>(), aligned, ctx);
  return std::vector<uint8_t>(y.as<uint8_t>(), y.as<uint8_t>() + p.s.n * p.s.cout * p.s.oh * p.s.ow);
}

void test_conv_op(Isa isa, const KernelConfig& cfg) {
  for (int iter = 0; iter < 300; iter++) {
    const ConvCase p = make_conv();
    std::snprintf(g_case, sizeof g_case, "%s QConv %s", isa_name(isa), p.str.c_str());
    const char* path = "?";
    const auto got = run_conv(cfg, isa, p, iter % 4 == 3 ? 2 : 1, &path);
    if (got.empty()) continue;
    const auto want = conv_reference(p);
    size_t bad = 0;
    while (bad < got.size() && got[bad] == want[bad]) bad++;
    record(bad == got.size(), std::string(g_case) + " [" + path + "]: output " + std::to_string(bad) + " = " +
                                  std::to_string(got[bad % got.size()]) + ", expected " + std::to_string(want[bad % got.size()]));
  }
}

// [n][c][pixels] -> [n][pixels][c].
std::vector<uint8_t> to_nhwc(const std::vector<uint8_t>& v, size_t n, size_t c, size_t pixels) {
  std::vector<uint8_t> out(v.size());
  for (size_t i = 0; i < n; i++)
    for (size_t ch = 0; ch < c; ch++)
      for (size_t q = 0; q < pixels; q++) out[(i * pixels + q) * c + ch] = v[(i * c + ch) * pixels + q];
  return out;
}

// run_channels_last straight from plan-like buffers: an NHWC input ending at an inaccessible page
// (the 1x1 GEMM's KR over-read must go through the padded copy), an NHWC output likewise.
void test_conv_op_nhwc(Isa isa, const KernelConfig& cfg) {
  for (int iter = 0; iter < 200; iter++) {
    const ConvCase p = make_conv();
    const QConvShape& s = p.s;
    std::snprintf(g_case, sizeof g_case, "%s QConv channels_last %s", isa_name(isa), p.str.c_str());
    const int32_t xs = p.x_signed ? 128 : 0, ys = p.y_signed ? 128 : 0;
    QConvParams q{p.x_scale, p.x_zp + xs, p.w_scale.data(), p.w_scale.size(), p.y_scale,
                  RequantParams{p.y_zp + ys, p.y_min + ys, p.y_max + ys}};
    QConvRawWeights raw{p.w.data(), p.w_signed, p.w_zp.data(), p.w_zp.size()};
    std::string why;
    auto conv = QConv::create(cfg, qconv_config(isa), s, raw, p.has_bias ? p.bias.data() : nullptr, q,
                              QConvIo{p.x_signed, p.y_signed}, &why);
    if (!conv) {
      record(false, std::string(g_case) + ": create failed: " + why);
      continue;
    }
    const Guarded x(to_nhwc(p.x, s.n, s.cin, s.h * s.w));
    const size_t y_len = s.n * s.cout * s.oh * s.ow;
    Guarded y(y_len);
    std::vector<uint8_t> ws(conv->channels_last_workspace_bytes() + 64);
    void* aligned = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(ws.data()) + 63) & ~uintptr_t(63));
    std::unique_ptr<ThreadPool> pool(iter % 4 == 3 ? new ThreadPool(2) : nullptr);
    RunContext ctx{pool.get(), nullptr, aligned};
    conv->run_channels_last(x.as<uint8_t>(), y.as<uint8_t>(), aligned, ctx);
    const auto want = to_nhwc(conv_reference(p), s.n, s.cout, s.oh * s.ow);
    const uint8_t* got = y.as<uint8_t>();
    size_t bad = 0;
    while (bad < y_len && got[bad] == want[bad]) bad++;
    record(bad == y_len, std::string(g_case) + " [" + conv->path() + "]: output " + std::to_string(bad) + " = " +
                             std::to_string(got[bad % y_len]) + ", expected " + std::to_string(want[bad % y_len]));
  }
}

void suite(Isa isa, const KernelConfig& cfg, const KernelConfig&) {
  test_dw_rows(isa);
  test_dw_planar(isa);
  test_conv_op(isa, cfg);
  test_conv_op_nhwc(isa, cfg);
}

}  // namespace
I8K_KERNEL_SUITE(qconv, suite);
