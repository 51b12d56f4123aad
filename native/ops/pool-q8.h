// Quantized 2-D pooling over NCHW planes of u8 or s8 (1-D pools come in as H = 1), built from the
// q8-pool blocks: each output row reduces the valid input rows of its windows with vmax / vsum,
// then the windows along the row. Padding never takes part in a max (it is the lowest code, which
// cannot beat a real element); a window holding no element at all gives the lowest code.
// Average pooling sums codes exactly in int32 and requantizes once per window:
//   y = saturate(nearbyint(float(sum - count * x_zp) * (ratio / float(d))) + y_zp)
// with count the window's elements inside the image, d = count, or with count_include_pad the
// window's positions inside the padded image, and ratio = x_scale / y_scale (float32, by the op).
// A window with d = 0 gives y_zp.
#pragma once
#include "../kernels/q8-pool/q8-pool.h"
#include "../plan/thread-pool.h"
#include "pool-f32.h"

namespace i8k {

struct Q8AvgPoolParams {
  int32_t x_zero_point;
  float ratio, y_zero_point;
};

// Elements of scratch per padded row the pools allocate; the op refuses windows reaching further.
constexpr size_t kQ8PoolMaxRowSpan = size_t(1) << 26;
// The padded row span max pooling reads (see pool-q8.cc).
size_t q8_pool_row_span(const Pool2DShape& s);

// even: the kernels' stride-2 pick (Q8PoolKernels::even).
template <typename T>
void q8_max_pool2d(const Q8PoolSet<T>& k, Q8EvenFn even, const Pool2DShape& s, const T* x, T* y, const RunContext& ctx);
template <typename T>
void q8_avg_pool2d(const Q8PoolSet<T>& k, const Pool2DShape& s, bool include_pad, const Q8AvgPoolParams& p,
                   const T* x, T* y, const RunContext& ctx);

// channels_last (pool-q8-nhwc.cc): x is s.planes / channels images of s.h * s.w pixels of
// `channels` elements, y likewise with s.oh * s.ow pixels; same results as the NCHW functions.
// Each output pixel lists its window's pixels inside the image (padding never counts, as above)
// and reduces them with vmax / vsum across the channels: whole vectors, no gather.
template <typename T>
void q8_max_pool2d_nhwc(const Q8PoolSet<T>& k, size_t channels, const Pool2DShape& s, const T* x, T* y,
                        const RunContext& ctx);
template <typename T>
void q8_avg_pool2d_nhwc(const Q8PoolSet<T>& k, size_t channels, const Pool2DShape& s, bool include_pad,
                        const Q8AvgPoolParams& p, const T* x, T* y, const RunContext& ctx);
// Global average of `batch` images of `size` pixels of `channels` elements: y[b * channels + c]
// = q8_gavg_result of channel c's sum (bit-identical to gavg over the NCHW planes).
template <typename T>
void q8_global_avg_pool_nhwc(const Q8PoolSet<T>& k, size_t batch, size_t size, size_t channels, const Q8GavgParams& p,
                             const T* x, T* y, const RunContext& ctx);

}  // namespace i8k
