// The one place that maps an ISA to kernels. Operators receive a KernelConfig and never test CPU
// flags themselves.
#pragma once
#include <cstdint>
#include <string>
#include "../kernels/gemm-f32/gemm-f32.h"
#include "../kernels/gemm-u8s8/gemm-u8s8.h"
#include "../kernels/gemm-u8s8/u8s8-output.h"
#include "isa.h"

namespace i8k {

struct F32GemmConfig {
  const char* name;
  F32GemmUkernel ukernel;
  F32ConvGemmUkernel conv;  // the same tile with packed A and B rows read in place
  uint32_t mr, nr;
};

struct U8S8GemmConfig {
  const char* name;
  U8S8GemmUkernel ukernel;
  U8S8PackPanel pack;
  U8S8PanelBytes panel_bytes;
  uint32_t mr, nr, kr;
  // The raw-accumulator entry of the same tile and packing, for the s32 / f32 / zero-point output
  // stages of u8s8-output.h (QLinearMatMul, MatMulInteger, ConvInteger).
  U8S8GemmAccUkernel acc;
  U8S8OutputFn output;  // the stage for acc's tiles on the same ISA
  U8S8GemmFusedUkernel fused = nullptr;  // acc + output in one call, where the kernel has it
};

struct KernelConfig {
  Isa isa;
  F32GemmConfig f32_gemm;
  U8S8GemmConfig u8s8_gemm;
};

// The u8 x s8 kernel for reduce_range weights (every packed weight in [-64, 63]) on an ISA where
// one is faster than the exact kernel of KernelConfig (AVX2: vpmaddubsw, see
// u8s8-gemm-6x16c4-avx2-rr.cc); nullptr elsewhere. Only for weights checked to be 7-bit.
const U8S8GemmConfig* u8s8_reduce_range_config(Isa isa);

// nullptr when the ISA is not usable here; *why_not then says why.
const KernelConfig* kernel_config(Isa isa, std::string* why_not);
// The best ISA this CPU supports, or the one forced by the INT8KIT_ISA environment variable.
// *error is set when INT8KIT_ISA names an unknown or unsupported ISA.
Isa default_isa(std::string* error);

}  // namespace i8k
