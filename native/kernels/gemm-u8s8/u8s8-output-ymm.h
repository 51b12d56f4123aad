// The ymm output stages shared by the AVX2 and AVX-VNNI u8 x s8 GEMM kernels and
// u8s8-output-avx2.cc. Included inside an anonymous namespace on purpose: each file compiles its
// own copy with its own ISA flags, and the linker must never swap one copy for another (an
// EVEX-encoded copy would fault on an AVX2-only CPU).
#pragma once
#include <immintrin.h>
#include <cstdint>
#include <cstring>
#include "gemm-u8s8.h"
#include "u8s8-output.h"

namespace i8k {
namespace {

// Output stage of requantize_u8 for 8 columns. max(x, lo) returns lo for a NaN x, like
// std::fmax(x, lo), so the lane values equal the scalar ones in every case.
inline __m256i requantize(__m256i acc, __m256 scale, __m256 lo, __m256 hi) {
  __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), scale);
  v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
  return _mm256_cvtps_epi32(v);  // MXCSR default: round half to even, as std::nearbyint
}

// Stores the first n (1..16) bytes of v with 8-, 4-, 2- and 1-byte stores, so no byte past the
// tile is written.
inline void store16(uint8_t* y, size_t n, __m128i v) {
  if (n >= 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y), v);
    return;
  }
  if (n & 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(y), v);
    v = _mm_unpackhi_epi64(v, v);
    y += 8;
  }
  uint32_t t = static_cast<uint32_t>(_mm_cvtsi128_si32(v));
  if (n & 4) {
    std::memcpy(y, &t, 4);
    t = static_cast<uint32_t>(_mm_extract_epi32(v, 1));
    y += 4;
  }
  if (n & 2) {
    const uint16_t h = static_cast<uint16_t>(t);
    std::memcpy(y, &h, 2);
    t >>= 16;
    y += 2;
  }
  if (n & 1) *y = static_cast<uint8_t>(t);
}

// Requantizes an MR x 16 tile (two ymm of int32 per row; MR even) and stores its first nr
// columns of the first mr rows.
template <size_t MR>
inline void store_tile16(const __m256i (&acc)[MR][2], size_t mr, size_t nr, const float* scale, uint8_t* y,
                         size_t y_stride, const RequantParams& p) {
  const __m256 s0 = _mm256_loadu_ps(scale);
  const __m256 s1 = _mm256_loadu_ps(scale + 8);
  const __m256 lo = _mm256_set1_ps(static_cast<float>(p.y_min - p.y_zero_point));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(p.y_max - p.y_zero_point));
  // Rounded values lie in [-255, 255], so int16 holds them: adding the zero point after the
  // int32 -> int16 pack (one add per row instead of two) gives the same bytes.
  const __m256i vzp = _mm256_set1_epi16(static_cast<int16_t>(p.y_zero_point));
  // packs/packus work within 128-bit lanes: lane j ends up with columns 4j..4j+3 and 8+4j..
  // of row r, then the same of row r+1; one dword permute puts row r in the low half.
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
#pragma GCC unroll 4
  for (size_t i = 0; i < MR; i += 2) {
    if (i >= mr) break;
    const __m256i r0 = _mm256_packs_epi32(requantize(acc[i][0], s0, lo, hi),
                                          requantize(acc[i][1], s1, lo, hi));
    const __m256i r1 = _mm256_packs_epi32(requantize(acc[i + 1][0], s0, lo, hi),
                                          requantize(acc[i + 1][1], s1, lo, hi));
    const __m256i bytes = _mm256_permutevar8x32_epi32(
        _mm256_packus_epi16(_mm256_add_epi16(r0, vzp), _mm256_add_epi16(r1, vzp)), order);
    store16(y + i * y_stride, nr, _mm256_castsi256_si128(bytes));
    if (i + 1 < mr) store16(y + (i + 1) * y_stride, nr, _mm256_extracti128_si256(bytes, 1));
  }
}

// Stores rows i < mr of an MR x 16 int32 tile (the _acc entry points) into tile[i * 16 + j].
template <size_t MR>
inline void store_acc_tile16(const __m256i (&acc)[MR][2], size_t mr, int32_t* tile) {
#pragma GCC unroll 6
  for (size_t i = 0; i < MR; i++) {
    if (i >= mr) break;
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(tile + i * 16), acc[i][0]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(tile + i * 16 + 8), acc[i][1]);
  }
}

// ---- the stages of u8s8-output.h from registers (the kernels' fused entries) -----------------

