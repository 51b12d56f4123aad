// The scalar twin: the definitions of q8-vcvt.h applied element by element.
#include "q8-vcvt.h"

namespace i8k {

namespace {

template <typename T>
void quantize(size_t n, const float* x, T* y, const Q8QuantizeParams& p) {
  for (size_t i = 0; i < n; i++) y[i] = q8_quantize<T>(x[i], p);
}
template <typename T>
void dequantize(size_t n, const T* x, float* y, const Q8DequantizeParams& p) {
  for (size_t i = 0; i < n; i++) y[i] = q8_dequantize<T>(x[i], p);
}
template <typename T>
void requantize(size_t n, const T* x, T* y, const Q8RequantizeParams& p) {
  for (size_t i = 0; i < n; i++) y[i] = q8_requantize<T>(x[i], p);
}

}  // namespace

const Q8VCvtKernels q8_vcvt_scalar = {"scalar", quantize<uint8_t>, quantize<int8_t>, dequantize<uint8_t>,
                                      dequantize<int8_t>, requantize<uint8_t>, requantize<int8_t>};

}  // namespace i8k
