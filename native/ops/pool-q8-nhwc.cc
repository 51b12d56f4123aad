// channels_last quantized pools (see pool-q8.h): NHWC puts a pixel's channels side by side, so a
// window is a list of pixel pointers and one vmax / vsum call reduces it across all channels.
#include <algorithm>
#include <cstring>
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

// The 2x2 stride-2 max pool of CNNs with few channels (the MNIST demo's C = 8 and 16): per output
// pixel a window list and a vmax call across 8 bytes cost more than the maxima. Here one output
// row is a plain loop over its pixels' channels, which the compiler vectorises (C a constant).
// Taken when every window lies inside the image (no padding, no dilation).
constexpr size_t kMaxRowChannels = 64;

bool plain_2x2(const Pool2DShape& s, size_t channels) {
  return s.kh == 2 && s.kw == 2 && s.sh == 2 && s.sw == 2 && s.dh == 1 && s.dw == 1 && s.pt == 0 && s.pl == 0 &&
         2 * s.oh <= s.h && 2 * s.ow <= s.w && channels < kMaxRowChannels;
}

// By value: std::max's references kept GCC from vectorising the 16-byte case (a byte loop).
template <typename T>
inline T max_of(T a, T b) { return a > b ? a : b; }

// C > 0: a compile-time channel count; the four pixels go through fixed-size local arrays, which
// the compiler turns into whole-vector loads, maxima and one store (a loop over the row itself
// came out byte by byte). C = 0: any count, plain loop.
template <typename T, size_t C>
void max_2x2_row(const T* r0, const T* r1, size_t ow, size_t c_runtime, T* y) {
  if (C == 0) {
    for (size_t ox = 0; ox < ow; ox++, r0 += 2 * c_runtime, r1 += 2 * c_runtime, y += c_runtime)
      for (size_t c = 0; c < c_runtime; c++)
        y[c] = std::max(std::max(r0[c], r0[c_runtime + c]), std::max(r1[c], r1[c_runtime + c]));
    return;
  }
  constexpr size_t N = C ? C : 1;
  for (size_t ox = 0; ox < ow; ox++, r0 += 2 * N, r1 += 2 * N, y += N) {
    T a[N], b[N], c[N], d[N];
    std::memcpy(a, r0, N * sizeof(T));
    std::memcpy(b, r0 + N, N * sizeof(T));
    std::memcpy(c, r1, N * sizeof(T));
    std::memcpy(d, r1 + N, N * sizeof(T));
    for (size_t i = 0; i < N; i++) a[i] = max_of(max_of(a[i], b[i]), max_of(c[i], d[i]));
    std::memcpy(y, a, N * sizeof(T));
  }
}

template <typename T>
void max_pool_2x2_nhwc(size_t channels, const Pool2DShape& s, const T* x, T* y, const RunContext& ctx) {
  const size_t rows = s.planes / channels * s.oh, row_in = s.w * channels, row_out = s.ow * channels;
  ctx.parallel_for(rows, std::max<size_t>(1, kTaskElements / (4 * row_out)), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      const size_t img = r / s.oh, oy = r % s.oh;
      const T* r0 = x + (img * s.h + 2 * oy) * row_in;
      T* out = y + r * row_out;
      switch (channels) {
        case 8: max_2x2_row<T, 8>(r0, r0 + row_in, s.ow, 8, out); break;
        case 16: max_2x2_row<T, 16>(r0, r0 + row_in, s.ow, 16, out); break;
        case 32: max_2x2_row<T, 32>(r0, r0 + row_in, s.ow, 32, out); break;
        default: max_2x2_row<T, 0>(r0, r0 + row_in, s.ow, channels, out);
      }
    }
  });
}

}  // namespace

template <typename T>
void q8_max_pool2d_nhwc(const Q8PoolSet<T>& k, size_t channels, const Pool2DShape& s, const T* x, T* y,
                        const RunContext& ctx) {
  if (plain_2x2(s, channels)) return max_pool_2x2_nhwc(channels, s, x, y, ctx);
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
