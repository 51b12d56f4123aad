// The quantized pooling blocks for this ISA (q8-pool-impl.h over q8-simd-wasmsimd.h).
#include "../q8-simd/q8-no-contract.h"
#include "../q8-simd/q8-simd-wasmsimd.h"
#include "q8-pool-impl.h"

namespace i8k {
const Q8PoolKernels q8_pool_wasmsimd = q8simd::pool_kernels<q8simd::WasmSimd>("wasmsimd");
}  // namespace i8k
