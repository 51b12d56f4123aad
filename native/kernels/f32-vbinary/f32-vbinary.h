// FP32 elementwise binary microkernels in three forms for the broadcast patterns: vv (both
// operands advance), vs (b is one value), sv (a is one value); y may equal a or b.
#pragma once
#include <cstddef>

namespace i8k {

enum class BinaryKind : int {
  add, sub, mul, div, max, min,
  pow,    // std::pow per element (no vector form)
  prelu,  // a < 0 ? a b : a
  count
};

using F32VBinaryFn = void (*)(size_t n, const float* a, const float* b, float* y);

struct F32VBinaryKernels {
  const char* name;
  F32VBinaryFn vv[int(BinaryKind::count)], vs[int(BinaryKind::count)], sv[int(BinaryKind::count)];
};

extern const F32VBinaryKernels f32_vbinary_scalar;
extern const F32VBinaryKernels f32_vbinary_8x_avx2_fma;
extern const F32VBinaryKernels f32_vbinary_16x_avx512f;
extern const F32VBinaryKernels f32_vbinary_4x_wasmsimd;

}  // namespace i8k
