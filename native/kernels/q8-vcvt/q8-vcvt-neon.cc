// The conversion kernels for this ISA (q8-vcvt-impl.h over q8-simd-neon.h).
#include "../q8-simd/q8-no-contract.h"
#include "../q8-simd/q8-simd-neon.h"
#include "q8-vcvt-impl.h"

namespace i8k {
const Q8VCvtKernels q8_vcvt_4x_neon = q8simd::vcvt_kernels<q8simd::Neon>("4x_neon");
}  // namespace i8k
