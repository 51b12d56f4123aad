// kernel-test: every kernel config usable on this CPU against the scalar config, standalone (no Node).
//
//   kernel-test [seed]
//
// Two parts per config:
//  - Operators: F32Gemm and U8S8Gemm on randomized shapes that cover every tile edge (M = 1..3*MR+1
//    x N = 1..3*NR+1, each pair with a K from 1..70, 256, 1024, 4096) and random quantization
//    parameters. INT8 must equal the scalar config bit for bit; FP32 may differ by summation order
//    and FMA, within |d| <= 2 (K+1) 2^-24 (sum_k |a b| + |bias|) (two dot products, each within
//    (K+1) u of the magnitude sum). The scalar config itself is checked against a naive reference.
//  - Microkernels, called directly with every mr x nr and inputs that end exactly at an inaccessible
//    page: reading an A row >= mr, past a row's readable bytes, or past the panel, bias or scale
//    faults; writes outside the mr x nr tile are caught by a sentinel-filled output canvas.
//  - Depthwise conv planes (f32-dwconv) on random geometries, both the fixed 3x3 / 5x5 paths and
//    the generic one, against the scalar kernel (the scalar one against a naive reference), with
//    the input and output planes ending at an inaccessible page.
// Prints one line per failure (the first few per config), then `N passed, N failed`; exits non-zero
// on any failure (a fault prints the summary line from the signal handler, then dies of the signal).
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../config/conv-config.h"
#include "../config/kernel-config.h"
#include "../ops/gemm-f32.h"
#include "../ops/gemm-u8s8.h"

using namespace i8k;

namespace {

std::mt19937_64 rng;

int irand(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
float frand(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng); }
template <typename T>
T pick(std::initializer_list<T> v) {
  return *(v.begin() + irand(0, int(v.size()) - 1));
}

// ---- results ----------------------------------------------------------------------------------

size_t g_passed = 0, g_failed = 0, g_reported = 0;
constexpr size_t kMaxReportsPerConfig = 10;

void record(bool ok, const std::string& what) {
  if (ok) {
    g_passed++;
    return;
  }
  g_failed++;
  if (g_reported++ < kMaxReportsPerConfig) std::printf("FAIL %s\n", what.c_str());
}

// A fault in a guarded buffer ends the process; say which case did it and still print the summary
// line. Only async-signal-safe calls in the handler: the description is formatted before each case.
char g_case[512];

void write_str(int fd, const char* s) { (void)!write(fd, s, strlen(s)); }

void write_count(int fd, size_t v) {
  char buf[24];
  char* p = buf + sizeof buf;
  *--p = 0;
  do *--p = char('0' + v % 10); while (v /= 10);
  write_str(fd, p);
}

void on_fault(int sig) {
  write_str(1, "FAIL (out-of-bounds access) in ");
  write_str(1, g_case);
  write_str(1, "\n");
  write_count(1, g_passed);
  write_str(1, " passed, ");
  write_count(1, g_failed + 1);
  write_str(1, " failed\n");
  signal(sig, SIG_DFL);
  raise(sig);
}

// ---- guarded memory ---------------------------------------------------------------------------

// `bytes` of memory whose last byte is immediately followed by an inaccessible page.
class Guarded {
 public:
  explicit Guarded(size_t bytes) : bytes_(bytes), page_(size_t(sysconf(_SC_PAGESIZE))) {
    map_bytes_ = (bytes + page_ - 1) / page_ * page_ + page_;
    void* p = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      std::perror("mmap");
      std::exit(2);
    }
    base_ = static_cast<uint8_t*>(p);
    if (mprotect(base_ + map_bytes_ - page_, page_, PROT_NONE) != 0) {
      std::perror("mprotect");
      std::exit(2);
    }
  }
  template <typename T>
  explicit Guarded(const std::vector<T>& init) : Guarded(init.size() * sizeof(T)) {
    std::memcpy(as<T>(), init.data(), init.size() * sizeof(T));
  }
  ~Guarded() { munmap(base_, map_bytes_); }
  Guarded(const Guarded&) = delete;
  Guarded& operator=(const Guarded&) = delete;
  template <typename T>
  T* as() const {
    return reinterpret_cast<T*>(base_ + map_bytes_ - page_ - bytes_);
  }

 private:
  size_t bytes_, page_, map_bytes_;
  uint8_t* base_;
};

