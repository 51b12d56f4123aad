// AVX2+FMA FP32 GEMM microkernel, MR=6 x NR=16, and its convolution form (gemm-f32.h).
// 12 ymm accumulators stay in registers for the
// whole K loop; per k, two 8-float loads of the weight panel and one broadcast per A row feed
// 12 FMAs. 12 accumulators + 2 weight vectors + 1 broadcast = 15 of the 16 ymm registers, and 12
// independent chains cover the FMA latency (4 cycles x 2 pipes).
//
// Edge tiles run a smaller instance of the same loop (3 rows and/or 8 columns) instead of
// computing a full 6x16 tile and discarding most of it (N=24 would waste 25% otherwise).
#include <immintrin.h>
#include "gemm-f32.h"

namespace i8k {

namespace {
constexpr size_t MR = 6;
constexpr size_t NR = 16;

// max(vmin, x) / min(vmax, x) return x when x is NaN, like the scalar std::min/std::max chain.
inline __m256 clamp(__m256 x, __m256 vmin, __m256 vmax) {
  return _mm256_min_ps(vmax, _mm256_max_ps(vmin, x));
}

// Stores the first nr (< 8 * NV) floats of v with plain stores of 8, 4, 2 and 1 floats, so no
// byte past the tile is written (masked moves are slower on AMD and need a mask table).
template <size_t NV>
inline void store_tail(float* c, size_t nr, const __m256* v) {
  __m256 lo = v[0];
  if (NV == 2 && (nr & 8)) {
    _mm256_storeu_ps(c, lo);
    lo = v[NV - 1];
    c += 8;
  }
  __m128 x = _mm256_castps256_ps128(lo);
  if (nr & 4) {
    _mm_storeu_ps(c, x);
    x = _mm256_extractf128_ps(lo, 1);
    c += 4;
  }
  if (nr & 2) {
    _mm_storel_pi(reinterpret_cast<__m64*>(c), x);
    x = _mm_movehl_ps(x, x);
    c += 2;
  }
  if (nr & 1) _mm_store_ss(c, x);
}

// Clamps and stores the valid mr x nr part of a tile.
template <size_t ROWS, size_t NV>
inline void store_tile(const __m256 (&acc)[ROWS][NV], size_t mr, size_t nr, float* c,
                       size_t c_stride, float min, float max) {
  const __m256 vmin = _mm256_set1_ps(min);
  const __m256 vmax = _mm256_set1_ps(max);
#pragma GCC unroll 6
  for (size_t i = 0; i < ROWS; i++) {
    if (i >= mr) break;
    float* ci = c + i * c_stride;
    __m256 v[NV];
#pragma GCC unroll 2
    for (size_t j = 0; j < NV; j++) v[j] = clamp(acc[i][j], vmin, vmax);
    if (nr >= 8 * NV) {
#pragma GCC unroll 2
      for (size_t j = 0; j < NV; j++) _mm256_storeu_ps(ci + 8 * j, v[j]);
    } else {
      store_tail<NV>(ci, nr, v);
    }
  }
}

// ROWS x (8 * NV) tile; mr <= ROWS, nr <= 8 * NV. The panel stride stays NR.
template <size_t ROWS, size_t NV>
inline void tile(size_t mr, size_t nr, size_t k, const float* a, size_t a_stride, const float* w,
                 const float* bias, float* c, size_t c_stride, float min, float max) {
  // Rows past mr alias the last valid row (as in XNNPACK): the loop stays branch free and never
  // reads a row the caller did not hand us; their results are simply not stored.
  const float* ap[ROWS];
  ap[0] = a;
#pragma GCC unroll 6
  for (size_t i = 1; i < ROWS; i++) ap[i] = i < mr ? ap[i - 1] + a_stride : ap[i - 1];

  __m256 acc[ROWS][NV];
#pragma GCC unroll 2
  for (size_t j = 0; j < NV; j++) {
    const __m256 vb = _mm256_loadu_ps(bias + 8 * j);
#pragma GCC unroll 6
    for (size_t i = 0; i < ROWS; i++) acc[i][j] = vb;
  }

  // One k per iteration with indexed addressing (ap[i] + kk): six pointers, one index, no
  // per-row increments; the 12 FMAs (6 cycles) dominate the ~11 other instructions.
  for (size_t kk = 0; kk < k; kk++) {
    __m256 wv[NV];
#pragma GCC unroll 2
    for (size_t j = 0; j < NV; j++) wv[j] = _mm256_loadu_ps(w + 8 * j);
    // The panel (k * 64 bytes) outgrows L1 for large K and streams from L2; fetching 2 KiB
    // (32 k steps) ahead measured +4-6% at M=N=K=1024 and neutral on small K. A prefetch past
    // the end of the panel is harmless: it never faults and loads nothing architecturally.
    _mm_prefetch(reinterpret_cast<const char*>(w + 32 * NR), _MM_HINT_T0);
    w += NR;
#pragma GCC unroll 6
    for (size_t i = 0; i < ROWS; i++) {
      const __m256 va = _mm256_broadcast_ss(ap[i] + kk);
#pragma GCC unroll 2
      for (size_t j = 0; j < NV; j++) acc[i][j] = _mm256_fmadd_ps(va, wv[j], acc[i][j]);
    }
  }

  store_tile<ROWS, NV>(acc, mr, nr, c, c_stride, min, max);
}

// The conv form of the tile (see F32Rows): both operands walked by rows at run-time strides, one
// pointer and one stride each (the GEMM tile's six A row pointers plus a stride and a tap loop
// would spill).
template <size_t ROWS, size_t NV>
inline void conv_tile(size_t mr, size_t nr, const F32Rows& a, const F32Rows& b,
                      const float* row_bias, const float* col_bias, float* c, size_t c_stride,
                      float min, float max) {
  __m256 acc[ROWS][NV];
#pragma GCC unroll 2
  for (size_t v = 0; v < NV; v++) {
    const __m256 vc = col_bias ? _mm256_loadu_ps(col_bias + 8 * v) : _mm256_setzero_ps();
#pragma GCC unroll 6
    for (size_t i = 0; i < ROWS; i++)
      acc[i][v] = row_bias ? _mm256_add_ps(vc, _mm256_set1_ps(row_bias[i < mr ? i : mr - 1])) : vc;
  }
  const size_t a_stride = a.stride, b_stride = b.stride;
  for (size_t t = 0; t < b.taps; t++) {
    const float* ap = a.base + a.offsets[t];
    const float* w = b.base + b.offsets[t];
    for (size_t j = b.kc; j != 0; j--) {
      __m256 wv[NV];
#pragma GCC unroll 2
      for (size_t v = 0; v < NV; v++) wv[v] = _mm256_loadu_ps(w + 8 * v);
      _mm_prefetch(reinterpret_cast<const char*>(w + 16 * b_stride), _MM_HINT_T0);
      w += b_stride;
#pragma GCC unroll 6
      for (size_t i = 0; i < ROWS; i++) {
        const __m256 va = _mm256_broadcast_ss(ap + i);
#pragma GCC unroll 2
        for (size_t v = 0; v < NV; v++) acc[i][v] = _mm256_fmadd_ps(va, wv[v], acc[i][v]);
      }
      ap += a_stride;
    }
  }
  store_tile<ROWS, NV>(acc, mr, nr, c, c_stride, min, max);
}
}  // namespace

void f32_gemm_6x16_avx2_fma(size_t mr, size_t nr, size_t k, const float* a, size_t a_stride,
                            const float* w, const float* bias, float* c, size_t c_stride,
                            float min, float max) {
  if (nr > 8) {
    if (mr > MR / 2) tile<MR, 2>(mr, nr, k, a, a_stride, w, bias, c, c_stride, min, max);
    else tile<MR / 2, 2>(mr, nr, k, a, a_stride, w, bias, c, c_stride, min, max);
  } else {
    if (mr > MR / 2) tile<MR, 1>(mr, nr, k, a, a_stride, w, bias, c, c_stride, min, max);
    else tile<MR / 2, 1>(mr, nr, k, a, a_stride, w, bias, c, c_stride, min, max);
  }
}

void f32_convgemm_6x16_avx2_fma(size_t mr, size_t nr, const F32Rows& a, const F32Rows& b,
                                const float* row_bias, const float* col_bias, float* c,
                                size_t c_stride, float min, float max) {
  if (nr > 8) {
    if (mr > MR / 2) conv_tile<MR, 2>(mr, nr, a, b, row_bias, col_bias, c, c_stride, min, max);
    else conv_tile<MR / 2, 2>(mr, nr, a, b, row_bias, col_bias, c, c_stride, min, max);
  } else {
    if (mr > MR / 2) conv_tile<MR, 1>(mr, nr, a, b, row_bias, col_bias, c, c_stride, min, max);
    else conv_tile<MR / 2, 1>(mr, nr, a, b, row_bias, col_bias, c, c_stride, min, max);
  }
}

}  // namespace i8k
