// FP32 2-D convolution, NCHW (1-D convs come in as H = 1). Weights are prepared at construction.
//   - Cin/group == 1 (depthwise, any channel multiplier): direct per-plane kernel (f32-dwconv).
//   - otherwise, per group: out[Cout_g, OH*OW] = W[Cout_g, K] x B[K, OH*OW] + bias on the FP32
//     GEMM microkernel, K = taps * Cin_g in (tap, channel) order. The weights are its A operand;
//     B is never materialised as im2col when the stride is 1 ("direct"): the kernel reads B rows
//     straight from the input planes, zero-padded into the workspace when the conv pads. Output
//     pixels are computed on the padded width (the columns past OW are discarded), so each
//     tap's row is one contiguous run: row (tap, c) = plane c shifted by the tap's offset.
//     Strided convs ("packed") gather each NR-pixel column panel into the kernel's packed layout.
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
  enum class Mode { depthwise, direct, packed };
  // The input planes of one (image, group) as the GEMM reads them.
  struct Source {
    const float* base;  // virtual pixel q of tap t, channel c: base + offsets_[t] + c * plane + q
    size_t plane;
  };
  void run_depthwise(const float* x, float* y, const RunContext& ctx) const;
  void run_channel_major(const float* x, const Source& whole, float* y, const RunContext& ctx) const;
  void run_pixel_major(const Source& whole, float* y, const RunContext& ctx) const;
  Source pad_input(const float* x, float* xpad, const RunContext& ctx) const;
  // Part of one tap's panel row for strided convs: padding, or a run of the input row.
  struct PackSegment {
    uint32_t dst;  // column in the panel row
    uint32_t n;
    long src;  // offset in the input plane
    bool zero;
  };
  void pack_strided(const float* x, size_t p0, size_t nv, float* panel,
                    std::vector<PackSegment>* segs) const;
  void pack_rows(const Source& src, size_t q0, size_t nv, float* panel) const;
  // Stores a computed tile held in `tile` (rows x NR, virtual columns q0..q0+nv) into y, dropping
  // the padded-width columns.
  void scatter_tile(const float* tile, size_t rows, size_t q0, size_t nv, float* y) const;

  F32GemmConfig gemm_;
  ConvConfig conv_;
  Conv2DShape s_;
  Activation act_;
  Mode mode_;
  size_t k_;                       // GEMM depth: taps * cin_g
  size_t phases_ = 1;              // direct: planes per input channel (strides sh * sw)
  size_t wp_ = 0, hp_ = 0;         // direct: padded (phase) plane width and height
  size_t virt_;                    // columns of the GEMM: virtual (direct) or real output pixels
  bool padded_ = false;            // direct: the input is copied into a zero-padded workspace
  bool pixel_major_ = false;       // direct: tiles of pixels x output channels (see .cc)
  std::vector<ptrdiff_t> offsets_; // per tap: shift in the (padded) plane
  std::vector<float> w_;           // depthwise: [cout, kh*kw]; GEMM: packed operand tiles
  std::vector<ptrdiff_t> w_offsets_;  // per tap: where its k rows start in a weight tile
  std::vector<float> bias_panels_;    // pixel-major: bias padded to NR per weight panel
  std::vector<float> bias_;        // [cout]
};

}  // namespace i8k
