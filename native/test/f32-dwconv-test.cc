// Depthwise conv planes (f32-dwconv) on random geometries, the fixed 3x3 / 5x5 paths and the generic
// one, against the scalar kernel (the scalar one against a naive reference), with the input and
// output planes ending at an inaccessible page.
#include "harness.h"

#include <cmath>
#include "../config/conv-config.h"

using namespace i8k;
using namespace i8k_test;

namespace {

// ---- depthwise conv ---------------------------------------------------------------------------

struct DwProblem {
  DwConvShape s;
  std::vector<float> in, w;  // in: two planes, run one after another (the kernels keep state)
  float bias, min, max;
  std::string str;
};

DwProblem make_dw() {
  DwProblem p;
  DwConvShape& s = p.s;
  const bool fixed = irand(0, 1);  // the shapes of the kernels' fixed 3x3 / 5x5 paths
  do {
    s.kh = fixed ? pick<size_t>({3, 5}) : pick<size_t>({1, 2, 3, 4, 5, 7});
    s.kw = fixed ? s.kh : irand(0, 2) ? s.kh : pick<size_t>({1, 2, 3, 5});
    s.sh = fixed ? pick<size_t>({1, 2}) : pick<size_t>({1, 2, 3});
    s.sw = fixed ? s.sh : irand(0, 2) ? s.sh : pick<size_t>({1, 2, 3});
    s.dh = fixed ? 1 : pick<size_t>({1, 2});
    s.dw = fixed ? 1 : irand(0, 1) ? s.dh : pick<size_t>({1, 2});
    switch (irand(0, 3)) {
      case 0:  // tiny planes
        s.h = irand(1, 3), s.w = irand(1, 3);
        break;
      case 1:  // MobileNet's
        s.h = s.w = pick<size_t>({7, 14, 28, 56, 112});
        break;
      default:  // around vector widths
        s.h = irand(1, 40), s.w = irand(1, 70);
        break;
    }
    // Symmetric "same" padding most of the time, any pads (including none, and more than the
    // kernel reaches) otherwise.
    const size_t reach_h = s.dh * (s.kh - 1), reach_w = s.dw * (s.kw - 1);
    size_t pb, pr;
    if (irand(0, 2)) {
      s.pt = pb = reach_h / 2, s.pl = pr = reach_w / 2;
    } else {
      s.pt = irand(0, int(reach_h)), pb = irand(0, int(reach_h));
      s.pl = irand(0, int(reach_w)), pr = irand(0, int(reach_w));
    }
    if (s.h + s.pt + pb <= reach_h || s.w + s.pl + pr <= reach_w) continue;
    s.oh = (s.h + s.pt + pb - reach_h - 1) / s.sh + 1;
    s.ow = (s.w + s.pl + pr - reach_w - 1) / s.sw + 1;
    break;
  } while (true);
  p.in.resize(2 * s.h * s.w);
  p.w.resize(s.kh * s.kw);
  for (auto& x : p.in) x = frand(-1.0f, 1.0f);
  for (auto& x : p.w) x = frand(-1.0f, 1.0f);
  p.bias = frand(-1.0f, 1.0f);
  p.min = -INFINITY, p.max = INFINITY;
  if (irand(0, 1)) p.min = irand(0, 1) ? 0.0f : -frand(0.0f, 1.0f), p.max = frand(0.0f, 1.5f);
  char buf[200];
  std::snprintf(buf, sizeof buf, "%zux%zu k%zux%zu s%zux%zu d%zux%zu pad t%zu l%zu -> %zux%zu, y in [%g, %g]",
                s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw, s.pt, s.pl, s.oh, s.ow, p.min, p.max);
  p.str = buf;
  return p;
}

// Both planes' outputs. Each plane's input and output end at an inaccessible page: reading past
// the input plane or writing past the output plane faults.
std::vector<float> run_dw(F32DwConvUkernel fn, const DwProblem& p) {
  const size_t in_plane = p.s.h * p.s.w, out_plane = p.s.oh * p.s.ow;
  std::vector<float> y;
  for (size_t c = 0; c < 2; c++) {
    const Guarded in(std::vector<float>(p.in.begin() + c * in_plane, p.in.begin() + (c + 1) * in_plane));
    const Guarded out(out_plane * sizeof(float));
    fn(p.s, in.as<float>(), p.w.data(), p.bias, out.as<float>(), p.min, p.max);
    y.insert(y.end(), out.as<float>(), out.as<float>() + out_plane);
  }
  return y;
}

// Naive reference in double, and sum |w x| + |bias| per output for the tolerance.
std::vector<float> naive_dw(const DwProblem& p, std::vector<double>* mag) {
  const DwConvShape& s = p.s;
  std::vector<float> y;
  mag->clear();
  for (size_t c = 0; c < 2; c++)
    for (size_t oy = 0; oy < s.oh; oy++)
      for (size_t ox = 0; ox < s.ow; ox++) {
        double acc = p.bias, m = std::fabs(double(p.bias));
        for (size_t ky = 0; ky < s.kh; ky++)
          for (size_t kx = 0; kx < s.kw; kx++) {
            const long iy = long(oy * s.sh + ky * s.dh) - long(s.pt);
            const long ix = long(ox * s.sw + kx * s.dw) - long(s.pl);
            if (iy < 0 || ix < 0 || iy >= long(s.h) || ix >= long(s.w)) continue;
            const double t = double(p.w[ky * s.kw + kx]) * p.in[(c * s.h + size_t(iy)) * s.w + size_t(ix)];
            acc += t, m += std::fabs(t);
          }
        y.push_back(std::min(std::max(float(acc), p.min), p.max));
        mag->push_back(m);
      }
  return y;
}

void test_dwconv(Isa isa, F32DwConvUkernel fn, F32DwConvUkernel scalar) {
  const bool is_scalar = fn == scalar;
  for (int i = 0; i < 400; i++) {
    const DwProblem p = make_dw();
    std::snprintf(g_case, sizeof g_case, "%s f32-dwconv %s", isa_name(isa), p.str.c_str());
    std::vector<double> mag;
    const std::vector<float> naive = naive_dw(p, &mag);
    const std::vector<float> y = run_dw(fn, p);
    const std::vector<float> ref = is_scalar ? naive : run_dw(scalar, p);
    const size_t taps = p.s.kh * p.s.kw, out_plane = p.s.oh * p.s.ow;
    std::string err;
    for (size_t j = 0; j < y.size() && err.empty(); j++) {
      const double d = std::fabs(double(y[j]) - double(ref[j]));
      // Two summation orders of the same terms, each within (taps + 1) u of the magnitude sum.
      if (!(d <= f32_tolerance(taps, mag[j]))) {
        char buf[200];
        std::snprintf(buf, sizeof buf, "plane %zu y[%zu][%zu] = %.9g, expected %.9g", j / out_plane,
                      j % out_plane / p.s.ow, j % p.s.ow, y[j], ref[j]);
        err = buf;
      }
    }
    record(err.empty(), std::string(g_case) + ": " + err);
  }
}


void suite(Isa isa, const KernelConfig&, const KernelConfig&) {
  test_dwconv(isa, conv_config(isa).dwconv, conv_config(Isa::scalar).dwconv);
}
}  // namespace
I8K_KERNEL_SUITE(f32_dwconv, suite);
