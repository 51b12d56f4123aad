// Kernels of the conv family per ISA (the GEMM itself comes from KernelConfig::f32_gemm).
#pragma once
#include "../kernels/f32-dwconv/f32-dwconv.h"
#include "isa.h"

namespace i8k {

struct ConvConfig {
  F32DwConvUkernel dwconv;
};

ConvConfig conv_config(Isa isa);

}  // namespace i8k
