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

// Convolution form of the same tiles: C[mr x nr] = clamp(A x B + row_bias, min, max) where
//   - A is packed: for each k, MR consecutive floats (one per row, rows past mr zero), so the
//     kernel needs one pointer for A whatever the row count (the weights of a conv, packed once);
//   - B is described by rows, so convolution inputs are read in place instead of copied into an
//     im2col panel: K = taps * kc, and row j of tap t starts at base + offsets[t] + j * stride,
//     with NR readable floats (columns past nr are computed, never stored).
//     NCHW 1x1 conv: taps = 1, kc = Cin, stride = H * W (a row is a channel plane).
//     Stride-1 KhxKw conv over a padded input: taps = Kh * Kw, offsets[t] = the tap's shift in
//     the padded plane, kc = Cin, stride = the padded plane size.
//     A packed panel of K rows: taps = 1, kc = K, stride = NR.
struct F32ConvB {
  const float* base;
  const ptrdiff_t* offsets;  // taps entries
  size_t taps, kc, stride;

  static F32ConvB panel(const float* w, size_t k, size_t nr) {
    static const ptrdiff_t zero = 0;
    return {w, &zero, 1, k, nr};
  }
};
// row_bias has mr entries.
using F32ConvGemmUkernel = void (*)(size_t mr, size_t nr, const float* a_packed, const F32ConvB& b,
                                    const float* row_bias, float* c, size_t c_stride, float min,
                                    float max);

#define I8K_F32_GEMM_KERNELS(X)                                                         \
  X(f32_gemm_4x8_scalar, f32_convgemm_4x8_scalar, 4, 8, scalar)                         \
  X(f32_gemm_6x16_avx2_fma, f32_convgemm_6x16_avx2_fma, 6, 16, avx2)                    \
  X(f32_gemm_12x32_avx512f, f32_convgemm_12x32_avx512f, 12, 32, avx512vnni)             \
  X(f32_gemm_4x16_wasmsimd, f32_convgemm_4x16_wasmsimd, 4, 16, wasmsimd)                \
  X(f32_gemm_6x8_neon, f32_convgemm_6x8_neon, 6, 8, neon)

#define I8K_DECLARE_F32(name, conv, MR, NR, isa)                                                 \
  void name(size_t mr, size_t nr, size_t k, const float* a, size_t a_stride, const float* w,  \
            const float* bias, float* c, size_t c_stride, float min, float max);              \
  void conv(size_t mr, size_t nr, const float* a_packed, const F32ConvB& b,                   \
            const float* row_bias, float* c, size_t c_stride, float min, float max);
I8K_F32_GEMM_KERNELS(I8K_DECLARE_F32)
#undef I8K_DECLARE_F32

}  // namespace i8k
