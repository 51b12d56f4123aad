// The AVX-512 output stage of u8s8-output.h for one vector of 16 accumulators, shared by the
// stage on tiles (u8s8-output-avx512.cc) and the kernel's fused entry. Included inside an anonymous
// namespace on purpose, like u8s8-output-ymm.h: each file compiles its own copy.
//
// Lane by lane the scalar twin's steps: vpmulld / vpaddd wrap like its unsigned sums; cvtdq2ps,
// mulps and addps are its single roundings (the maskz forms are builtins GCC never contracts into
// an FMA); max(v, lo) returns lo for a NaN v like std::fmax; cvtps2dq rounds half to even (MXCSR
// default) like std::nearbyint. Masked loads and stores never touch masked-out elements.
#pragma once
#include <immintrin.h>
#include "u8s8-output.h"

namespace i8k {
namespace {

constexpr __mmask16 kZmmAll = 0xFFFF;

struct ZmmStage {
  __m512 lo, hi;
  __m512i zp, flip;
  explicit ZmmStage(const U8S8Output& o)
      : lo(_mm512_set1_ps(static_cast<float>(o.rq.y_min - o.rq.y_zero_point))),
        hi(_mm512_set1_ps(static_cast<float>(o.rq.y_max - o.rq.y_zero_point))),
        zp(_mm512_set1_epi32(o.rq.y_zero_point)),
        flip(_mm512_set1_epi32(o.kind == U8S8OutputKind::s8 ? 0x80 : 0)) {}
};

// The per-column operands of 16 columns n .. n + count - 1 (count <= 16), loaded once per tile.
struct ZmmColumns {
  __mmask16 mask;
  __m512i off, mult;
  __m512 scale, bias;
  ZmmColumns(const U8S8Output& o, size_t n, size_t count)
      : mask(count >= 16 ? kZmmAll : __mmask16((1u << count) - 1)),
        off(_mm512_maskz_loadu_epi32(mask, o.col_off + n)),
        mult(o.col_mult ? _mm512_maskz_loadu_epi32(mask, o.col_mult + n) : _mm512_setzero_si512()),
        scale(o.kind == U8S8OutputKind::s32 ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mask, o.scale + n)),
        bias(o.bias ? _mm512_maskz_loadu_ps(mask, o.bias + n) : _mm512_setzero_ps()) {}
};

// Output row m of those columns from their dot products `dot`; out points at column n of the row.
inline void zmm_output(const U8S8Output& o, const ZmmStage& z, const ZmmColumns& c, __m512i dot, size_t m,
                       uint8_t* out) {
  __m512i acc = _mm512_add_epi32(dot, c.off);
  if (o.col_mult) acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(_mm512_set1_epi32(o.row_sum[m]), c.mult));
  switch (o.kind) {
    case U8S8OutputKind::s32:
      _mm512_mask_storeu_epi32(out, c.mask, acc);
      break;
    case U8S8OutputKind::f32: {
      __m512 v = _mm512_maskz_mul_ps(kZmmAll, _mm512_maskz_cvtepi32_ps(kZmmAll, acc), c.scale);
      if (o.bias) v = _mm512_maskz_add_ps(kZmmAll, v, c.bias);
      _mm512_mask_storeu_ps(out, c.mask, v);
      break;
    }
    default: {
      __m512 v = _mm512_maskz_mul_ps(kZmmAll, _mm512_maskz_cvtepi32_ps(kZmmAll, acc), c.scale);
      v = _mm512_maskz_min_ps(kZmmAll, _mm512_maskz_max_ps(kZmmAll, v, z.lo), z.hi);
      const __m512i q = _mm512_xor_si512(_mm512_add_epi32(_mm512_maskz_cvtps_epi32(kZmmAll, v), z.zp), z.flip);
      // q is 0..255 (bounds in u8 units), so the truncating narrow keeps it.
      _mm_mask_storeu_epi8(out, c.mask, _mm512_maskz_cvtepi32_epi8(kZmmAll, q));
      break;
    }
  }
}

}  // namespace
}  // namespace i8k
