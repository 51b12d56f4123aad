// Kernels of the INT8 conv family per ISA: the u8 depthwise rows (the GEMM path takes
// KernelConfig::u8s8_gemm). Operators receive this and never test CPU flags.
#pragma once
#include "../kernels/qu8-dwconv/qu8-dwconv.h"
#include "../kernels/qu8-dwconv/qu8-dwplanar.h"
#include "../kernels/qu8-smallconv/qu8-smallconv.h"
#include "isa.h"

namespace i8k {

struct QConvConfig {
  const char* dw_name;
  QU8DwConvUkernel dw9, dw25, dw_any;  // 3x3, 5x5, any window (its tap count passed at run time)
  size_t dw_block;                      // channels per block of the kernels' packed weights
  // For weights within s8, where the ISA has a faster kernel with its own layout (else null).
  QU8DwConvUkernel dw_s8_9, dw_s8_25, dw_s8_any;
  QU8DwPackedBytes dw_s8_packed_bytes;
  QU8DwPack dw_s8_pack;
  // Depthwise on NCHW planes for s8 weights (qu8-dwplanar.h), where the ISA has one (else null).
  QU8DwPlanarUkernel dw_planar = nullptr;
  // Direct conv for small windows (qu8-smallconv.h), where the ISA has one (else null: im2col GEMM).
  const char* small_name = nullptr;
  QU8SmallConvUkernel small = nullptr;
  QU8SmallConvPack small_pack = nullptr;
  QU8SmallConvPackedBytes small_packed_bytes = nullptr;
};

QConvConfig qconv_config(Isa isa);

}  // namespace i8k
