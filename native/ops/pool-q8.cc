#include "pool-q8.h"
#include <algorithm>
#include <limits>
#include <vector>

namespace i8k {

namespace {

// Input rows [iy of window row ky] that lie inside the image for output row oy.
template <typename T>
size_t valid_rows(const Pool2DShape& s, const T* plane, size_t oy, std::vector<const T*>* rows) {
  size_t n = 0;
  for (size_t ky = 0; ky < s.kh; ky++) {
    const long iy = long(oy * s.sh) - long(s.pt) + long(ky * s.dh);
    if (iy >= 0 && iy < long(s.h)) (*rows)[n++] = plane + size_t(iy) * s.w;
  }
  return n;
}

}  // namespace

// From the first window's start (x = -pl) to the last window's end; ceil_mode windows may reach
// past the declared end padding.
size_t q8_pool_row_span(const Pool2DShape& s) { return s.ow == 0 ? 0 : (s.ow - 1) * s.sw + (s.kw - 1) * s.dw + 1; }

template <typename T>
void q8_max_pool2d(const Q8PoolSet<T>& k, Q8EvenFn even, const Pool2DShape& s, const T* x, T* y, const RunContext& ctx) {
  const T lowest = std::numeric_limits<T>::min();
  const size_t span = q8_pool_row_span(s), row_len = std::max(span, s.pl + s.w);
  // Max is separable: vmax over the window's input rows gives one padded row; vmax over kw
  // shifted views of that row gives the window max at every start (stride 1), of which each
  // sw-th is an output. Whole rows keep the vectors full (a strided gather would not).
  const size_t starts = s.ow == 0 ? 0 : (s.ow - 1) * s.sw + 1;
  ctx.parallel_for(s.planes, 1, [&](size_t begin, size_t end) {
    // The padding of `row` is written once and never overwritten: only [pl, pl + w) changes.
    // m: one element more than the starts, as `even` reads 2 * ow.
    std::vector<T> row(row_len, lowest), m(s.sw > 1 ? starts + 1 : 0);
    std::vector<const T*> rows(s.kh), cols(s.kw);
    T* const t = row.data() + s.pl;
    for (size_t kx = 0; kx < s.kw; kx++) cols[kx] = row.data() + kx * s.dw;
    for (size_t p = begin; p < end; p++) {
      const T* plane = x + p * s.h * s.w;
      T* out = y + p * s.oh * s.ow;
      for (size_t oy = 0; oy < s.oh; oy++, out += s.ow) {
        const size_t nr = valid_rows(s, plane, oy, &rows);
        if (nr) k.vmax(s.w, nr, rows.data(), t);
        else std::fill(t, t + s.w, lowest);
        if (s.sw == 1) {
          k.vmax(s.ow, s.kw, cols.data(), out);
        } else {
          k.vmax(starts, s.kw, cols.data(), m.data());
          if (s.sw == 2) even(s.ow, m.data(), out);
          else for (size_t ox = 0; ox < s.ow; ox++) out[ox] = m[ox * s.sw];
        }
      }
    }
  });
}

template <typename T>
void q8_avg_pool2d(const Q8PoolSet<T>& k, const Pool2DShape& s, bool include_pad, const Q8AvgPoolParams& p,
                   const T* x, T* y, const RunContext& ctx) {
  // Positions of window ox along x: inside the image [lo, hi), inside the padded image (padded).
  std::vector<size_t> lo(s.ow), hi(s.ow), padded_x(s.ow);
  for (size_t ox = 0; ox < s.ow; ox++) {
    const long start = long(ox * s.sw) - long(s.pl);
    size_t l = s.w, h = 0, pc = 0;
    for (size_t kx = 0; kx < s.kw; kx++) {
      const long ix = start + long(kx * s.dw);
      if (ix >= -long(s.pl) && ix < long(s.w + s.pr)) pc++;
      if (ix >= 0 && ix < long(s.w)) l = std::min(l, size_t(ix)), h = size_t(ix) + 1;
    }
    lo[ox] = l, hi[ox] = std::max(l, h), padded_x[ox] = pc;
  }
  ctx.parallel_for(s.planes, 1, [&](size_t begin, size_t end) {
    std::vector<int32_t> acc(s.w);
    std::vector<const T*> rows(s.kh);
    for (size_t i = begin; i < end; i++) {
      const T* plane = x + i * s.h * s.w;
      T* out = y + i * s.oh * s.ow;
      for (size_t oy = 0; oy < s.oh; oy++, out += s.ow) {
        const size_t nr = valid_rows(s, plane, oy, &rows);
        if (nr) k.vsum(s.w, nr, rows.data(), acc.data());
        size_t padded_y = 0;
        for (size_t ky = 0; ky < s.kh; ky++) {
          const long iy = long(oy * s.sh) - long(s.pt) + long(ky * s.dh);
          padded_y += iy >= -long(s.pt) && iy < long(s.h + s.pb);
        }
        for (size_t ox = 0; ox < s.ow; ox++) {
          int32_t sum = 0;
          size_t cx = 0;
          if (nr)
            for (size_t ix = lo[ox]; ix < hi[ox]; ix += s.dw) sum += acc[ix], cx++;
          const size_t count = nr * cx, d = include_pad ? padded_y * padded_x[ox] : count;
          const float total = float(sum - int32_t(count) * p.x_zero_point);
          out[ox] = d ? q8_round_store<T>(total * (p.ratio / float(d)), p.y_zero_point) : q8_saturate<T>(p.y_zero_point);
        }
      }
    }
  });
}

template void q8_max_pool2d<uint8_t>(const Q8PoolSet<uint8_t>&, Q8EvenFn, const Pool2DShape&, const uint8_t*, uint8_t*, const RunContext&);
template void q8_max_pool2d<int8_t>(const Q8PoolSet<int8_t>&, Q8EvenFn, const Pool2DShape&, const int8_t*, int8_t*, const RunContext&);
template void q8_avg_pool2d<uint8_t>(const Q8PoolSet<uint8_t>&, const Pool2DShape&, bool, const Q8AvgPoolParams&,
                                     const uint8_t*, uint8_t*, const RunContext&);
template void q8_avg_pool2d<int8_t>(const Q8PoolSet<int8_t>&, const Pool2DShape&, bool, const Q8AvgPoolParams&,
                                    const int8_t*, int8_t*, const RunContext&);

}  // namespace i8k
