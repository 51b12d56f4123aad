// u8 depthwise rows compiled for AArch64 Advanced SIMD: 8 channels per step, two q registers of
// int32 (qu8-dwconv-impl.h).
#include "qu8-dwconv-impl.h"
I8K_QU8_DWCONV_DEFINE(qu8_dwconv_neon, 8)
