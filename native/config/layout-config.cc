#include "layout-config.h"

namespace i8k {

const LayoutKernels& layout_kernels(Isa isa) {
  static constexpr LayoutKernels kScalar{x32_transpose_16x16_scalar};
#if defined(__x86_64__) || defined(__i386__)
  // AVX-512 would not move more bytes per cycle on Zen 4 (double-pumped); AVX2 serves every x86 ISA.
  static constexpr LayoutKernels kAvx2{x32_transpose_8x8_avx2};
  if (isa == Isa::avx2 || isa == Isa::avxvnni || isa == Isa::avxvnni_evex || isa == Isa::avx512vnni) return kAvx2;
#endif
  (void)isa;
  return kScalar;
}

}  // namespace i8k
