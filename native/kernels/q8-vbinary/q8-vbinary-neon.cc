// The quantized add / multiply kernels for this ISA (q8-vbinary-impl.h over q8-simd-neon.h).
#include "../q8-simd/q8-no-contract.h"
#include "../q8-simd/q8-simd-neon.h"
#include "q8-vbinary-impl.h"

namespace i8k {
const Q8VBinaryKernels q8_vbinary_4x_neon = q8simd::vbinary_kernels<q8simd::Neon>("4x_neon");
}  // namespace i8k
