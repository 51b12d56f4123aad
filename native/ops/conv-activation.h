// The fused activations of int8kit's Conv extension attributes (`activation`, `activation_params`).
// Relu and Clip become the GEMM's min/max clamp; the others run over each output tile while it is
// still in cache.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>

namespace i8k {

struct Activation {
  enum Kind { none, leaky_relu, hard_sigmoid, hard_swish, sigmoid } kind = none;
  float alpha = 0, beta = 0;
  float min = -INFINITY, max = INFINITY;  // applied by the kernels

  void apply(float* x, size_t n) const {
    switch (kind) {
      case none:
        return;
      case leaky_relu:
        for (size_t i = 0; i < n; i++) x[i] = x[i] < 0 ? x[i] * alpha : x[i];
        return;
      case hard_sigmoid:
        for (size_t i = 0; i < n; i++) x[i] = std::min(1.0f, std::max(0.0f, alpha * x[i] + beta));
        return;
      case hard_swish:
        for (size_t i = 0; i < n; i++)
          x[i] = x[i] * std::min(1.0f, std::max(0.0f, x[i] * (1.0f / 6) + 0.5f));
        return;
      case sigmoid:
        for (size_t i = 0; i < n; i++) x[i] = 1.0f / (1.0f + std::exp(-x[i]));
        return;
    }
  }
};

}  // namespace i8k
