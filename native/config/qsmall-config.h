// Kernels of the quantized small families (conversions, add / multiply, pooling blocks, table
// lookup) for one ISA: the one place that picks them. ISAs without a specialised kernel get the
// scalar twins. Float-free byte lookups and pooling blocks of the VNNI ISAs are those of AVX2
// (avxvnni) or AVX-512 (the EVEX ones).
#pragma once
#include "../kernels/q8-pool/q8-pool.h"
#include "../kernels/q8-vbinary/q8-vbinary.h"
#include "../kernels/q8-vcvt/q8-vcvt.h"
#include "../kernels/u8-lut/u8-lut.h"
#include "isa.h"

namespace i8k {

struct QSmallConfig {
  const Q8VCvtKernels* vcvt;
  const Q8VBinaryKernels* vbinary;
  const Q8PoolKernels* pool;
  const U8LutKernels* lut;
};

QSmallConfig qsmall_config(Isa isa);

}  // namespace i8k
