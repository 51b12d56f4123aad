// FP32 2-D convolution, NCHW (1-D convs come in as H = 1). Weights are prepared at construction.
//   - Cin/group == 1 (depthwise, any channel multiplier): direct per-plane kernel (f32-dwconv).
//   - otherwise, per group, a GEMM on the conv form of the FP32 tiles (gemm-f32.h) with
//     K = taps * Cin_g in (tap, channel) order and no im2col: the kernel reads the input rows in
//     place, zero-padded (and for strided convs split into phase planes) in the workspace when
//     needed. Output pixels are computed on the padded width, so a tap's row for a run of output
//     pixels is one contiguous run of its plane; the columns past OW are discarded.
//     Channel-major tiles (MR output channels x NR pixels) by default; pixel-major tiles (7
//     pixels x NR output channels) for small planes, which NR-pixel panels would cover poorly.
#pragma once
#include <cstdint>
#include <vector>
#include "../config/conv-config.h"
#include "../config/kernel-config.h"
#include "../plan/thread-pool.h"
#include "conv-activation.h"

namespace i8k {

struct Conv2DShape {
  size_t n, cin, h, w, cout, oh, ow, group, kh, kw, sh, sw, dh, dw, pt, pl;
};

class F32Conv {
 public:
  // w: [cout, cin/group, kh, kw]; bias: [cout] or null.
  F32Conv(const F32GemmConfig& gemm, const ConvConfig& conv, const Conv2DShape& s, const float* w,
          const float* bias, const Activation& act);
  // run() needs ctx.workspace of this many bytes.
  size_t workspace_bytes() const;
  void run(const float* x, float* y, const RunContext& ctx) const;

 private:
  // The input planes of one (image, group) as the GEMM reads them.
  struct Source {
    const float* base;  // virtual pixel q of tap t, channel c: base + offsets_[t] + c * plane + q
    size_t plane;
  };
  void run_depthwise(const float* x, float* y, const RunContext& ctx) const;
  void run_channel_major(const Source& whole, float* y, const RunContext& ctx) const;
  void run_pixel_major(const Source& whole, float* y, const RunContext& ctx) const;
  Source pad_input(const float* x, float* xpad, const RunContext& ctx) const;
  void pack_rows(const Source& src, size_t q0, size_t nv, float* panel) const;
  // Stores a computed tile held in `tile` (rows x NR, virtual columns q0..q0+nv) into y, dropping
  // the padded-width columns.
  void scatter_tile(const float* tile, size_t rows, size_t q0, size_t nv, float* y) const;

  F32GemmConfig gemm_;
  ConvConfig conv_;
  Conv2DShape s_;
  Activation act_;
  bool depthwise_ = false;
  size_t k_;                       // GEMM depth: taps * cin_g
  size_t phases_ = 1;              // planes per input channel (strides sh * sw)
  size_t wp_ = 0, hp_ = 0;         // padded (phase) plane width and height
  size_t virt_ = 0;                // output pixels on the padded width: the GEMM's columns
  bool padded_ = false;            // the input is copied into a zero-padded workspace
  bool pixel_major_ = false;       // tiles of pixels x output channels
  std::vector<ptrdiff_t> offsets_; // per tap: shift in the (padded) plane
  std::vector<float> w_;           // depthwise: [cout, kh*kw]; GEMM: packed operand tiles
  std::vector<ptrdiff_t> w_offsets_;  // per tap: where its k rows start in a weight tile
  std::vector<float> bias_panels_;    // pixel-major: bias padded to NR per weight panel
  std::vector<float> bias_;        // [cout]
};

}  // namespace i8k
