// Turns floating-point contraction (a * b + c -> fma) off for the rest of the including file. The
// ISA files of the quantized small kernels are built with -mfma (AVX2) and GCC contracts even
// across intrinsics; one fused multiply-add would change a rounding and break bit-exactness with
// the scalar twin. Include first, from *.cc files only.
#pragma once
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
