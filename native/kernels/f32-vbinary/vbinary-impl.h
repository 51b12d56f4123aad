// The binary kernels over a SIMD abstraction S; each f32-vbinary-*.cc instantiates them once.
#pragma once
#include <cmath>
#include <cstring>
#include "f32-vbinary.h"

namespace i8k::vbinary {

// A and B say whether each operand advances (true) or is one value.
template <class S, bool A, bool B, class F>
inline void map(size_t n, const float* a, const float* b, float* y, F f) {
  constexpr size_t W = S::W;
  using V = typename S::V;
  const V as = A ? S::splat(0.0f) : S::splat(*a);
  const V bs = B ? S::splat(0.0f) : S::splat(*b);
  size_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    V r0 = f(A ? S::load(a + i) : as, B ? S::load(b + i) : bs);
    V r1 = f(A ? S::load(a + i + W) : as, B ? S::load(b + i + W) : bs);
    S::store(y + i, r0);
    S::store(y + i + W, r1);
  }
  for (; i + W <= n; i += W) S::store(y + i, f(A ? S::load(a + i) : as, B ? S::load(b + i) : bs));
  if (i < n) {
    // Padding lanes hold 1 so that no lane divides by zero or raises anything unusual.
    float pa[W], pb[W];
    for (size_t j = 0; j < W; j++) pa[j] = pb[j] = 1.0f;
    if (A) std::memcpy(pa, a + i, (n - i) * sizeof(float));
    if (B) std::memcpy(pb, b + i, (n - i) * sizeof(float));
    S::store(pa, f(A ? S::load(pa) : as, B ? S::load(pb) : bs));
    std::memcpy(y + i, pa, (n - i) * sizeof(float));
  }
}

template <class S>
struct Kernels {
  using V = typename S::V;
  template <bool A, bool B>
  struct Forms {
#define I8K_BINARY(kind, expr) \
  static void kind(size_t n, const float* a, const float* b, float* y) { map<S, A, B>(n, a, b, y, [](V x, V z) { return expr; }); }
    I8K_BINARY(add, x + z)
    I8K_BINARY(sub, x - z)
    I8K_BINARY(mul, x * z)
    I8K_BINARY(div, x / z)
    // NaN in either operand gives NaN, as in ONNX (numpy maximum/minimum).
    I8K_BINARY(max, S::select(S::ne(x, x), x, S::max(x, z)))
    I8K_BINARY(min, S::select(S::ne(x, x), x, S::min(x, z)))
    I8K_BINARY(prelu, S::select(S::lt(x, S::splat(0.0f)), x * z, x))
#undef I8K_BINARY
    static void pow(size_t n, const float* a, const float* b, float* y) {
      for (size_t i = 0; i < n; i++) y[i] = std::pow(a[A ? i : 0], b[B ? i : 0]);
    }
    static constexpr void fill(F32VBinaryFn* t) {
      F32VBinaryFn fns[] = {add, sub, mul, div, max, min, pow, prelu};
      for (int k = 0; k < int(BinaryKind::count); k++) t[k] = fns[k];
    }
  };
  static F32VBinaryKernels table(const char* name) {
    F32VBinaryKernels k{name, {}, {}, {}};
    Forms<true, true>::fill(k.vv);
    Forms<true, false>::fill(k.vs);
    Forms<false, true>::fill(k.sv);
    return k;
  }
};

}  // namespace i8k::vbinary
