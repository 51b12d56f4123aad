// The quantized add / multiply kernels for this ISA (q8-vbinary-impl.h over q8-simd-avx512.h).
#include "../q8-simd/q8-no-contract.h"
#include "../q8-simd/q8-simd-avx512.h"
#include "q8-vbinary-impl.h"

namespace i8k {
const Q8VBinaryKernels q8_vbinary_16x_avx512 = q8simd::vbinary_kernels<q8simd::Avx512>("16x_avx512");
}  // namespace i8k
