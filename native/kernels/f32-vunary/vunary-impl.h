// The unary kernels over a SIMD abstraction S; each f32-vunary-*.cc instantiates them once.
#pragma once
#include <cstring>
#include "f32-vunary.h"
#include "vmath.h"

namespace i8k::vunary {

// Whole vectors, then the tail through a zero-padded buffer (every f is defined at 0).
template <class S, class F>
inline void map(size_t n, const float* x, float* y, F f) {
  constexpr size_t W = S::W;
  size_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    auto a = S::load(x + i), b = S::load(x + i + W);
    S::store(y + i, f(a));
    S::store(y + i + W, f(b));
  }
  for (; i + W <= n; i += W) S::store(y + i, f(S::load(x + i)));
  if (i < n) {
    float buf[W] = {};
    std::memcpy(buf, x + i, (n - i) * sizeof(float));
    S::store(buf, f(S::load(buf)));
    std::memcpy(y + i, buf, (n - i) * sizeof(float));
  }
}

template <class S>
struct Kernels {
  using V = typename S::V;
  static V zero() { return S::splat(0.0f); }
  static V one() { return S::splat(1.0f); }

#define I8K_UNARY(kind, expr)                                                   \
  static void kind(size_t n, const float* x, float* y, const UnaryParams& p) { \
    (void)p;                                                                    \
    map<S>(n, x, y, [&](V v) { return expr; });                                 \
  }
  I8K_UNARY(relu, S::select(S::lt(zero(), v), v, S::select(S::ne(v, v), v, zero())))
  I8K_UNARY(sigmoid, vmath::sigmoid<S>(v))
  I8K_UNARY(tanh, vmath::tanh<S>(v))
  I8K_UNARY(exp, vmath::exp<S>(v))
  I8K_UNARY(log, vmath::log<S>(v))
  I8K_UNARY(sqrt, S::sqrt(v))
  I8K_UNARY(erf, vmath::erf<S>(v))
  I8K_UNARY(neg, zero() - v)
  I8K_UNARY(abs, S::abs(v))
  I8K_UNARY(reciprocal, one() / v)
  I8K_UNARY(floor, S::floor(v))
  I8K_UNARY(ceil, S::ceil(v))
  I8K_UNARY(softplus, vmath::softplus<S>(v))
  I8K_UNARY(gelu, S::splat(0.5f) * v * (one() + vmath::erf<S>(v * S::splat(0.707106781f))))
  I8K_UNARY(gelu_tanh, S::splat(0.5f) * v *
                           (one() + vmath::tanh<S>(S::splat(0.797884561f) *
                                                   S::fma(S::splat(0.044715f) * v, v * v, v))))
  // NaN stays NaN: max/min return their second operand when either is NaN.
  I8K_UNARY(clip, S::min(S::splat(p.b), S::max(S::splat(p.a), v)))
  I8K_UNARY(leaky_relu, S::select(S::lt(v, zero()), v * S::splat(p.a), v))
  I8K_UNARY(hard_sigmoid, S::min(one(), S::max(zero(), S::fma(v, S::splat(p.a), S::splat(p.b)))))
  I8K_UNARY(hard_swish, v * S::min(one(), S::max(zero(), S::fma(v, S::splat(1.0f / 6), S::splat(0.5f)))))
  I8K_UNARY(elu, S::select(S::lt(v, zero()), S::splat(p.a) * (vmath::exp<S>(v) - one()), v))
  I8K_UNARY(selu, S::splat(p.b) * S::select(S::le(v, zero()), S::splat(p.a) * (vmath::exp<S>(v) - one()), v))
  I8K_UNARY(affine, S::fma(v, S::splat(p.a), S::splat(p.b)))
  I8K_UNARY(square, v * v)
#undef I8K_UNARY

  static constexpr F32VUnaryKernels table(const char* name) {
    return {name,
            {relu, sigmoid, tanh, exp, log, sqrt, erf, neg, abs, reciprocal, floor, ceil, softplus,
             gelu, gelu_tanh, clip, leaky_relu, hard_sigmoid, hard_swish, elu, selu, affine, square}};
  }
};

}  // namespace i8k::vunary
