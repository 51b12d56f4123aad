// The row kernels over a SIMD abstraction S; each f32-rowwise-*.cc instantiates them once.
#pragma once
#include <cmath>
#include <cstring>
#include <limits>
#include "../f32-vunary/vmath.h"
#include "f32-rowwise.h"

namespace i8k::rowwise {

template <class S>
struct Kernels {
  using V = typename S::V;
  static constexpr size_t W = S::W;

  // Folds step over the row into two accumulators (starting at init, joined by combine); tail
  // lanes are padded with pad.
  template <class F, class C>
  static V fold(size_t n, const float* x, float init, float pad, F step, C combine) {
    V acc0 = S::splat(init), acc1 = acc0;
    size_t i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
      acc0 = step(acc0, S::load(x + i));
      acc1 = step(acc1, S::load(x + i + W));
    }
    for (; i + W <= n; i += W) acc0 = step(acc0, S::load(x + i));
    if (i < n) {
      float buf[W];
      for (size_t j = 0; j < W; j++) buf[j] = pad;
      std::memcpy(buf, x + i, (n - i) * sizeof(float));
      acc1 = step(acc1, S::load(buf));
    }
    return combine(acc0, acc1);
  }
  static V add(V a, V b) { return a + b; }
  // A NaN accumulator stays NaN; max/min return their second operand when it is NaN.
  static V vmax(V a, V b) { return S::select(S::ne(a, a), a, S::max(a, b)); }
  static V vmin(V a, V b) { return S::select(S::ne(a, a), a, S::min(a, b)); }
  static bool any_nan(V a) { return S::any(S::ne(a, a)); }

  static float sum(size_t n, const float* x) { return S::hsum(fold(n, x, 0.0f, 0.0f, add, add)); }
  static float max(size_t n, const float* x) {
    const float inf = std::numeric_limits<float>::infinity();
    V m = fold(n, x, -inf, -inf, vmax, vmax);
    return any_nan(m) ? NAN : S::hmax(m);
  }
  static float min(size_t n, const float* x) {
    const float inf = std::numeric_limits<float>::infinity();
    V m = fold(n, x, inf, inf, vmin, vmin);
    return any_nan(m) ? NAN : S::hmin(m);
  }

  // Writes f(x) over the row, tail through a padded buffer.
  template <class F>
  static void map(size_t n, const float* x, float* y, F f) {
    size_t i = 0;
    for (; i + W <= n; i += W) S::store(y + i, f(S::load(x + i)));
    if (i < n) {
      float buf[W] = {};
      std::memcpy(buf, x + i, (n - i) * sizeof(float));
      S::store(buf, f(S::load(buf)));
      std::memcpy(y + i, buf, (n - i) * sizeof(float));
    }
  }

  // y = e^(x - max), returns the sum of y (tail lanes excluded by padding with -inf).
  static float exp_sum(size_t n, const float* x, float* y, float mx) {
    const V vm = S::splat(mx);
    V acc = S::splat(0.0f);
    size_t i = 0;
    for (; i + W <= n; i += W) {
      V e = vmath::exp<S>(S::load(x + i) - vm);
      S::store(y + i, e);
      acc = acc + e;
    }
    if (i < n) {
      float buf[W];
      for (size_t j = 0; j < W; j++) buf[j] = -std::numeric_limits<float>::infinity();
      std::memcpy(buf, x + i, (n - i) * sizeof(float));
      V e = vmath::exp<S>(S::load(buf) - vm);
      S::store(buf, e);
      acc = acc + e;
      std::memcpy(y + i, buf, (n - i) * sizeof(float));
    }
    return S::hsum(acc);
  }
  static void softmax(size_t n, const float* x, float* y) {
    const float s = exp_sum(n, x, y, max(n, x));
    const V r = S::splat(1.0f / s);
    map(n, y, y, [&](V v) { return v * r; });
  }
  static void logsoftmax(size_t n, const float* x, float* y) {
    const float mx = max(n, x);
    // y is scratch for e^(x - max) here; the second pass overwrites it.
    const float s = exp_sum(n, x, y, mx);
    // (x - max) - ln s: folding max + ln s first would round away the small term when max is large.
    const V vm = S::splat(mx), l = S::splat(std::log(s));
    map(n, x, y, [&](V v) { return (v - vm) - l; });
  }
  static void layernorm(size_t n, const float* x, float* y, const float* scale, const float* bias,
                        float eps) {
    const float mean = sum(n, x) / float(n);
    const V vm = S::splat(mean);
    const float ss = S::hsum(fold(n, x, 0.0f, mean, [&](V a, V b) { V d = b - vm; return S::fma(d, d, a); }, add));
    const float var = ss / float(n);
    const float rs = 1.0f / std::sqrt(var + eps);
    const V r = S::splat(rs);
    size_t i = 0;
    for (; i + W <= n; i += W) {
      V v = (S::load(x + i) - vm) * r * S::load(scale + i);
      S::store(y + i, bias ? v + S::load(bias + i) : v);
    }
    for (; i < n; i++) {
      float v = (x[i] - mean) * rs * scale[i];
      y[i] = bias ? v + bias[i] : v;
    }
  }

  static F32RowwiseKernels table(const char* name) {
    return {name, sum, max, min, softmax, logsoftmax, layernorm};
  }
};

}  // namespace i8k::rowwise
