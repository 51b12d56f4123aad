#include "qconv-layout.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace i8k {

namespace {

#if defined(__SSE2__)
using V16 = __m128i;
inline V16 load16(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline void store16(uint8_t* p, V16 v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
inline V16 lo(V16 a, V16 b) { return _mm_unpacklo_epi8(a, b); }
inline V16 hi(V16 a, V16 b) { return _mm_unpackhi_epi8(a, b); }
inline V16 xor16(V16 a, uint8_t f) { return _mm_xor_si128(a, _mm_set1_epi8(char(f))); }
#define I8K_QCONV_TILES 1
#elif defined(__wasm_simd128__)
using V16 = v128_t;
inline V16 load16(const uint8_t* p) { return wasm_v128_load(p); }
inline void store16(uint8_t* p, V16 v) { wasm_v128_store(p, v); }
inline V16 lo(V16 a, V16 b) { return wasm_i8x16_shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23); }
inline V16 hi(V16 a, V16 b) { return wasm_i8x16_shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31); }
inline V16 xor16(V16 a, uint8_t f) { return wasm_v128_xor(a, wasm_i8x16_splat(int8_t(f))); }
#define I8K_QCONV_TILES 1
#elif defined(__aarch64__)
using V16 = uint8x16_t;
inline V16 load16(const uint8_t* p) { return vld1q_u8(p); }
inline void store16(uint8_t* p, V16 v) { vst1q_u8(p, v); }
inline V16 lo(V16 a, V16 b) { return vzip1q_u8(a, b); }
inline V16 hi(V16 a, V16 b) { return vzip2q_u8(a, b); }
inline V16 xor16(V16 a, uint8_t f) { return veorq_u8(a, vdupq_n_u8(f)); }
#define I8K_QCONV_TILES 1
#endif

#if defined(I8K_QCONV_TILES)
// Four rounds of interleaving row i with row i + 8 transpose a 16x16 byte tile.
inline void tile16(const uint8_t* src, size_t ss, uint8_t* dst, size_t ds, uint8_t flip) {
  V16 x[16], y[16];
  for (int i = 0; i < 16; i++) x[i] = load16(src + i * ss);
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < 8; i++) y[2 * i] = lo(x[i], x[i + 8]), y[2 * i + 1] = hi(x[i], x[i + 8]);
    for (int i = 0; i < 16; i++) x[i] = y[i];
  }
  for (int i = 0; i < 16; i++) store16(dst + i * ds, flip ? xor16(x[i], flip) : x[i]);
}
#endif

void transpose_bytes(const uint8_t* __restrict src, size_t ss, uint8_t* __restrict dst, size_t ds, size_t r0,
                     size_t r1, size_t c0, size_t c1, uint8_t flip) {
  for (size_t i = r0; i < r1; i++)
    for (size_t j = c0; j < c1; j++) dst[j * ds + i] = src[i * ss + j] ^ flip;
}

}  // namespace

void transpose_u8(const uint8_t* src, size_t src_stride, uint8_t* dst, size_t dst_stride, size_t rows,
                  size_t cols, uint8_t flip) {
  size_t r16 = 0, c16 = 0;
#if defined(I8K_QCONV_TILES)
  r16 = rows / 16 * 16, c16 = cols / 16 * 16;
  for (size_t i = 0; i < r16; i += 16)
    for (size_t j = 0; j < c16; j += 16)
      tile16(src + i * src_stride + j, src_stride, dst + j * dst_stride + i, dst_stride, flip);
#endif
  transpose_bytes(src, src_stride, dst, dst_stride, 0, r16, c16, cols, flip);
  transpose_bytes(src, src_stride, dst, dst_stride, r16, rows, 0, cols, flip);
}

}  // namespace i8k
