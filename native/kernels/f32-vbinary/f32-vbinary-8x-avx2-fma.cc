#include "../f32-vunary/simd-avx2.h"
#include "vbinary-impl.h"

namespace i8k {
const F32VBinaryKernels f32_vbinary_8x_avx2_fma = vbinary::Kernels<simd::Avx2>::table("f32_vbinary_8x_avx2_fma");
}  // namespace i8k
