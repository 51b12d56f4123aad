#include "../f32-vunary/simd-avx512.h"
#include "rowwise-impl.h"

namespace i8k {
const F32RowwiseKernels f32_rowwise_16x_avx512f = rowwise::Kernels<simd::Avx512>::table("f32_rowwise_16x_avx512f");
}  // namespace i8k
