#include "../f32-vunary/simd-avx2.h"
#include "rowwise-impl.h"

namespace i8k {
const F32RowwiseKernels f32_rowwise_8x_avx2_fma = rowwise::Kernels<simd::Avx2>::table("f32_rowwise_8x_avx2_fma");
}  // namespace i8k
