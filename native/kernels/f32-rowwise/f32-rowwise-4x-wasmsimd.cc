#include "../f32-vunary/simd-wasmsimd.h"
#include "rowwise-impl.h"

namespace i8k {
const F32RowwiseKernels f32_rowwise_4x_wasmsimd = rowwise::Kernels<simd::WasmSimd>::table("f32_rowwise_4x_wasmsimd");
}  // namespace i8k
