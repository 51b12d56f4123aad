// bench-gemm: INT8 (u8 x s8) against FP32 GEMM throughput, per ISA, single thread.
//
//   bench-gemm [--rounds N] [--isa a,b] [--json] [MxNxK ...]
//
// Method (see BENCHMARKING.md: shared, noisy machines): weights are packed once outside timing;
// every (ISA, INT8|FP32) case is warmed up and checked against the scalar kernels; then the cases
// are measured round robin, one sample each per round, so a slow patch of time hits all of them
// alike. A sample is per-thread CPU time (steadier than wall time under load) over enough
// repetitions to last >= 20 ms; the median of the rounds is reported. The clock is calibrated in
// the same run with a chain of dependent adds (one per cycle), giving ops/cycle next to GOPS.
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../config/kernel-config.h"
#include "bench-clock.h"
#include "../ops/gemm-f32.h"
#include "../ops/gemm-u8s8.h"

using namespace i8k;
using bench::calibrate_hz;
using bench::thread_seconds;

namespace {

constexpr double kMinSampleSeconds = 0.02;


double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Shape {
  size_t m, n, k;
  std::string str() const {
    return std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
  }
};

// Inputs of one shape, shared by every ISA.
struct Problem {
  Shape s;
  std::vector<float> a, b, bias;
  std::vector<uint8_t> a8;
  std::vector<int8_t> b8;
  std::vector<int32_t> bias32;
  std::vector<float> b_scale;
  U8S8GemmQuant q{};