// Lane by lane the scalar twin's steps, as in u8s8-output-avx2.cc: vpmulld / vpaddd wrap like its
// unsigned sums; an empty asm between the multiply and the add keeps GCC from contracting them
// into an FMA; max(v, lo) returns lo for a NaN v like std::fmax; cvtps2dq rounds half to even.
struct YmmStage {
  __m256 lo, hi;
  __m256i zp, flip;
  explicit YmmStage(const U8S8Output& o)
      : lo(_mm256_set1_ps(static_cast<float>(o.rq.y_min - o.rq.y_zero_point))),
        hi(_mm256_set1_ps(static_cast<float>(o.rq.y_max - o.rq.y_zero_point))),
        zp(_mm256_set1_epi32(o.rq.y_zero_point)),
        flip(_mm256_set1_epi32(o.kind == U8S8OutputKind::s8 ? 0x80 : 0)) {}
};

// The per-column operands of 8 columns n .. n + count - 1 (count <= 8), loaded once per tile;
// vpmaskmov loads never touch the masked-out elements.
struct YmmColumns {
  size_t count;
  __m256i mask, off, mult;
  __m256 scale, bias;
  YmmColumns(const U8S8Output& o, size_t n, size_t cnt)
      : count(cnt),
        mask(_mm256_cmpgt_epi32(_mm256_set1_epi32(int(cnt)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))),
        off(_mm256_maskload_epi32(o.col_off + n, mask)),
        mult(o.col_mult ? _mm256_maskload_epi32(o.col_mult + n, mask) : _mm256_setzero_si256()),
        scale(o.kind == U8S8OutputKind::s32 ? _mm256_setzero_ps() : _mm256_maskload_ps(o.scale + n, mask)),
        bias(o.bias ? _mm256_maskload_ps(o.bias + n, mask) : _mm256_setzero_ps()) {}
};

// Output row m of those columns from their dot products; out points at column n of the row.
inline void ymm_output(const U8S8Output& o, const YmmStage& z, const YmmColumns& c, __m256i dot, size_t m,
                       uint8_t* out) {
  __m256i acc = _mm256_add_epi32(dot, c.off);
  if (o.col_mult) acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(_mm256_set1_epi32(o.row_sum[m]), c.mult));
  switch (o.kind) {
    // vpmaskmov stores are slow on AMD cores: full rows take plain stores.
    case U8S8OutputKind::s32:
      if (c.count == 8) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), acc);
      else _mm256_maskstore_epi32(reinterpret_cast<int*>(out), c.mask, acc);
      break;
    case U8S8OutputKind::f32: {
      __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), c.scale);
      __asm__("" : "+x"(v));
      if (o.bias) v = _mm256_add_ps(v, c.bias);
      if (c.count == 8) _mm256_storeu_ps(reinterpret_cast<float*>(out), v);
      else _mm256_maskstore_ps(reinterpret_cast<float*>(out), c.mask, v);
      break;
    }
    default: {
      __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), c.scale);
      v = _mm256_min_ps(_mm256_max_ps(v, z.lo), z.hi);
      const __m256i q = _mm256_xor_si256(_mm256_add_epi32(_mm256_cvtps_epi32(v), z.zp), z.flip);
      // 0..255 in every dword: two packs give the 8 bytes in order.
      const __m128i w = _mm_packus_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
      store16(out, c.count, _mm_packus_epi16(w, w));
      break;
    }
  }
}

// The fused entry of an MR x 16 kernel: the stage applied to its accumulators. Unrolled with
// constant indices (and an early exit) so the accumulators stay in registers.
template <size_t MR>
inline void fused_tile16(const __m256i (&acc)[MR][2], size_t mr, size_t nr, const U8S8Output& o, size_t m0,
                         size_t n0, void* y, size_t y_stride) {
  const size_t es = u8s8_output_size(o.kind);
  const YmmStage z(o);
  uint8_t* base = static_cast<uint8_t*>(y) + (m0 * y_stride + n0) * es;
  const YmmColumns c0(o, n0, nr < 8 ? nr : 8);
#pragma GCC unroll 6
  for (size_t i = 0; i < MR; i++) {
    if (i >= mr) break;
    ymm_output(o, z, c0, acc[i][0], m0 + i, base + i * y_stride * es);
  }
  if (nr <= 8) return;
  const YmmColumns c1(o, n0 + 8, nr - 8);
#pragma GCC unroll 6
  for (size_t i = 0; i < MR; i++) {
    if (i >= mr) break;
    ymm_output(o, z, c1, acc[i][1], m0 + i, base + (i * y_stride + 8) * es);
  }
}

}  // namespace
}  // namespace i8k
