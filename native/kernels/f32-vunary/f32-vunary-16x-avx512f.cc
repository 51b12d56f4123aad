#include "simd-avx512.h"
#include "vunary-impl.h"

namespace i8k {
const F32VUnaryKernels f32_vunary_16x_avx512f = vunary::Kernels<simd::Avx512>::table("f32_vunary_16x_avx512f");
}  // namespace i8k
