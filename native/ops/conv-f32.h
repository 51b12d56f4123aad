// FP32 2-D convolution, NCHW (1-D convs come in as H = 1). Weights are prepared at construction.
//   - Cin/group == 1 (depthwise, any channel multiplier): direct per-plane kernel (f32-dwconv).
//   - otherwise, per group: out[Cout_g, OH*OW] = [W | bias][Cout_g, K + 1] x [col; 1][K + 1, OH*OW],
//     K = Cin_g*kh*kw, on the FP32 GEMM microkernel. The weights are its A operand, read row-major
//     as given; im2col writes each NR-pixel column panel straight into the kernel's packed layout
//     (one per task, in L2) and a row of ones carries the bias, so bias needs no separate pass.
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
  void run(const float* x, float* y, const RunContext& ctx) const;

 private:
  void run_depthwise(const float* x, float* y, const RunContext& ctx) const;
  void run_gemm(const float* x, float* y, const RunContext& ctx) const;
  // Part of one tap's panel row: padding, or a run of the input row.
  struct PackSegment {
    uint32_t dst;  // column in the panel row
    long src;      // offset in the input plane
    uint32_t n;
    enum Kind : uint8_t { zero, copy, strided } kind;
  };
  void pack_panel(const float* x, size_t p0, size_t nv, float* panel,
                  std::vector<PackSegment>* segs) const;

  F32GemmConfig gemm_;
  ConvConfig conv_;
  Conv2DShape s_;
  Activation act_;
  bool depthwise_;
  size_t k1_;                  // GEMM depth: K + 1 (bias row)
  std::vector<float> w_;       // depthwise: [cout, kh*kw]; GEMM: [cout, k1]
  std::vector<float> bias_;    // depthwise only
  std::vector<float> zeros_;   // the kernel's column bias (NR zeros)
};

}  // namespace i8k
