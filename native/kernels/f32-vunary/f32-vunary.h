// FP32 elementwise unary microkernels: y[i] = f(x[i]) for i < n (y may equal x).
//
// One table per ISA, indexed by UnaryKind; the kernels are one template (vunary-impl.h) over the
// ISA's vector type, so every entry has a scalar twin computing the same algorithm.
#pragma once
#include <cstddef>

namespace i8k {

enum class UnaryKind : int {
  relu, sigmoid, tanh, exp, log, sqrt, erf, neg, abs, reciprocal, floor, ceil, softplus,
  gelu,        // 0.5 x (1 + erf(x / sqrt 2))
  gelu_tanh,   // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  clip,        // min(max(x, a), b)
  leaky_relu,  // x < 0 ? a x : x
  hard_sigmoid,  // max(0, min(1, a x + b))
  hard_swish,    // x max(0, min(1, x/6 + 1/2))
  elu,           // x < 0 ? a (e^x - 1) : x
  selu,          // b (x <= 0 ? a (e^x - 1) : x)
  affine,        // a x + b
  square,        // x x (Pow with a constant exponent of 2)
  count
};

struct UnaryParams {
  float a = 0, b = 0;
};

using F32VUnaryFn = void (*)(size_t n, const float* x, float* y, const UnaryParams& p);

struct F32VUnaryKernels {
  const char* name;
  F32VUnaryFn fn[int(UnaryKind::count)];
};

extern const F32VUnaryKernels f32_vunary_scalar;
extern const F32VUnaryKernels f32_vunary_8x_avx2_fma;
extern const F32VUnaryKernels f32_vunary_16x_avx512f;
extern const F32VUnaryKernels f32_vunary_4x_wasmsimd;

}  // namespace i8k
