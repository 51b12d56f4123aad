#include "qnnpack-config.h"

namespace i8k {

namespace {
#define I8K_U8U8(name, MR, NR) U8U8GemmConfig{#name, name, name##_pack, name##_panel_bytes, MR, NR}
const U8U8GemmConfig kScalar = I8K_U8U8(u8u8_gemm_4x8_scalar, 4, 8);
#if defined(__x86_64__) || defined(__i386__)
const U8U8GemmConfig kSse2 = I8K_U8U8(u8u8_gemm_4x8c2_sse2, 4, 8);
const U8U8GemmConfig kAvx2 = I8K_U8U8(u8u8_gemm_4x16c2_avx2, 4, 16);
const U8U8GemmConfig kVnni = I8K_U8U8(u8u8_gemm_8x32c4_avx512vnni, 8, 32);
#endif
#if defined(__wasm_simd128__)
const U8U8GemmConfig kWasm = I8K_U8U8(u8u8_gemm_4x8c2_wasmsimd, 4, 8);
#endif
#if defined(__aarch64__)
const U8U8GemmConfig kNeon = I8K_U8U8(u8u8_gemm_4x8_neon, 4, 8);
#endif
#undef I8K_U8U8
}  // namespace

U8U8GemmConfig qnnpack_config(Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
    case Isa::avx2:
    case Isa::avxvnni:
    case Isa::avxvnni_evex:
      return kAvx2;
    case Isa::avx512vnni:
      return kVnni;
#endif
#if defined(__wasm_simd128__)
    case Isa::wasmsimd:
      return kWasm;
#endif
#if defined(__aarch64__)
    case Isa::neon:
      return kNeon;
#endif
    default:
      return kScalar;
  }
}

std::vector<U8U8GemmConfig> qnnpack_variants(Isa isa) {
  std::vector<U8U8GemmConfig> v;
#if defined(__x86_64__) || defined(__i386__)
  if (isa != Isa::scalar) v.push_back(kSse2);
#endif
  const U8U8GemmConfig best = qnnpack_config(isa);
  if (best.ukernel != kScalar.ukernel) v.push_back(best);
  if (isa == Isa::scalar) v.push_back(kScalar);
  return v;
}

}  // namespace i8k
