// Quantized elementwise add and multiply of two runs (vv: both advance; vs: b is one element,
// for broadcasting), u8 or s8 in and out, defined in float32 with this operation order:
//   add: y = saturate(nearbyint((float(a) - a_zp) * a_mult + (float(b) - b_zp) * b_mult) + y_zp)
//        a_mult = a_scale / y_scale, b_mult = b_scale / y_scale (computed by the op in float32)
//   mul: y = saturate(nearbyint(((float(a) - a_zp) * (float(b) - b_zp)) * mult) + y_zp)
//        mult = (a_scale * b_scale) / y_scale
// (a - zp) and the product of two such codes are exact in float32, so each result has two
// roundings (add) or one (mul) before nearbyint. Float addition and multiplication commute, so an
// op broadcasting a instead of b swaps the operands with their parameters. Saturation and NaN as
// q8-scalar-math.h. The scalar functions below are the definition; every ISA matches them.
#pragma once
#include <cstddef>
#include <cstdint>
#include "../q8-simd/q8-scalar-math.h"

namespace i8k {

struct Q8AddParams {
  float a_zero_point, a_multiplier, b_zero_point, b_multiplier, y_zero_point;
};
struct Q8MulParams {
  float a_zero_point, b_zero_point, multiplier, y_zero_point;
};

template <typename T>
inline T q8_add(T a, T b, const Q8AddParams& p) {
  const float ta = (float(a) - p.a_zero_point) * p.a_multiplier;
  const float tb = (float(b) - p.b_zero_point) * p.b_multiplier;
  return q8_round_store<T>(ta + tb, p.y_zero_point);
}
template <typename T>
inline T q8_mul(T a, T b, const Q8MulParams& p) {
  const float prod = (float(a) - p.a_zero_point) * (float(b) - p.b_zero_point);
  return q8_round_store<T>(prod * p.multiplier, p.y_zero_point);
}

template <typename T, typename P>
using Q8VBinaryFn = void (*)(size_t n, const T* a, const T* b, T* y, const P& p);

template <typename T>
struct Q8VBinaryPair {
  Q8VBinaryFn<T, Q8AddParams> add_vv, add_vs;
  Q8VBinaryFn<T, Q8MulParams> mul_vv, mul_vs;
};

struct Q8VBinaryKernels {
  const char* name;
  Q8VBinaryPair<uint8_t> u8;
  Q8VBinaryPair<int8_t> s8;
};

extern const Q8VBinaryKernels q8_vbinary_scalar;
extern const Q8VBinaryKernels q8_vbinary_8x_avx2;
extern const Q8VBinaryKernels q8_vbinary_16x_avx512;
extern const Q8VBinaryKernels q8_vbinary_4x_wasmsimd;
extern const Q8VBinaryKernels q8_vbinary_4x_neon;

}  // namespace i8k
