// Kernels of the QNNPACK-like u8 x u8 family per ISA (native/kernels/gemm-u8u8). The Isa enum has
// no SSE2 entry (every x86 ISA it names implies AVX2), so the SSE2 kernel is never the choice of
// an ISA; qnnpack_variants() lists it, with every other kernel runnable under an ISA, for the
// kernel tests and the benchmark.
#pragma once
#include <cstdint>
#include <vector>
#include "../kernels/gemm-u8u8/gemm-u8u8.h"
#include "isa.h"

namespace i8k {

struct U8U8GemmConfig {
  const char* name;
  U8U8GemmUkernel ukernel;
  U8U8PackPanel pack;
  U8U8PanelBytes panel_bytes;
  uint32_t mr, nr;
};

// The kernel an operator uses under `isa` (the scalar twin for ISAs without one).
U8U8GemmConfig qnnpack_config(Isa isa);
// Every u8 x u8 kernel built in this binary that runs on a CPU supporting `isa`.
std::vector<U8U8GemmConfig> qnnpack_variants(Isa isa);

}  // namespace i8k
