#include "qsmall-config.h"

namespace i8k {

QSmallConfig qsmall_config(Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
    case Isa::avx2:
    case Isa::avxvnni:
      // The scalar lookup beats a 16-row vpshufb blend on 32-byte registers (3 instructions per row).
      return {&q8_vcvt_8x_avx2, &q8_vbinary_8x_avx2, &q8_pool_avx2, &u8_lut_scalar};
    case Isa::avxvnni_evex:
    case Isa::avx512vnni:
      return {&q8_vcvt_16x_avx512, &q8_vbinary_16x_avx512, &q8_pool_avx512, &u8_lut_64x_avx512};
#endif
#if defined(__wasm_simd128__)
    case Isa::wasmsimd:
      return {&q8_vcvt_4x_wasmsimd, &q8_vbinary_4x_wasmsimd, &q8_pool_wasmsimd, &u8_lut_scalar};
#endif
#if defined(__aarch64__)
    case Isa::neon:
      return {&q8_vcvt_4x_neon, &q8_vbinary_4x_neon, &q8_pool_neon, &u8_lut_scalar};
#endif
    default:
      return {&q8_vcvt_scalar, &q8_vbinary_scalar, &q8_pool_scalar, &u8_lut_scalar};
  }
}

}  // namespace i8k
