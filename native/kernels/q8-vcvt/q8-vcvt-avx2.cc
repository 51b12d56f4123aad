// The conversion kernels for this ISA (q8-vcvt-impl.h over q8-simd-avx2.h).
#include "../q8-simd/q8-no-contract.h"
#include "../q8-simd/q8-simd-avx2.h"
#include "q8-vcvt-impl.h"

namespace i8k {
const Q8VCvtKernels q8_vcvt_8x_avx2 = q8simd::vcvt_kernels<q8simd::Avx2>("8x_avx2");
}  // namespace i8k
