#include "dynquant-config.h"

namespace i8k {

namespace {
#define I8K_DQ(name) constexpr DynQuantConfig name##_cfg{#name, name##_minmax, name##_quantize};
I8K_DQ(f32_qu8_dynamic_scalar)
#if defined(__x86_64__) || defined(__i386__)
I8K_DQ(f32_qu8_dynamic_avx2)
I8K_DQ(f32_qu8_dynamic_avx512)
#endif
#if defined(__wasm_simd128__)
I8K_DQ(f32_qu8_dynamic_wasmsimd)
#endif
#if defined(__aarch64__)
I8K_DQ(f32_qu8_dynamic_neon)
#endif
#undef I8K_DQ
}  // namespace

const DynQuantConfig& dynquant_config(Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
    case Isa::avx2:
    case Isa::avxvnni:
    case Isa::avxvnni_evex:
      return f32_qu8_dynamic_avx2_cfg;
    case Isa::avx512vnni:
      return f32_qu8_dynamic_avx512_cfg;
#endif
#if defined(__wasm_simd128__)
    case Isa::wasmsimd:
      return f32_qu8_dynamic_wasmsimd_cfg;
#endif
#if defined(__aarch64__)
    case Isa::neon:
      return f32_qu8_dynamic_neon_cfg;
#endif
    default:
      return f32_qu8_dynamic_scalar_cfg;
  }
}

}  // namespace i8k
