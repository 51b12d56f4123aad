#include "simd-scalar.h"
#include "vunary-impl.h"

namespace i8k {
const F32VUnaryKernels f32_vunary_scalar = vunary::Kernels<simd::Scalar>::table("f32_vunary_scalar");
}  // namespace i8k
