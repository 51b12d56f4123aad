#include "kernel-config.h"
#include <cstdlib>

namespace i8k {

namespace {
#define I8K_F32(name, conv, MR, NR, isa) \
  constexpr F32GemmConfig name##_cfg{#name, name, conv, MR, NR};
// The output stage of each ISA's kernels (the AVX-VNNI kernels use the AVX2 one: same registers).
#define I8K_U8S8_OUTPUT_scalar u8s8_output_scalar
#define I8K_U8S8_OUTPUT_avx2 u8s8_output_avx2
#define I8K_U8S8_OUTPUT_avxvnni u8s8_output_avx2
#define I8K_U8S8_OUTPUT_avxvnni_evex u8s8_output_avx2
#define I8K_U8S8_OUTPUT_avx512vnni u8s8_output_avx512
#define I8K_U8S8_OUTPUT_wasmsimd u8s8_output_wasmsimd
#define I8K_U8S8_OUTPUT_neon u8s8_output_neon
#define I8K_U8S8(name, MR, NR, KR, isa)                                              \
  constexpr U8S8GemmConfig name##_cfg{#name, name, name##_pack, name##_panel_bytes, \
                                      MR,    NR,   KR,          name##_acc,         \
                                      I8K_U8S8_OUTPUT_##isa};                        \
  static_assert(MR * NR <= kMaxU8S8Tile, "qgemm's accumulator tile is too small for " #name);

I8K_F32(f32_gemm_4x8_scalar, f32_convgemm_4x8_scalar, 4, 8, scalar)
I8K_U8S8(u8s8_gemm_4x8_scalar, 4, 8, 1, scalar)
#if defined(__x86_64__) || defined(__i386__)
I8K_F32(f32_gemm_6x16_avx2_fma, f32_convgemm_6x16_avx2_fma, 6, 16, avx2)
I8K_F32(f32_gemm_12x32_avx512f, f32_convgemm_12x32_avx512f, 12, 32, avx512vnni)
I8K_U8S8(u8s8_gemm_4x16c2_avx2, 4, 16, 2, avx2)
I8K_U8S8(u8s8_gemm_6x16c4_avxvnni, 6, 16, 4, avxvnni)
I8K_U8S8(u8s8_gemm_6x16c4_avxvnni_evex, 6, 16, 4, avxvnni_evex)
I8K_U8S8(u8s8_gemm_8x32c4_avx512vnni, 8, 32, 4, avx512vnni)
I8K_U8S8(u8s8_gemm_6x16c4_avx2_rr, 6, 16, 4, avx2)
constexpr U8S8GemmConfig with_fused(U8S8GemmConfig c, U8S8GemmFusedUkernel fused) {
  c.fused = fused;
  return c;
}
constexpr U8S8GemmConfig u8s8_gemm_8x32c4_avx512vnni_fused_cfg =
    with_fused(u8s8_gemm_8x32c4_avx512vnni_cfg, u8s8_gemm_8x32c4_avx512vnni_fused);
constexpr U8S8GemmConfig u8s8_gemm_6x16c4_avxvnni_fused_cfg =
    with_fused(u8s8_gemm_6x16c4_avxvnni_cfg, u8s8_gemm_6x16c4_avxvnni_fused);
constexpr U8S8GemmConfig u8s8_gemm_6x16c4_avxvnni_evex_fused_cfg =
    with_fused(u8s8_gemm_6x16c4_avxvnni_evex_cfg, u8s8_gemm_6x16c4_avxvnni_evex_fused);
constexpr U8S8GemmConfig u8s8_gemm_4x16c2_avx2_fused_cfg =
    with_fused(u8s8_gemm_4x16c2_avx2_cfg, u8s8_gemm_4x16c2_avx2_fused);
constexpr U8S8GemmConfig u8s8_gemm_6x16c4_avx2_rr_fused_cfg =
    with_fused(u8s8_gemm_6x16c4_avx2_rr_cfg, u8s8_gemm_6x16c4_avx2_rr_fused);
#endif
#if defined(__wasm_simd128__)
I8K_F32(f32_gemm_4x16_wasmsimd, f32_convgemm_4x16_wasmsimd, 4, 16, wasmsimd)
I8K_U8S8(u8s8_gemm_4x8c2_wasmsimd, 4, 8, 2, wasmsimd)
#endif
#if defined(__aarch64__)
I8K_F32(f32_gemm_6x8_neon, f32_convgemm_6x8_neon, 6, 8, neon)
I8K_U8S8(u8s8_gemm_8x8_neon, 8, 8, 1, neon)
#endif
#undef I8K_F32
#undef I8K_U8S8

constexpr KernelConfig kScalar{Isa::scalar, f32_gemm_4x8_scalar_cfg, u8s8_gemm_4x8_scalar_cfg};
#if defined(__x86_64__) || defined(__i386__)
constexpr KernelConfig kAvx2{Isa::avx2, f32_gemm_6x16_avx2_fma_cfg, u8s8_gemm_4x16c2_avx2_fused_cfg};
constexpr KernelConfig kAvxVnni{Isa::avxvnni, f32_gemm_6x16_avx2_fma_cfg,
                                u8s8_gemm_6x16c4_avxvnni_fused_cfg};
constexpr KernelConfig kAvxVnniEvex{Isa::avxvnni_evex, f32_gemm_6x16_avx2_fma_cfg,
                                    u8s8_gemm_6x16c4_avxvnni_evex_fused_cfg};
constexpr KernelConfig kAvx512Vnni{Isa::avx512vnni, f32_gemm_12x32_avx512f_cfg,
                                   u8s8_gemm_8x32c4_avx512vnni_fused_cfg};
#endif
#if defined(__wasm_simd128__)
constexpr KernelConfig kWasmSimd{Isa::wasmsimd, f32_gemm_4x16_wasmsimd_cfg,
                                 u8s8_gemm_4x8c2_wasmsimd_cfg};
#endif
#if defined(__aarch64__)
constexpr KernelConfig kNeon{Isa::neon, f32_gemm_6x8_neon_cfg, u8s8_gemm_8x8_neon_cfg};
#endif

const KernelConfig* table(Isa isa) {
  switch (isa) {
    case Isa::scalar:
      return &kScalar;
#if defined(__x86_64__) || defined(__i386__)
    case Isa::avx2:
      return &kAvx2;
    case Isa::avxvnni:
      return &kAvxVnni;
    case Isa::avxvnni_evex:
      return &kAvxVnniEvex;
    case Isa::avx512vnni:
      return &kAvx512Vnni;
#endif
#if defined(__wasm_simd128__)
    case Isa::wasmsimd:
      return &kWasmSimd;
#endif
#if defined(__aarch64__)
    case Isa::neon:
      return &kNeon;
#endif
    default:
      return nullptr;
  }
}
}  // namespace

const KernelConfig* kernel_config(Isa isa, std::string* why_not) {
  std::string reason = isa_unsupported_reason(isa);
  const KernelConfig* cfg = reason.empty() ? table(isa) : nullptr;
  if (!cfg && reason.empty()) reason = std::string(isa_name(isa)) + " is not built in this binary";
  if (why_not) *why_not = reason;
  return cfg;
}

const U8S8GemmConfig* u8s8_reduce_range_config(Isa isa) {
#if defined(__x86_64__) || defined(__i386__)
  if (isa == Isa::avx2 && kernel_config(isa, nullptr)) return &u8s8_gemm_6x16c4_avx2_rr_fused_cfg;
#endif
  (void)isa;
  return nullptr;
}

Isa default_isa(std::string* error) {
  // avxvnni_evex is a test vehicle, never picked automatically.
  static const Isa best = [] {
    for (Isa isa : {Isa::avx512vnni, Isa::avxvnni, Isa::avx2, Isa::neon, Isa::wasmsimd})
      if (kernel_config(isa, nullptr)) return isa;
    return Isa::scalar;
  }();
  const char* forced = std::getenv("INT8KIT_ISA");
  if (!forced || !*forced) return best;
  Isa isa;
  std::string why;
  if (!isa_from_name(forced, &isa)) {
    if (error) *error = "INT8KIT_ISA=" + std::string(forced) + " is not a known ISA";
    return best;
  }
  if (!kernel_config(isa, &why)) {
    if (error) *error = "INT8KIT_ISA=" + std::string(forced) + " cannot be used: " + why;
    return best;
  }
  return isa;
}

}  // namespace i8k
