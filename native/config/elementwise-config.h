// Kernel tables of the elementwise family (unary, binary, row kernels) for one ISA. Float kernels
// of the VNNI ISAs are those of AVX2 (avxvnni) or AVX-512 (the EVEX ones); ISAs without a
// specialised kernel get the scalar twins.
#pragma once
#include "../kernels/f32-rowwise/f32-rowwise.h"
#include "../kernels/f32-vbinary/f32-vbinary.h"
#include "../kernels/f32-vunary/f32-vunary.h"
#include "isa.h"

namespace i8k {

struct ElementwiseConfig {
  const F32VUnaryKernels* unary;
  const F32VBinaryKernels* binary;
  const F32RowwiseKernels* rowwise;
};

ElementwiseConfig elementwise_config(Isa isa);

}  // namespace i8k
