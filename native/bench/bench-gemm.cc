// bench-gemm: INT8 GEMM throughput per ISA and variant, against FP32 on the same shape.
//
//   bench-gemm [--rounds N] [--threads N [--scaling]] [--isa a,b] [--json] [MxNxK ...]
//
// Variants: fp32; u8s8->u8 (QGemm: the kernel with its fused requantization); u8u8->u8
// (QLinearMatMul with u8 weights and zero points 128: sign-flipped B, row-sum correction, the
// accumulator entry and the shared output stage); u8s8->s32 (MatMulInteger); and where an ISA has
// a reduce_range kernel (AVX2), that kernel and the exact one on the same 7-bit weights.
//
// Method (see BENCHMARKING.md: shared, noisy machines): weights are packed once outside timing;
// every case is warmed up and checked against the scalar kernels; then the cases are measured
// round robin (the first rotating), one sample each per round, so a slow patch of time hits all
// of them alike. A sample is per-thread CPU time (steadier than wall time under load) with one
// thread, wall time with --threads > 1, over enough repetitions to last >= 20 ms; the median of
// the rounds is reported. --scaling adds a one-thread wall-time sample next to each pool sample
// and reports the ratio of the medians (under load from other processes both suffer, but a
// pool's threads suffer more: read the ratio as a lower bound). The clock is calibrated in the same run with a chain of dependent adds
// (one per cycle), giving ops/cycle per thread next to GOPS.
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../config/kernel-config.h"
#include "bench-clock.h"
#include "../ops/gemm-f32.h"
#include "../ops/gemm-u8s8.h"
#include "../ops/qmatmul.h"
#include "../plan/thread-pool.h"

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

// One measured operation of one ISA: its run, whether its output matched the scalar kernels, and
// its samples.
struct Variant {
  std::string name, kernel;
  std::function<void(const RunContext&)> run;
  bool ok = true;
  int reps = 1;
  int reps1 = 1;
  std::vector<double> t, t1;  // seconds per run, one per round (t1: one thread, with --scaling)
};

