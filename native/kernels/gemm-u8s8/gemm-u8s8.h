// INT8 GEMM microkernels: u8 activations x s8 weights -> s32, requantized per output channel to u8.
//
//   acc[m][n] = sum_k a[m][k] * b[k][n] + bias[n]        (bias already holds -a_zero_point * colsum_b[n])
//   y[m][n]   = clamp(round_half_even(float(acc) * scale[n]) + y_zero_point, y_min, y_max)
// computed as round(clamp(float(acc) * scale, y_min - zp, y_max - zp)) + zp, which is equal for
// integer bounds and keeps the float->int conversion in range. float(acc) and the product are
// single float32 roundings (no FMA), so every ISA produces the same integers.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace i8k {

struct RequantParams {
  int32_t y_zero_point;
  int32_t y_min, y_max;  // output clamp in u8 units (0..255, or tighter for a fused ReLU/ReLU6)
};

// The kernel owns its packed weight layout: pack() writes one panel of NR columns (nvalid <= NR
// real columns, the rest zero) for all K, padded in K to the kernel's KR.
using U8S8PackPanel = void (*)(size_t k, size_t nvalid, const int8_t* b, size_t ldb, void* out);
using U8S8PanelBytes = size_t (*)(size_t k);
// a: mr rows of round_up(k, KR) readable bytes (zero padded past k) at a_stride. bias, scale: NR
// entries (padded). The kernel must not read A rows >= mr nor write y outside [mr x nr].
using U8S8GemmUkernel = void (*)(size_t mr, size_t nr, size_t k, const uint8_t* a, size_t a_stride,
                                 const void* w, const int32_t* bias, const float* scale, uint8_t* y,
                                 size_t y_stride, const RequantParams* p);
// The same tile's raw dot products for the output stages other than u8 (u8s8-output.h): writes
// tile[i * NR + j] = sum_k a[i][k] * w[k][j] for rows i < mr and all NR columns (padded columns
// hold 0). The caller owns the MR x NR tile, so no store can leave it.
constexpr size_t kMaxU8S8Tile = 8 * 32;  // MR x NR of the largest kernel (the callers' tile)
using U8S8GemmAccUkernel = void (*)(size_t mr, size_t k, const uint8_t* a, size_t a_stride,
                                    const void* w, int32_t* tile);

// name, MR, NR, KR, isa. avxvnni_evex is the avxvnni source built with the EVEX encoding of the same
// instruction (AVX512-VL VNNI), so the AVX-VNNI code path is tested on CPUs that lack AVX-VNNI. Every entry defines name(), name##_acc, name##_pack and name##_panel_bytes.
#define I8K_U8S8_GEMM_KERNELS(X)                                  \
  X(u8s8_gemm_4x8_scalar, 4, 8, 1, scalar)                        \
  X(u8s8_gemm_4x16c2_avx2, 4, 16, 2, avx2)                        \
  X(u8s8_gemm_8x32c4_avx512vnni, 8, 32, 4, avx512vnni)            \
  X(u8s8_gemm_6x16c4_avxvnni, 6, 16, 4, avxvnni)                  \
  X(u8s8_gemm_6x16c4_avxvnni_evex, 6, 16, 4, avxvnni_evex)         \
  X(u8s8_gemm_6x16c4_avx2_rr, 6, 16, 4, avx2)                     \
  X(u8s8_gemm_4x8c2_wasmsimd, 4, 8, 2, wasmsimd)                  \
  X(u8s8_gemm_8x8_neon, 8, 8, 1, neon)

#define I8K_DECLARE_U8S8(name, MR, NR, KR, isa)                                                     \
  void name(size_t mr, size_t nr, size_t k, const uint8_t* a, size_t a_stride, const void* w,    \
            const int32_t* bias, const float* scale, uint8_t* y, size_t y_stride,               \
            const RequantParams* p);                                                             \
  void name##_pack(size_t k, size_t nvalid, const int8_t* b, size_t ldb, void* out);             \
  size_t name##_panel_bytes(size_t k);                                                           \
  void name##_acc(size_t mr, size_t k, const uint8_t* a, size_t a_stride, const void* w,         \
                  int32_t* tile);
I8K_U8S8_GEMM_KERNELS(I8K_DECLARE_U8S8)
#undef I8K_DECLARE_U8S8

// The scalar definition of the output stage; SIMD kernels reproduce it lane by lane. static: each
// file compiles its own copy with its own ISA flags, so the linker can never hand the scalar code
// an AVX-512 copy.
static inline uint8_t requantize_u8(int32_t acc, float scale, const RequantParams& p) {
  float v = static_cast<float>(acc) * scale;
  v = std::fmin(std::fmax(v, static_cast<float>(p.y_min - p.y_zero_point)),
                static_cast<float>(p.y_max - p.y_zero_point));
  return static_cast<uint8_t>(static_cast<int32_t>(std::nearbyint(v)) + p.y_zero_point);
}

}  // namespace i8k
