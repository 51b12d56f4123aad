#include "../f32-vunary/simd-scalar.h"
#include "vbinary-impl.h"

namespace i8k {
const F32VBinaryKernels f32_vbinary_scalar = vbinary::Kernels<simd::Scalar>::table("f32_vbinary_scalar");
}  // namespace i8k
