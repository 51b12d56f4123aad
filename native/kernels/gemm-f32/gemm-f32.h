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

// Convolution form of the same tiles: C[mr x nr] = clamp(A x B + row_bias + col_bias, min, max),
// with both operands described by rows, so convolution inputs are read in place instead of being
// copied into im2col panels. K = taps * kc; row j of tap t of an operand starts at
// base + offsets[t] + j * stride. A row k holds the mr values of that k (MR readable floats);
// a B row holds NR readable floats (columns past nr are computed, never stored).
//   - channel-major (C = output channels x pixels): A = the weights packed MR per k
//     (offsets[t] = t * kc * MR, stride MR); B = the input: NCHW 1x1 conv: taps = 1, kc = Cin,
//     stride = H * W; stride-1 KhxKw conv over a padded input: taps = Kh * Kw, offsets[t] = the
//     tap's shift in the padded plane, kc = Cin, stride = the padded plane size.
//   - pixel-major (C = pixels x output channels): A = the input as above (consecutive pixels of a
//     row are consecutive floats), B = the weights packed NR per k.
//   - a packed panel of K rows: taps = 1, kc = K, stride = MR or NR.
struct F32Rows {
  const float* base;
  const ptrdiff_t* offsets;  // taps entries
  size_t taps, kc, stride;

  static F32Rows packed(const float* p, size_t k, size_t width) {
    static const ptrdiff_t zero = 0;
    return {p, &zero, 1, k, width};
  }
};
// row_bias (mr entries) and col_bias (NR entries) may be null.
using F32ConvGemmUkernel = void (*)(size_t mr, size_t nr, const F32Rows& a, const F32Rows& b,
                                    const float* row_bias, const float* col_bias, float* c,
                                    size_t c_stride, float min, float max);

#define I8K_F32_GEMM_KERNELS(X)                                                         \
  X(f32_gemm_4x8_scalar, f32_convgemm_4x8_scalar, 4, 8, scalar)                         \
  X(f32_gemm_6x16_avx2_fma, f32_convgemm_6x16_avx2_fma, 6, 16, avx2)                    \
  X(f32_gemm_12x32_avx512f, f32_convgemm_12x32_avx512f, 12, 32, avx512vnni)             \
  X(f32_gemm_4x16_wasmsimd, f32_convgemm_4x16_wasmsimd, 4, 16, wasmsimd)                \
  X(f32_gemm_6x8_neon, f32_convgemm_6x8_neon, 6, 8, neon)

#define I8K_DECLARE_F32(name, conv, MR, NR, isa)                                                 \
  void name(size_t mr, size_t nr, size_t k, const float* a, size_t a_stride, const float* w,  \
            const float* bias, float* c, size_t c_stride, float min, float max);              \
  void conv(size_t mr, size_t nr, const F32Rows& a, const F32Rows& b, const float* row_bias,  \
            const float* col_bias, float* c, size_t c_stride, float min, float max);
I8K_F32_GEMM_KERNELS(I8K_DECLARE_F32)
#undef I8K_DECLARE_F32

}  // namespace i8k
