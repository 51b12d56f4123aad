#include "../f32-vunary/simd-avx512.h"
#include "vbinary-impl.h"

namespace i8k {
const F32VBinaryKernels f32_vbinary_16x_avx512f = vbinary::Kernels<simd::Avx512>::table("f32_vbinary_16x_avx512f");
}  // namespace i8k
