// DynamicQuantizeLinear (ONNX): float32 X -> u8 Y with the scale and zero point of X's range.
//   range      [min(0, min x), max(0, max x)] over the non-NaN x
//   y_scale    (max - min) / 255, or 1 when the range is empty (all zeros: onnxruntime's choice;
//              the ONNX formula would divide by 0)
//   y_zp       round_half_even(clamp(0 - min / y_scale, 0, 255))
//   y          saturate(round_half_even(x / y_scale) + y_zp), NaN -> 0
#pragma once
#include <cstddef>
#include <cstdint>
#include "../config/dynquant-config.h"
#include "../plan/thread-pool.h"

namespace i8k {

void dynamic_quantize_u8(const DynQuantConfig& k, size_t n, const float* x, uint8_t* y, float* y_scale,
                         uint8_t* y_zero_point, const RunContext& ctx);

}  // namespace i8k
