// The one place that maps an ISA to the DynamicQuantizeLinear kernels (f32-qu8-dynamic).
#pragma once
#include "../kernels/f32-qu8-dynamic/f32-qu8-dynamic.h"
#include "isa.h"

namespace i8k {

struct DynQuantConfig {
  const char* name;
  F32MinMaxFn minmax;
  F32QuantizeU8Fn quantize;
};

// The kernels for an ISA of KernelConfig (the scalar ones where the family has none).
const DynQuantConfig& dynquant_config(Isa isa);

}  // namespace i8k
