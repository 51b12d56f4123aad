// Scalar twin of the DynamicQuantizeLinear kernels: the definition in f32-qu8-dynamic.h.
#include "f32-qu8-dynamic.h"

namespace i8k {

void f32_qu8_dynamic_scalar_minmax(size_t n, const float* x, float* lo, float* hi) {
  for (size_t i = 0; i < n; i++) f32_minmax_step(x[i], *lo, *hi);
}

void f32_qu8_dynamic_scalar_quantize(size_t n, const float* x, float scale, float zp, uint8_t* y) {
  for (size_t i = 0; i < n; i++) y[i] = f32_quantize_u8(x[i], scale, zp);
}

}  // namespace i8k
