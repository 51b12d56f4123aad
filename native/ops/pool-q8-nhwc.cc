// channels_last quantized pools (see pool-q8.h): NHWC puts a pixel's channels side by side, so a
// window is a list of pixel pointers and one vmax / vsum call reduces it across all channels.
#include <algorithm>
#include <limits>
#include <vector>
#include "pool-q8.h"

namespace i8k {

namespace {

// Output pixels per task: about this many input elements read per task.
constexpr size_t kTaskElements = size_t(1) << 14;
// Pixels per vsum call of the global pool, and channels per task of it.
constexpr size_t kGavgPixels = 256;
constexpr size_t kGavgChannels = 256;

// Pointers to the pixels of output pixel (oy, ox)'s window that lie inside image `img`; returns
// how many. `rows_padded` / `cols_padded` (optional) count the window's positions inside the
// padded image, for count_include_pad.
template <typename T>
size_t window(const Pool2DShape& s, size_t channels, const T* img, size_t oy, size_t ox, const T** taps,
              size_t* padded = nullptr) {
  size_t n = 0, py = 0, px = 0;
  for (size_t ky = 0; ky < s.kh; ky++) {
    const long iy = long(oy * s.sh + ky * s.dh) - long(s.pt);
    py += iy < long(s.h + s.pb);  // iy >= -pt always holds
    if (iy < 0 || iy >= long(s.h)) continue;
    for (size_t kx = 0; kx < s.kw; kx++) {
      const long ix = long(ox * s.sw + kx * s.dw) - long(s.pl);
      if (ix >= 0 && ix < long(s.w)) taps[n++] = img + (size_t(iy) * s.w + size_t(ix)) * channels;
    }
  }
  if (padded) {
    for (size_t kx = 0; kx < s.kw; kx++) px += long(ox * s.sw + kx * s.dw) - long(s.pl) < long(s.w + s.pr);
    *padded = py * px;
  }
  return n;
}

size_t pixel_grain(size_t channels, const Pool2DShape& s) {
  return std::max<size_t>(1, kTaskElements / std::max<size_t>(1, channels * s.kh * s.kw));
}

}  // namespace

template <typename T>
void q8_max_pool2d_nhwc(const Q8PoolSet<T>& k, size_t channels, const Pool2DShape& s, const T* x, T* y,
                        const RunContext& ctx) {
  const size_t out_pixels = s.oh * s.ow, batch = s.planes / channels;
  ctx.parallel_for(batch * out_pixels, pixel_grain(channels, s), [&](size_t begin, size_t end) {
    std::vector<const T*> taps(s.kh * s.kw);
    for (size_t q = begin; q < end; q++) {
      const size_t img = q / out_pixels, oy = q % out_pixels / s.ow, ox = q % s.ow;
      T* out = y + q * channels;
      const size_t n = window(s, channels, x + img * s.h * s.w * channels, oy, ox, taps.data());
      if (n) k.vmax(channels, n, taps.data(), out);
      else std::fill(out, out + channels, std::numeric_limits<T>::min());
    }
  });
}

template <typename T>
void q8_avg_pool2d_nhwc(const Q8PoolSet<T>& k, size_t channels, const Pool2DShape& s, bool include_pad,
                        const Q8AvgPoolParams& p, const T* x, T* y, const RunContext& ctx) {
  const size_t out_pixels = s.oh * s.ow, batch = s.planes / channels;
  ctx.parallel_for(batch * out_pixels, pixel_grain(channels, s), [&](size_t begin, size_t end) {
    std::vector<const T*> taps(s.kh * s.kw);
    std::vector<int32_t> acc(channels);
    for (size_t q = begin; q < end; q++) {
      const size_t img = q / out_pixels, oy = q % out_pixels / s.ow, ox = q % s.ow;
      T* out = y + q * channels;
      size_t padded;
      const size_t n = window(s, channels, x + img * s.h * s.w * channels, oy, ox, taps.data(), &padded);
      const size_t d = include_pad ? padded : n;
      if (!d) {
        std::fill(out, out + channels, q8_saturate<T>(p.y_zero_point));
        continue;
      }
      if (n) k.vsum(channels, n, taps.data(), acc.data());
      else std::fill(acc.begin(), acc.end(), 0);
      // The NCHW op's arithmetic exactly: one float multiplier per window.
      const float m = p.ratio / float(d);
      const int32_t offset = int32_t(n) * p.x_zero_point;
      for (size_t c = 0; c < channels; c++) out[c] = q8_round_store<T>(float(acc[c] - offset) * m, p.y_zero_point);
    }
  });
}

template <typename T>
void q8_global_avg_pool_nhwc(const Q8PoolSet<T>& k, size_t batch, size_t size, size_t channels, const Q8GavgParams& p,
                             const T* x, T* y, const RunContext& ctx) {
  const size_t cblocks = (channels + kGavgChannels - 1) / kGavgChannels;
  ctx.parallel_for(batch * cblocks, 1, [&](size_t begin, size_t end) {
    std::vector<const T*> rows(std::min(size, kGavgPixels));
    std::vector<int32_t> sum(kGavgChannels), part(kGavgChannels);
    for (size_t t = begin; t < end; t++) {
      const size_t img = t / cblocks, c0 = t % cblocks * kGavgChannels, nc = std::min(kGavgChannels, channels - c0);
      const T* base = x + img * size * channels + c0;
      std::fill(sum.begin(), sum.end(), 0);
      for (size_t i = 0; i < size; i += kGavgPixels) {
        const size_t np = std::min(kGavgPixels, size - i);
        for (size_t j = 0; j < np; j++) rows[j] = base + (i + j) * channels;
        k.vsum(nc, np, rows.data(), part.data());
        for (size_t c = 0; c < nc; c++) sum[c] += part[c];  // exact: |sum| <= 255 * kQ8GavgMaxSize
      }
      for (size_t c = 0; c < nc; c++) y[img * channels + c0 + c] = q8_gavg_result<T>(sum[c], size, p);
    }
  });
}

template void q8_max_pool2d_nhwc<uint8_t>(const Q8PoolSet<uint8_t>&, size_t, const Pool2DShape&, const uint8_t*, uint8_t*, const RunContext&);
template void q8_max_pool2d_nhwc<int8_t>(const Q8PoolSet<int8_t>&, size_t, const Pool2DShape&, const int8_t*, int8_t*, const RunContext&);
template void q8_avg_pool2d_nhwc<uint8_t>(const Q8PoolSet<uint8_t>&, size_t, const Pool2DShape&, bool, const Q8AvgPoolParams&,
                                          const uint8_t*, uint8_t*, const RunContext&);
template void q8_avg_pool2d_nhwc<int8_t>(const Q8PoolSet<int8_t>&, size_t, const Pool2DShape&, bool, const Q8AvgPoolParams&,
                                         const int8_t*, int8_t*, const RunContext&);
template void q8_global_avg_pool_nhwc<uint8_t>(const Q8PoolSet<uint8_t>&, size_t, size_t, size_t, const Q8GavgParams&,
                                               const uint8_t*, uint8_t*, const RunContext&);
template void q8_global_avg_pool_nhwc<int8_t>(const Q8PoolSet<int8_t>&, size_t, size_t, size_t, const Q8GavgParams&,
                                              const int8_t*, int8_t*, const RunContext&);

}  // namespace i8k
