// u8 depthwise rows compiled for WebAssembly SIMD: 8 channels per step, two v128 of int32
// (qu8-dwconv-impl.h).
#include "qu8-dwconv-impl.h"
I8K_QU8_DWCONV_DEFINE(qu8_dwconv_wasmsimd, 8)
