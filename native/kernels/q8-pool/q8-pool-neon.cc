// The quantized pooling blocks for this ISA (q8-pool-impl.h over q8-simd-neon.h).
#include "../q8-simd/q8-no-contract.h"
#include "../q8-simd/q8-simd-neon.h"
#include "q8-pool-impl.h"

namespace i8k {
const Q8PoolKernels q8_pool_neon = q8simd::pool_kernels<q8simd::Neon>("neon");
}  // namespace i8k
