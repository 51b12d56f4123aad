// F32 GEMM: the operator on randomized shapes against the scalar config (the scalar config against a
// naive reference), the microkernel and its conv form called directly on guarded buffers.
#include "harness.h"

#include <cmath>
#include "../ops/gemm-f32.h"

using namespace i8k;
using namespace i8k_test;

namespace {

// ---- FP32 -------------------------------------------------------------------------------------

struct F32Problem {
  size_t m, n, k;
  std::vector<float> a, b, bias;
  bool has_bias;
  float min, max;
};

F32Problem make_f32(size_t m, size_t n, size_t k) {
  F32Problem p{m, n, k, {}, {}, {}, irand(0, 3) != 0, -INFINITY, INFINITY};
  p.a.resize(m * k);
  p.b.resize(k * n);
  p.bias.resize(n);
  for (auto& x : p.a) x = frand(-1.0f, 1.0f);
  for (auto& x : p.b) x = frand(-1.0f, 1.0f);
  for (auto& x : p.bias) x = frand(-1.0f, 1.0f);
  // Clamps on the scale of the outputs (|y| ~ sqrt(K) / 3) so they bite in some lanes.
  const float s = std::sqrt(float(k)) / 3.0f;
  switch (irand(0, 3)) {
    case 0:
      break;
    case 1:
      p.min = 0.0f;  // ReLU
      break;
    case 2:
      p.min = 0.0f, p.max = s * 0.5f;  // ReLU6-like
      break;
    default:
      p.min = -s * frand(0.0f, 1.0f), p.max = s * frand(0.0f, 1.0f);
      break;
  }
  return p;
}

// sum_k |a b| + |bias| per output, in double.
std::vector<double> f32_magnitude(const F32Problem& p) {
  std::vector<double> mag(p.m * p.n);
  for (size_t i = 0; i < p.m; i++)
    for (size_t j = 0; j < p.n; j++) {
      double s = p.has_bias ? std::fabs(double(p.bias[j])) : 0.0;
      for (size_t kk = 0; kk < p.k; kk++) s += std::fabs(double(p.a[i * p.k + kk]) * p.b[kk * p.n + j]);
      mag[i * p.n + j] = s;
    }
  return mag;
}

std::vector<float> run_f32(const F32GemmConfig& cfg, const F32Problem& p) {
  F32Gemm op(cfg, p.k, p.n, p.b.data(), p.has_bias ? p.bias.data() : nullptr, p.min, p.max);
  // A and Y end at an inaccessible page: reading past the last row of A or writing past the last
  // tile of Y faults.
  const Guarded a(p.a);
  const Guarded y(p.m * p.n * sizeof(float));
  op.run(p.m, a.as<float>(), y.as<float>(), RunContext{});
  return std::vector<float>(y.as<float>(), y.as<float>() + p.m * p.n);
}

// Compares y (with trailing sentinel) to ref within the tolerance; empty string when equal.
std::string f32_compare(const F32Problem& p, const std::vector<float>& y, const std::vector<float>& ref,
                        const std::vector<double>& mag) {
  for (size_t i = 0; i < p.m * p.n; i++) {
    const double d = std::fabs(double(y[i]) - double(ref[i]));
    if (!(d <= f32_tolerance(p.k, mag[i]))) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "y[%zu][%zu] = %.9g, expected %.9g (|d| %.3g > %.3g)", i / p.n,
                    i % p.n, y[i], ref[i], d, f32_tolerance(p.k, mag[i]));
      return buf;
    }
  }
  return "";
}

// Naive reference for the scalar config: double accumulation, then the clamp in float.
std::vector<float> naive_f32(const F32Problem& p) {
  std::vector<float> y(p.m * p.n);
  for (size_t i = 0; i < p.m; i++)
    for (size_t j = 0; j < p.n; j++) {
      double s = p.has_bias ? p.bias[j] : 0.0;
      for (size_t kk = 0; kk < p.k; kk++) s += double(p.a[i * p.k + kk]) * p.b[kk * p.n + j];
      y[i * p.n + j] = std::min(std::max(float(s), p.min), p.max);
    }
  return y;
}

// ---- operator tests ---------------------------------------------------------------------------

