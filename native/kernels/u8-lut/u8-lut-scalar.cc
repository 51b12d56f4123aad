// The scalar twin, four lookups per step.
#include "u8-lut.h"

namespace i8k {

namespace {

void lut(size_t n, const uint8_t* x, const uint8_t* t, uint8_t* y) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint8_t a = t[x[i]], b = t[x[i + 1]], c = t[x[i + 2]], d = t[x[i + 3]];
    y[i] = a, y[i + 1] = b, y[i + 2] = c, y[i + 3] = d;
  }
  for (; i < n; i++) y[i] = t[x[i]];
}

}  // namespace

const U8LutKernels u8_lut_scalar = {"scalar", lut};

}  // namespace i8k
