#include "qconv-config.h"

namespace i8k {

#define I8K_QCONV_DW(name) QConvConfig{#name, name##_9, name##_25, name##_any}

QConvConfig qconv_config(Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
    case Isa::avx2:
    case Isa::avxvnni:
    case Isa::avxvnni_evex:
      return I8K_QCONV_DW(qu8_dwconv_avx2);
    case Isa::avx512vnni:
      return I8K_QCONV_DW(qu8_dwconv_avx512bw);
#endif
#if defined(__wasm_simd128__)
    case Isa::wasmsimd:
      return I8K_QCONV_DW(qu8_dwconv_wasmsimd);
#endif
#if defined(__aarch64__)
    case Isa::neon:
      return I8K_QCONV_DW(qu8_dwconv_neon);
#endif
    default:
      return I8K_QCONV_DW(qu8_dwconv_scalar);
  }
}

#undef I8K_QCONV_DW

}  // namespace i8k
