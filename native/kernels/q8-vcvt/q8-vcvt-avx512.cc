// The conversion kernels for this ISA (q8-vcvt-impl.h over q8-simd-avx512.h).
#include "../q8-simd/q8-no-contract.h"
#include "../q8-simd/q8-simd-avx512.h"
#include "q8-vcvt-impl.h"

namespace i8k {
const Q8VCvtKernels q8_vcvt_16x_avx512 = q8simd::vcvt_kernels<q8simd::Avx512>("16x_avx512");
}  // namespace i8k
