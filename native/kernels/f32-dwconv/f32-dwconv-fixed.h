// Depthwise 3x3 / 5x5, stride 1 or 2, dilation 1 (MobileNet's), with GCC/Clang vector extensions
// so one source serves every SIMD ISA (the auto-vectorizer does not vectorize the tap loops).
//
// The input rows are copied into zero-padded scratch rows (a whole padded plane, or a ring of rows
// for planes larger than L1: see PaddedPlane), wide enough that whole VL-wide blocks of output
// are computed without any bounds test. For stride 2 the copy also splits every row into its even
// and odd columns, so each tap is one plain load instead of two loads and a shuffle.
// R output rows are computed together: each loaded input vector feeds every output row whose
// window covers it (stride 1, 3x3, R = 4: 18 loads for 36 FMAs instead of 36), and the R
// accumulators are independent FMA chains.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>
#include "f32-dwconv.h"

namespace i8k {
namespace dwconv_impl {
namespace {

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

template <size_t VL>
inline void store(float* p, typename Vec<VL>::type v) {
  __builtin_memcpy(p, &v, sizeof(v));
}

// Even and odd elements of the 2*VL floats at p.
template <size_t VL>
inline void load_deinterleave(const float* p, typename Vec<VL>::type* even,
                              typename Vec<VL>::type* odd) {
  const auto a = load<VL>(p), b = load<VL>(p + VL);
  if constexpr (VL == 2) {
    *even = __builtin_shufflevector(a, b, 0, 2);
    *odd = __builtin_shufflevector(a, b, 1, 3);
  } else if constexpr (VL == 4) {
    *even = __builtin_shufflevector(a, b, 0, 2, 4, 6);
    *odd = __builtin_shufflevector(a, b, 1, 3, 5, 7);
  } else if constexpr (VL == 8) {
    *even = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
    *odd = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
  } else {
    static_assert(VL == 16, "vector width");
    *even = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    *odd = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  }
}

// Scratch layout. Padded column x of a padded row holds in[y - pt][x - pl] (zero outside the
// image). Stride 1: at row[x]. Stride 2: even columns at row[x / 2], odd columns at
// row[half + x / 2], so output column ox's tap kx is at a fixed offset from ox.
//
// Planes that fit in L1 (or that the lag below covers anyway) are padded whole before computing.
// Larger ones keep only the image rows, in a ring of `slots` rows (a power of two) filled `lag`
// rows ahead of the rows being computed; the padding rows above and below all point at one zero
// row. The ring stays in L1 where a whole padded plane (up to 60 KB at 112x112) would not, and
// its copies run between the FMA-bound blocks on otherwise idle load/store ports. The lag keeps
// a row's stores far enough ahead of its loads (beyond the reorder window) that they have reached
// the cache: a load spanning stores still in flight cannot be forwarded and waits for them. On
// small planes the ring's bookkeeping costs more than it saves.
template <size_t K, size_t S, size_t VL>
struct PaddedPlane {
  size_t blocks, half, pitch, rows, lag = 0, slots = 0;
  bool whole;
  PaddedPlane(const DwConvShape& s, size_t rows_per_group) {
    blocks = (s.ow + VL - 1) / VL;
    half = round_up(blocks * VL + (K - 1) / 2);
    pitch = S == 1 ? round_up(blocks * VL + K - 1) : 2 * half;
    rows = (s.oh - 1) * S + K;
    // Small planes are the common case: no division for them.
    whole = rows * pitch <= kL1Floats;
    if (!whole) {
      lag = (kLagFloats + pitch - 1) / pitch;
      whole = rows <= rows_per_group + lag;
      for (slots = 1; slots < rows_per_group + lag;) slots *= 2;
    }
  }
  // About a thousand floats of copying ahead: some hundred instructions, past the reorder window.
  static constexpr size_t kLagFloats = 1024;
  static constexpr size_t kL1Floats = 32 * 1024 / sizeof(float);
  // Whole vectors per row, on a vector-aligned plane: fewer loads and stores straddle cache lines.
  static size_t round_up(size_t n) { return (n + VL - 1) / VL * VL; }
  // Offset of tap column kx from output column ox's first (kx = 0) element.
  size_t tap(size_t kx) const { return S == 1 ? kx : (kx & 1) * half + kx / 2; }
};

// The row copies below move whole vectors, the last one overlapping the one before, and go down
// to narrower vectors for short rows: the compiler's own loops end in a scalar tail, and turn
// the stride-2 split into scatters, both slow at MobileNet's row lengths (7 to 112 floats).

// d[0, n) = r[0, n).
template <size_t VL>
inline void copy_row(float* __restrict d, const float* __restrict r, size_t n) {
  if (n >= VL) {
    // The min also keeps GCC from turning the loop into a memmove call (slow at these lengths).
    for (size_t i = 0; i < n; i += VL) {
      const size_t at = std::min(i, n - VL);
      store<VL>(d + at, load<VL>(r + at));
    }
  } else if constexpr (VL > 2) {
    copy_row<VL / 2>(d, r, n);
  } else if (n == 1) {
    d[0] = r[0];
  }
}

// Input columns [0, n) of row r to padded columns [left, left + n) of a split row (even padded
// columns at e[x / 2], odd ones at e[half + x / 2]).
template <size_t VL>
inline void split_row(float* __restrict e, const float* __restrict r, size_t left, size_t n,
                      size_t half) {
  using V = typename Vec<VL>::type;
  float* __restrict o = e + half;
  auto chunk = [&](size_t i) {  // input columns [i, i + 2 VL)
    const size_t x = left + i;
    V ev, od;  // input columns i, i + 2, ... and i + 1, i + 3, ...
    load_deinterleave<VL>(r + i, &ev, &od);
    if (x % 2 == 0) store<VL>(e + x / 2, ev), store<VL>(o + x / 2, od);
    else store<VL>(o + x / 2, ev), store<VL>(e + x / 2 + 1, od);
  };
  if (n >= 2 * VL) {
    for (size_t i = 0; i + 2 * VL < n; i += 2 * VL) chunk(i);
    chunk(n - 2 * VL);
  } else if constexpr (VL > 2) {
    split_row<VL / 2>(e, r, left, n, half);
  } else {
    for (size_t i = 0; i < n; i++) ((left + i) % 2 ? o : e)[(left + i) / 2] = r[i];
  }
}

// Fills the scratch plane for this input and returns it. The zero border depends only on the
// geometry: consecutive planes of one conv reuse it and rewrite the image columns only.
template <size_t K, size_t S, size_t VL>
const float* pad_plane(const DwConvShape& s, const PaddedPlane<K, S, VL>& g, const float* in) {
  thread_local std::vector<float> buf;
  thread_local size_t key[6] = {};
  const size_t left = std::min(s.pl, g.pitch), n = std::min(s.w, g.pitch - left);
  const size_t rows_lo = std::min(s.pt, g.rows), rows_hi = std::min(g.rows, s.pt + s.h);
  const size_t size = g.pitch * g.rows + VL;  // + VL: room to align
  if (key[0] != size || key[1] != g.pitch || key[2] != left || key[3] != n ||
      key[4] != rows_lo || key[5] != rows_hi) {
    buf.assign(size, 0.0f);
    key[0] = size, key[1] = g.pitch, key[2] = left, key[3] = n, key[4] = rows_lo, key[5] = rows_hi;
  }
  float* p = buf.data() + (VL - reinterpret_cast<uintptr_t>(buf.data()) / sizeof(float) % VL) % VL;
  for (size_t y = rows_lo; y < rows_hi; y++) {
    const float* r = in + (y - s.pt) * s.w;
    if constexpr (S == 1) copy_row<VL>(p + y * g.pitch + left, r, n);
    else split_row<VL>(p + y * g.pitch, r, left, n, g.half);
  }
  return p;
}

// The ring of padded image rows of one plane (see PaddedPlane). The zero columns and the zero
// row depend only on the geometry: consecutive planes of one conv reuse them and rewrite the
// image columns only.
template <size_t K, size_t S, size_t VL>
class RowRing {
 public:
  RowRing(const DwConvShape& s, const PaddedPlane<K, S, VL>& g, const float* in)
      : s_(s), g_(g), in_(in) {
    thread_local std::vector<float> buf;
    thread_local size_t key[5] = {};
    left_ = std::min(s.pl, g.pitch), n_ = std::min(s.w, g.pitch - left_);
    const size_t size = g.pitch * (g.slots + 1) + VL;  // + 1: the zero row; + VL: room to align
    if (key[0] != size || key[1] != g.pitch || key[2] != g.slots || key[3] != left_ ||
        key[4] != n_) {
      buf.assign(size, 0.0f);
      key[0] = size, key[1] = g.pitch, key[2] = g.slots, key[3] = left_, key[4] = n_;
    }
    zero_ = buf.data() + (VL - reinterpret_cast<uintptr_t>(buf.data()) / sizeof(float) % VL) % VL;
    ring_ = zero_ + g.pitch;
    image_lo_ = std::min(s.pt, g.rows), image_hi_ = std::min(g.rows, s.pt + s.h);
    next_ = image_lo_;
  }