// Per-thread CPU time with one thread (steadier under load); wall time when a pool adds threads
// (their CPU time is not the caller's).
double now_seconds(bool wall) {
  if (!wall) return thread_seconds();
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Repetitions so that one sample lasts at least kMinSampleSeconds.
using RunFn = std::function<void(const RunContext&)>;

int reps_for(const RunFn& run, const RunContext& ctx, bool wall) {
  const double t0 = now_seconds(wall);
  run(ctx);
  const double t = now_seconds(wall) - t0;
  return std::max(1, int(std::ceil(kMinSampleSeconds / std::max(t, 1e-7))));
}

double sample(const RunFn& run, const RunContext& ctx, int reps, bool wall) {
  const double t0 = now_seconds(wall);
  for (int i = 0; i < reps; i++) run(ctx);
  return (now_seconds(wall) - t0) / reps;
}

struct Row {
  std::string shape, isa, variant, kernel;
  double gops, fp32_gops;  // NAN when the kernel's output was wrong
  double speedup;          // over one thread (--scaling), else NAN
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
  std::fprintf(stderr, "usage: bench-gemm [--rounds N] [--threads N [--scaling]] [--isa a,b] [--json] [MxNxK ...]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 7;
  size_t threads = 1;
  bool json = false, scaling = false;
  std::vector<Isa> isas;
  for (Isa isa : all_isas())
    if (isa != Isa::wasmsimd) isas.push_back(isa);
  // M x N x K. The issue lists the MobileNetV2 pointwise layers as pixels x input channels x
  // output channels (M x K x N): 3136x144x24 is M=3136, K=144, N=24, i.e. 3136x24x144 here; its
  // list holds both orders of each pair, so the set is the same either way. BERT-base: the
  // attention projections and the two FFN layers of a 128-token sequence.
  std::vector<Shape> shapes = {{1024, 1024, 1024}, {128, 768, 768},  {128, 3072, 768}, {128, 768, 3072},
                               {3136, 24, 144},    {3136, 144, 24},  {196, 160, 960},  {196, 960, 160}};
  bool custom_shapes = false;
  for (int i = 1; i < argc; i++) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      json = true;
    } else if (arg == "--rounds" && i + 1 < argc) {
      rounds = std::atoi(argv[++i]);
      if (rounds < 1) return usage();
    } else if (arg == "--scaling") {
      scaling = true;
    } else if (arg == "--threads" && i + 1 < argc) {
      const int t = std::atoi(argv[++i]);
      if (t < 1) return usage();
      threads = size_t(t);
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
      if (!custom_shapes) shapes.clear();
      custom_shapes = true;
      shapes.push_back(s);
    }
  }
  std::unique_ptr<ThreadPool> pool;
  if (threads > 1) pool = std::make_unique<ThreadPool>(threads);
  RunContext ctx;
  ctx.pool = pool.get();
  const bool wall = threads > 1;
  // --scaling: also time every case on one thread (wall time too), interleaved, for the speedup.
  scaling = scaling && threads > 1;

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
    // u8 B (QLinearMatMul / MatMulInteger with u8 weights): the same bytes as the s8 B read as u8.
    const uint8_t* b_u8 = reinterpret_cast<const uint8_t*>(p.b8.data());
    // reduce_range weights: B halved into [-64, 63].
    std::vector<int8_t> b7(p.b8);
    for (auto& v : b7) v = int8_t(v >> 1);
    QGemmZeroPoints zp_u8u8;
    zp_u8u8.a_zp = 128;
    const int32_t b_zp = 128;
    zp_u8u8.b_zp = &b_zp, zp_u8u8.b_zp_count = 1;
    std::vector<float> qscale(s.n);
    for (size_t j = 0; j < s.n; j++) qscale[j] = p.q.a_scale * p.b_scale[j] / p.q.y_scale;
    const U8S8Output to_u8{U8S8OutputKind::u8, nullptr, nullptr, nullptr, qscale.data(), nullptr, p.q.out};
    const U8S8Output to_s32{U8S8OutputKind::s32, nullptr, nullptr, nullptr, nullptr, nullptr, RequantParams{}};

    // References: the scalar kernels define the INT8 integers exactly; FP32 results may differ by
    // summation order and FMA, bounded by |diff| <= 1e-5 * sum_k |a_k * w_k| + 1e-6 where the
    // magnitude sum_k |a_k w_k| (+ |bias|) comes from the scalar GEMM of the absolute values.
    std::vector<uint8_t> ref8(s.m * s.n), ref_u8u8(s.m * s.n), ref7(s.m * s.n);
    std::vector<int32_t> ref_s32(s.m * s.n);
    std::vector<float> ref32(s.m * s.n), mag(s.m * s.n);
    U8S8Gemm(scalar->u8s8_gemm, s.k, s.n, p.b8.data(), p.bias32.data(), p.q).run(s.m, p.a8.data(), ref8.data(), RunContext{});
    U8S8Gemm(scalar->u8s8_gemm, s.k, s.n, b7.data(), p.bias32.data(), p.q).run(s.m, p.a8.data(), ref7.data(), RunContext{});
    F32Gemm(scalar->f32_gemm, s.k, s.n, p.b.data(), p.bias.data(), -inf, inf).run(s.m, p.a.data(), ref32.data(), RunContext{});
    {
      QPackedB pb, pu;
      qpack_b(scalar->u8s8_gemm, s.k, s.n, p.b8.data(), true, s.n, &pb);
      qpack_b(scalar->u8s8_gemm, s.k, s.n, b_u8, false, s.n, &pu);
      qgemm(scalar->u8s8_gemm, pu, s.m, p.a8.data(), s.k, zp_u8u8, to_u8, ref_u8u8.data(), s.n, RunContext{});
      qgemm(scalar->u8s8_gemm, pb, s.m, p.a8.data(), s.k, QGemmZeroPoints{}, to_s32, ref_s32.data(), s.n, RunContext{});
      auto abs_of = [](std::vector<float> v) {
        for (auto& x : v) x = std::fabs(x);
        return v;
      };
      const auto aa = abs_of(p.a), ab = abs_of(p.b), abias = abs_of(p.bias);
      F32Gemm(scalar->f32_gemm, s.k, s.n, ab.data(), abias.data(), -inf, inf).run(s.m, aa.data(), mag.data(), RunContext{});
    }

    // Per ISA: pack once, warm up (page faults, caches), check, and size the samples. Outputs and
    // operators live as long as their variants (lists of stable addresses).
    struct Isaset {
      Isa isa;
      std::unique_ptr<U8S8Gemm> int8, rr, exact7;
      std::unique_ptr<F32Gemm> fp32;
      QPackedB packed_s8, packed_u8;
      std::vector<uint8_t> y8;
      std::vector<int32_t> y32i;
      std::vector<float> y32;
      std::vector<Variant> v;
    };
    std::vector<std::unique_ptr<Isaset>> sets;
    for (Isa isa : usable) {
      auto st = std::make_unique<Isaset>();
      Isaset& c = *st;
      c.isa = isa;
      const KernelConfig* cfg = kernel_config(isa, nullptr);
      c.int8 = std::make_unique<U8S8Gemm>(cfg->u8s8_gemm, s.k, s.n, p.b8.data(), p.bias32.data(), p.q);
      c.fp32 = std::make_unique<F32Gemm>(cfg->f32_gemm, s.k, s.n, p.b.data(), p.bias.data(), -inf, inf);
      qpack_b(cfg->u8s8_gemm, s.k, s.n, p.b8.data(), true, s.n, &c.packed_s8);
      qpack_b(cfg->u8s8_gemm, s.k, s.n, b_u8, false, s.n, &c.packed_u8);
      c.y8.assign(s.m * s.n, 0);
      c.y32i.assign(s.m * s.n, 0);
      c.y32.assign(s.m * s.n, NAN);
      const std::string k8 = cfg->u8s8_gemm.name, kq = k8 + (cfg->u8s8_gemm.fused ? "_fused" : "_acc");
      c.v.push_back({"fp32", cfg->f32_gemm.name, [&](const RunContext& x) { c.fp32->run(s.m, p.a.data(), c.y32.data(), x); }});
      c.v.push_back({"u8s8->u8", k8, [&](const RunContext& x) { c.int8->run(s.m, p.a8.data(), c.y8.data(), x); }});
      c.v.push_back({"u8u8->u8", kq, [&, cfg](const RunContext& x) {
                       qgemm(cfg->u8s8_gemm, c.packed_u8, s.m, p.a8.data(), s.k, zp_u8u8, to_u8, c.y8.data(), s.n, x);
                     }});
      c.v.push_back({"u8s8->s32", kq, [&, cfg](const RunContext& x) {
                       qgemm(cfg->u8s8_gemm, c.packed_s8, s.m, p.a8.data(), s.k, QGemmZeroPoints{}, to_s32, c.y32i.data(), s.n, x);
                     }});
      if (const U8S8GemmConfig* rr = u8s8_reduce_range_config(isa)) {
        c.rr = std::make_unique<U8S8Gemm>(*rr, s.k, s.n, b7.data(), p.bias32.data(), p.q);
        c.v.push_back({"u8s7->u8 rr", rr->name, [&](const RunContext& x) { c.rr->run(s.m, p.a8.data(), c.y8.data(), x); }});
        // The exact kernel on the same 7-bit weights, for the like-for-like ratio.
        c.exact7 = std::make_unique<U8S8Gemm>(cfg->u8s8_gemm, s.k, s.n, b7.data(), p.bias32.data(), p.q);
        c.v.push_back({"u8s7->u8 exact", k8, [&](const RunContext& x) { c.exact7->run(s.m, p.a8.data(), c.y8.data(), x); }});
      }
      for (Variant& v : c.v) {
        std::fill(c.y8.begin(), c.y8.end(), 0);
        v.run(ctx);
        if (v.name == "fp32") {
          for (size_t i = 0; i < ref32.size() && v.ok; i++) v.ok = std::fabs(c.y32[i] - ref32[i]) <= 1e-5f * mag[i] + 1e-6f;
        } else if (v.name == "u8s8->u8") {
          v.ok = c.y8 == ref8;
        } else if (v.name == "u8u8->u8") {
          v.ok = c.y8 == ref_u8u8;
        } else if (v.name == "u8s8->s32") {
          v.ok = c.y32i == ref_s32;
        } else {
          v.ok = c.y8 == ref7;
        }
        if (!v.ok)
          std::fprintf(stderr, "bench-gemm: %s %s %s: output differs from the scalar kernel\n", s.str().c_str(), isa_name(isa), v.name.c_str());
        all_ok = all_ok && v.ok;
        v.reps = reps_for(v.run, ctx, wall);
        if (scaling) v.reps1 = reps_for(v.run, RunContext{}, wall);
      }
      sets.push_back(std::move(st));
    }

    for (int r = 0; r < rounds; r++) {
      hz.push_back(calibrate_hz());
      for (auto& c : sets) {
        // Rotate which variant goes first so none always runs right after another's cache state.
        const size_t nv = c->v.size();
        for (size_t j = 0; j < nv; j++) {
          Variant& v = c->v[(j + size_t(r)) % nv];
          // With --scaling, the one-thread sample right next to the pool's, alternating which first.
          if (scaling && r % 2) v.t1.push_back(sample(v.run, RunContext{}, v.reps1, wall));
          v.t.push_back(sample(v.run, ctx, v.reps, wall));
          if (scaling && r % 2 == 0) v.t1.push_back(sample(v.run, RunContext{}, v.reps1, wall));
        }
      }
    }

    const double ops = 2.0 * double(s.m) * double(s.n) * double(s.k);
    for (const auto& c : sets) {
      const double fp32 = c->v[0].ok ? ops / median(c->v[0].t) / 1e9 : NAN;
      for (const Variant& v : c->v)
        rows.push_back(Row{s.str(), isa_name(c->isa), v.name, v.kernel, v.ok ? ops / median(v.t) / 1e9 : NAN, fp32,
                           v.t1.empty() ? NAN : median(v.t1) / median(v.t)});
    }
  }

  const double ghz = median(hz) / 1e9;
  const double ghz_lo = *std::min_element(hz.begin(), hz.end()) / 1e9;
  const double ghz_hi = *std::max_element(hz.begin(), hz.end()) / 1e9;
  // ops/cycle per core in use: the figure to read against one core's instruction ceiling.
  auto per_cycle = [&](double gops) { return ghz > 0 ? gops / ghz / double(threads) : NAN; };

  if (json) {
    std::printf("{\n  \"ghz\": %.3f, \"ghz_min\": %.3f, \"ghz_max\": %.3f, \"rounds\": %d, \"threads\": %zu,\n", ghz,
                ghz_lo, ghz_hi, rounds, threads);
    std::printf("  \"unusable\": [");
    for (size_t i = 0; i < unusable.size(); i++)
      std::printf("%s{\"isa\": \"%s\", \"reason\": \"%s\"}", i ? ", " : "",
                  isa_name(unusable[i].first), unusable[i].second.c_str());
    std::printf("],\n  \"results\": [\n");
    for (size_t i = 0; i < rows.size(); i++) {
      const Row& r = rows[i];
      std::printf(
          "    {\"shape\": \"%s\", \"isa\": \"%s\", \"variant\": \"%s\", \"kernel\": \"%s\", \"gops\": %s, "
          "\"ops_per_cycle_per_thread\": %s, \"vs_fp32\": %s, \"speedup_over_1_thread\": %s}%s\n",
          r.shape.c_str(), r.isa.c_str(), r.variant.c_str(), r.kernel.c_str(), json_num(r.gops, 2).c_str(),
          json_num(per_cycle(r.gops), 2).c_str(), json_num(r.gops / r.fp32_gops, 2).c_str(),
          json_num(r.speedup, 2).c_str(), i + 1 < rows.size() ? "," : "");
    }
    std::printf("  ]\n}\n");
  } else {
    std::printf("Clock (dependent-add chain, median of %zu): %.3f GHz (range %.3f-%.3f)\n", hz.size(),
                ghz, ghz_lo, ghz_hi);
    std::printf("%zu thread(s), %s, median of %d interleaved rounds; shapes M x N x K.\n", threads,
                wall ? "wall time" : "per-thread CPU time", rounds);
    for (const auto& u : unusable)
      std::printf("- %s: not usable: %s\n", isa_name(u.first), u.second.c_str());
    std::printf("\n| shape | ISA | variant | kernel | GOPS | ops/cycle/thread | vs FP32 | vs 1 thread |\n"
                "|---|---|---|---|---|---|---|---|\n");
    for (const Row& r : rows)
      std::printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.shape.c_str(), r.isa.c_str(), r.variant.c_str(),
                  r.kernel.c_str(), fmt(r.gops, 1, "WRONG").c_str(), fmt(per_cycle(r.gops), 1, "WRONG").c_str(),
                  fmt(r.gops / r.fp32_gops, 2, "-").c_str(), fmt(r.speedup, 2, "-").c_str());
  }
  return all_ok ? 0 : 1;
}
