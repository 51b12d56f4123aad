// AVX2 u8 x s8 GEMM microkernel for reduce_range weights (s8 in [-64, 63]), MR=6 x NR=16, KR=4:
// the AVX-VNNI 6x16c4 kernel with each vpdpbusd emulated by vpmaddubsw + vpmaddwd(1) + vpaddd.
//
// vpmaddubsw adds two u8 x s8 products into int16 with saturation. Full-range operands overflow
// (255 * -128 * 2 = -65280), so this kernel is only exact when one operand is 7-bit. We require
// 7-bit *weights*: 255 * 64 * 2 = 32640 <= 32767, so no pair can saturate. Weights rather than
// activations because weights are constants whose range the operator checks once when it packs
// them (a reduce_range activation is a promise about run-time data that nothing could verify, and
// a broken promise would give silently wrong results). Weight quantizers that target this path
// (onnxruntime's reduce_range, FBGEMM's) quantize to [-64, 63].
//
// Per 4 k this is 3 instructions per vpdpbusd, against the exact path's widening and two
// vpmaddwd + two vpaddd per 2 k; bench-gemm measures both.
#include <immintrin.h>

namespace {
inline __m256i dpbusd_7bit_weights(__m256i acc, __m256i a, __m256i w) {
  const __m256i pairs = _mm256_maddubs_epi16(a, w);  // exact: |a0 w0 + a1 w1| <= 32640
  return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
}
}  // namespace

#define I8K_6X16C4_NAME(suffix) u8s8_gemm_6x16c4_avx2_rr##suffix
#define I8K_6X16C4_DPBUSD dpbusd_7bit_weights
#include "u8s8-gemm-6x16c4-avxvnni.cc"
