// QNNPACK-style u8 x u8 2-D convolution without im2col: an indirection buffer holds, for every
// output pixel and kernel tap, where that tap's input row (NHWC: the group's C_in / groups
// contiguous bytes) starts, or the zero-point row for taps in the padding. It is built once, at
// construction, as offsets into the NHWC image; a run rebases it onto the run's image (one pointer
// per entry, against ks x C_in x C_out multiply-adds per output row) and calls the U8U8Gemm of
// each group with the group's channel offset. NCHW at the boundary, NHWC inside (or NHWC throughout:
// run_nhwc).
#pragma once
#include <memory>
#include <vector>
#include "qnnpack-gemm.h"

namespace i8k {

struct U8U8ConvShape {
  size_t batch, channels, height, width;  // input, NCHW
  size_t groups, out_channels;
  size_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  size_t out_h, out_w;
};

class U8U8Conv {
 public:
  // w: out_channels x (channels / groups) x kernel_h x kernel_w (ONNX); w_zero_point, scale:
  // out_channels entries; bias: out_channels or null.
  U8U8Conv(const U8U8GemmConfig& cfg, const U8U8ConvShape& s, const uint8_t* w, const int32_t* w_zero_point,
           const int32_t* bias, const float* scale, const U8U8Params& p);
  size_t workspace_bytes() const;
  void run(const uint8_t* x, uint8_t* y, void* workspace, const RunContext& ctx) const;
  // channels_last: x is NHWC (N*H*W pixels of `channels` bytes), y NHWC; the indirection points
  // straight into x (the kernels read no byte past a row's channels), so the workspace is the
  // indirection buffer alone.
  size_t nhwc_workspace_bytes() const;
  void run_nhwc(const uint8_t* x, uint8_t* y, void* workspace, const RunContext& ctx) const;

 private:
  U8U8ConvShape s_;
  std::vector<std::unique_ptr<U8U8Gemm>> groups_;
  std::vector<size_t> offsets_;  // indirection buffer as offsets into the NHWC image; kZeroRow: padding
  std::vector<uint8_t> zero_;    // the zero-point row (C_in / groups bytes)
  size_t rows_;                  // batch x out_h x out_w
};

}  // namespace i8k
