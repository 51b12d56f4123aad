// The quantized pooling blocks for this ISA (q8-pool-impl.h over q8-simd-avx512.h).
#include "../q8-simd/q8-no-contract.h"
#include "../q8-simd/q8-simd-avx512.h"
#include "q8-pool-impl.h"

namespace i8k {
const Q8PoolKernels q8_pool_avx512 = q8simd::pool_kernels<q8simd::Avx512>("avx512");
}  // namespace i8k
