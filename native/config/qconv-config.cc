#include "qconv-config.h"

namespace i8k {

#define I8K_QCONV_DW(name, block) \
  QConvConfig{#name, name##_9, name##_25, name##_any, block, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}

QConvConfig qconv_config(Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
    case Isa::avx2:
    case Isa::avxvnni:
    case Isa::avxvnni_evex:
      return I8K_QCONV_DW(qu8_dwconv_avx2, 16);
    case Isa::avx512vnni: {
      QConvConfig c = I8K_QCONV_DW(qu8_dwconv_avx512bw, 32);
      c.dw_s8_9 = qu8_dwconv_avx512vnni_9, c.dw_s8_25 = qu8_dwconv_avx512vnni_25, c.dw_s8_any = qu8_dwconv_avx512vnni_any;
      c.dw_s8_packed_bytes = qu8_dwconv_avx512vnni_packed_bytes, c.dw_s8_pack = qu8_dwconv_avx512vnni_pack;
      c.dw_planar = qu8_dwplanar_avx512vnni;
      return c;
    }
#endif
#if defined(__wasm_simd128__)
    case Isa::wasmsimd:
      return I8K_QCONV_DW(qu8_dwconv_wasmsimd, 8);
#endif
#if defined(__aarch64__)
    case Isa::neon:
      return I8K_QCONV_DW(qu8_dwconv_neon, 8);
#endif
    default:
      return I8K_QCONV_DW(qu8_dwconv_scalar, 8);
  }
}

#undef I8K_QCONV_DW

}  // namespace i8k
