// QNNPACK-like u8 x u8 family: the gemmlowp Q31 primitives against an exact 128-bit definition on
// edge cases; every microkernel runnable under the ISA (qnnpack_variants) called directly, bit-exact
// against the scalar twin with each A row in its own guarded buffer; the scalar twin against a naive
// reference; and U8U8Conv / U8U8Gemm (indirection conv, groups, padding, strides, dilations) against
// a naive direct convolution written from the definitions.
#include "harness.h"

#include <memory>
#include "../config/qnnpack-config.h"
#include "../ops/qnnpack-conv.h"
#include "../ops/qnnpack-gemm.h"

using namespace i8k;
using namespace i8k_test;

namespace {

// ---- Q31 primitives against their definition, with 128-bit integers ---------------------------

// gemmlowp's SRDHM rewritten on magnitudes: v = a * b (exact); v >= 0: floor((v + 2^30) / 2^31);
// v < 0: -floor((|v| + 2^30 - 1) / 2^31) (the nudge 1 - 2^30 then truncation toward zero).
int32_t srdhm_ref(int32_t a, int32_t b) {
  const __int128 v = __int128(a) * b;
  __int128 q;
  if (v >= 0) q = (v + (__int128(1) << 30)) >> 31;
  else q = -((-v + (__int128(1) << 30) - 1) >> 31);
  if (q > INT32_MAX) q = INT32_MAX;  // only (INT32_MIN, INT32_MIN)
  return int32_t(q);
}
// x / 2^e to nearest, ties away from zero, from the magnitude.
int32_t rdbp_ref(int32_t x, int e) {
  const __int128 m = x < 0 ? -__int128(x) : __int128(x);
  const __int128 q = (m + (e ? (__int128(1) << (e - 1)) : 0)) >> e;
  return int32_t(x < 0 ? -q : q);
}

void test_q31_primitives() {
  std::snprintf(g_case, sizeof g_case, "q31 primitives");
  std::vector<int32_t> vals = {0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, INT32_MIN + 1, INT32_MAX - 1, 1 << 30,
                               -(1 << 30), (1 << 30) + 1, -(1 << 30) - 1, 3 << 28, -(3 << 28)};
  for (int i = 0; i < 200; i++) vals.push_back(int32_t(rng()));
  // Multipliers as the ops make them, [2^30, 2^31), near both ends, and arbitrary ones.
  std::vector<int32_t> mults = {1 << 30, (1 << 30) + 1, INT32_MAX, INT32_MAX - 1, INT32_MIN, -1, 1, 0x5A5A5A5A};
  for (int i = 0; i < 50; i++) mults.push_back(int32_t((1u << 30) + (uint32_t(rng()) >> 2)));
  size_t bad = 0;
  for (int32_t a : vals)
    for (int32_t b : mults)
      if (q31_srdhm(a, b) != srdhm_ref(a, b) && bad++ < 5)
        record(false, "srdhm(" + std::to_string(a) + ", " + std::to_string(b) + ") = " +
                          std::to_string(q31_srdhm(a, b)) + ", expected " + std::to_string(srdhm_ref(a, b)));
  // Exact ties of the product: a * b = (2k + 1) * 2^30 for both signs.
  for (int32_t a : {1, -1, 3, -3, 5, -5, 12345, -12345})
    if (q31_srdhm(a, 1 << 30) != srdhm_ref(a, 1 << 30) && bad++ < 5) record(false, "srdhm tie " + std::to_string(a));
  for (int e = 0; e <= 31; e++) {
    std::vector<int32_t> xs = vals;
    if (e > 0)
      for (int32_t k : {-3, -2, -1, 0, 1, 2, 3}) {  // exact ties: (2k + 1) * 2^(e - 1)
        const int64_t t = (2 * int64_t(k) + 1) * (int64_t(1) << (e - 1));
        if (t >= INT32_MIN && t <= INT32_MAX) xs.push_back(int32_t(t));
      }
    for (int32_t x : xs)
      if (q31_rdbp(x, e) != rdbp_ref(x, e) && bad++ < 5)
        record(false, "rdbp(" + std::to_string(x) + ", " + std::to_string(e) + ") = " + std::to_string(q31_rdbp(x, e)) +
                          ", expected " + std::to_string(rdbp_ref(x, e)));
  }
  record(bad == 0, "q31 primitives: " + std::to_string(bad) + " mismatches");
  // The Q31 form of a float scale is exact, and the requantized value lies within one of the real
  // product acc * scale (two roundings of at most half a unit each).
  size_t far = 0;
  for (int i = 0; i < 20000; i++) {
    const float s = i < 64 ? std::ldexp(1.0f, -(i % 33)) * (i & 32 ? 0.75f : 1.0f) : std::ldexp(frand(0.5f, 1.0f), -irand(0, 31));
    int32_t m, sh;
    if (!u8u8_q31_from_scale(s, &m, &sh)) {
      record(s >= 1.0f || s < std::ldexp(1.0f, -32), "q31 from scale refused " + std::to_string(s));
      continue;
    }
    if (std::ldexp(double(m), -31 - sh) != double(s)) far++;
    const int32_t acc = i % 7 == 0 ? int32_t(rng()) : irand(-5000000, 5000000);
    const int32_t v = q31_rdbp(q31_srdhm(acc, m), sh);
    if (std::fabs(double(v) - double(acc) * double(s)) > 1.0) far++;
  }
  record(far == 0, "q31 scale conversion / accuracy: " + std::to_string(far) + " failures");
}

// ---- Problems ----------------------------------------------------------------------------------

U8U8Params random_params(bool q31) {
  U8U8Params p;
  p.a_zero_point = irand(0, 3) == 0 ? irand(0, 255) : pick({0, 128, 255});
  p.y_zero_point = pick({0, 128, 255, irand(0, 255)});
  p.y_min = 0, p.y_max = 255;
  if (irand(0, 3) == 0) p.y_min = irand(0, 128), p.y_max = irand(p.y_min, 255);
  p.mode = q31 ? U8U8Requant::q31 : U8U8Requant::fp32;
  return p;
}

// Kernel zero points: one for all channels (0, 128, 255 or any) or one per channel.
std::vector<int32_t> random_wzp(size_t n) {
  const int32_t one = irand(0, 3) == 0 ? irand(0, 255) : pick({0, 128, 255});
  const bool per_channel = irand(0, 2) == 0;
  std::vector<int32_t> z(n);
  for (auto& v : z) v = per_channel ? irand(0, 255) : one;
  return z;
}

// Scales that put K-term sums in range; powers of two half the time (many exact ties).
std::vector<float> random_scales(size_t n, size_t k) {
  const double rms = std::sqrt(double(k)) * 110.0 * 110.0;
  std::vector<float> s(n);
  const bool pow2 = irand(0, 1);
  const int e = std::max(1, int(std::log2(rms / 64.0)));
  for (auto& v : s) v = pow2 ? std::ldexp(1.0f, -(e + irand(-1, 1))) : float(frand(20.0f, 200.0f) / rms);
  if (irand(0, 9) == 0) s[0] = std::ldexp(1.0f, -32);  // the smallest Q31 scale, shift 31
  if (irand(0, 9) == 0) s[n - 1] = std::nextafter(1.0f, 0.0f);  // the largest, shift 0
  return s;
}

uint8_t random_byte(int mode) {
  return mode == 0 ? uint8_t(irand(0, 255)) : mode == 1 ? uint8_t(pick({0, 255})) : uint8_t(pick({0, 1, 254, 255, 127, 128}));
}

// Naive definition: int64 sum, reduced modulo 2^32 as the family defines it.
int32_t naive_acc(const std::vector<const uint8_t*>& rows, const uint8_t* w, int32_t w_zp, size_t kc, int32_t bias,
                  const U8U8Params& p) {
  int64_t s = bias;
  for (size_t t = 0; t < rows.size(); t++)
    for (size_t c = 0; c < kc; c++) s += int64_t(rows[t][c] - p.a_zero_point) * (w[t * kc + c] - w_zp);
  return int32_t(uint32_t(uint64_t(s)));
}

uint8_t requant(int32_t acc, float scale, const U8U8Params& p) {
  int32_t m = 0, sh = 0;
  if (p.mode == U8U8Requant::q31) {
    u8u8_q31_from_scale(scale, &m, &sh);
    return u8u8_requant_q31(acc, m, sh, p);
  }
  return u8u8_requant_fp32(acc, scale, p);
}

// ---- Microkernels called directly --------------------------------------------------------------

void pack_panel(const U8U8GemmConfig& k, size_t kc, size_t ks, size_t nvalid, const std::vector<uint8_t>& w,
                const std::vector<int32_t>& wzp, const std::vector<int32_t>& bias, const std::vector<float>& scale,
                const U8U8Params& p, std::vector<uint8_t>* panel) {
  panel->assign(k.panel_bytes(kc, ks), 0);
  for (size_t j = 0; j < nvalid; j++) {
    int32_t m = 0, sh = 0;
    u8u8_q31_from_scale(scale[j], &m, &sh);
    std::memcpy(panel->data() + 4 * j, &bias[j], 4);
    std::memcpy(panel->data() + 4 * k.nr + 4 * j, &scale[j], 4);
    std::memcpy(panel->data() + 8 * k.nr + 4 * j, &m, 4);
    std::memcpy(panel->data() + 12 * k.nr + 4 * j, &sh, 4);
    std::memcpy(panel->data() + 16 * k.nr + 4 * j, &wzp[j], 4);
  }
  k.pack(kc, ks, nvalid, w.data(), p.a_zero_point, panel->data());
}

void test_ukernel(const U8U8GemmConfig& k, const U8U8GemmConfig& scalar, bool naive) {
  const size_t MR = k.mr, NR = k.nr;
  std::vector<size_t> kcs = ukernel_ks(4);
  for (size_t x : {15, 16, 17, 31, 33, 64, 256, 1024, 4096}) kcs.push_back(x);
  for (size_t kc : kcs)
    for (size_t ks : {size_t(1), size_t(2), size_t(9)}) {
      if (kc * ks > 8192) continue;
      const size_t mr = size_t(irand(1, int(MR))), nr = size_t(irand(1, int(NR)));
      const bool q31 = irand(0, 1);
      const U8U8Params p = random_params(q31);
      const int bytes = irand(0, 2);
      // Every row in its own guarded buffer of exactly kc bytes; one in five taps is the zero row.
      Guarded zero_row(std::vector<uint8_t>(kc, uint8_t(p.a_zero_point)));
      std::vector<std::unique_ptr<Guarded>> bufs;
      std::vector<const uint8_t*> ind(ks * MR);
      const size_t a_offset = irand(0, 1) ? size_t(irand(1, 1 << 20)) : 0;
      for (size_t t = 0; t < ks; t++)
        for (size_t i = 0; i < MR; i++) {
          if (irand(0, 4) == 0) {
            ind[t * MR + i] = zero_row.as<uint8_t>();
            continue;
          }
          std::vector<uint8_t> row(kc);
          for (auto& v : row) v = random_byte(bytes);
          bufs.push_back(std::make_unique<Guarded>(row));
          // Stored minus a_offset: the kernel must add it back (an indirection buffer's offsets).
          ind[t * MR + i] = reinterpret_cast<const uint8_t*>(reinterpret_cast<uintptr_t>(bufs.back()->as<uint8_t>()) - a_offset);
        }
      std::vector<uint8_t> w(NR * ks * kc);
      for (auto& v : w) v = random_byte(bytes);
      const std::vector<int32_t> wzp = random_wzp(NR);
      std::vector<int32_t> bias(NR);
      const int32_t br = int32_t(std::min(1e8, std::sqrt(double(kc * ks)) * 20000.0));
      for (auto& b : bias) b = irand(0, 20) == 0 ? int32_t(rng()) : irand(-br, br);
      const std::vector<float> scale = random_scales(NR, kc * ks);
      std::snprintf(g_case, sizeof g_case, "%s mr=%zu nr=%zu kc=%zu ks=%zu %s a_zp %d w_zp %d y_zp %d off %zu", k.name,
                    mr, nr, kc, ks, q31 ? "q31" : "fp32", p.a_zero_point, wzp[0], p.y_zero_point, a_offset);
      std::vector<uint8_t> panel, spanel;
      pack_panel(k, kc, ks, nr, w, wzp, bias, scale, p, &panel);
      Guarded gpanel(panel);
      Canvas<uint8_t> y(MR, NR, 0x5A), ref(MR, NR, 0x5A);
      k.ukernel(mr, nr, kc, ks, ind.data(), a_offset, zero_row.as<uint8_t>(), gpanel.as<uint8_t>(), y.tile(), y.ld, &p);
      std::string err = y.check_outside(mr, nr);
      if (naive) {
        for (size_t i = 0; i < mr; i++) {
          std::vector<const uint8_t*> rows(ks);
          for (size_t t = 0; t < ks; t++) rows[t] = u8u8_row(ind.data() + t * MR, i, a_offset, zero_row.as<uint8_t>());
          for (size_t j = 0; j < nr; j++)
            ref.tile()[i * ref.ld + j] = requant(naive_acc(rows, w.data() + j * ks * kc, wzp[j], kc, bias[j], p), scale[j], p);
        }
      } else {
        // The scalar twin (MR 4, NR 8): row by row, panel by panel, over the same rows.
        for (size_t j0 = 0; j0 < nr; j0 += scalar.nr) {
          const size_t nv = std::min<size_t>(scalar.nr, nr - j0);
          const std::vector<uint8_t> wj(w.begin() + j0 * ks * kc, w.begin() + (j0 + nv) * ks * kc);
          const std::vector<int32_t> bj(bias.begin() + j0, bias.begin() + j0 + nv);
          const std::vector<int32_t> zj(wzp.begin() + j0, wzp.begin() + j0 + nv);
          const std::vector<float> sj(scale.begin() + j0, scale.begin() + j0 + nv);
          pack_panel(scalar, kc, ks, nv, wj, zj, bj, sj, p, &spanel);
          for (size_t i = 0; i < mr; i++) {
            std::vector<const uint8_t*> sind(ks * scalar.mr, zero_row.as<uint8_t>());
            for (size_t t = 0; t < ks; t++) sind[t * scalar.mr] = ind[t * MR + i];
            scalar.ukernel(1, nv, kc, ks, sind.data(), a_offset, zero_row.as<uint8_t>(), spanel.data(),
                           ref.tile() + i * ref.ld + j0, ref.ld, &p);
          }
        }
      }
      for (size_t i = 0; i < mr && err.empty(); i++)
        for (size_t j = 0; j < nr && err.empty(); j++)
          if (y.tile()[i * y.ld + j] != ref.tile()[i * ref.ld + j])
            err = "y[" + std::to_string(i) + "][" + std::to_string(j) + "] = " + std::to_string(y.tile()[i * y.ld + j]) +
                  ", expected " + std::to_string(ref.tile()[i * ref.ld + j]);
      record(err.empty(), std::string(g_case) + ": " + err);
    }
}

// ---- Operators against a naive direct convolution ----------------------------------------------

void test_conv(const U8U8GemmConfig& k) {
  for (int iter = 0; iter < 40; iter++) {
    U8U8ConvShape s{};
    s.batch = size_t(irand(1, 2));
    s.groups = size_t(pick({1, 1, 2, 3}));
    const size_t cpg = size_t(pick({1, 3, 8, 17, irand(1, 40)})), opg = size_t(pick({1, 5, 8, 16, 33, irand(1, 40)}));
    s.channels = cpg * s.groups, s.out_channels = opg * s.groups;
    s.kernel_h = size_t(irand(1, 3)), s.kernel_w = size_t(irand(1, 3));
    s.stride_h = size_t(irand(1, 2)), s.stride_w = size_t(irand(1, 2));
    s.dilation_h = size_t(irand(1, 2)), s.dilation_w = size_t(irand(1, 2));
    s.pad_top = size_t(irand(0, 2)), s.pad_left = size_t(irand(0, 2));
    const size_t pad_bottom = size_t(irand(0, 2)), pad_right = size_t(irand(0, 2));
    s.height = size_t(irand(1, 9)), s.width = size_t(irand(1, 9));
    const int64_t dh = int64_t((s.kernel_h - 1) * s.dilation_h + 1), dw = int64_t((s.kernel_w - 1) * s.dilation_w + 1);
    const int64_t sh = int64_t(s.height + s.pad_top + pad_bottom) - dh, sw = int64_t(s.width + s.pad_left + pad_right) - dw;
    if (sh < 0 || sw < 0) continue;
    s.out_h = size_t(sh) / s.stride_h + 1, s.out_w = size_t(sw) / s.stride_w + 1;
    const size_t ks = s.kernel_h * s.kernel_w;
    const bool q31 = irand(0, 1);
    const U8U8Params p = random_params(q31);
    std::vector<uint8_t> x(s.batch * s.channels * s.height * s.width), w(s.out_channels * cpg * ks);
    for (auto& v : x) v = random_byte(0);
    for (auto& v : w) v = random_byte(0);
    std::vector<int32_t> bias(s.out_channels);
    for (auto& b : bias) b = irand(-100000, 100000);
    const std::vector<float> scale = random_scales(s.out_channels, cpg * ks);
    const std::vector<int32_t> wzp = random_wzp(s.out_channels);
    std::snprintf(g_case, sizeof g_case, "%s U8U8Conv n%zu c%zu %zux%zu g%zu o%zu k%zux%zu s%zu,%zu d%zu,%zu p%zu,%zu %s",
                  k.name, s.batch, s.channels, s.height, s.width, s.groups, s.out_channels, s.kernel_h, s.kernel_w,
                  s.stride_h, s.stride_w, s.dilation_h, s.dilation_w, s.pad_top, s.pad_left, q31 ? "q31" : "fp32");
    U8U8Conv conv(k, s, w.data(), wzp.data(), bias.data(), scale.data(), p);
    std::vector<uint8_t> ws(conv.workspace_bytes() + 64);
    void* wsp = ws.data() + (64 - reinterpret_cast<uintptr_t>(ws.data()) % 64) % 64;
    Guarded gx(x);
    std::vector<uint8_t> y(s.batch * s.out_channels * s.out_h * s.out_w);
    RunContext ctx;
    conv.run(gx.as<uint8_t>(), y.data(), wsp, ctx);
    std::string err;
    for (size_t b = 0; b < s.batch && err.empty(); b++)
      for (size_t o = 0; o < s.out_channels && err.empty(); o++)
        for (size_t oy = 0; oy < s.out_h; oy++)
          for (size_t ox = 0; ox < s.out_w; ox++) {
            const size_t g = o / opg;
            int64_t acc = bias[o];
            for (size_t c = 0; c < cpg; c++)
              for (size_t ky = 0; ky < s.kernel_h; ky++)
                for (size_t kx = 0; kx < s.kernel_w; kx++) {
                  const int64_t iy = int64_t(oy * s.stride_h + ky * s.dilation_h) - int64_t(s.pad_top);
                  const int64_t ix = int64_t(ox * s.stride_w + kx * s.dilation_w) - int64_t(s.pad_left);
                  const bool in = iy >= 0 && ix >= 0 && iy < int64_t(s.height) && ix < int64_t(s.width);
                  const int32_t xv = in ? x[((b * s.channels + g * cpg + c) * s.height + size_t(iy)) * s.width + size_t(ix)]
                                        : p.a_zero_point;
                  acc += int64_t(xv - p.a_zero_point) * (w[((o * cpg + c) * s.kernel_h + ky) * s.kernel_w + kx] - wzp[o]);
                }
            const uint8_t want = requant(int32_t(acc), scale[o], p);
            const uint8_t got = y[((b * s.out_channels + o) * s.out_h + oy) * s.out_w + ox];
            if (got != want && err.empty())
              err = "y[" + std::to_string(b) + "][" + std::to_string(o) + "][" + std::to_string(oy) + "][" +
                    std::to_string(ox) + "] = " + std::to_string(got) + ", expected " + std::to_string(want);
          }
    record(err.empty(), std::string(g_case) + ": " + err);
  }
  // U8U8Gemm over plain rows (the QnnpackMatMul path).
  for (int iter = 0; iter < 20; iter++) {
    const size_t m = size_t(irand(1, 40)), kk = size_t(pick({1, 7, 64, 300, irand(1, 100)})), n = size_t(irand(1, 70));
    const U8U8Params p = random_params(irand(0, 1));
    std::vector<uint8_t> a(m * kk), w(n * kk);
    for (auto& v : a) v = random_byte(0);
    for (auto& v : w) v = random_byte(0);
    std::vector<int32_t> bias(n);
    for (auto& b : bias) b = irand(-100000, 100000);
    const std::vector<float> scale = random_scales(n, kk);
    const std::vector<int32_t> wzp = random_wzp(n);
    std::snprintf(g_case, sizeof g_case, "%s U8U8Gemm %s", k.name, shape_str(m, n, kk).c_str());
    U8U8Gemm gemm(k, kk, 1, n, w.data(), wzp.data(), bias.data(), scale.data(), p);
    Guarded ga(a);
    std::vector<const uint8_t*> ind(gemm.indirection_size(m));
    std::vector<uint8_t> y(m * n);
    RunContext ctx;
    gemm.run_rows(m, ga.as<uint8_t>(), kk, ind.data(), y.data(), n, ctx);
    std::string err;
    for (size_t i = 0; i < m && err.empty(); i++)
      for (size_t j = 0; j < n && err.empty(); j++) {
        std::vector<const uint8_t*> rows{a.data() + i * kk};
        const uint8_t want = requant(naive_acc(rows, w.data() + j * kk, wzp[j], kk, bias[j], p), scale[j], p);
        if (y[i * n + j] != want)
          err = "y[" + std::to_string(i) + "][" + std::to_string(j) + "] = " + std::to_string(y[i * n + j]) +
                ", expected " + std::to_string(want);
      }
    record(err.empty(), std::string(g_case) + ": " + err);
  }
}

void qnnpack_suite(Isa isa, const KernelConfig&, const KernelConfig&) {
  const U8U8GemmConfig scalar = qnnpack_config(Isa::scalar);
  if (isa == Isa::scalar) test_q31_primitives();
  // Four rounds: each draws new tile edges, zero points, modes and scales for every kc and ks.
  for (const U8U8GemmConfig& k : qnnpack_variants(isa))
    for (int round = 0; round < 4; round++) test_ukernel(k, scalar, k.ukernel == scalar.ukernel);
  test_conv(qnnpack_config(isa));
}

}  // namespace

I8K_KERNEL_SUITE(qnnpack_u8u8, qnnpack_suite);