void test_f32_ops(const KernelConfig& cfg, const KernelConfig& scalar) {
  const bool is_scalar = &cfg == &scalar;
  KSource ks;
  {
    const F32GemmConfig& c = cfg.f32_gemm;
    for (size_t m = 1; m <= 3 * c.mr + 1; m++)
      for (size_t n = 1; n <= 3 * c.nr + 1; n++) {
        const size_t k = ks.next();
        const F32Problem p = make_f32(m, n, k);
        std::snprintf(g_case, sizeof g_case, "%s F32Gemm %s", c.name, shape_str(m, n, k).c_str());
        const auto y = run_f32(c, p);
        const auto ref = is_scalar ? naive_f32(p) : run_f32(scalar.f32_gemm, p);
        const std::string err = f32_compare(p, y, ref, f32_magnitude(p));
        record(err.empty(), std::string(g_case) + ": " + err);
      }
  }
}

void test_f32_ukernel(const F32GemmConfig& c) {
  const size_t MR = c.mr, NR = c.nr;
  for (size_t k : ukernel_ks(1))
    for (size_t mr = 1; mr <= MR; mr++)
      for (size_t nr = 1; nr <= NR; nr++) {
        const size_t a_stride = k + size_t(irand(0, 3));
        Guarded ga(((mr - 1) * a_stride + k) * sizeof(float));
        Guarded gw(k * NR * sizeof(float)), gb(NR * sizeof(float));
        float* a = ga.as<float>();
        float* w = gw.as<float>();
        float* bias = gb.as<float>();
        for (size_t i = 0; i < (mr - 1) * a_stride + k; i++) a[i] = frand(-1.0f, 1.0f);
        for (size_t kk = 0; kk < k; kk++)
          for (size_t j = 0; j < NR; j++) w[kk * NR + j] = j < nr ? frand(-1.0f, 1.0f) : 0.0f;
        for (size_t j = 0; j < NR; j++) bias[j] = frand(-1.0f, 1.0f);
        const float lo = irand(0, 1) ? -INFINITY : -0.5f, hi = irand(0, 1) ? INFINITY : 0.5f;

        Canvas<float> y(mr, nr, -777.0f);
        std::snprintf(g_case, sizeof g_case, "%s ukernel mr=%zu nr=%zu k=%zu", c.name, mr, nr, k);
        c.ukernel(mr, nr, k, a, a_stride, w, bias, y.tile(), y.ld, lo, hi);

        std::string err = y.check_outside(mr, nr);
        for (size_t i = 0; i < mr && err.empty(); i++)
          for (size_t j = 0; j < nr && err.empty(); j++) {
            double s = bias[j], mag = std::fabs(double(bias[j]));
            for (size_t kk = 0; kk < k; kk++) {
              s += double(a[i * a_stride + kk]) * w[kk * NR + j];
              mag += std::fabs(double(a[i * a_stride + kk]) * w[kk * NR + j]);
            }
            const float ref = std::min(std::max(float(s), lo), hi);
            const float got = y.tile()[i * y.ld + j];
            if (!(std::fabs(double(got) - ref) <= f32_tolerance(k, mag)))
              err = "y[" + std::to_string(i) + "][" + std::to_string(j) + "] = " +
                    std::to_string(got) + ", expected " + std::to_string(ref);
          }
        record(err.empty(), std::string(g_case) + ": " + err);
      }
}

