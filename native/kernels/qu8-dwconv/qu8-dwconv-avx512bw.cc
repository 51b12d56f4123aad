// u8 depthwise rows compiled for AVX-512 (F/BW/VL): 16 channels per vector (qu8-dwconv-impl.h).
#include "qu8-dwconv-impl.h"
I8K_QU8_DWCONV_DEFINE(qu8_dwconv_avx512bw, 16)
