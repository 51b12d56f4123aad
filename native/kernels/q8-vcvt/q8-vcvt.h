// Conversions of quantized tensors, one run of elements sharing one scale and zero point (per-axis
// ops call them once per channel run):
//   quantize:   y = saturate(nearbyint(x / scale) + zero_point)          f32 -> u8 / s8
//   dequantize: y = (float(x) - zero_point) * scale                       u8 / s8 -> f32
//   requantize: y = saturate(nearbyint((float(x) - x_zp) * multiplier) + y_zp)   u8 -> u8, s8 -> s8
// Division (not a reciprocal multiply) is ONNX QuantizeLinear's definition; float(x) - zp is exact
// for 8-bit codes. Saturation and NaN as q8-scalar-math.h (NaN -> the lowest code, inf -> the
// nearest end). The scalar functions below are the definition; every ISA matches them bit for bit.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include "../q8-simd/q8-scalar-math.h"

namespace i8k {

struct Q8QuantizeParams {
  float scale, zero_point;
};
struct Q8DequantizeParams {
  float scale, zero_point;
};
struct Q8RequantizeParams {
  float multiplier, x_zero_point, y_zero_point;
};

template <typename T>
inline T q8_quantize(float x, const Q8QuantizeParams& p) {
  return q8_round_store<T>(x / p.scale, p.zero_point);
}
template <typename T>
inline float q8_dequantize(T x, const Q8DequantizeParams& p) {
  return (float(x) - p.zero_point) * p.scale;
}
template <typename T>
inline T q8_requantize(T x, const Q8RequantizeParams& p) {
  return q8_round_store<T>((float(x) - p.x_zero_point) * p.multiplier, p.y_zero_point);
}

using Q8QuantizeU8Fn = void (*)(size_t n, const float* x, uint8_t* y, const Q8QuantizeParams& p);
using Q8QuantizeS8Fn = void (*)(size_t n, const float* x, int8_t* y, const Q8QuantizeParams& p);
using Q8DequantizeU8Fn = void (*)(size_t n, const uint8_t* x, float* y, const Q8DequantizeParams& p);
using Q8DequantizeS8Fn = void (*)(size_t n, const int8_t* x, float* y, const Q8DequantizeParams& p);
using Q8RequantizeU8Fn = void (*)(size_t n, const uint8_t* x, uint8_t* y, const Q8RequantizeParams& p);
using Q8RequantizeS8Fn = void (*)(size_t n, const int8_t* x, int8_t* y, const Q8RequantizeParams& p);

struct Q8VCvtKernels {
  const char* name;
  Q8QuantizeU8Fn quantize_u8;
  Q8QuantizeS8Fn quantize_s8;
  Q8DequantizeU8Fn dequantize_u8;
  Q8DequantizeS8Fn dequantize_s8;
  Q8RequantizeU8Fn requantize_u8;
  Q8RequantizeS8Fn requantize_s8;
};

extern const Q8VCvtKernels q8_vcvt_scalar;
extern const Q8VCvtKernels q8_vcvt_8x_avx2;
extern const Q8VCvtKernels q8_vcvt_16x_avx512;
extern const Q8VCvtKernels q8_vcvt_4x_wasmsimd;
extern const Q8VCvtKernels q8_vcvt_4x_neon;

}  // namespace i8k