  explicit Problem(Shape shape) : s(shape) {
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> uf(-1.f, 1.f);
    std::uniform_int_distribution<int> u8(0, 255), s8(-127, 127), sb(-1000, 1000);
    a.resize(s.m * s.k), b.resize(s.k * s.n), bias.resize(s.n);
    a8.resize(s.m * s.k), b8.resize(s.k * s.n), bias32.resize(s.n), b_scale.resize(s.n);
    for (auto& v : a) v = uf(rng);
    for (auto& v : b) v = uf(rng);
    for (auto& v : bias) v = uf(rng);
    for (auto& v : a8) v = uint8_t(u8(rng));
    for (auto& v : b8) v = int8_t(s8(rng));
    for (auto& v : bias32) v = sb(rng);
    for (auto& v : b_scale) v = 0.01f * (1.f + 0.5f * uf(rng));  // per output channel
    // Output scale chosen so the u8 outputs spread over the range instead of saturating:
    // |acc| is about 73 (rms of u8 - 128) * 73 (rms of s8) * sqrt(K).
    q.a_scale = 0.02f;
    q.a_zero_point = 128;
    q.b_scale = b_scale.data();
    q.b_scale_count = b_scale.size();
    q.y_scale = 0.02f * 0.01f * 73.f * 73.f * std::sqrt(float(s.k)) / 40.f;
    q.out = RequantParams{128, 0, 255};
  }
};

// One ISA's packed operators for one shape, its samples, and whether its output was right.
struct Case {
  Isa isa = Isa::scalar;
  const KernelConfig* cfg = nullptr;
  std::unique_ptr<U8S8Gemm> int8;
  std::unique_ptr<F32Gemm> fp32;
  std::vector<uint8_t> y8;
  std::vector<float> y32;
  int reps8 = 1, reps32 = 1;
  bool ok8 = true, ok32 = true;
  std::vector<double> t8, t32;  // seconds per run, one per round
};

// Repetitions so that one sample lasts at least kMinSampleSeconds.
template <class F>
int reps_for(F&& run) {
  const double t0 = thread_seconds();
  run();
  const double t = thread_seconds() - t0;
  return std::max(1, int(std::ceil(kMinSampleSeconds / std::max(t, 1e-7))));
}

template <class F>
double sample(F&& run, int reps) {
  const double t0 = thread_seconds();
  for (int i = 0; i < reps; i++) run();
  return (thread_seconds() - t0) / reps;
}

struct Row {
  std::string shape, isa, kernel8, kernel32;
  double gops8, gflops32;  // NAN when the kernel's output was wrong
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  for (size_t j; (j = s.find(sep, i)) != std::string::npos; i = j + 1) out.push_back(s.substr(i, j - i));
  out.push_back(s.substr(i));
  return out;
}

// NAN marks a kernel whose output was wrong (no figure is given for it) or an unknown clock.
std::string fmt(double v, int digits, const char* nan_text) {
  if (std::isnan(v)) return nan_text;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string json_num(double v, int digits) { return fmt(v, digits, "null"); }

int usage() {
  std::fprintf(stderr, "usage: bench-gemm [--rounds N] [--isa a,b] [--json] [MxNxK ...]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 7;
  bool json = false;
  std::vector<Isa> isas;
  for (Isa isa : all_isas())
    if (isa != Isa::wasmsimd) isas.push_back(isa);
  std::vector<Shape> shapes = {{1024, 1024, 1024}, {196, 960, 160}, {3136, 144, 24}, {128, 768, 768}};
  for (int i = 1; i < argc; i++) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      json = true;
    } else if (arg == "--rounds" && i + 1 < argc) {
      rounds = std::atoi(argv[++i]);
      if (rounds < 1) return usage();
    } else if (arg == "--isa" && i + 1 < argc) {
      isas.clear();
      for (const std::string& name : split(argv[++i], ',')) {
        Isa isa;
        if (!isa_from_name(name, &isa)) {
          std::fprintf(stderr, "bench-gemm: unknown ISA '%s'\n", name.c_str());
          return 2;
        }
        isas.push_back(isa);
      }
    } else {
      Shape s{};
      if (std::sscanf(arg.c_str(), "%zux%zux%zu", &s.m, &s.n, &s.k) != 3 || !s.m || !s.n || !s.k)
        return usage();
      shapes.push_back(s);
    }
  }

  // Which ISAs run here; the others are reported with the reason.
  std::vector<Isa> usable;
  std::vector<std::pair<Isa, std::string>> unusable;
  for (Isa isa : isas) {
    std::string why;
    if (kernel_config(isa, &why)) usable.push_back(isa);
    else unusable.emplace_back(isa, why);
  }
  const KernelConfig* scalar = kernel_config(Isa::scalar, nullptr);

  std::vector<double> hz;
  std::vector<Row> rows;
  bool all_ok = true;
  for (const Shape& s : shapes) {
    std::fprintf(stderr, "bench-gemm: %s ...\n", s.str().c_str());
    Problem p(s);
    const float inf = INFINITY;

    // References: the scalar kernels define the INT8 integers exactly; FP32 results may differ by
    // summation order and FMA, bounded by |diff| <= 1e-5 * sum_k |a_k * w_k| + 1e-6 where the
    // magnitude sum_k |a_k w_k| (+ |bias|) comes from the scalar GEMM of the absolute values.
    std::vector<uint8_t> ref8(s.m * s.n);
    std::vector<float> ref32(s.m * s.n), mag(s.m * s.n);
    U8S8Gemm(scalar->u8s8_gemm, s.k, s.n, p.b8.data(), p.bias32.data(), p.q).run(s.m, p.a8.data(), ref8.data(), RunContext{});
    F32Gemm(scalar->f32_gemm, s.k, s.n, p.b.data(), p.bias.data(), -inf, inf).run(s.m, p.a.data(), ref32.data(), RunContext{});
    {
      auto abs_of = [](std::vector<float> v) {
        for (auto& x : v) x = std::fabs(x);
        return v;
      };
      const auto aa = abs_of(p.a), ab = abs_of(p.b), abias = abs_of(p.bias);
      F32Gemm(scalar->f32_gemm, s.k, s.n, ab.data(), abias.data(), -inf, inf).run(s.m, aa.data(), mag.data(), RunContext{});
    }

    // Pack once, warm up (page faults, caches), check, and size the samples.
    std::vector<Case> cases;
    for (Isa isa : usable) {
      Case c;
      c.isa = isa;
      c.cfg = kernel_config(isa, nullptr);
      c.int8 = std::make_unique<U8S8Gemm>(c.cfg->u8s8_gemm, s.k, s.n, p.b8.data(), p.bias32.data(), p.q);
      c.fp32 = std::make_unique<F32Gemm>(c.cfg->f32_gemm, s.k, s.n, p.b.data(), p.bias.data(), -inf, inf);
      c.y8.assign(s.m * s.n, 0);
      c.y32.assign(s.m * s.n, NAN);
      c.int8->run(s.m, p.a8.data(), c.y8.data(), RunContext{});
      c.fp32->run(s.m, p.a.data(), c.y32.data(), RunContext{});
      c.ok8 = c.y8 == ref8;
      for (size_t i = 0; i < ref32.size() && c.ok32; i++)
        c.ok32 = std::fabs(c.y32[i] - ref32[i]) <= 1e-5f * mag[i] + 1e-6f;
      if (!c.ok8 || !c.ok32)
        std::fprintf(stderr, "bench-gemm: %s %s: %s output differs from the scalar kernel\n",
                     s.str().c_str(), isa_name(isa), !c.ok8 && !c.ok32 ? "INT8 and FP32" : c.ok8 ? "FP32" : "INT8");
      all_ok = all_ok && c.ok8 && c.ok32;
      c.reps8 = reps_for([&] { c.int8->run(s.m, p.a8.data(), c.y8.data(), RunContext{}); });
      c.reps32 = reps_for([&] { c.fp32->run(s.m, p.a.data(), c.y32.data(), RunContext{}); });
      cases.push_back(std::move(c));
    }

    for (int r = 0; r < rounds; r++) {
      hz.push_back(calibrate_hz());
      for (Case& c : cases) {
        auto run8 = [&] { c.int8->run(s.m, p.a8.data(), c.y8.data(), RunContext{}); };
        auto run32 = [&] { c.fp32->run(s.m, p.a.data(), c.y32.data(), RunContext{}); };
        // Alternate which goes first so neither always runs right after the other's cache state.
        if (r % 2 == 0) {
          c.t8.push_back(sample(run8, c.reps8));
          c.t32.push_back(sample(run32, c.reps32));
        } else {
          c.t32.push_back(sample(run32, c.reps32));
          c.t8.push_back(sample(run8, c.reps8));
        }
      }
    }

    const double ops = 2.0 * double(s.m) * double(s.n) * double(s.k);
    for (const Case& c : cases)
      rows.push_back(Row{s.str(), isa_name(c.isa), c.cfg->u8s8_gemm.name, c.cfg->f32_gemm.name,
                         c.ok8 ? ops / median(c.t8) / 1e9 : NAN,
                         c.ok32 ? ops / median(c.t32) / 1e9 : NAN});
  }

  const double ghz = median(hz) / 1e9;
  const double ghz_lo = *std::min_element(hz.begin(), hz.end()) / 1e9;
  const double ghz_hi = *std::max_element(hz.begin(), hz.end()) / 1e9;
  auto per_cycle = [&](double gops) { return ghz > 0 ? gops / ghz : NAN; };
  auto cell = [&](double v, bool cycles) {
    if (std::isnan(v)) return std::string("WRONG");
    return cycles ? fmt(per_cycle(v), 1, "-") : fmt(v, 1, "-");
  };

  if (json) {
    std::printf("{\n  \"ghz\": %.3f, \"ghz_min\": %.3f, \"ghz_max\": %.3f, \"rounds\": %d,\n", ghz,
                ghz_lo, ghz_hi, rounds);
    std::printf("  \"unusable\": [");
    for (size_t i = 0; i < unusable.size(); i++)
      std::printf("%s{\"isa\": \"%s\", \"reason\": \"%s\"}", i ? ", " : "",
                  isa_name(unusable[i].first), unusable[i].second.c_str());
    std::printf("],\n  \"results\": [\n");
    for (size_t i = 0; i < rows.size(); i++) {
      const Row& r = rows[i];
      std::printf(
          "    {\"shape\": \"%s\", \"isa\": \"%s\", \"int8_kernel\": \"%s\", \"fp32_kernel\": \"%s\", "
          "\"int8_gops\": %s, \"int8_ops_per_cycle\": %s, \"fp32_gflops\": %s, "
          "\"fp32_flops_per_cycle\": %s, \"speedup\": %s}%s\n",
          r.shape.c_str(), r.isa.c_str(), r.kernel8.c_str(), r.kernel32.c_str(),
          json_num(r.gops8, 2).c_str(), json_num(per_cycle(r.gops8), 2).c_str(),
          json_num(r.gflops32, 2).c_str(), json_num(per_cycle(r.gflops32), 2).c_str(),
          json_num(r.gops8 / r.gflops32, 2).c_str(), i + 1 < rows.size() ? "," : "");
    }
    std::printf("  ]\n}\n");
  } else {
    std::printf("Clock (dependent-add chain, median of %zu): %.3f GHz (range %.3f-%.3f)\n", hz.size(),
                ghz, ghz_lo, ghz_hi);
    std::printf("Single thread, per-thread CPU time, median of %d interleaved rounds.\n", rounds);
    for (const auto& u : unusable)
      std::printf("- %s: not usable: %s\n", isa_name(u.first), u.second.c_str());
    std::printf("\n| shape | ISA | kernel | INT8 GOPS | INT8 ops/cycle | FP32 GFLOPS | FP32 flops/cycle "
                "| INT8/FP32 speedup |\n|---|---|---|---|---|---|---|---|\n");
    for (const Row& r : rows)
      std::printf("| %s | %s | %s / %s | %s | %s | %s | %s | %s |\n", r.shape.c_str(), r.isa.c_str(),
                  r.kernel8.c_str(), r.kernel32.c_str(), cell(r.gops8, false).c_str(),
                  cell(r.gops8, true).c_str(), cell(r.gflops32, false).c_str(),
                  cell(r.gflops32, true).c_str(), fmt(r.gops8 / r.gflops32, 2, "-").c_str());
  }
  return all_ok ? 0 : 1;
}
