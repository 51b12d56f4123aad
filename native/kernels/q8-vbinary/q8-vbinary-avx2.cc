// The quantized add / multiply kernels for this ISA (q8-vbinary-impl.h over q8-simd-avx2.h).
#include "../q8-simd/q8-no-contract.h"
#include "../q8-simd/q8-simd-avx2.h"
#include "q8-vbinary-impl.h"

namespace i8k {
const Q8VBinaryKernels q8_vbinary_8x_avx2 = q8simd::vbinary_kernels<q8simd::Avx2>("8x_avx2");
}  // namespace i8k
