// AVX-512 VNNI u8 x s8 GEMM microkernel, MR=8 x NR=32, KR=4: zmm vpdpbusd into 16 accumulators.
//
// Per group of 4 k: two 64-byte weight loads and one dword broadcast of A per row feed 16
// vpdpbusd. 16 independent chains cover the dot-product latency even on cores that issue two zmm
// vpdpbusd per cycle, and 16 accumulators + 2 weight vectors + 1 broadcast leave half of the 32
// zmm free, so nothing spills. vpdpbusd (not vpdpbusds) adds the exact products without
// saturation, so the accumulators are the integers of the scalar twin.
#include <immintrin.h>
#include <cstring>
#include "gemm-u8s8.h"
#include "u8s8-output-zmm.h"

namespace i8k {

namespace {
constexpr size_t MR = 8;
constexpr size_t NR = 32;
constexpr size_t KR = 4;

inline size_t round_up_kr(size_t k) { return (k + KR - 1) / KR * KR; }

inline __m512i broadcast4(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);  // one vpbroadcastd from memory
  return _mm512_set1_epi32(v);
}

// The all-ones maskz forms below are the plain instructions; they avoid GCC 12's false
// -Wmaybe-uninitialized warnings from the unmasked intrinsics (_mm512_undefined_*).
constexpr __mmask16 kAll = 0xFFFF;

// Output stage of requantize_u8 for 16 columns. max(x, lo) returns lo for a NaN x, like
// std::fmax(x, lo), so the lane values equal the scalar ones in every case.
inline __m512i requantize(__m512i acc, __m512 scale, __m512 lo, __m512 hi) {
  __m512 v = _mm512_mul_ps(_mm512_maskz_cvtepi32_ps(kAll, acc), scale);
  v = _mm512_maskz_min_ps(kAll, _mm512_maskz_max_ps(kAll, v, lo), hi);
  // MXCSR default: round half to even, as std::nearbyint.
  return _mm512_maskz_cvtps_epi32(kAll, v);
}
}  // namespace

size_t u8s8_gemm_8x32c4_avx512vnni_panel_bytes(size_t k) { return round_up_kr(k) * NR; }

// Layout: for each group of 4 k, for each of the 32 columns, the 4 bytes b[k..k+3][n]: exactly
// the signed operand of one vpdpbusd lane, so a group is two zmm loads.
void u8s8_gemm_8x32c4_avx512vnni_pack(size_t k, size_t nvalid, const int8_t* b, size_t ldb,
                                      void* out) {
  int8_t* w = static_cast<int8_t*>(out);
  std::memset(w, 0, round_up_kr(k) * NR);
  for (size_t kk = 0; kk < k; kk++)
    for (size_t n = 0; n < nvalid; n++) w[(kk / KR * NR + n) * KR + kk % KR] = b[kk * ldb + n];
}

namespace {
// acc[i][*] += the dot products of rows i < mr of A with the panel (rows past mr repeat row mr - 1).
inline void dot_tile(size_t mr, size_t k, const uint8_t* a, size_t a_stride, const void* w,
                     __m512i (&acc)[MR][2]) {
  // Rows past mr alias the last valid row (as in XNNPACK): the loop stays branch free and never
  // reads a row the caller did not hand us; their results are simply not stored.
  const uint8_t* ap[MR];
  ap[0] = a;
#pragma GCC unroll 8
  for (size_t i = 1; i < MR; i++) ap[i] = i < mr ? ap[i - 1] + a_stride : ap[i - 1];

  // Indexed addressing (ap[i] + kk) spares eight pointer increments per group: the loop body is
  // 30 instructions for 16 vpdpbusd, so the front end keeps up even at two vpdpbusd per cycle.
  const int8_t* wp = static_cast<const int8_t*>(w);
  const size_t kp = round_up_kr(k);
  for (size_t kk = 0; kk < kp; kk += KR) {
    const __m512i w0 = _mm512_loadu_si512(wp);
    const __m512i w1 = _mm512_loadu_si512(wp + 64);
    wp += NR * KR;
#pragma GCC unroll 8
    for (size_t i = 0; i < MR; i++) {
      const __m512i va = broadcast4(ap[i] + kk);
      acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], va, w0);
      acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], va, w1);
    }
  }
}
}  // namespace

