// Data-movement kernels per ISA (the layout ops' counterpart of kernel-config.h).
#pragma once
#include "../kernels/x32-transpose/x32-transpose.h"
#include "isa.h"

namespace i8k {

struct LayoutKernels {
  X32TransposeFn x32_transpose;
};

// Scalar kernels for ISAs without a specialised one.
const LayoutKernels& layout_kernels(Isa isa);

}  // namespace i8k
