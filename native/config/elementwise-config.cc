#include "elementwise-config.h"

namespace i8k {

ElementwiseConfig elementwise_config(Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
    case Isa::avx2:
    case Isa::avxvnni:
      return {&f32_vunary_8x_avx2_fma, &f32_vbinary_8x_avx2_fma, &f32_rowwise_8x_avx2_fma};
    case Isa::avxvnni_evex:
    case Isa::avx512vnni:
      return {&f32_vunary_16x_avx512f, &f32_vbinary_16x_avx512f, &f32_rowwise_16x_avx512f};
#endif
#if defined(__wasm_simd128__)
    case Isa::wasmsimd:
      return {&f32_vunary_4x_wasmsimd, &f32_vbinary_4x_wasmsimd, &f32_rowwise_4x_wasmsimd};
#endif
    default:
      return {&f32_vunary_scalar, &f32_vbinary_scalar, &f32_rowwise_scalar};
  }
}

}  // namespace i8k
