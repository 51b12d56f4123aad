// Vector approximations of exp, log, tanh and erf written once over a SIMD abstraction S (see
// simd-*.h); every ISA and the scalar twin run the same algorithm.
// Measured against float64 (test/ops-elementwise.test.ts): exp, log, sigmoid, tanh, softplus,
// erf within 1e-6 relative; gelu within 1e-6 relative + 1e-6 absolute (1 + erf cancels near -1).
#pragma once
#include <cstddef>
#include <cstring>
#include <limits>

namespace i8k::vmath {

// e^x: x = n ln2 + r with |r| <= ln2/2, e^r by its degree-7 Taylor polynomial (truncation 5e-9),
// 2^n applied in two halves so results down to the subnormals and up to FLT_MAX are exact scales.
template <class S>
inline typename S::V exp(typename S::V x) {
  using V = typename S::V;
  const V inf = S::splat(std::numeric_limits<float>::infinity());
  V xc = S::min(S::max(x, S::splat(-104.0f)), S::splat(89.0f));  // NaN becomes -104, fixed below
  const V magic = S::splat(12582912.0f);                             // 1.5 * 2^23: rounds to integer
  V n = (xc * S::splat(1.44269504f) + magic) - magic;
  V r = S::fma(n, S::splat(-0.693145752f), xc);
  r = S::fma(n, S::splat(-1.42860677e-6f), r);
  V p = S::splat(1.0f / 5040);
  p = S::fma(p, r, S::splat(1.0f / 720));
  p = S::fma(p, r, S::splat(1.0f / 120));
  p = S::fma(p, r, S::splat(1.0f / 24));
  p = S::fma(p, r, S::splat(1.0f / 6));
  p = S::fma(p, r, S::splat(0.5f));
  p = S::fma(p, r, S::splat(1.0f));
  p = S::fma(p, r, S::splat(1.0f));
  auto ni = S::to_int(n);
  auto n1 = S::to_int(S::floor(n * S::splat(0.5f)));
  V y = p * S::exp2i(n1) * S::exp2i(S::isub(ni, n1));
  y = S::select(S::lt(S::splat(88.7228394f), x), inf, y);
  return S::select(S::ne(x, x), x, y);
}

// ln x: x = 2^e m with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.172.
template <class S>
inline typename S::V log(typename S::V x) {
  using V = typename S::V;
  const float inf = std::numeric_limits<float>::infinity();
  auto tiny = S::lt(x, S::splat(1.17549435e-38f));
  V xs = S::select(tiny, x * S::splat(8388608.0f), x);  // subnormals scaled by 2^23
  typename S::I e;
  V m = S::mantissa(xs, &e);
  V ef = S::to_float(e) - S::select(tiny, S::splat(23.0f), S::splat(0.0f));
  auto big = S::lt(S::splat(1.41421356f), m);
  m = S::select(big, m * S::splat(0.5f), m);
  ef = S::select(big, ef + S::splat(1.0f), ef);
  V s = (m - S::splat(1.0f)) / (m + S::splat(1.0f));
  V s2 = s * s;
  V p = S::splat(2.0f / 11);
  p = S::fma(p, s2, S::splat(2.0f / 9));
  p = S::fma(p, s2, S::splat(2.0f / 7));
  p = S::fma(p, s2, S::splat(2.0f / 5));
  p = S::fma(p, s2, S::splat(2.0f / 3));
  p = S::fma(p, s2, S::splat(2.0f));
  V y = S::fma(ef, S::splat(0.693145752f), S::fma(ef, S::splat(1.42860677e-6f), p * s));
  y = S::select(S::ne(x, S::splat(inf)), y, x);
  y = S::select(S::lt(S::splat(0.0f), x), y, S::splat(-inf));
  return S::select(S::mor(S::lt(x, S::splat(0.0f)), S::ne(x, x)), S::splat(std::numeric_limits<float>::quiet_NaN()), y);
}

// 1/(1 + e^-x) for x >= 0, e^x/(1 + e^x) below: no overflow and full accuracy into the subnormals.
template <class S>
inline typename S::V sigmoid(typename S::V x) {
  typename S::V e = exp<S>(S::splat(0.0f) - S::abs(x));
  typename S::V q = S::splat(1.0f) / (S::splat(1.0f) + e);
  return S::select(S::lt(x, S::splat(0.0f)), e * q, q);
}

// tanh: odd Taylor series up to x^15 for |x| < 0.4 (no cancellation), else 1 - 2/(e^2|x| + 1).
template <class S>
inline typename S::V tanh(typename S::V x) {
  using V = typename S::V;
  V a = S::abs(x);
  V big = S::splat(1.0f) - S::splat(2.0f) / (exp<S>(a + a) + S::splat(1.0f));
  V x2 = x * x;
  V p = S::splat(-929569.0f / 638512875.0f);
  p = S::fma(p, x2, S::splat(21844.0f / 6081075));
  p = S::fma(p, x2, S::splat(-1382.0f / 155925));
  p = S::fma(p, x2, S::splat(62.0f / 2835));
  p = S::fma(p, x2, S::splat(-17.0f / 315));
  p = S::fma(p, x2, S::splat(2.0f / 15));
  p = S::fma(p, x2, S::splat(-1.0f / 3));
  V small = S::fma(p * x2, x, x);
  V signed_big = S::select(S::lt(x, S::splat(0.0f)), S::splat(0.0f) - big, big);
  return S::select(S::lt(a, S::splat(0.4f)), small, S::select(S::ne(x, x), x, signed_big));
}

// erf: Taylor series to x^23 for |x| < 1; else 1 - t P(t) e^(-x^2), t = 1/(1 + p|x|)
// (Abramowitz & Stegun 7.1.26, absolute error 1.5e-7, relative 1.8e-7 where erf >= 0.84).
template <class S>
inline typename S::V erf(typename S::V x) {
  using V = typename S::V;
  V a = S::abs(x);
  V x2 = x * x;
  // 2/sqrt(pi) * (-1)^k / (k! (2k+1)), k = 11..0
  static constexpr float c[12] = {-2.0f / 1.7724539f / 39916800 / 23, 2.0f / 1.7724539f / 3628800 / 21,
                                  -2.0f / 1.7724539f / 362880 / 19,   2.0f / 1.7724539f / 40320 / 17,
                                  -2.0f / 1.7724539f / 5040 / 15,     2.0f / 1.7724539f / 720 / 13,
                                  -2.0f / 1.7724539f / 120 / 11,      2.0f / 1.7724539f / 24 / 9,
                                  -2.0f / 1.7724539f / 6 / 7,         2.0f / 1.7724539f / 2 / 5,
                                  -2.0f / 1.7724539f / 3,             2.0f / 1.7724539f};
  V p = S::splat(c[0]);
  for (int k = 1; k < 12; k++) p = S::fma(p, x2, S::splat(c[k]));
  V small = p * x;
  V t = S::splat(1.0f) / S::fma(a, S::splat(0.3275911f), S::splat(1.0f));
  V q = S::splat(1.061405429f);
  q = S::fma(q, t, S::splat(-1.453152027f));
  q = S::fma(q, t, S::splat(1.421413741f));
  q = S::fma(q, t, S::splat(-0.284496736f));
  q = S::fma(q, t, S::splat(0.254829592f));
  V big = S::splat(1.0f) - q * t * exp<S>(S::splat(0.0f) - x2);
  V signed_big = S::select(S::lt(x, S::splat(0.0f)), S::splat(0.0f) - big, big);
  return S::select(S::lt(a, S::splat(1.0f)), small, S::select(S::ne(x, x), x, signed_big));
}

// softplus = max(x, 0) + log1p(e^-|x|); log1p(u) = ln(w) u / (w - 1) with w = 1 + u (exact
// correction for the rounding of w).
template <class S>
inline typename S::V softplus(typename S::V x) {
  using V = typename S::V;
  V u = exp<S>(S::splat(0.0f) - S::abs(x));
  V w = S::splat(1.0f) + u;
  V l = S::select(S::ne(w, S::splat(1.0f)), log<S>(w) * (u / (w - S::splat(1.0f))), u);
  V y = S::max(x, S::splat(0.0f)) + l;
  return S::select(S::ne(x, x), x, y);
}

}  // namespace i8k::vmath
