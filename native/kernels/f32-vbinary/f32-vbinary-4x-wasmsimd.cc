#include "../f32-vunary/simd-wasmsimd.h"
#include "vbinary-impl.h"

namespace i8k {
const F32VBinaryKernels f32_vbinary_4x_wasmsimd = vbinary::Kernels<simd::WasmSimd>::table("f32_vbinary_4x_wasmsimd");
}  // namespace i8k
