// The depthwise plane loop, written so the compiler vectorizes it along W for the ISA of the file
// that includes it (each f32-dwconv-<isa>.cc is this code compiled with that ISA's flags).
//
// Per output row, each tap adds w * (input row, shifted) over the range of ox whose input column is
// inside the image; outside that range the tap reads padding (zero) and is skipped, so the inner
// loops carry no bounds test. Stride 1 gets its own loop: a unit-stride input is what vectorizes.
#pragma once
#include <algorithm>
#include "f32-dwconv.h"

namespace i8k {
namespace dwconv_impl {

// [lo, hi) of ox with 0 <= ox*sw + off < w.
inline void valid_range(long off, size_t sw, size_t w, size_t ow, size_t* lo, size_t* hi) {
  const long s = long(sw);
  long a = off >= 0 ? 0 : (-off + s - 1) / s;
  long b = long(w) - 1 - off < 0 ? 0 : (long(w) - 1 - off) / s + 1;
  a = std::min<long>(a, long(ow));
  b = std::max<long>(std::min<long>(b, long(ow)), a);
  *lo = size_t(a), *hi = size_t(b);
}

template <size_t SW>
inline void tap(float* __restrict o, const float* __restrict in, float wv, size_t lo, size_t hi,
                size_t sw) {
  const size_t stride = SW ? SW : sw;
  for (size_t x = lo; x < hi; x++) o[x] += wv * in[x * stride];
}

inline void plane(const DwConvShape& s, const float* in, const float* w, float bias, float* out,
                  float min, float max) {
  // Column ranges depend on kx only: computed once per plane.
  constexpr size_t kMaxKw = 64;
  size_t lo[kMaxKw], hi[kMaxKw];
  long off[kMaxKw];
  const size_t kw = std::min(s.kw, kMaxKw);
  for (size_t kx = 0; kx < kw; kx++) {
    off[kx] = long(kx * s.dw) - long(s.pl);
    valid_range(off[kx], s.sw, s.w, s.ow, &lo[kx], &hi[kx]);
  }
  for (size_t oy = 0; oy < s.oh; oy++) {
    float* o = out + oy * s.ow;
    for (size_t x = 0; x < s.ow; x++) o[x] = bias;
    for (size_t ky = 0; ky < s.kh; ky++) {
      const long iy = long(oy * s.sh + ky * s.dh) - long(s.pt);
      if (iy < 0 || iy >= long(s.h)) continue;
      const float* row = in + size_t(iy) * s.w;
      for (size_t kx = 0; kx < kw; kx++) {
        const float wv = w[ky * s.kw + kx];
        const float* src = row + off[kx];  // only dereferenced at valid columns
        if (s.sw == 1) tap<1>(o, src, wv, lo[kx], hi[kx], 1);
        else if (s.sw == 2) tap<2>(o, src, wv, lo[kx], hi[kx], 2);
        else tap<0>(o, src, wv, lo[kx], hi[kx], s.sw);
      }
    }
    for (size_t x = 0; x < s.ow; x++) o[x] = std::min(std::max(o[x], min), max);
  }
}

}  // namespace dwconv_impl
}  // namespace i8k
