// The conversion kernels written once over a vector type S (q8-simd/q8-simd-<isa>.h): W lanes at a
// time with the same float32 operations, in the same order, as the scalar definitions in
// q8-vcvt.h, which also handle the tail. Two vectors per step hide the divider's latency.
#pragma once
#include "q8-vcvt.h"

namespace i8k::q8simd {

template <class S, typename T>
void quantize(size_t n, const float* x, T* y, const Q8QuantizeParams& p) {
  const typename S::F s = S::set(p.scale), zp = S::set(p.zero_point);
  const typename S::F lo = S::set(Q8Range<T>::lo), hi = S::set(Q8Range<T>::hi);
  auto one = [&](const float* xi, T* yi) {
    S::store(yi, S::clamp(S::add(S::round(S::div(S::loadf(xi), s)), zp), lo, hi));
  };
  for (; n >= 2 * S::W; n -= 2 * S::W, x += 2 * S::W, y += 2 * S::W) one(x, y), one(x + S::W, y + S::W);
  for (; n >= S::W; n -= S::W, x += S::W, y += S::W) one(x, y);
  for (; n; n--) *y++ = q8_quantize<T>(*x++, p);
}

template <class S, typename T>
void dequantize(size_t n, const T* x, float* y, const Q8DequantizeParams& p) {
  const typename S::F s = S::set(p.scale), zp = S::set(p.zero_point);
  for (; n >= S::W; n -= S::W, x += S::W, y += S::W) S::storef(y, S::mul(S::sub(S::to_f(S::load_i(x)), zp), s));
  for (; n; n--) *y++ = q8_dequantize<T>(*x++, p);
}

template <class S, typename T>
void requantize(size_t n, const T* x, T* y, const Q8RequantizeParams& p) {
  const typename S::F m = S::set(p.multiplier), xz = S::set(p.x_zero_point), yz = S::set(p.y_zero_point);
  const typename S::F lo = S::set(Q8Range<T>::lo), hi = S::set(Q8Range<T>::hi);
  for (; n >= S::W; n -= S::W, x += S::W, y += S::W)
    S::store(y, S::clamp(S::add(S::round(S::mul(S::sub(S::to_f(S::load_i(x)), xz), m)), yz), lo, hi));
  for (; n; n--) *y++ = q8_requantize<T>(*x++, p);
}

template <class S>
constexpr Q8VCvtKernels vcvt_kernels(const char* name) {
  return {name, quantize<S, uint8_t>, quantize<S, int8_t>, dequantize<S, uint8_t>, dequantize<S, int8_t>,
          requantize<S, uint8_t>, requantize<S, int8_t>};
}

}  // namespace i8k::q8simd
