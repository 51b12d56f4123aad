// The depthwise plane loop, written so the compiler vectorizes it along W for the ISA of the file
// that includes it (each f32-dwconv-<isa>.cc is this code compiled with that ISA's flags).
//
// Per output row, each tap adds w * (input row, shifted) over the range of ox whose input column is
// inside the image; outside that range the tap reads padding (zero) and is skipped, so the inner
// loops carry no bounds test. Stride 1 gets its own loop: a unit-stride input is what vectorizes.
#pragma once
#include <algorithm>
#include <vector>
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

// Fixed 3x3 / 5x5 kernels, stride 1 or 2, dilation 1 (MobileNet's): the plane is first copied
// into a zero-padded scratch plane, wide enough that whole VL-wide blocks of output can be computed
// without any bounds test; each block keeps its VL accumulators in one vector register across all
// taps and is stored once (the tail block through a small buffer). GCC/Clang vector extensions
// keep this one source for every SIMD ISA (the auto-vectorizer does not vectorize the tap loops).
template <size_t VL>
struct Vec {
  typedef float type __attribute__((vector_size(VL * sizeof(float))));
};

template <size_t VL>
inline typename Vec<VL>::type load(const float* p) {
  typename Vec<VL>::type v;
  __builtin_memcpy(&v, p, sizeof(v));
  return v;
}

// Elements 0, 2, 4, ... of the 2*VL floats at p.
template <size_t VL>
inline typename Vec<VL>::type load_even(const float* p) {
  if constexpr (VL == 4) {
    return __builtin_shufflevector(load<4>(p), load<4>(p + 4), 0, 2, 4, 6);
  } else if constexpr (VL == 8) {
    return __builtin_shufflevector(load<8>(p), load<8>(p + 8), 0, 2, 4, 6, 8, 10, 12, 14);
  } else {
    static_assert(VL == 16, "vector width");
    return __builtin_shufflevector(load<16>(p), load<16>(p + 16), 0, 2, 4, 6, 8, 10, 12, 14, 16,
                                   18, 20, 22, 24, 26, 28, 30);
  }
}

template <size_t K, size_t S, size_t VL>
void plane_fixed(const DwConvShape& s, const float* in, const float* w, float bias, float* out,
                 float min, float max) {
  using V = typename Vec<VL>::type;
  const size_t blocks = (s.ow + VL - 1) / VL;
  // The last block's stride-2 load reads 2*VL floats from its last tap column.
  const size_t pw = (blocks * VL - 1) * S + K + VL, ph = (s.oh - 1) * S + K;
  // The zero border depends only on the geometry: consecutive planes of one conv reuse it and
  // rewrite the image rows only.
  thread_local std::vector<float> buf;
  thread_local size_t key[6] = {};
  const size_t left = std::min(s.pl, pw), n = std::min(s.w, pw - left);
  const size_t rows_lo = std::min(s.pt, ph), rows_hi = std::min(ph, s.pt + s.h);
  if (key[0] != pw || key[1] != ph || key[2] != left || key[3] != n || key[4] != rows_lo ||
      key[5] != rows_hi) {
    buf.assign(pw * ph, 0.0f);
    key[0] = pw, key[1] = ph, key[2] = left, key[3] = n, key[4] = rows_lo, key[5] = rows_hi;
  }
  float* p = buf.data();
  // Rows are short (MobileNet: 7 to 112 floats): an inline loop beats a memcpy call.
  for (size_t y = rows_lo; y < rows_hi; y++) {
    float* __restrict d = p + y * pw + left;
    const float* __restrict r = in + (y - s.pt) * s.w;
    for (size_t i = 0; i < n; i++) d[i] = r[i];
  }
  V wk[K * K];
  for (size_t i = 0; i < K * K; i++) wk[i] = V{} + w[i];
  const V vmin = V{} + min, vmax = V{} + max;
  for (size_t oy = 0; oy < s.oh; oy++) {
    const float* base = p + oy * S * pw;
    for (size_t b = 0; b < blocks; b++) {
      const float* src = base + b * VL * S;
      // One accumulator per kernel row: K short FMA chains instead of one K*K long (latency).
      V part[K];
#pragma GCC unroll 5
      for (size_t ky = 0; ky < K; ky++) {
        part[ky] = V{};
#pragma GCC unroll 5
        for (size_t kx = 0; kx < K; kx++) {
          const float* r = src + ky * pw + kx;
          part[ky] += wk[ky * K + kx] * (S == 1 ? load<VL>(r) : load_even<VL>(r));
        }
      }
      V acc = V{} + bias;
#pragma GCC unroll 5
      for (size_t ky = 0; ky < K; ky++) acc += part[ky];
      acc = acc < vmin ? vmin : acc;
      acc = acc > vmax ? vmax : acc;
      float* o = out + oy * s.ow + b * VL;
      const size_t n = std::min(VL, s.ow - b * VL);
      // A tail block may spill into the following rows of this plane, which are written after
      // it; not past the plane (the next plane may belong to another thread, or not exist).
      if (n == VL || (oy * s.ow + b * VL + VL <= s.oh * s.ow)) {
        __builtin_memcpy(o, &acc, sizeof(acc));
      } else {
        float t[VL];
        __builtin_memcpy(t, &acc, sizeof(acc));
        for (size_t l = 0; l < n; l++) o[l] = t[l];
      }
    }
  }
}

template <size_t VL>
void dispatch(const DwConvShape& s, const float* in, const float* w, float bias, float* out,
              float min, float max) {
  const bool fixed = s.kh == s.kw && (s.kh == 3 || s.kh == 5) && s.sh == s.sw &&
                     (s.sh == 1 || s.sh == 2) && s.dh == 1 && s.dw == 1 && s.oh > 0 && s.ow > 0;
  if (!fixed) return plane(s, in, w, bias, out, min, max);
  if (s.kh == 3 && s.sh == 1) return plane_fixed<3, 1, VL>(s, in, w, bias, out, min, max);
  if (s.kh == 3) return plane_fixed<3, 2, VL>(s, in, w, bias, out, min, max);
  if (s.sh == 1) return plane_fixed<5, 1, VL>(s, in, w, bias, out, min, max);
  return plane_fixed<5, 2, VL>(s, in, w, bias, out, min, max);
}

}  // namespace
}  // namespace dwconv_impl
}  // namespace i8k
