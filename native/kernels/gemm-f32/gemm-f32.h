// FP32 GEMM microkernels: C[mr x nr] = clamp(A[mr x k] * Wpanel[k x nr] + bias, min, max).
//
// Packed weight layout (shared by every ISA, only NR differs): B is cut into panels of NR columns;
// a panel stores, for each k in 0..K-1, NR consecutive floats (columns past N are zero).
#pragma once
#include <cstddef>

namespace i8k {

// mr <= MR rows and nr <= NR columns are valid; the kernel must not read A rows >= mr nor write C
// outside [mr x nr]. bias has NR readable entries (zero padded).
using F32GemmUkernel = void (*)(size_t mr, size_t nr, size_t k, const float* a, size_t a_stride,
                                const float* w, const float* bias, float* c, size_t c_stride,
                                float min, float max);

#define I8K_F32_GEMM_KERNELS(X)                                   \
  X(f32_gemm_4x8_scalar, 4, 8, scalar)                            \
  X(f32_gemm_6x16_avx2_fma, 6, 16, avx2)                          \
  X(f32_gemm_12x32_avx512f, 12, 32, avx512vnni)                   \
  X(f32_gemm_4x16_wasmsimd, 4, 16, wasmsimd)                      \
  X(f32_gemm_6x8_neon, 6, 8, neon)

#define I8K_DECLARE_F32(name, MR, NR, isa)                                                       \
  void name(size_t mr, size_t nr, size_t k, const float* a, size_t a_stride, const float* w,  \
            const float* bias, float* c, size_t c_stride, float min, float max);
I8K_F32_GEMM_KERNELS(I8K_DECLARE_F32)
#undef I8K_DECLARE_F32

}  // namespace i8k
