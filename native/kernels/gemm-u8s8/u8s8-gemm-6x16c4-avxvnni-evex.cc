// The AVX-VNNI 6x16c4 u8 x s8 GEMM microkernel built with the EVEX (AVX512-VL VNNI) encoding.
// Same source, so the AVX-VNNI code path runs and is tested on CPUs that have AVX-512 VNNI only.
#define I8K_6X16C4_NAME(suffix) u8s8_gemm_6x16c4_avxvnni_evex##suffix
#define I8K_6X16C4_DPBUSD _mm256_dpbusd_epi32
#include "u8s8-gemm-6x16c4-avxvnni.cc"