void u8s8_gemm_8x32c4_avx512vnni_acc(size_t mr, size_t k, const uint8_t* a, size_t a_stride,
                                     const void* w, int32_t* tile) {
  __m512i acc[MR][2];
#pragma GCC unroll 8
  for (size_t i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_si512();
  dot_tile(mr, k, a, a_stride, w, acc);
#pragma GCC unroll 8
  for (size_t i = 0; i < MR; i++) {
    if (i >= mr) break;
    _mm512_storeu_si512(tile + i * NR, acc[i][0]);
    _mm512_storeu_si512(tile + i * NR + 16, acc[i][1]);
  }
}

// The accumulator entry with the output stage applied from registers (no tile round trip): what
// qgemm calls on this ISA. Small-K GEMMs (pointwise convolutions) spend a large share of each
// tile in the stage, so the stores and reloads of a 1 KiB tile matter there.
void u8s8_gemm_8x32c4_avx512vnni_fused(size_t mr, size_t nr, size_t k, const uint8_t* a,
                                       size_t a_stride, const void* w, const U8S8Output& o,
                                       size_t m0, size_t n0, void* y, size_t y_stride) {
  __m512i acc[MR][2];
#pragma GCC unroll 8
  for (size_t i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_si512();
  dot_tile(mr, k, a, a_stride, w, acc);
  const size_t es = u8s8_output_size(o.kind);
  const ZmmStage z(o);
  // Unrolled with constant indices (and an early exit) so the accumulators stay in registers: a
  // loop indexing acc at run time makes GCC keep the whole array in memory.
  const ZmmColumns c0(o, n0, nr);
#pragma GCC unroll 8
  for (size_t i = 0; i < MR; i++) {
    if (i >= mr) break;
    zmm_output(o, z, c0, acc[i][0], m0 + i, static_cast<uint8_t*>(y) + ((m0 + i) * y_stride + n0) * es);
  }
  if (nr <= 16) return;
  const ZmmColumns c1(o, n0 + 16, nr - 16);
#pragma GCC unroll 8
  for (size_t i = 0; i < MR; i++) {
    if (i >= mr) break;
    zmm_output(o, z, c1, acc[i][1], m0 + i, static_cast<uint8_t*>(y) + ((m0 + i) * y_stride + n0 + 16) * es);
  }
}

void u8s8_gemm_8x32c4_avx512vnni(size_t mr, size_t nr, size_t k, const uint8_t* a,
                                 size_t a_stride, const void* w, const int32_t* bias,
                                 const float* scale, uint8_t* y, size_t y_stride,
                                 const RequantParams* p) {
  __m512i acc[MR][2];
  const __m512i vb0 = _mm512_loadu_si512(bias);
  const __m512i vb1 = _mm512_loadu_si512(bias + 16);
#pragma GCC unroll 8
  for (size_t i = 0; i < MR; i++) acc[i][0] = vb0, acc[i][1] = vb1;
  dot_tile(mr, k, a, a_stride, w, acc);

  const __m512 s0 = _mm512_loadu_ps(scale);
  const __m512 s1 = _mm512_loadu_ps(scale + 16);
  const __m512 lo = _mm512_set1_ps(static_cast<float>(p->y_min - p->y_zero_point));
  const __m512 hi = _mm512_set1_ps(static_cast<float>(p->y_max - p->y_zero_point));
  // Rounded values lie in [-255, 255], so int16 holds them: adding the zero point after the
  // int32 -> int16 pack (one add per row instead of two) gives the same bytes.
  const __m512i vzp = _mm512_set1_epi16(static_cast<int16_t>(p->y_zero_point));
  // packs/packus interleave 128-bit lanes; dword 4j + {0,1,2,3} of lane j holds columns 4j..4j+3
  // of row r (from acc[r][0]), columns 16+4j.. of row r, then the same for row r+1.
  const __m512i order = _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0);
  const __mmask32 cols = nr >= NR ? ~__mmask32{0} : (__mmask32{1} << nr) - 1;
#pragma GCC unroll 4
  for (size_t i = 0; i < MR; i += 2) {
    if (i >= mr) break;
    const __m512i r0 = _mm512_packs_epi32(requantize(acc[i][0], s0, lo, hi),
                                          requantize(acc[i][1], s1, lo, hi));
    const __m512i r1 = _mm512_packs_epi32(requantize(acc[i + 1][0], s0, lo, hi),
                                          requantize(acc[i + 1][1], s1, lo, hi));
    const __m512i bytes = _mm512_maskz_permutexvar_epi32(
        kAll, order, _mm512_packus_epi16(_mm512_add_epi16(r0, vzp), _mm512_add_epi16(r1, vzp)));
    // Mask bits 32..63 are clear: this writes the low 32 bytes only.
    _mm512_mask_storeu_epi8(y + i * y_stride, cols, bytes);
    if (i + 1 < mr)
      _mm256_mask_storeu_epi8(y + (i + 1) * y_stride, cols,
                              _mm512_maskz_extracti64x4_epi64(0xFF, bytes, 1));
  }
}

}  // namespace i8k
