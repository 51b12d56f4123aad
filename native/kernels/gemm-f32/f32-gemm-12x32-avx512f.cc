// AVX-512F FP32 GEMM microkernel, MR=12 x NR=32, and its convolution form (gemm-f32.h).
// 24 zmm accumulators stay in registers for the whole K loop; per k, two 16-float loads of the weight panel and one broadcast per A row feed
// 24 FMAs. 24 accumulators + 2 weight vectors + broadcasts fit the 32 zmm registers and hide the
// FMA latency (4 cycles x 2 pipes needs >= 8 independent chains).
//
// Edge tiles run a smaller instance of the same loop (6 rows and/or 16 columns) instead of
// computing a full 12x32 tile and discarding most of it: N=144 wastes 10% of a full-width last
// panel, a 4-row tail wastes 2/3 of its tile.
#include <immintrin.h>
#include <cstdint>
#include "gemm-f32.h"

namespace i8k {

namespace {
constexpr size_t MR = 12;
constexpr size_t NR = 32;

// max(vmin, x) / min(vmax, x) return x when x is NaN, like the scalar std::min/std::max chain.
// The all-ones mask forms are the same instructions; they avoid a GCC 12 false
// -Wmaybe-uninitialized warning from the unmasked intrinsics (_mm512_undefined_ps).
inline __m512 clamp(__m512 x, __m512 vmin, __m512 vmax) {
  x = _mm512_mask_max_ps(x, 0xFFFF, vmin, x);
  return _mm512_mask_min_ps(x, 0xFFFF, vmax, x);
}

// Clamps and stores the valid mr x nr part of a tile; masked stores keep every write inside it.
template <size_t ROWS, size_t NV>
inline void store_tile(const __m512 (&acc)[ROWS][NV], size_t mr, size_t nr, float* c,
                       size_t c_stride, float min, float max) {
  const __m512 vmin = _mm512_set1_ps(min);
  const __m512 vmax = _mm512_set1_ps(max);
  const uint32_t cols = nr >= NR ? ~uint32_t{0} : (uint32_t{1} << nr) - 1;
  const __mmask16 mask[2] = {static_cast<__mmask16>(cols), static_cast<__mmask16>(cols >> 16)};
#pragma GCC unroll 12
  for (size_t i = 0; i < ROWS; i++) {
    if (i >= mr) break;
#pragma GCC unroll 2
    for (size_t j = 0; j < NV; j++)
      _mm512_mask_storeu_ps(c + i * c_stride + 16 * j, mask[j], clamp(acc[i][j], vmin, vmax));
  }
}

// ROWS x (16 * NV) tile; mr <= ROWS, nr <= 16 * NV. The panel stride stays NR.
template <size_t ROWS, size_t NV>
inline void tile(size_t mr, size_t nr, size_t k, const float* a, size_t a_stride, const float* w,
                 const float* bias, float* c, size_t c_stride, float min, float max) {
  // Rows past mr alias the last valid row (as in XNNPACK): the loop stays branch free and never
  // reads a row the caller did not hand us; their results are simply not stored.
  const float* ap[ROWS];
  ap[0] = a;
#pragma GCC unroll 12
  for (size_t i = 1; i < ROWS; i++) ap[i] = i < mr ? ap[i - 1] + a_stride : ap[i - 1];

  __m512 acc[ROWS][NV];
#pragma GCC unroll 2
  for (size_t j = 0; j < NV; j++) {
    const __m512 vb = _mm512_loadu_ps(bias + 16 * j);
#pragma GCC unroll 12
    for (size_t i = 0; i < ROWS; i++) acc[i][j] = vb;
  }

  // One k per iteration: the FMA pipes, not the front end, are the limit (24 FMAs against ~18
  // other instructions), and an indexed address (ap[i] + kk) spares twelve pointer increments.
  for (size_t kk = 0; kk < k; kk++) {
    __m512 wv[NV];
#pragma GCC unroll 2
    for (size_t j = 0; j < NV; j++) wv[j] = _mm512_loadu_ps(w + 16 * j);
    // The panel (k * 128 bytes) outgrows L1 for large K and streams from L2; fetching 2 KiB
    // (16 k steps) ahead measured +3-5% at M=N=K=1024 and neutral on small K. A prefetch past
    // the end of the panel is harmless: it never faults and loads nothing architecturally.
#pragma GCC unroll 2
    for (size_t j = 0; j < NV; j++)
      _mm_prefetch(reinterpret_cast<const char*>(w + 16 * NR + 16 * j), _MM_HINT_T0);
    w += NR;
#pragma GCC unroll 12
    for (size_t i = 0; i < ROWS; i++) {
      const __m512 va = _mm512_set1_ps(ap[i][kk]);
#pragma GCC unroll 2
      for (size_t j = 0; j < NV; j++) acc[i][j] = _mm512_fmadd_ps(va, wv[j], acc[i][j]);
    }
  }

  store_tile<ROWS, NV>(acc, mr, nr, c, c_stride, min, max);
}

// The conv form of the tile (see F32Rows): both operands walked by rows at run-time strides.
// Each needs one pointer and one stride, which leaves general registers free; with the GEMM
// tile's twelve A row pointers plus a B stride and a tap loop, the loop ran out of them and
// slowed by 25%.
template <size_t ROWS, size_t NV>
inline void conv_tile(size_t mr, size_t nr, const F32Rows& a, const F32Rows& b,
                      const float* row_bias, const float* col_bias, float* c, size_t c_stride,
                      float min, float max) {
  __m512 acc[ROWS][NV];
#pragma GCC unroll 2
  for (size_t v = 0; v < NV; v++) {
    const __m512 vc = col_bias ? _mm512_loadu_ps(col_bias + 16 * v) : _mm512_setzero_ps();
#pragma GCC unroll 14
    for (size_t i = 0; i < ROWS; i++)
      acc[i][v] = row_bias ? _mm512_add_ps(vc, _mm512_set1_ps(row_bias[i < mr ? i : mr - 1])) : vc;
  }
  const size_t a_stride = a.stride, b_stride = b.stride;
  for (size_t t = 0; t < b.taps; t++) {
    const float* ap = a.base + a.offsets[t];
    const float* w = b.base + b.offsets[t];
    for (size_t j = b.kc; j != 0; j--) {
      __m512 wv[NV];
#pragma GCC unroll 2
      for (size_t v = 0; v < NV; v++) wv[v] = _mm512_loadu_ps(w + 16 * v);
      // Rows 16 ahead: read in place they are other channel planes, which no hardware
      // prefetcher predicts; packed, it is the GEMM tile's 2 KiB.
#pragma GCC unroll 2
      for (size_t v = 0; v < NV; v++)
        _mm_prefetch(reinterpret_cast<const char*>(w + 16 * b_stride + 16 * v), _MM_HINT_T0);
      w += b_stride;
#pragma GCC unroll 14
      for (size_t i = 0; i < ROWS; i++) {
        const __m512 va = _mm512_set1_ps(ap[i]);
#pragma GCC unroll 2
        for (size_t v = 0; v < NV; v++) acc[i][v] = _mm512_fmadd_ps(va, wv[v], acc[i][v]);
      }
      ap += a_stride;
    }
  }
  store_tile<ROWS, NV>(acc, mr, nr, c, c_stride, min, max);
}
}  // namespace

void f32_gemm_12x32_avx512f(size_t mr, size_t nr, size_t k, const float* a, size_t a_stride,
                            const float* w, const float* bias, float* c, size_t c_stride,
                            float min, float max) {
  if (nr > 16) {
    if (mr > MR / 2) tile<MR, 2>(mr, nr, k, a, a_stride, w, bias, c, c_stride, min, max);
    else tile<MR / 2, 2>(mr, nr, k, a, a_stride, w, bias, c, c_stride, min, max);
  } else {
    if (mr > MR / 2) tile<MR, 1>(mr, nr, k, a, a_stride, w, bias, c, c_stride, min, max);
    else tile<MR / 2, 1>(mr, nr, k, a, a_stride, w, bias, c, c_stride, min, max);
  }
}

void f32_convgemm_12x32_avx512f(size_t mr, size_t nr, const F32Rows& a, const F32Rows& b,
                                const float* row_bias, const float* col_bias, float* c,
                                size_t c_stride, float min, float max) {
  // 7 rows: pixel-major tiles of one 7-pixel row segment (ResNet and MobileNet widths are
  // multiples of 7), which a 12-row tile would compute at 7/12 of its cost.
  if (nr > 16) {
    if (mr > MR / 2 + 1) conv_tile<MR, 2>(mr, nr, a, b, row_bias, col_bias, c, c_stride, min, max);
    else if (mr == MR / 2 + 1) conv_tile<MR / 2 + 1, 2>(mr, nr, a, b, row_bias, col_bias, c, c_stride, min, max);
    else conv_tile<MR / 2, 2>(mr, nr, a, b, row_bias, col_bias, c, c_stride, min, max);
  } else {
    if (mr > MR / 2) conv_tile<MR, 1>(mr, nr, a, b, row_bias, col_bias, c, c_stride, min, max);
    else conv_tile<MR / 2, 1>(mr, nr, a, b, row_bias, col_bias, c, c_stride, min, max);
  }
}

}  // namespace i8k
