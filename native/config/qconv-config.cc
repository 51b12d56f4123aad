#include "qconv-config.h"

namespace i8k {

#define I8K_QCONV_DW(name, block) \
  QConvConfig{#name, name##_9, name##_25, name##_any, block, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}

#define I8K_QCONV_SMALL(c, name) \
  (c.small_name = #name, c.small = name, c.small_pack = name##_pack, c.small_packed_bytes = name##_packed_bytes, c)

// NEON keeps the im2col GEMM for small windows: no direct kernel written for it yet.
QConvConfig qconv_config(Isa isa) {
  QConvConfig c{};
  switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
    case Isa::avx2:
    case Isa::avxvnni:
    case Isa::avxvnni_evex:
      c = I8K_QCONV_DW(qu8_dwconv_avx2, 16);
      return I8K_QCONV_SMALL(c, qu8_smallconv_avx2);
    case Isa::avx512vnni: {
      c = I8K_QCONV_DW(qu8_dwconv_avx512bw, 32);
      c.dw_s8_9 = qu8_dwconv_avx512vnni_9, c.dw_s8_25 = qu8_dwconv_avx512vnni_25, c.dw_s8_any = qu8_dwconv_avx512vnni_any;
      c.dw_s8_packed_bytes = qu8_dwconv_avx512vnni_packed_bytes, c.dw_s8_pack = qu8_dwconv_avx512vnni_pack;
      c.dw_planar = qu8_dwplanar_avx512vnni;
      return I8K_QCONV_SMALL(c, qu8_smallconv_avx512vnni);
    }
#endif
#if defined(__wasm_simd128__)
    case Isa::wasmsimd:
      c = I8K_QCONV_DW(qu8_dwconv_wasmsimd, 8);
      return I8K_QCONV_SMALL(c, qu8_smallconv_wasmsimd);
#endif
#if defined(__aarch64__)
    case Isa::neon:
      return I8K_QCONV_DW(qu8_dwconv_neon, 8);
#endif
    default:
      c = I8K_QCONV_DW(qu8_dwconv_scalar, 8);
      return I8K_QCONV_SMALL(c, qu8_smallconv_scalar);
  }
}

#undef I8K_QCONV_DW
#undef I8K_QCONV_SMALL

}  // namespace i8k
