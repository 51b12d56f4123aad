// The depthwise plane loop, written so the compiler vectorizes it along W for the ISA of the file
// that includes it (each f32-dwconv-<isa>.cc is this code compiled with that ISA's flags).
//
// Per output row, each tap adds w * (input row, shifted) over the range of ox whose input column is
// inside the image; outside that range the tap reads padding (zero) and is skipped, so the inner
// loops carry no bounds test. Stride 1 gets its own loop: a unit-stride input is what vectorizes.
#pragma once
#include <algorithm>
#include "f32-dwconv-fixed.h"
#include "f32-dwconv.h"

namespace i8k {
// Internal linkage: each f32-dwconv-<isa>.cc compiles its own copy with its own ISA flags, and
// those copies must never be merged by the linker.
namespace dwconv_impl {
namespace {

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

// Output rows computed together (bench-dwconv on Zen 4, AVX-512 and AVX2 alike): stride 1 reuses
// each loaded row in up to K outputs, so more rows pay until the registers run out; stride 2
// shares only one row in two between neighbours, and MobileNet's 7-row outputs leave a 3-row
// remainder at 4.
template <size_t K, size_t S, size_t VL>
void fixed_rows(const DwConvShape& s, const float* in, const float* w, float bias, float* out,
                float min, float max) {
  constexpr size_t R = S == 1 ? 4 : 2;
  plane_fixed<K, S, VL, R>(s, in, w, bias, out, min, max);
}

template <size_t VL>
void dispatch(const DwConvShape& s, const float* in, const float* w, float bias, float* out,
              float min, float max) {
  const bool fixed = s.kh == s.kw && (s.kh == 3 || s.kh == 5) && s.sh == s.sw &&
                     (s.sh == 1 || s.sh == 2) && s.dh == 1 && s.dw == 1 && s.oh > 0 && s.ow > 0;
  if (!fixed) return plane(s, in, w, bias, out, min, max);
  // Narrow planes (MobileNet's 7x7) would leave most of a 16-lane block idle.
  if constexpr (VL == 16) {
    if (s.ow <= 8) return dispatch<8>(s, in, w, bias, out, min, max);
  }
  if (s.kh == 3 && s.sh == 1) return fixed_rows<3, 1, VL>(s, in, w, bias, out, min, max);
  if (s.kh == 3) return fixed_rows<3, 2, VL>(s, in, w, bias, out, min, max);
  if (s.sh == 1) return fixed_rows<5, 1, VL>(s, in, w, bias, out, min, max);
  return fixed_rows<5, 2, VL>(s, in, w, bias, out, min, max);
}

}  // namespace
}  // namespace dwconv_impl
}  // namespace i8k
