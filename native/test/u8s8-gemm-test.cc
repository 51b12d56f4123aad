// U8S8 GEMM: the operator on randomized shapes and quantization parameters, bit-exact against the
// scalar config (the scalar config against a naive reference), and the microkernel called directly.
#include "harness.h"

#include <cmath>
#include "../ops/gemm-u8s8.h"
#include "../ops/qmatmul.h"

using namespace i8k;
using namespace i8k_test;

namespace {

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

U8S8Problem make_u8s8(size_t m, size_t n, size_t k, int b_lo = -128, int b_hi = 127) {
  U8S8Problem p;
  p.m = m, p.n = n, p.k = k;
  p.a.resize(m * k);
  p.b.resize(k * n);
  p.bias.resize(n);
  for (auto& x : p.a) x = uint8_t(irand(0, 255));
  for (auto& x : p.b) x = int8_t(pick({b_lo, b_hi, irand(b_lo, b_hi)}));
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

// ---- operator tests ---------------------------------------------------------------------------

void test_u8s8_ops(const U8S8GemmConfig& c, const KernelConfig& scalar, int b_lo = -128, int b_hi = 127) {
  const bool is_scalar = &c == &scalar.u8s8_gemm;
  KSource ks;
  {
    for (size_t m = 1; m <= 3 * c.mr + 1; m++)
      for (size_t n = 1; n <= 3 * c.nr + 1; n++) {
        const size_t k = ks.next();
        const U8S8Problem p = make_u8s8(m, n, k, b_lo, b_hi);
        std::snprintf(g_case, sizeof g_case, "%s U8S8Gemm %s (%s)", c.name,
                      shape_str(m, n, k).c_str(), p.qstr.c_str());
        const auto y = run_u8s8(c, p);
        const auto ref = is_scalar ? naive_u8s8(p) : run_u8s8(scalar.u8s8_gemm, p);
        const std::string err = u8_compare(n, y, ref);
        record(err.empty(), std::string(g_case) + ": " + err);
      }
  }
}


void test_u8s8_ukernel(const U8S8GemmConfig& c, int b_lo = -128, int b_hi = 127) {
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
        for (auto& x : b) x = int8_t(pick({b_lo, b_hi, irand(b_lo, b_hi)}));
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


// The raw-accumulator entry: rows < mr of the MR x NR tile hold the exact dot products (padded
// columns 0), rows >= mr are never written, and the tile is the only memory written.
void test_u8s8_acc_ukernel(const U8S8GemmConfig& c, int b_lo = -128, int b_hi = 127) {
  const size_t MR = c.mr, NR = c.nr, KR = c.kr;
  for (size_t k : ukernel_ks(KR))
    for (size_t mr = 1; mr <= MR; mr++) {
      const size_t nvalid = size_t(irand(1, int(NR)));
      const size_t kp = (k + KR - 1) / KR * KR;
      const size_t a_stride = kp + size_t(irand(0, 5));
      Guarded ga((mr - 1) * a_stride + kp), gw(c.panel_bytes(k)), gt(MR * NR * sizeof(int32_t));
      uint8_t* a = ga.as<uint8_t>();
      for (size_t i = 0; i < mr; i++)
        for (size_t kk = 0; kk < (i + 1 < mr ? a_stride : kp); kk++)
          a[i * a_stride + kk] = kk < k ? uint8_t(pick({0, 255, irand(0, 255)})) : 0;
      std::vector<int8_t> b(k * nvalid);
      for (auto& x : b) x = int8_t(pick({b_lo, b_hi, irand(b_lo, b_hi)}));
      c.pack(k, nvalid, b.data(), nvalid, gw.as<void>());
      int32_t* tile = gt.as<int32_t>();
      for (size_t i = 0; i < MR * NR; i++) tile[i] = 0x5A5A5A5A;
      std::snprintf(g_case, sizeof g_case, "%s acc ukernel mr=%zu nvalid=%zu k=%zu", c.name, mr, nvalid, k);
      c.acc(mr, k, a, a_stride, gw.as<void>(), tile);
      std::string err;
      for (size_t i = 0; i < MR && err.empty(); i++)
        for (size_t j = 0; j < NR && err.empty(); j++) {
          int32_t ref = 0x5A5A5A5A;
          if (i < mr) {
            ref = 0;
            for (size_t kk = 0; j < nvalid && kk < k; kk++) ref += int32_t(a[i * a_stride + kk]) * b[kk * nvalid + j];
          }
          if (tile[i * NR + j] != ref)
            err = "tile[" + std::to_string(i) + "][" + std::to_string(j) + "] = " +
                  std::to_string(tile[i * NR + j]) + ", expected " + std::to_string(ref);
        }
      record(err.empty(), std::string(g_case) + ": " + err);
    }
}

// The ISA's output stage against the scalar twin on raw tiles: every kind, with and without the
// row x column term and the f32 bias, accumulators and offsets over the whole int32 range (the
// sums wrap), scales from tiny to infinite, every tile edge; y, the column arrays and the tile in
// guarded buffers, the output packed so the last row ends at the guard page.
void test_output_stage(const U8S8GemmConfig& c) {
  const size_t MR = c.mr, NR = c.nr;
  for (U8S8OutputKind kind : {U8S8OutputKind::s32, U8S8OutputKind::f32, U8S8OutputKind::u8, U8S8OutputKind::s8})
    for (size_t mr = 1; mr <= MR; mr++)
      for (size_t nr = 1; nr <= NR; nr++) {
        const size_t m0 = size_t(irand(0, 2)), n0 = size_t(irand(0, 3)), y_stride = n0 + nr;
        const bool rows = irand(0, 1), bias = irand(0, 1);
        auto big = [] { return irand(0, 3) ? irand(-100000, 100000) : pick({INT32_MIN, INT32_MAX, irand(INT32_MIN, INT32_MAX)}); };
        std::vector<int32_t> tile(MR * NR), col_off(n0 + nr), col_mult(n0 + nr), row_sum(m0 + mr);
        std::vector<float> scale(n0 + nr), fbias(n0 + nr);
        for (auto& v : tile) v = big();
        for (auto& v : col_off) v = big();
        for (auto& v : col_mult) v = irand(-255, 255);
        for (auto& v : row_sum) v = irand(0, 255 * 4096);
        for (auto& v : scale) v = irand(0, 5) ? std::ldexp(1.0f, -irand(1, 20)) : pick({0.0f, 1e-30f, 1e30f, INFINITY, frand(1e-6f, 1e-3f)});
        for (auto& v : fbias) v = frand(-100.0f, 100.0f);
        const Guarded gt(tile), gco(col_off), gcm(col_mult), grs(row_sum), gs(scale), gb(fbias);
        U8S8Output o{kind, gco.as<int32_t>(), rows ? gcm.as<int32_t>() : nullptr, grs.as<int32_t>(), gs.as<float>(),
                     bias ? gb.as<float>() : nullptr, RequantParams{pick({0, 128, 255}), 0, 255}};
        if (irand(0, 3) == 0) o.rq.y_min = irand(0, 128), o.rq.y_max = irand(o.rq.y_min, 255);
        const size_t es = kind == U8S8OutputKind::u8 || kind == U8S8OutputKind::s8 ? 1 : 4;
        const size_t bytes = (m0 + mr) * y_stride * es;
        const Guarded y(bytes);
        std::vector<uint8_t> ref(bytes, 0x5A);
        std::memset(y.as<void>(), 0x5A, bytes);
        std::snprintf(g_case, sizeof g_case, "%s output stage kind %d mr=%zu nr=%zu m0=%zu n0=%zu", c.name, int(kind), mr, nr, m0, n0);
        c.output(o, m0, mr, n0, nr, gt.as<int32_t>(), NR, y.as<void>(), y_stride);
        u8s8_output_scalar(o, m0, mr, n0, nr, gt.as<int32_t>(), NR, ref.data(), y_stride);
        record(std::memcmp(y.as<void>(), ref.data(), bytes) == 0, std::string(g_case) + ": differs from the scalar twin");
      }
}

// ---- qgemm: every zero-point form and output stage --------------------------------------------

struct QProblem {
  size_t m, n, k;
  bool a_signed, b_signed;
  std::vector<uint8_t> a, b;  // raw bytes of A and B in their types
  QGemmZeroPoints zp;
  std::vector<int32_t> b_zp;
  U8S8OutputKind kind;
  std::vector<float> scale, bias;
  RequantParams rq;
  std::string str;
};

int32_t value(uint8_t byte, bool is_signed) { return is_signed ? int32_t(int8_t(byte)) : int32_t(byte); }

QProblem make_q(size_t m, size_t n, size_t k) {
  QProblem p;
  p.m = m, p.n = n, p.k = k;
  p.a_signed = irand(0, 1), p.b_signed = irand(0, 1);
  // Extreme codes often, so the zero-point terms and the sign flips are exercised at their ends.
  auto code = [] { return uint8_t(pick({0, 255, 127, 128, irand(0, 255), irand(0, 255)})); };
  p.a.resize(m * k), p.b.resize(k * n);
  for (auto& x : p.a) x = code();
  for (auto& x : p.b) x = code();
  auto zp_of = [&](bool is_signed) {
    const int v = pick({0, 128, 255, irand(0, 255)});
    return is_signed ? v - 128 : v;
  };
  p.zp.a_signed = p.a_signed;
  p.zp.a_zp = irand(0, 3) ? zp_of(p.a_signed) : 0;
  const int zform = irand(0, 2);  // none, per tensor, per column
  p.b_zp.resize(zform == 2 ? n : 1);
  for (auto& z : p.b_zp) z = zp_of(p.b_signed);
  p.zp.b_zp = zform ? p.b_zp.data() : nullptr;
  p.zp.b_zp_count = zform ? p.b_zp.size() : 0;
  p.kind = pick({U8S8OutputKind::s32, U8S8OutputKind::f32, U8S8OutputKind::u8, U8S8OutputKind::s8});
  const double acc_rms = std::sqrt(double(k)) * 150.0 * 150.0;
  p.scale.resize(n), p.bias.resize(irand(0, 1) ? n : 0);
  for (auto& s : p.scale)
    s = irand(0, 2) == 0 ? std::ldexp(1.0f, -irand(1, 12)) : float(frand(20.0f, 200.0f) / acc_rms);
  for (auto& b : p.bias) b = frand(-3.0f, 3.0f);
  p.rq.y_zero_point = pick({0, 128, 255});
  p.rq.y_min = irand(0, 3) ? 0 : irand(0, 128);
  p.rq.y_max = irand(0, 3) ? 255 : irand(p.rq.y_min, 255);
  static const char* kinds[] = {"s32", "f32", "u8", "s8"};
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s x %s -> %s, a_zp %d, b_zp %s", p.a_signed ? "s8" : "u8",
                p.b_signed ? "s8" : "u8", kinds[int(p.kind)], p.zp.a_zp,
                zform == 0 ? "none" : zform == 1 ? "per tensor" : "per column");
  p.str = buf;
  return p;
}

size_t out_bytes(U8S8OutputKind kind) {
  return kind == U8S8OutputKind::u8 || kind == U8S8OutputKind::s8 ? 1 : 4;
}

std::vector<uint8_t> run_q(const U8S8GemmConfig& cfg, const QProblem& p) {
  const Guarded a(p.a), b(p.b);
  QPackedB packed;
  qpack_b(cfg, p.k, p.n, b.as<void>(), p.b_signed, p.n, &packed);
  const size_t bytes = p.m * p.n * out_bytes(p.kind);
  const Guarded y(bytes);
  U8S8Output o{p.kind, nullptr, nullptr, nullptr, p.scale.data(), p.bias.empty() ? nullptr : p.bias.data(), p.rq};
  qgemm(cfg, packed, p.m, a.as<void>(), p.k, p.zp, o, y.as<void>(), p.n, RunContext{});
  return std::vector<uint8_t>(y.as<uint8_t>(), y.as<uint8_t>() + bytes);
}

// From the definitions: int64 sums of (a - za)(b - zb), then the stage of u8s8-output.h.
std::vector<uint8_t> naive_q(const QProblem& p) {
  std::vector<uint8_t> y(p.m * p.n * out_bytes(p.kind));
  for (size_t i = 0; i < p.m; i++)
    for (size_t j = 0; j < p.n; j++) {
      const int64_t zb = p.zp.b_zp ? p.zp.b_zp[p.zp.b_zp_count == 1 ? 0 : j] : 0;
      int64_t acc = 0;
      for (size_t kk = 0; kk < p.k; kk++)
        acc += (value(p.a[i * p.k + kk], p.a_signed) - p.zp.a_zp) * (value(p.b[kk * p.n + j], p.b_signed) - zb);
      const size_t e = i * p.n + j;
      switch (p.kind) {
        case U8S8OutputKind::s32: {
          const int32_t v = int32_t(acc);
          std::memcpy(&y[e * 4], &v, 4);
          break;
        }
        case U8S8OutputKind::f32: {
          volatile float v = float(int32_t(acc)) * p.scale[j];  // volatile: never an FMA
          const float out = p.bias.empty() ? float(v) : v + p.bias[j];
          std::memcpy(&y[e * 4], &out, 4);
          break;
        }
        default:
          y[e] = uint8_t(requantize_u8(int32_t(acc), p.scale[j], p.rq) ^ (p.kind == U8S8OutputKind::s8 ? 0x80 : 0));
      }
    }
  return y;
}

void test_qgemm(const KernelConfig& cfg, const KernelConfig& scalar) {
  const bool is_scalar = &cfg == &scalar;
  const U8S8GemmConfig& c = cfg.u8s8_gemm;
  KSource ks;
  for (size_t m = 1; m <= 2 * c.mr + 1; m++)
    for (size_t n = 1; n <= 2 * c.nr + 1; n += irand(1, 3)) {
      const QProblem p = make_q(m, n, ks.next());
      std::snprintf(g_case, sizeof g_case, "%s qgemm %s (%s)", c.name, shape_str(m, n, p.k).c_str(), p.str.c_str());
      const auto y = run_q(c, p);
      // Every config against the naive definition, and the SIMD ones against scalar too.
      const auto ref = naive_q(p);
      std::string err;
      const size_t w = out_bytes(p.kind);
      for (size_t e = 0; e < p.m * p.n && err.empty(); e++)
        if (std::memcmp(&y[e * w], &ref[e * w], w) != 0) {
          err = "element (" + std::to_string(e / n) + ", " + std::to_string(e % n) + ") differs from the definition";
        }
      if (err.empty() && !is_scalar && run_q(scalar.u8s8_gemm, p) != y) err = "differs from the scalar config";
      record(err.empty(), std::string(g_case) + ": " + err);
    }
}

void suite(Isa isa, const KernelConfig& cfg, const KernelConfig& scalar) {
  test_u8s8_ukernel(cfg.u8s8_gemm);
  test_u8s8_acc_ukernel(cfg.u8s8_gemm);
  test_output_stage(cfg.u8s8_gemm);
  test_u8s8_ops(cfg.u8s8_gemm, scalar);
  test_qgemm(cfg, scalar);
  // The reduce_range kernel on the inputs it is for: 7-bit weights at both ends of [-64, 63]
  // (pairs 255 * -64 * 2 and 255 * 63 * 2, the closest to vpmaddubsw's saturation), full-range A.
  if (const U8S8GemmConfig* rr = u8s8_reduce_range_config(isa)) {
    test_u8s8_ukernel(*rr, -64, 63);
    test_u8s8_acc_ukernel(*rr, -64, 63);
    test_u8s8_ops(*rr, scalar, -64, 63);
  }
}
}  // namespace
I8K_KERNEL_SUITE(u8s8_gemm, suite);