// The conv form, both operands walked by rows: A packed MR per k (channel-major) or read in place
// at tap offsets and a stride (pixel-major); B rows read in place (columns past nr hold NaN: they
// may be computed, never stored) or packed; row bias, column bias, both or none.
void test_f32_conv_ukernel(const F32GemmConfig& c) {
  const size_t MR = c.mr, NR = c.nr;
  // Lays out `taps` groups of kc rows of `width` readable floats at scattered offsets.
  auto layout = [](size_t taps, size_t kc, size_t stride, size_t width, std::vector<ptrdiff_t>* off) {
    size_t floats = 0;
    off->resize(taps);
    for (size_t t = 0; t < taps; t++) {
      (*off)[t] = ptrdiff_t(floats + size_t(irand(0, 5)));
      floats = size_t((*off)[t]) + (kc - 1) * stride + width;
    }
    if (taps > 1 && irand(0, 1)) std::reverse(off->begin(), off->end());
    return floats;
  };
  for (size_t k : ukernel_ks(1))
    for (size_t mr = 1; mr <= MR; mr++)
      for (size_t nr = 1; nr <= NR; nr++) {
        const size_t taps = size_t(irand(1, 3)), kc = std::max<size_t>(1, k / taps), kt = taps * kc;
        const size_t a_stride = irand(0, 1) ? MR : MR + size_t(irand(1, 9));
        const size_t b_stride = irand(0, 3) ? NR + size_t(irand(1, 9)) : NR;
        std::vector<ptrdiff_t> a_off, b_off;
        const size_t a_floats = layout(taps, kc, a_stride, MR, &a_off);
        const size_t b_floats = layout(taps, kc, b_stride, NR, &b_off);
        Guarded ga(a_floats * sizeof(float)), gw(b_floats * sizeof(float));
        Guarded gr(mr * sizeof(float)), gc(NR * sizeof(float));
        float* a = ga.as<float>();
        float* w = gw.as<float>();
        float* row_bias = irand(0, 2) ? gr.as<float>() : nullptr;
        float* col_bias = irand(0, 1) ? gc.as<float>() : nullptr;
        for (size_t i = 0; i < a_floats; i++) a[i] = frand(-1.0f, 1.0f);
        for (size_t i = 0; i < b_floats; i++) w[i] = frand(-1.0f, 1.0f);
        for (size_t t = 0; t < taps; t++)
          for (size_t j = 0; j < kc; j++)
            for (size_t n = nr; n < NR; n++) w[b_off[t] + j * b_stride + n] = NAN;
        for (size_t i = 0; i < mr; i++) gr.as<float>()[i] = frand(-1.0f, 1.0f);
        for (size_t i = 0; i < NR; i++) gc.as<float>()[i] = frand(-1.0f, 1.0f);
        const float lo = irand(0, 1) ? -INFINITY : -0.5f, hi = irand(0, 1) ? INFINITY : 0.5f;
        auto arow = [&](size_t kk) { return a + a_off[kk / kc] + (kk % kc) * a_stride; };
        auto brow = [&](size_t kk) { return w + b_off[kk / kc] + (kk % kc) * b_stride; };

        Canvas<float> y(mr, nr, -777.0f);
        std::snprintf(g_case, sizeof g_case, "%s conv ukernel mr=%zu nr=%zu k=%zu taps=%zu strides=%zu,%zu bias=%s%s",
                      c.name, mr, nr, kt, taps, a_stride, b_stride, row_bias ? "row" : "", col_bias ? "col" : "");
        c.conv(mr, nr, F32Rows{a, a_off.data(), taps, kc, a_stride}, F32Rows{w, b_off.data(), taps, kc, b_stride},
               row_bias, col_bias, y.tile(), y.ld, lo, hi);

        std::string err = y.check_outside(mr, nr);
        for (size_t i = 0; i < mr && err.empty(); i++)
          for (size_t j = 0; j < nr && err.empty(); j++) {
            const double b0 = (row_bias ? row_bias[i] : 0.0) + (col_bias ? col_bias[j] : 0.0);
            double s = b0, mag = std::fabs(b0);
            for (size_t kk = 0; kk < kt; kk++) {
              s += double(arow(kk)[i]) * brow(kk)[j];
              mag += std::fabs(double(arow(kk)[i]) * brow(kk)[j]);
            }
            const float ref = std::min(std::max(float(s), lo), hi);
            const float got = y.tile()[i * y.ld + j];
            if (!(std::fabs(double(got) - ref) <= f32_tolerance(kt, mag)))
              err = "y[" + std::to_string(i) + "][" + std::to_string(j) + "] = " +
                    std::to_string(got) + ", expected " + std::to_string(ref);
          }
        record(err.empty(), std::string(g_case) + ": " + err);
      }
}

}  // namespace

namespace {
void suite(Isa, const KernelConfig& cfg, const KernelConfig& scalar) {
  // Microkernels first: their canvas names a stray write precisely, where the operator test only
  // sees it as a fault or a wrong neighbouring tile.
  test_f32_ukernel(cfg.f32_gemm);
  test_f32_conv_ukernel(cfg.f32_gemm);
  test_f32_ops(cfg, scalar);
}
}  // namespace
I8K_KERNEL_SUITE(f32_gemm, suite);
