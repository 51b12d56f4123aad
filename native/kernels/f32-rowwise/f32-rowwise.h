// FP32 kernels over one contiguous row of n >= 1 elements: reductions, softmax, layer norm.
#pragma once
#include <cstddef>

namespace i8k {

using F32ReduceFn = float (*)(size_t n, const float* x);
using F32RowFn = void (*)(size_t n, const float* x, float* y);
// y = (x - mean) / sqrt(var + eps) * scale (+ bias when not null), population variance.
using F32LayerNormFn = void (*)(size_t n, const float* x, float* y, const float* scale,
                                const float* bias, float eps);

struct F32RowwiseKernels {
  const char* name;
  F32ReduceFn sum, max, min;  // max/min: NaN when any element is NaN
  F32RowFn softmax, logsoftmax;
  F32LayerNormFn layernorm;
};

extern const F32RowwiseKernels f32_rowwise_scalar;
extern const F32RowwiseKernels f32_rowwise_8x_avx2_fma;
extern const F32RowwiseKernels f32_rowwise_16x_avx512f;
extern const F32RowwiseKernels f32_rowwise_4x_wasmsimd;

}  // namespace i8k
