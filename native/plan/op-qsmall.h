// Shared between the float pooling factory (op-conv.cc) and the quantized ops (op-qsmall.cc).
#pragma once
#include <memory>
#include <vector>
#include "../ops/pool-f32.h"
#include "op-factory.h"

namespace i8k {

// op-conv.cc: the pooling attributes of X (rank 3 or 4, checked by the caller) resolved to a 2-D
// window shape and Y's dims: kernel_shape, strides, pads, auto_pad, ceil_mode, dilations, and
// count_include_pad (average) or storage_order (max).
bool read_pool2d(const OpContext& c, const ValueInfo& x, bool max, Pool2DShape* s, std::vector<int64_t>* ydims,
                 bool* include_pad);

// op-qsmall.cc: ONNX MaxPool of a uint8 or int8 X (opset 12+), which MaxPool's factory hands over.
std::unique_ptr<Op> make_q8_max_pool(const OpContext& c);
// op-qsmall.cc: false (with the op failed) unless attribute channels_last is absent or 0: the float
// pools' factories call it, as only the u8 / s8 pools have an NHWC mode.
bool expect_channels_first(const OpContext& c);

}  // namespace i8k