  // Pads the image rows before padded row y_end (and lag rows more) that are not yet in the ring.
  void fill_to(size_t y_end) {
    const size_t hi = std::min(image_hi_, y_end + g_.lag);
    for (; next_ < hi; next_++) {
      float* d = slot(next_);
      const float* r = in_ + (next_ - s_.pt) * s_.w;
      if constexpr (S == 1) copy_row<VL>(d + left_, r, n_);
      else split_row<VL>(d, r, left_, n_, g_.half);
    }
  }

  const float* row(size_t y) const { return y < image_lo_ || y >= image_hi_ ? zero_ : slot(y); }

 private:
  float* slot(size_t y) const { return ring_ + (y & (g_.slots - 1)) * g_.pitch; }

  const DwConvShape& s_;
  const PaddedPlane<K, S, VL>& g_;
  const float* in_;
  float *zero_, *ring_;
  size_t left_, n_, image_lo_, image_hi_, next_;
};

// Where row_group finds its input rows: consecutive rows of the whole padded plane, or the ring's.
struct PlaneRows {
  const float* first;
  size_t pitch;
  const float* operator[](size_t iy) const { return first + iy * pitch; }
};

template <size_t N>
struct RingRows {
  const float* row[N];
  const float* operator[](size_t iy) const { return row[iy]; }
};

// Keeps v in a register: GCC otherwise folds the load into each FMA that uses it as a memory
// operand, loading the same vector once per output row instead of once.
template <typename V>
inline void in_register(V& v) {
#if defined(__x86_64__) || defined(__i386__)
  asm("" : "+v"(v));
#else
  (void)v;
#endif
}

// Output rows oy0 .. oy0 + R - 1, all blocks. The last (partial) block goes first and its store
// may run past the row end into later rows of this plane: those are all stored afterwards (the
// rows' first blocks later in this call, later rows in later calls), so the spill is overwritten.
// A store that would pass the end of the plane is written exactly (the next plane may belong to
// another thread, or not exist).
template <size_t K, size_t S, size_t VL, size_t R, typename Rows>
inline void row_group(const DwConvShape& s, const PaddedPlane<K, S, VL>& g, const Rows& src,
                      const typename Vec<VL>::type* wk, float bias, float min, float max,
                      float* out, size_t oy0) {
  using V = typename Vec<VL>::type;
  constexpr size_t kInRows = S * (R - 1) + K;
  size_t tap[K];
  for (size_t kx = 0; kx < K; kx++) tap[kx] = g.tap(kx);
  const size_t plane_end = s.oh * s.ow;
  const V vmin = V{} + min, vmax = V{} + max;
  for (size_t i = 0; i < g.blocks; i++) {
    const size_t b = i == 0 ? g.blocks - 1 : i - 1;
    V acc[R];
    for (size_t j = 0; j < R; j++) acc[j] = V{} + bias;
#pragma GCC unroll 16
    for (size_t iy = 0; iy < kInRows; iy++) {
      const float* row = src[iy] + b * VL;
#pragma GCC unroll 5
      for (size_t kx = 0; kx < K; kx++) {
        V v = load<VL>(row + tap[kx]);
        in_register(v);
#pragma GCC unroll 4
        for (size_t j = 0; j < R; j++) {
          // Output row j reads input rows S*j .. S*j + K - 1 of this group.
          if (iy >= S * j && iy - S * j < K) acc[j] += wk[(iy - S * j) * K + kx] * v;
        }
      }
    }
    for (size_t j = 0; j < R; j++) {
      V a = acc[j];
      a = a < vmin ? vmin : a;
      a = a > vmax ? vmax : a;
      const size_t at = (oy0 + j) * s.ow + b * VL;
      if (at + VL <= plane_end) {
        __builtin_memcpy(out + at, &a, sizeof(a));
      } else {
        float t[VL];
        __builtin_memcpy(t, &a, sizeof(a));
        copy_row<VL>(out + at, t, plane_end - at);  // a plain loop compiles to a memcpy call
      }
    }
  }
}

// Input rows of the group of output rows from oy0 (S * (R - 1) + K of them) in the ring.
template <size_t K, size_t S, size_t VL, size_t R>
inline RingRows<S * (R - 1) + K> ring_rows(RowRing<K, S, VL>& ring, size_t oy0) {
  constexpr size_t kInRows = S * (R - 1) + K;
  ring.fill_to(oy0 * S + kInRows);
  RingRows<kInRows> r;
  for (size_t iy = 0; iy < kInRows; iy++) r.row[iy] = ring.row(oy0 * S + iy);
  return r;
}

template <size_t K, size_t S, size_t VL, size_t R>
void plane_fixed(const DwConvShape& s, const float* in, const float* w, float bias, float* out,
                 float min, float max) {
  using V = typename Vec<VL>::type;
  const PaddedPlane<K, S, VL> g(s, S * (R - 1) + K);
  V wk[K * K];
  for (size_t i = 0; i < K * K; i++) wk[i] = V{} + w[i];
  if (g.whole) {
    const float* p = pad_plane<K, S, VL>(s, g, in);
    size_t oy = 0;
    for (; oy + R <= s.oh; oy += R)
      row_group<K, S, VL, R>(s, g, PlaneRows{p + oy * S * g.pitch, g.pitch}, wk, bias, min, max,
                             out, oy);
    for (; oy < s.oh; oy++)
      row_group<K, S, VL, 1>(s, g, PlaneRows{p + oy * S * g.pitch, g.pitch}, wk, bias, min, max,
                             out, oy);
  } else {
    RowRing<K, S, VL> ring(s, g, in);
    size_t oy = 0;
    for (; oy + R <= s.oh; oy += R)
      row_group<K, S, VL, R>(s, g, ring_rows<K, S, VL, R>(ring, oy), wk, bias, min, max, out, oy);
    for (; oy < s.oh; oy++)
      row_group<K, S, VL, 1>(s, g, ring_rows<K, S, VL, 1>(ring, oy), wk, bias, min, max, out, oy);
  }
}

}  // namespace
}  // namespace dwconv_impl
}  // namespace i8k
