// y[i] = table[x[i]]: a 256-entry byte table applied to a run of bytes (s8 tensors index it by
// their two's-complement bits). The quantized elementwise ops build the table at plan creation
// (y = quantize(f(dequantize(x))) for each of the 256 codes), so any function costs one lookup.
#pragma once
#include <cstddef>
#include <cstdint>

namespace i8k {

using U8LutFn = void (*)(size_t n, const uint8_t* x, const uint8_t* table, uint8_t* y);

struct U8LutKernels {
  const char* name;
  U8LutFn lut;
};

extern const U8LutKernels u8_lut_scalar;
extern const U8LutKernels u8_lut_64x_avx512;

}  // namespace i8k
