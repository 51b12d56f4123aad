// The quantized small kernels (q8-vcvt, q8-vbinary, q8-pool with its stride-2 pick, u8-lut) against their scalar twins,
// bit for bit, and the scalar twins against naive references written from the definitions in the
// kernel headers. Lengths cover 0, every tail below a vector, around 1, 2 and 4 vectors and long
// runs; zero points include 0 / 128 / 255 (u8) and -128 / 0 / 127 (s8); values include the code
// extremes, exact rounding ties, saturating and non-finite floats. Every input and output ends at
// an inaccessible page, so reading or writing one element too far faults and names the case.
#include "harness.h"

#include <cmath>
#include <memory>
#include <type_traits>
#include "../config/qsmall-config.h"

using namespace i8k;
using namespace i8k_test;

namespace {

// Lengths: all of 0..70, the 128-byte and 256-byte boundaries, and long runs.
std::vector<size_t> lengths() {
  std::vector<size_t> v;
  for (size_t n = 0; n <= 70; n++) v.push_back(n);
  for (size_t n : {127, 128, 129, 255, 256, 257, 1000, 4096}) v.push_back(n);
  return v;
}

template <typename T>
constexpr int lo_code() { return std::is_signed<T>::value ? -128 : 0; }
template <typename T>
constexpr int hi_code() { return std::is_signed<T>::value ? 127 : 255; }

template <typename T>
int zero_point() {
  return std::is_signed<T>::value ? pick<int>({-128, 0, 127, irand(-128, 127)}) : pick<int>({0, 128, 255, irand(0, 255)});
}

// Codes, a third of them at the extremes.
template <typename T>
std::vector<T> codes(size_t n) {
  std::vector<T> v(n);
  for (auto& c : v) c = T(irand(0, 2) ? irand(lo_code<T>(), hi_code<T>()) : irand(0, 1) ? lo_code<T>() : hi_code<T>());
  return v;
}

// The naive saturation: round half to even with rint, clamp by comparisons, NaN to the lowest code.
template <typename T>
int naive_store(float acc, float zp) {
  const float v = std::rint(acc) + zp;
  if (std::isnan(v) || v < float(lo_code<T>())) return lo_code<T>();
  return v > float(hi_code<T>()) ? hi_code<T>() : int(v);
}

template <typename T>
std::string first_diff(const T* got, const std::vector<T>& want) {
  for (size_t i = 0; i < want.size(); i++)
    if (std::memcmp(&got[i], &want[i], sizeof(T)) != 0)
      return "element " + std::to_string(i) + ": got " + std::to_string(double(got[i])) + ", expected " + std::to_string(double(want[i]));
  return "";
}

// A guarded copy of v (empty vectors included: no memcpy from their null data()).
template <typename T>
std::unique_ptr<Guarded> guarded(const std::vector<T>& v) {
  auto g = std::make_unique<Guarded>(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(g->template as<T>(), v.data(), v.size() * sizeof(T));
  return g;
}

// Runs fn(x, y) with x and y in guarded buffers and checks y against want.
template <typename X, typename Y, typename F>
void check_run(const std::vector<X>& x, size_t ny, const std::vector<Y>& want, F fn) {
  const std::unique_ptr<Guarded> gx = guarded(x);
  const Guarded gy(ny * sizeof(Y));
  fn(gx->as<X>(), gy.as<Y>());
  const std::string d = first_diff(gy.as<Y>(), want);
  record(d.empty(), std::string(g_case) + ": " + d);
}

// ---- q8-vcvt ------------------------------------------------------------------------------------

template <typename T>
void test_quantize(Isa isa, void (*fn)(size_t, const float*, T*, const Q8QuantizeParams&),
                   void (*ref)(size_t, const float*, T*, const Q8QuantizeParams&), bool naive) {
  for (size_t n : lengths()) {
    // Power-of-two scales make k + 0.5 steps exact ties; others round arbitrary quotients.
    const Q8QuantizeParams p{irand(0, 1) ? std::ldexp(1.0f, irand(-8, 2)) : frand(1e-3f, 2.0f), float(zero_point<T>())};
    std::vector<float> x(n);
    for (auto& v : x) {
      switch (irand(0, 7)) {
        case 0: v = (float(irand(-300, 300)) + 0.5f) * p.scale; break;  // ties (exact for 2^k scales)
        case 1: v = pick<float>({NAN, INFINITY, -INFINITY, 1e30f, -1e30f, -0.0f, 0.0f}); break;
        default: v = frand(-300.0f, 300.0f) * p.scale;
      }
    }
    std::snprintf(g_case, sizeof g_case, "%s q8-vcvt quantize %s n=%zu scale=%g zp=%g", isa_name(isa),
                  sizeof(T) && std::is_signed<T>::value ? "s8" : "u8", n, double(p.scale), double(p.zero_point));
    std::vector<T> want(n);
    if (naive)
      for (size_t i = 0; i < n; i++) want[i] = T(naive_store<T>(x[i] / p.scale, p.zero_point));
    else
      ref(n, x.data(), want.data(), p);
    check_run<float, T>(x, n, want, [&](const float* gx, T* gy) { fn(n, gx, gy, p); });
  }
}

template <typename T>
void test_dequantize(Isa isa, void (*fn)(size_t, const T*, float*, const Q8DequantizeParams&),
                     void (*ref)(size_t, const T*, float*, const Q8DequantizeParams&), bool naive) {
  for (size_t n : lengths()) {
    const Q8DequantizeParams p{frand(1e-4f, 3.0f), float(zero_point<T>())};
    const std::vector<T> x = codes<T>(n);
    std::snprintf(g_case, sizeof g_case, "%s q8-vcvt dequantize %s n=%zu", isa_name(isa), std::is_signed<T>::value ? "s8" : "u8", n);
    std::vector<float> want(n);
    if (naive)  // the product of two floats is exact in double; one rounding to float
      for (size_t i = 0; i < n; i++) want[i] = float(double(int(x[i]) - int(p.zero_point)) * double(p.scale));
    else
      ref(n, x.data(), want.data(), p);
    check_run<T, float>(x, n, want, [&](const T* gx, float* gy) { fn(n, gx, gy, p); });
  }
}

template <typename T>
void test_requantize(Isa isa, void (*fn)(size_t, const T*, T*, const Q8RequantizeParams&),
                     void (*ref)(size_t, const T*, T*, const Q8RequantizeParams&), bool naive) {
  for (size_t n : lengths()) {
    // Multipliers below and above 1 (the latter saturate); 0.5 makes ties.
    const Q8RequantizeParams p{pick<float>({0.5f, frand(0.01f, 1.0f), frand(1.0f, 4.0f)}), float(zero_point<T>()), float(zero_point<T>())};
    const std::vector<T> x = codes<T>(n);
    std::snprintf(g_case, sizeof g_case, "%s q8-vcvt requantize %s n=%zu m=%g", isa_name(isa), std::is_signed<T>::value ? "s8" : "u8", n, double(p.multiplier));
    std::vector<T> want(n);
    if (naive)
      for (size_t i = 0; i < n; i++)
        want[i] = T(naive_store<T>(float(double(int(x[i]) - int(p.x_zero_point)) * double(p.multiplier)), p.y_zero_point));
    else
      ref(n, x.data(), want.data(), p);
    check_run<T, T>(x, n, want, [&](const T* gx, T* gy) { fn(n, gx, gy, p); });
  }
}

// ---- q8-vbinary ---------------------------------------------------------------------------------

template <typename T>
void test_vbinary(Isa isa, const Q8VBinaryPair<T>& k, const Q8VBinaryPair<T>& s, bool naive) {
  const char* dt = std::is_signed<T>::value ? "s8" : "u8";
  for (size_t n : lengths())
    for (int op = 0; op < 4; op++) {
      const bool add = op < 2, vec = op % 2 == 0;
      const std::vector<T> a = codes<T>(n), b = codes<T>(vec ? n : 1);
      const float za = float(zero_point<T>()), zb = float(zero_point<T>()), zy = float(zero_point<T>());
      const Q8AddParams pa{za, frand(0.01f, 2.0f), zb, frand(0.01f, 2.0f), zy};
      const Q8MulParams pm{za, zb, pick<float>({frand(1e-5f, 1e-3f), frand(1e-3f, 0.05f)}), zy};
      std::snprintf(g_case, sizeof g_case, "%s q8-vbinary %s_%s %s n=%zu", isa_name(isa), add ? "add" : "mul", vec ? "vv" : "vs", dt, n);
      std::vector<T> want(n);
      if (naive) {
        for (size_t i = 0; i < n; i++) {
          const double da = double(a[i]) - za, db = double(b[vec ? i : 0]) - zb;
          // Float steps spelled out: each product is exact in double, rounded once to float.
          const float acc = add ? float(da * pa.a_multiplier) + float(db * pa.b_multiplier) : float(double(float(da * db)) * pm.multiplier);
          want[i] = T(naive_store<T>(acc, zy));
        }
      } else if (add) {
        (vec ? s.add_vv : s.add_vs)(n, a.data(), b.data(), want.data(), pa);
      } else {
        (vec ? s.mul_vv : s.mul_vs)(n, a.data(), b.data(), want.data(), pm);
      }
      const std::unique_ptr<Guarded> gbp = guarded(b);
      const Guarded& gb = *gbp;
      check_run<T, T>(a, n, want, [&](const T* ga, T* gy) {
        if (add) (vec ? k.add_vv : k.add_vs)(n, ga, gb.as<T>(), gy, pa);
        else (vec ? k.mul_vv : k.mul_vs)(n, ga, gb.as<T>(), gy, pm);
      });
    }
}

// ---- q8-pool ------------------------------------------------------------------------------------

template <typename T>
void test_pool(Isa isa, const Q8PoolSet<T>& k, const Q8PoolSet<T>& s, bool naive) {
  const char* dt = std::is_signed<T>::value ? "s8" : "u8";
  for (size_t n : lengths()) {
    const size_t rows = size_t(irand(1, 9));
    // Each row in its own guarded buffer: reading past any row faults.
    std::vector<std::vector<T>> x;
    std::vector<std::unique_ptr<Guarded>> g;
    std::vector<const T*> ptrs;
    for (size_t j = 0; j < rows; j++) {
      x.push_back(codes<T>(n));
      g.push_back(guarded(x.back()));
      ptrs.push_back(g.back()->as<T>());
    }
    std::vector<T> want_max(n);
    std::vector<int32_t> want_sum(n);
    if (naive) {
      for (size_t i = 0; i < n; i++) {
        int m = lo_code<T>(), sum = 0;
        for (size_t j = 0; j < rows; j++) m = std::max<int>(m, x[j][i]), sum += x[j][i];
        want_max[i] = T(m), want_sum[i] = sum;
      }
    } else {
      s.vmax(n, rows, ptrs.data(), want_max.data());
      s.vsum(n, rows, ptrs.data(), want_sum.data());
    }
    std::snprintf(g_case, sizeof g_case, "%s q8-pool vmax %s n=%zu k=%zu", isa_name(isa), dt, n, rows);
    const Guarded ym(n), ys(n * 4);
    k.vmax(n, rows, ptrs.data(), ym.as<T>());
    std::string d = first_diff(ym.as<T>(), want_max);
    record(d.empty(), std::string(g_case) + ": " + d);
    std::snprintf(g_case, sizeof g_case, "%s q8-pool vsum %s n=%zu k=%zu", isa_name(isa), dt, n, rows);
    k.vsum(n, rows, ptrs.data(), ys.as<int32_t>());
    d = first_diff(ys.as<int32_t>(), want_sum);
    record(d.empty(), std::string(g_case) + ": " + d);
  }
  // Global average pool: MobileNet's 7x7 planes, every size up to 70, and long planes.
  std::vector<size_t> sizes = lengths();
  sizes.erase(sizes.begin());  // planes are never empty
  for (size_t size : sizes) {
    const size_t planes = size_t(irand(1, 5));
    const std::vector<T> x = codes<T>(planes * size);
    const float ratio = pick<float>({frand(0.1f, 1.0f), frand(1.0f, 40.0f)});
    const Q8GavgParams p{zero_point<T>(), ratio / float(size), float(zero_point<T>())};
    std::snprintf(g_case, sizeof g_case, "%s q8-pool gavg %s planes=%zu size=%zu", isa_name(isa), dt, planes, size);
    std::vector<T> want(planes);
    if (naive) {
      for (size_t c = 0; c < planes; c++) {
        int64_t sum = 0;
        for (size_t i = 0; i < size; i++) sum += x[c * size + i] - p.x_zero_point;
        want[c] = T(naive_store<T>(float(double(float(sum)) * double(p.multiplier)), p.y_zero_point));
      }
    } else {
      s.gavg(planes, size, x.data(), want.data(), p);
    }
    check_run<T, T>(x, planes, want, [&](const T* gx, T* gy) { k.gavg(planes, size, gx, gy, p); });
  }
}

void test_even(Isa isa, Q8EvenFn fn, Q8EvenFn scalar, bool naive) {
  for (size_t n : lengths()) {
    const std::vector<uint8_t> x = codes<uint8_t>(2 * n);
    std::snprintf(g_case, sizeof g_case, "%s q8-pool even n=%zu", isa_name(isa), n);
    std::vector<uint8_t> want(n);
    if (naive)
      for (size_t i = 0; i < n; i++) want[i] = x[2 * i];
    else
      scalar(n, x.data(), want.data());
    check_run<uint8_t, uint8_t>(x, n, want, [&](const uint8_t* gx, uint8_t* gy) { fn(n, gx, gy); });
  }
}

// ---- u8-lut -------------------------------------------------------------------------------------

void test_lut(Isa isa, U8LutFn fn, U8LutFn scalar, bool naive) {
  for (size_t n : lengths()) {
    std::vector<uint8_t> table(256);
    for (auto& t : table) t = uint8_t(irand(0, 255));
    std::vector<uint8_t> x(n);
    for (size_t i = 0; i < n; i++) x[i] = uint8_t(irand(0, 3) ? irand(0, 255) : i % 256);
    std::snprintf(g_case, sizeof g_case, "%s u8-lut n=%zu", isa_name(isa), n);
    std::vector<uint8_t> want(n);
    if (naive)
      for (size_t i = 0; i < n; i++) want[i] = table[x[i]];
    else
      scalar(n, x.data(), table.data(), want.data());
    const std::unique_ptr<Guarded> gtp = guarded(table);
    const Guarded& gt = *gtp;
    check_run<uint8_t, uint8_t>(x, n, want, [&](const uint8_t* gx, uint8_t* gy) { fn(n, gx, gt.as<uint8_t>(), gy); });
  }
}

void suite(Isa isa, const KernelConfig&, const KernelConfig&) {
  const QSmallConfig c = qsmall_config(isa), s = qsmall_config(Isa::scalar);
  for (int rep = 0; rep < 3; rep++) {
    test_quantize<uint8_t>(isa, c.vcvt->quantize_u8, s.vcvt->quantize_u8, isa == Isa::scalar);
    test_quantize<int8_t>(isa, c.vcvt->quantize_s8, s.vcvt->quantize_s8, isa == Isa::scalar);
    test_dequantize<uint8_t>(isa, c.vcvt->dequantize_u8, s.vcvt->dequantize_u8, isa == Isa::scalar);
    test_dequantize<int8_t>(isa, c.vcvt->dequantize_s8, s.vcvt->dequantize_s8, isa == Isa::scalar);
    test_requantize<uint8_t>(isa, c.vcvt->requantize_u8, s.vcvt->requantize_u8, isa == Isa::scalar);
    test_requantize<int8_t>(isa, c.vcvt->requantize_s8, s.vcvt->requantize_s8, isa == Isa::scalar);
    test_vbinary<uint8_t>(isa, c.vbinary->u8, s.vbinary->u8, isa == Isa::scalar);
    test_vbinary<int8_t>(isa, c.vbinary->s8, s.vbinary->s8, isa == Isa::scalar);
    test_pool<uint8_t>(isa, c.pool->u8, s.pool->u8, isa == Isa::scalar);
    test_pool<int8_t>(isa, c.pool->s8, s.pool->s8, isa == Isa::scalar);
    test_even(isa, c.pool->even, s.pool->even, isa == Isa::scalar);
    test_lut(isa, c.lut->lut, s.lut->lut, isa == Isa::scalar);
  }
}

}  // namespace

I8K_KERNEL_SUITE(qsmall, suite);
