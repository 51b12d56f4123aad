#include "conv-config.h"

namespace i8k {

ConvConfig conv_config(Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
    case Isa::avx2:
    case Isa::avxvnni:
    case Isa::avxvnni_evex:
      return {f32_dwconv_avx2};
    case Isa::avx512vnni:
      return {f32_dwconv_avx512f};
#endif
#if defined(__wasm_simd128__)
    case Isa::wasmsimd:
      return {f32_dwconv_wasmsimd};
#endif
#if defined(__aarch64__)
    case Isa::neon:
      return {f32_dwconv_neon};
#endif
    default:
      return {f32_dwconv_scalar};
  }
}

}  // namespace i8k
