#include "../f32-vunary/simd-scalar.h"
#include "rowwise-impl.h"

namespace i8k {
const F32RowwiseKernels f32_rowwise_scalar = rowwise::Kernels<simd::Scalar>::table("f32_rowwise_scalar");
}  // namespace i8k