// ---- shapes -----------------------------------------------------------------------------------

// Every K of 1..70 plus the long ones, in random order, recycled as often as needed.
class KSource {
 public:
  size_t next() {
    if (i_ == ks_.size()) {
      ks_.clear();
      for (size_t k = 1; k <= 70; k++) ks_.push_back(k);
      for (size_t k : {256, 1024, 4096}) ks_.push_back(k);
      std::shuffle(ks_.begin(), ks_.end(), rng);
      i_ = 0;
    }
    return ks_[i_++];
  }

 private:
  std::vector<size_t> ks_;
  size_t i_ = 0;
};

std::string shape_str(size_t m, size_t n, size_t k) {
  return std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
}

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

// Error bound of comparing two summation orders (with or without FMA) of one dot product.
double f32_tolerance(size_t k, double magnitude) {
  return 2.0 * double(k + 1) * std::ldexp(1.0, -24) * magnitude;
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

// ---- INT8 -------------------------------------------------------------------------------------

struct U8S8Problem {
  size_t m, n, k;
  std::vector<uint8_t> a;
  std::vector<int8_t> b;
  std::vector<int32_t> bias;
  bool has_bias;
  std::vector<float> b_scale;
  U8S8GemmQuant q;
  std::string qstr;
};

U8S8Problem make_u8s8(size_t m, size_t n, size_t k) {
  U8S8Problem p;
  p.m = m, p.n = n, p.k = k;
  p.a.resize(m * k);
  p.b.resize(k * n);
  p.bias.resize(n);
  for (auto& x : p.a) x = uint8_t(irand(0, 255));
  for (auto& x : p.b) x = int8_t(irand(-128, 127));
  const int32_t a_zp = irand(0, 4) == 0 ? irand(0, 255) : pick({0, 128, 255});
  // Typical |acc| for this K, to put the outputs in range rather than always saturated.
  const double acc_rms = std::sqrt(double(k)) * (a_zp == 128 ? 74.0 : 147.0) * 74.0;
  const int32_t bias_range = int32_t(std::min(acc_rms, 1e8));
  for (auto& x : p.bias) x = irand(-bias_range, bias_range);
  p.has_bias = irand(0, 3) != 0;

  const bool per_channel = irand(0, 1);
  const size_t scales = per_channel ? n : 1;
  p.b_scale.resize(scales);
  float a_scale, y_scale;
  if (irand(0, 2) == 0) {
    // Powers of two: the products float(acc) * scale are exact binary fractions, so many land on
    // .5 and exercise round-half-to-even.
    a_scale = 1.0f;
    y_scale = 1.0f;
    const int e = std::max(1, int(std::log2(acc_rms / 64.0)));
    for (auto& s : p.b_scale) s = std::ldexp(1.0f, -(e + irand(-1, 1)));
  } else {
    a_scale = frand(0.002f, 0.05f);
    for (auto& s : p.b_scale) s = frand(0.001f, 0.02f);
    y_scale = float(a_scale * 0.01 * acc_rms / frand(20.0f, 160.0f));
  }
  RequantParams out;
  out.y_zero_point = pick({0, 128, 255});
  switch (irand(0, 3)) {
    case 0:
      out.y_min = 0, out.y_max = 255;
      break;
    case 1:
      out.y_min = out.y_zero_point, out.y_max = 255;  // fused ReLU
      break;
    default:
      out.y_min = irand(0, 200);
      out.y_max = irand(out.y_min, 255);
      break;
  }
  p.q = U8S8GemmQuant{a_scale, a_zp, p.b_scale.data(), scales, y_scale, out};
  char buf[200];
  std::snprintf(buf, sizeof buf, "a_zp %d, %s scale, y_zp %d, y in [%d, %d]%s", a_zp,
                per_channel ? "per-channel" : "per-tensor", out.y_zero_point, out.y_min, out.y_max,
                p.has_bias ? "" : ", no bias");
  p.qstr = buf;
  return p;
}

std::vector<uint8_t> run_u8s8(const U8S8GemmConfig& cfg, const U8S8Problem& p) {
  U8S8Gemm op(cfg, p.k, p.n, p.b.data(), p.has_bias ? p.bias.data() : nullptr, p.q);
  const Guarded a(p.a);
  const Guarded y(p.m * p.n);
  op.run(p.m, a.as<uint8_t>(), y.as<uint8_t>(), RunContext{});
  return std::vector<uint8_t>(y.as<uint8_t>(), y.as<uint8_t>() + p.m * p.n);
}

std::string u8_compare(size_t n, const std::vector<uint8_t>& y, const std::vector<uint8_t>& ref) {
  for (size_t i = 0; i < y.size(); i++)
    if (y[i] != ref[i]) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "y[%zu][%zu] = %d, expected %d", i / n, i % n, y[i], ref[i]);
      return buf;
    }
  return "";
}

