// FP32 2-D pooling over NCHW planes (1-D pools come in as H = 1). Windows are clipped to the image;
// `lo/hi` bound each window start so that ceil_mode windows past the end are handled the same way.
#pragma once
#include <cstddef>
#include "../plan/thread-pool.h"

namespace i8k {

struct Pool2DShape {
  size_t planes, h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

enum class PoolKind { max, average, average_include_pad };

void f32_pool2d(PoolKind kind, const Pool2DShape& s, const float* x, float* y, const RunContext& ctx);
// y[p] = max or mean of x[p * size .. (p + 1) * size).
void f32_global_pool(bool max, size_t planes, size_t size, const float* x, float* y,
                     const RunContext& ctx);

}  // namespace i8k
