// FP32 depthwise convolution of one NCHW channel plane: out[oy][ox] = clamp(bias + sum over
// (ky, kx) of w[ky][kx] * in[oy*sh - pt + ky*dh][ox*sw - pl + kx*dw], min, max), with zero padding.
#pragma once
#include <cstddef>

namespace i8k {

struct DwConvShape {
  size_t h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl;
};

using F32DwConvUkernel = void (*)(const DwConvShape& s, const float* in, const float* w,
                                  float bias, float* out, float min, float max);

#define I8K_F32_DWCONV_KERNELS(X) \
  X(f32_dwconv_scalar)            \
  X(f32_dwconv_avx2)              \
  X(f32_dwconv_avx512f)           \
  X(f32_dwconv_wasmsimd)          \
  X(f32_dwconv_neon)

#define I8K_DECLARE_DW(name) \
  void name(const DwConvShape& s, const float* in, const float* w, float bias, float* out, \
            float min, float max);
I8K_F32_DWCONV_KERNELS(I8K_DECLARE_DW)
#undef I8K_DECLARE_DW

}  // namespace i8k
