// The quantized add / multiply kernels for this ISA (q8-vbinary-impl.h over q8-simd-wasmsimd.h).
#include "../q8-simd/q8-no-contract.h"
#include "../q8-simd/q8-simd-wasmsimd.h"
#include "q8-vbinary-impl.h"

namespace i8k {
const Q8VBinaryKernels q8_vbinary_4x_wasmsimd = q8simd::vbinary_kernels<q8simd::WasmSimd>("4x_wasmsimd");
}  // namespace i8k
