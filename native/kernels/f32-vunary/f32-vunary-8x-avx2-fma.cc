#include "simd-avx2.h"
#include "vunary-impl.h"

namespace i8k {
const F32VUnaryKernels f32_vunary_8x_avx2_fma = vunary::Kernels<simd::Avx2>::table("f32_vunary_8x_avx2_fma");
}  // namespace i8k