// Naive reference for the scalar config, from the definition in gemm-u8s8.h.
std::vector<uint8_t> naive_u8s8(const U8S8Problem& p) {
  std::vector<uint8_t> y(p.m * p.n);
  for (size_t j = 0; j < p.n; j++) {
    const float scale = p.q.a_scale * p.b_scale[p.b_scale.size() == 1 ? 0 : j] / p.q.y_scale;
    for (size_t i = 0; i < p.m; i++) {
      int64_t acc = p.has_bias ? p.bias[j] : 0;
      for (size_t kk = 0; kk < p.k; kk++)
        acc += int64_t(int32_t(p.a[i * p.k + kk]) - p.q.a_zero_point) * p.b[kk * p.n + j];
      y[i * p.n + j] = requantize_u8(int32_t(acc), scale, p.q.out);
    }
  }
  return y;
}

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

// ---- operator tests ---------------------------------------------------------------------------

void test_ops(const KernelConfig& cfg, const KernelConfig& scalar) {
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
  {
    const U8S8GemmConfig& c = cfg.u8s8_gemm;
    for (size_t m = 1; m <= 3 * c.mr + 1; m++)
      for (size_t n = 1; n <= 3 * c.nr + 1; n++) {
        const size_t k = ks.next();
        const U8S8Problem p = make_u8s8(m, n, k);
        std::snprintf(g_case, sizeof g_case, "%s U8S8Gemm %s (%s)", c.name,
                      shape_str(m, n, k).c_str(), p.qstr.c_str());
        const auto y = run_u8s8(c, p);
        const auto ref = is_scalar ? naive_u8s8(p) : run_u8s8(scalar.u8s8_gemm, p);
        const std::string err = u8_compare(n, y, ref);
        record(err.empty(), std::string(g_case) + ": " + err);
      }
  }
}

// ---- microkernel tests ------------------------------------------------------------------------

// Ks for the direct calls: around the kernel's KR groups and unrolled steps, plus a longer one.
std::vector<size_t> ukernel_ks(size_t kr) {
  std::vector<size_t> ks;
  for (size_t k = 1; k <= 17; k++) ks.push_back(k);
  ks.push_back(4 * kr * 8 + 3);
  ks.push_back(size_t(irand(18, 70)));
  return ks;
}

// Output canvas: the tile sits at row 1, column 3 of a (MR + 2) x (NR + 6) sentinel-filled area.
template <typename T>
struct Canvas {
  size_t rows, ld;
  std::vector<T> v;
  T sentinel;
  Canvas(size_t mr, size_t nr, T s) : rows(mr + 2), ld(nr + 6), v(rows * ld, s), sentinel(s) {}
  T* tile() { return v.data() + ld + 3; }
  // Empty when every element outside [mr x nr] still holds the sentinel.
  std::string check_outside(size_t mr, size_t nr) const {
    for (size_t i = 0; i < rows; i++)
      for (size_t j = 0; j < ld; j++) {
        const bool inside = i >= 1 && i < 1 + mr && j >= 3 && j < 3 + nr;
        if (!inside && std::memcmp(&v[i * ld + j], &sentinel, sizeof(T)) != 0)
          return "wrote outside the tile at row " + std::to_string(int(i) - 1) + ", column " +
                 std::to_string(int(j) - 3);
      }
    return "";
  }
};

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

