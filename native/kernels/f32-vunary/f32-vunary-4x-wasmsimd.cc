#include "simd-wasmsimd.h"
#include "vunary-impl.h"

namespace i8k {
const F32VUnaryKernels f32_vunary_4x_wasmsimd = vunary::Kernels<simd::WasmSimd>::table("f32_vunary_4x_wasmsimd");
}  // namespace i8k
