// INT8 convolution: the shape and quantization description shared by the conv paths, and the one
// function that turns the weights as a model gives them (s8, or u8 with zero points, per tensor
// or per output channel) into what the kernels take. A new weight kind (the u8 x u8 family, later)
// dispatches here.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include "../kernels/gemm-u8s8/gemm-u8s8.h"

namespace i8k {

// NCHW at the op boundary; 1-D convs come as H = 1.
struct QConvShape {
  size_t n, cin, h, w, cout, oh, ow, group, kh, kw, sh, sw, dh, dw, pt, pl;
  size_t cin_g() const { return cin / group; }
  size_t cout_g() const { return cout / group; }
  size_t taps() const { return kh * kw; }
  size_t k() const { return kh * kw * cin_g(); }  // one im2col row of a group
};

// Quantization in the u8 domain: an s8 input or output is shifted by +128 at the layout
// conversion, so its zero point (and clamp) arrive here shifted too.
struct QConvParams {
  float x_scale;
  int32_t x_zero_point;
  const float* w_scale;  // 1 (per tensor) or cout entries
  size_t w_scale_count;
  float y_scale;
  RequantParams out;
};

// Weights as the model holds them: OIHW (O = cout, I = cin / group), int8 or uint8, with 1 or
// cout zero points (absent: 0).
struct QConvRawWeights {
  const void* data;
  bool is_signed;
  const int32_t* zero_point;
  size_t zero_point_count;
};

struct QConvPrepared {
  std::vector<int16_t> w;         // [cout][kh][kw][cin_g]: w - w_zero_point, in [-255, 255]
  std::vector<int32_t> bias;      // [cout]: bias - x_zero_point * sum_k w[o][k]
  std::vector<float> scale;       // [cout]: x_scale * w_scale[o] / y_scale
  int16_t w_min = 0, w_max = 0;   // range of w, which decides how the GEMM path stores it
};

// Fills *out, or returns why the op cannot be exact: an accumulator (bias plus any partial sum of
// 255 * |w| products) that could leave int32.
std::string prepare_qconv_weights(const QConvShape& s, const QConvRawWeights& raw, const int32_t* bias,
                                  const QConvParams& q, QConvPrepared* out);

}  // namespace i8k
