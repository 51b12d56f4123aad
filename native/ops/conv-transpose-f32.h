// FP32 2-D ConvTranspose, NCHW (1-D as H = 1): each input pixel scatters w * x into the output
// window it maps to (oy = iy*sh - pt + ky*dh). Correctness first: direct loops, one task per output
// channel plane so the scatter needs no synchronization and the summation order is fixed.
#pragma once
#include <vector>
#include "../plan/thread-pool.h"

namespace i8k {

struct ConvTranspose2DShape {
  size_t n, cin, h, w, cout, oh, ow, group, kh, kw, sh, sw, dh, dw, pt, pl;
};

class F32ConvTranspose {
 public:
  // w: [cin, cout/group, kh, kw]; bias: [cout] or null.
  F32ConvTranspose(const ConvTranspose2DShape& s, const float* w, const float* bias);
  void run(const float* x, float* y, const RunContext& ctx) const;

 private:
  ConvTranspose2DShape s_;
  std::vector<float> w_, bias_;
};

}  // namespace i8k