void test_u8s8_ukernel(const U8S8GemmConfig& c) {
  const size_t MR = c.mr, NR = c.nr, KR = c.kr;
  for (size_t k : ukernel_ks(KR))
    for (size_t mr = 1; mr <= MR; mr++)
      for (size_t nr = 1; nr <= NR; nr++) {
        const size_t kp = (k + KR - 1) / KR * KR;
        const size_t a_stride = kp + size_t(irand(0, 5));
        Guarded ga((mr - 1) * a_stride + kp);
        Guarded gw(c.panel_bytes(k)), gb(NR * sizeof(int32_t)), gs(NR * sizeof(float));
        uint8_t* a = ga.as<uint8_t>();
        for (size_t i = 0; i < mr; i++)
          for (size_t kk = 0; kk < (i + 1 < mr ? a_stride : kp); kk++)
            a[i * a_stride + kk] = kk < k ? uint8_t(irand(0, 255)) : 0;
        std::vector<int8_t> b(k * nr);
        for (auto& x : b) x = int8_t(irand(-128, 127));
        c.pack(k, nr, b.data(), nr, gw.as<void>());
        int32_t* bias = gb.as<int32_t>();
        float* scale = gs.as<float>();
        const double acc_rms = std::sqrt(double(k)) * 147.0 * 74.0;
        for (size_t j = 0; j < NR; j++) {
          bias[j] = irand(-int(acc_rms), int(acc_rms));
          // Exact halves (ties) on some columns, arbitrary multipliers on the others.
          scale[j] = irand(0, 1) ? std::ldexp(1.0f, -irand(1, 8)) : float(frand(20.0f, 200.0f) / acc_rms);
        }
        RequantParams p;
        p.y_zero_point = pick({0, 128, 255});
        p.y_min = irand(0, 3) ? 0 : irand(0, 128);
        p.y_max = irand(0, 3) ? 255 : irand(p.y_min, 255);

        Canvas<uint8_t> y(mr, nr, 0x5A);
        std::snprintf(g_case, sizeof g_case, "%s ukernel mr=%zu nr=%zu k=%zu", c.name, mr, nr, k);
        c.ukernel(mr, nr, k, a, a_stride, gw.as<void>(), bias, scale, y.tile(), y.ld, &p);

        std::string err = y.check_outside(mr, nr);
        for (size_t i = 0; i < mr && err.empty(); i++)
          for (size_t j = 0; j < nr && err.empty(); j++) {
            int32_t acc = bias[j];
            for (size_t kk = 0; kk < k; kk++) acc += int32_t(a[i * a_stride + kk]) * b[kk * nr + j];
            const uint8_t ref = requantize_u8(acc, scale[j], p);
            const uint8_t got = y.tile()[i * y.ld + j];
            if (got != ref)
              err = "y[" + std::to_string(i) + "][" + std::to_string(j) + "] = " +
                    std::to_string(got) + ", expected " + std::to_string(ref);
          }
        record(err.empty(), std::string(g_case) + ": " + err);
      }
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned long long seed = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 20261123ULL;
  rng.seed(seed);
  // Line buffered: the fault handler writes directly, and a pipe would otherwise hold back (and
  // lose) the lines printed before the fault.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  signal(SIGSEGV, on_fault);
  signal(SIGBUS, on_fault);

  const KernelConfig* scalar = kernel_config(Isa::scalar, nullptr);
  if (!scalar) {
    std::printf("no scalar config\n0 passed, 1 failed\n");
    return 1;
  }
  std::printf("kernel-test: seed %llu\n", seed);
  // Every Isa value the enum has (isa_name answers "unknown" past the last one), so a new ISA is
  // tested without touching this file.
  for (int i = 0;; i++) {
    const Isa isa = static_cast<Isa>(i);
    if (std::string(isa_name(isa)) == "unknown") break;
    std::string why;
    const KernelConfig* cfg = kernel_config(isa, &why);
    if (!cfg) {
      std::printf("skip %s: %s\n", isa_name(isa), why.c_str());
      continue;
    }
    const size_t passed0 = g_passed, failed0 = g_failed;
    g_reported = 0;
    // Microkernels first: their canvas names a stray write precisely, where the operator test
    // only sees it as a fault or a wrong neighbouring tile.
    test_f32_ukernel(cfg->f32_gemm);
    test_f32_conv_ukernel(cfg->f32_gemm);
    test_u8s8_ukernel(cfg->u8s8_gemm);
    test_ops(*cfg, *scalar);
    test_dwconv(isa, conv_config(isa).dwconv, conv_config(Isa::scalar).dwconv);
    std::printf("%s (%s, %s): %zu passed, %zu failed\n", isa_name(isa), cfg->f32_gemm.name,
                cfg->u8s8_gemm.name, g_passed - passed0, g_failed - failed0);
  }
  std::printf("%zu passed, %zu failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
