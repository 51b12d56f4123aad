// ConvInteger (ONNX): u8/s8 X [N, C, H, W] x u8/s8 W [M, C/group, kh, kw] -> s32 Y, NCHW, with
// pads, strides, dilations and groups (1-D convolutions as height 1). One GEMM per image and group
// on qgemm: A = im2col rows (one output pixel each; padding holds x_zero_point, so it contributes
// 0), B = the group's weights transposed (K x M/group), and Y^T transposed back into NCHW.
// Correctness first: the im2col matrix is materialized.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>
#include "qmatmul.h"

namespace i8k {

struct ConvIntegerShape {
  size_t batch, ch, h, w, m, group, kh, kw, oh, ow, sh, sw, dh, dw, ph, pw;
};

class ConvInteger {
 public:
  ConvInteger(const U8S8GemmConfig& cfg, const ConvIntegerShape& s, bool x_signed, bool w_signed)
      : cfg_(cfg), s_(s), x_signed_(x_signed), w_signed_(w_signed) {}
  // W packed per group (once when W is constant, else per run).
  std::vector<QPackedB> pack(const void* w) const;
  // w_zp: nullptr, or 1 or M entries; zero points in their 8-bit types' values.
  void run(const std::vector<QPackedB>& packed, const void* x, int32_t x_zp, const int32_t* w_zp,
           size_t w_zp_count, int32_t* y, const RunContext& ctx) const;

 private:
  const U8S8GemmConfig& cfg_;
  ConvIntegerShape s_;
  bool x_signed_, w_signed_;
};

}  // namespace i8k
