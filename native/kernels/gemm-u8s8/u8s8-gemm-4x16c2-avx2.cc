// AVX2 u8 x s8 GEMM microkernel, MR=4 x NR=16, KR=2: exact int16 vpmaddwd into 8 accumulators.
//
// vpmaddubsw multiplies u8 x s8 directly but saturates its int16 pair sums (255 * 127 * 2
// overflows), so results would depend on the data. Instead both operands are int16 and vpmaddwd
// sums two exact products into int32. A is widened in registers: one dword broadcast
// (a0 a1 a2 a3) per row gives the int16 pairs (a0, a2) by masking and (a1, a3) by a 16-bit shift,
// two ALU ops per 4 k per row; the weights are packed to match those pairs.
// Per 4 k the tile is 512 int8 ops for 16 vpmaddwd + 16 vpaddd + 8 widening ops: on 4 vector
// pipes that bounds it near 51 ops/cycle, against 64 for the vpmaddwd pipes alone.
#include <immintrin.h>
#include <cstring>
#include "gemm-u8s8.h"
#include "u8s8-output-ymm.h"

namespace i8k {

namespace {
constexpr size_t MR = 4;
constexpr size_t NR = 16;
constexpr size_t KR = 2;

inline size_t round_up_kr(size_t k) { return (k + KR - 1) / KR * KR; }

inline __m256i load_w(const int16_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

}  // namespace

size_t u8s8_gemm_4x16c2_avx2_panel_bytes(size_t k) { return round_up_kr(k) * NR * sizeof(int16_t); }

// Layout, int16: for each whole group of 4 k (k0 = 4q), 64 values: (b[k0][n], b[k0+2][n]) for
// n = 0..15, then (b[k0+1][n], b[k0+3][n]) for n = 0..15, i.e. four ymm of 8 column pairs. When
// round_up(k, 2) is not a multiple of 4, a last group of 2 k holds (b[k0][n], b[k0+1][n]).
void u8s8_gemm_4x16c2_avx2_pack(size_t k, size_t nvalid, const int8_t* b, size_t ldb, void* out) {
  int16_t* w = static_cast<int16_t*>(out);
  const size_t kp = round_up_kr(k), quads = kp / 4;
  std::memset(w, 0, kp * NR * sizeof(int16_t));
  for (size_t kk = 0; kk < k; kk++) {
    const size_t q = kk / 4, r = kk % 4;
    int16_t* g = q < quads ? w + q * 64 + (r & 1) * 32 + (r >> 1) : w + q * 64 + r;
    for (size_t n = 0; n < nvalid; n++) g[2 * n] = b[kk * ldb + n];
  }
}

namespace {
// acc[i][*] += the dot products of rows i < mr of A with the panel (rows past mr repeat row mr - 1).
inline void dot_tile(size_t mr, size_t k, const uint8_t* a, size_t a_stride, const void* w,
                     __m256i (&acc)[MR][2]) {
  // Rows past mr alias the last valid row (as in XNNPACK): the loop stays branch free and never
  // reads a row the caller did not hand us; their results are simply not stored.
  const uint8_t* ap[MR];
  ap[0] = a;
#pragma GCC unroll 4
  for (size_t i = 1; i < MR; i++) ap[i] = i < mr ? ap[i - 1] + a_stride : ap[i - 1];

  const int16_t* wp = static_cast<const int16_t*>(w);
  const size_t kp = round_up_kr(k), k4 = kp & ~size_t{3};
  const __m256i low_bytes = _mm256_set1_epi16(0x00FF);
  // 8 accumulators + the mask + widening temporaries nearly fill the 16 ymm registers. Naming the
  // weights at each use (rather than as 4 loop-level registers) lets the compiler keep some and
  // fold the rest into vpmaddwd memory operands; hoisted, GCC 12 spills an accumulator instead,
  // which puts a store and a store-forwarding delay in the loop.
  for (size_t kk = 0; kk < k4; kk += 4) {
#pragma GCC unroll 4
    for (size_t i = 0; i < MR; i++) {
      int32_t a4;
      std::memcpy(&a4, ap[i] + kk, 4);
      const __m256i va = _mm256_set1_epi32(a4);
      const __m256i even = _mm256_and_si256(va, low_bytes);  // int16 (a0, a2) per dword
      const __m256i odd = _mm256_srli_epi16(va, 8);          // int16 (a1, a3) per dword
      acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(even, load_w(wp)));
      acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(even, load_w(wp + 16)));
      acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(odd, load_w(wp + 32)));
      acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(odd, load_w(wp + 48)));
    }
    wp += 64;
  }
  if (k4 != kp) {
    // Last 2 k: only these 2 bytes per row exist, so read exactly them.
    const __m256i p0 = load_w(wp), p1 = load_w(wp + 16);
#pragma GCC unroll 4
    for (size_t i = 0; i < MR; i++) {
      const int32_t pair = int32_t{ap[i][k4]} | int32_t{ap[i][k4 + 1]} << 16;
      const __m256i va = _mm256_set1_epi32(pair);
      acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(va, p0));
      acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(va, p1));
    }
  }
}
}  // namespace

// The accumulator entry with the output stage applied from registers (what qgemm calls).
void u8s8_gemm_4x16c2_avx2_fused(size_t mr, size_t nr, size_t k, const uint8_t* a, size_t a_stride, const void* w,
        const U8S8Output& o, size_t m0, size_t n0, void* y, size_t y_stride) {
  __m256i acc[MR][2];
#pragma GCC unroll 4
  for (size_t i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_si256();
  dot_tile(mr, k, a, a_stride, w, acc);
  fused_tile16<MR>(acc, mr, nr, o, m0, n0, y, y_stride);
}

void u8s8_gemm_4x16c2_avx2_acc(size_t mr, size_t k, const uint8_t* a, size_t a_stride,
                               const void* w, int32_t* tile) {
  __m256i acc[MR][2];
#pragma GCC unroll 4
  for (size_t i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_si256();
  dot_tile(mr, k, a, a_stride, w, acc);
  store_acc_tile16<MR>(acc, mr, tile);
}

void u8s8_gemm_4x16c2_avx2(size_t mr, size_t nr, size_t k, const uint8_t* a, size_t a_stride,
                           const void* w, const int32_t* bias, const float* scale, uint8_t* y,
                           size_t y_stride, const RequantParams* p) {
  __m256i acc[MR][2];
  const __m256i vb0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias));
  const __m256i vb1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + 8));
#pragma GCC unroll 4
  for (size_t i = 0; i < MR; i++) acc[i][0] = vb0, acc[i][1] = vb1;

  dot_tile(mr, k, a, a_stride, w, acc);

  store_tile16<MR>(acc, mr, nr, scale, y, y_stride, *p);
}

}  // namespace i8k
