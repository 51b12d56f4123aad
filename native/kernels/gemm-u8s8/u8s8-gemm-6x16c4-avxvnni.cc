// AVX-VNNI u8 x s8 GEMM microkernel, MR=6 x NR=16, KR=4: ymm vpdpbusd into 12 accumulators.
//
// Per group of 4 k: two 32-byte weight loads and one dword broadcast of A per row feed 12
// vpdpbusd. 12 accumulators + 2 weight vectors + 1 broadcast fit the 16 ymm registers of the VEX
// encoding, and 12 independent chains cover the dot-product latency at two issues per cycle.
// vpdpbusd (not vpdpbusds) adds the exact products without saturation, so the accumulators are
// the integers of the scalar twin.
//
// u8s8-gemm-6x16c4-avxvnni-evex.cc includes this file after defining the two macros below, to
// build the same code with the EVEX (AVX512-VL VNNI) encoding: it runs, and so is tested, on CPUs
// with AVX-512 VNNI but without AVX-VNNI.
#include <immintrin.h>
#include <cstring>
#include "gemm-u8s8.h"
#include "u8s8-output-ymm.h"

#ifndef I8K_6X16C4_NAME
#define I8K_6X16C4_NAME(suffix) u8s8_gemm_6x16c4_avxvnni##suffix
#define I8K_6X16C4_DPBUSD _mm256_dpbusd_avx_epi32
#endif

namespace i8k {

namespace {
constexpr size_t MR = 6;
constexpr size_t NR = 16;
constexpr size_t KR = 4;

inline size_t round_up_kr(size_t k) { return (k + KR - 1) / KR * KR; }

inline __m256i broadcast4(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);  // one vpbroadcastd from memory
  return _mm256_set1_epi32(v);
}

}  // namespace

size_t I8K_6X16C4_NAME(_panel_bytes)(size_t k) { return round_up_kr(k) * NR; }

// Layout: for each group of 4 k, for each of the 16 columns, the 4 bytes b[k..k+3][n]: exactly
// the signed operand of one vpdpbusd lane, so a group is two ymm loads.
void I8K_6X16C4_NAME(_pack)(size_t k, size_t nvalid, const int8_t* b, size_t ldb, void* out) {
  int8_t* w = static_cast<int8_t*>(out);
  std::memset(w, 0, round_up_kr(k) * NR);
  for (size_t kk = 0; kk < k; kk++)
    for (size_t n = 0; n < nvalid; n++) w[(kk / KR * NR + n) * KR + kk % KR] = b[kk * ldb + n];
}

namespace {
// acc[i][*] += the dot products of rows i < mr of A with the panel (rows past mr repeat row mr - 1).
inline void dot_tile(size_t mr, size_t k, const uint8_t* a, size_t a_stride, const void* w,
                     __m256i (&acc)[MR][2]) {
  // Rows past mr alias the last valid row (as in XNNPACK): the loop stays branch free and never
  // reads a row the caller did not hand us; their results are simply not stored.
  const uint8_t* ap[MR];
  ap[0] = a;
#pragma GCC unroll 6
  for (size_t i = 1; i < MR; i++) ap[i] = i < mr ? ap[i - 1] + a_stride : ap[i - 1];

  const int8_t* wp = static_cast<const int8_t*>(w);
  const size_t kp = round_up_kr(k);
  for (size_t kk = 0; kk < kp; kk += KR) {
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp));
    const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 32));
    wp += NR * KR;
#pragma GCC unroll 6
    for (size_t i = 0; i < MR; i++) {
      const __m256i va = broadcast4(ap[i] + kk);
      acc[i][0] = I8K_6X16C4_DPBUSD(acc[i][0], va, w0);
      acc[i][1] = I8K_6X16C4_DPBUSD(acc[i][1], va, w1);
    }
  }
}
}  // namespace

// The accumulator entry with the output stage applied from registers (what qgemm calls).
void I8K_6X16C4_NAME(_fused)(size_t mr, size_t nr, size_t k, const uint8_t* a, size_t a_stride, const void* w,
        const U8S8Output& o, size_t m0, size_t n0, void* y, size_t y_stride) {
  __m256i acc[MR][2];
#pragma GCC unroll 6
  for (size_t i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_si256();
  dot_tile(mr, k, a, a_stride, w, acc);
  fused_tile16<MR>(acc, mr, nr, o, m0, n0, y, y_stride);
}

void I8K_6X16C4_NAME(_acc)(size_t mr, size_t k, const uint8_t* a, size_t a_stride, const void* w,
                           int32_t* tile) {
  __m256i acc[MR][2];
#pragma GCC unroll 6
  for (size_t i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_si256();
  dot_tile(mr, k, a, a_stride, w, acc);
  store_acc_tile16<MR>(acc, mr, tile);
}

void I8K_6X16C4_NAME()(size_t mr, size_t nr, size_t k, const uint8_t* a, size_t a_stride,
                       const void* w, const int32_t* bias, const float* scale, uint8_t* y,
                       size_t y_stride, const RequantParams* p) {
  __m256i acc[MR][2];
  const __m256i vb0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias));
  const __m256i vb1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + 8));
#pragma GCC unroll 6
  for (size_t i = 0; i < MR; i++) acc[i][0] = vb0, acc[i][1] = vb1;

  dot_tile(mr, k, a, a_stride, w, acc);

  store_tile16<MR>(acc, mr, nr, scale, y, y_stride, *p);
}

}  // namespace i8k
