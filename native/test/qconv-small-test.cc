// The small-window direct conv kernels (qu8-smallconv.h): every ISA's kernel bit-exact against the
// scalar twin, and the scalar twin against a naive reference computed from the unpacked weights.
// Shapes cover 1..5 kernel rows, spans of 1..16 bytes (group tails of 1..3), every output-channel
// tail of a tile of 8, pixel counts around the ISA's pixel blocks, pixel and row strides as the
// operator uses them; zero points 0 / 128 / 255, extreme codes and clamps. The input ends at an
// inaccessible page right after the last byte the contract allows the kernel to read, and the
// output sits between sentinels.
#include "harness.h"

#include "../config/qconv-config.h"

using namespace i8k;
using namespace i8k_test;

namespace {

struct Case {
  size_t n, cout, kh, span, sw, groups, pixel_stride, row_stride, x_bytes;
  std::vector<uint8_t> x;
  std::vector<int8_t> w;  // [cout][kh][span]
  std::vector<int32_t> bias;
  std::vector<float> scale;
  RequantParams p;
};

Case make_case() {
  Case c;
  c.n = size_t(pick<int>({1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, irand(1, 64)}));
  c.cout = size_t(irand(0, 2) ? irand(1, 17) : irand(18, 40));
  c.kh = size_t(irand(1, 5));
  c.span = size_t(irand(1, 16));
  c.groups = (c.span + 3) / 4;
  c.sw = size_t(irand(1, 3));
  const size_t cin = size_t(pick<int>({1, 1, 2, 3, 8}));
  c.pixel_stride = c.sw * cin;
  // A padded row: the last pixel's span ends within it; rows may be longer (later pixels of the row).
  const size_t row = (c.n - 1) * c.pixel_stride + c.span + size_t(irand(0, 5));
  c.row_stride = row * size_t(irand(1, 2));
  // The last byte the kernel may read: the last pixel, last kernel row, last group's 4th byte.
  c.x_bytes = (c.n - 1) * c.pixel_stride + (c.kh - 1) * c.row_stride + c.groups * 4;
  const bool extremes = irand(0, 3) == 0;
  c.x.resize(c.x_bytes);
  for (auto& v : c.x) v = uint8_t(extremes ? pick<int>({0, 255}) : irand(0, 255));
  c.w.resize(c.cout * c.kh * c.span);
  for (auto& v : c.w) v = int8_t(extremes ? pick<int>({-128, 127}) : irand(-128, 127));
  const double rms = std::sqrt(double(c.kh * c.span)) * 147.0 * 74.0;
  c.bias.assign(qu8_smallconv_tiles(c.cout) * kSmallConvTile, 0);
  c.scale.assign(c.bias.size(), 0.0f);
  for (size_t o = 0; o < c.cout; o++) {
    c.bias[o] = irand(-int(rms), int(rms));
    c.scale[o] = irand(0, 3) == 0 ? std::ldexp(1.0f, -irand(4, 12)) : float(frand(20.0f, 160.0f) / rms);
  }
  c.p.y_zero_point = pick<int>({0, 128, 255, irand(0, 255)});
  c.p.y_min = irand(0, 2) ? 0 : std::min(c.p.y_zero_point, irand(0, 255));
  c.p.y_max = irand(0, 2) ? 255 : std::max(c.p.y_min, irand(c.p.y_min, 255));
  return c;
}

std::vector<uint8_t> reference(const Case& c) {
  std::vector<uint8_t> y(c.n * c.cout);
  for (size_t i = 0; i < c.n; i++)
    for (size_t o = 0; o < c.cout; o++) {
      int64_t acc = c.bias[o];
      for (size_t ky = 0; ky < c.kh; ky++)
        for (size_t j = 0; j < c.span; j++)
          acc += int64_t(c.x[i * c.pixel_stride + ky * c.row_stride + j]) * c.w[(o * c.kh + ky) * c.span + j];
      float v = float(acc) * c.scale[o];
      v = std::min(std::max(v, float(c.p.y_min - c.p.y_zero_point)), float(c.p.y_max - c.p.y_zero_point));
      y[i * c.cout + o] = uint8_t(int32_t(std::nearbyint(v)) + c.p.y_zero_point);
    }
  return y;
}

// Runs cfg's kernel on c; empty (with a failure recorded) when it wrote outside its output.
std::vector<uint8_t> run(const QConvConfig& cfg, const Case& c) {
  std::vector<uint8_t> packed(cfg.small_packed_bytes(c.cout, c.kh, c.groups) + 1, 0xA5);
  cfg.small_pack(c.cout, c.kh, c.span, c.w.data(), packed.data());
  const Guarded x(c.x), bias(c.bias), scale(c.scale);
  Canvas<uint8_t> y(1, c.n * c.cout, 0x5A);
  const QU8SmallConvGeometry g{c.cout, c.kh, c.groups, c.pixel_stride, c.row_stride};
  cfg.small(c.n, g, x.as<uint8_t>(), packed.data(), bias.as<int32_t>(), scale.as<float>(), y.tile(), &c.p);
  const std::string outside = y.check_outside(1, c.n * c.cout);
  record(outside.empty() && packed.back() == 0xA5, std::string(g_case) + ": " + (outside.empty() ? "packed past its size" : outside));
  return std::vector<uint8_t>(y.tile(), y.tile() + c.n * c.cout);
}

void suite(Isa isa, const KernelConfig&, const KernelConfig&) {
  const QConvConfig cfg = qconv_config(isa), scalar = qconv_config(Isa::scalar);
  if (!cfg.small) return;  // this ISA keeps the im2col GEMM
  for (int iter = 0; iter < 2000; iter++) {
    const Case c = make_case();
    std::snprintf(g_case, sizeof g_case, "%s %s n%zu cout%zu kh%zu span%zu pixel_stride %zu row_stride %zu zp %d [%d, %d]",
                  isa_name(isa), cfg.small_name, c.n, c.cout, c.kh, c.span, c.pixel_stride, c.row_stride, c.p.y_zero_point,
                  c.p.y_min, c.p.y_max);
    const std::vector<uint8_t> got = run(cfg, c);
    const std::vector<uint8_t> want = isa == Isa::scalar ? reference(c) : run(scalar, c);
    size_t bad = 0;
    while (bad < want.size() && got[bad] == want[bad]) bad++;
    record(bad == want.size(), std::string(g_case) + ": output " + std::to_string(bad) + " = " +
                                   std::to_string(bad < got.size() ? got[bad] : 0) + ", expected " +
                                   std::to_string(bad < want.size() ? want[bad] : 0));
  }
}

}  // namespace
I8K_KERNEL_SUITE(qconv_small, suite);
