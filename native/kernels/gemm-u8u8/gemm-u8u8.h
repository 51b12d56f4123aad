// QNNPACK-style u8 x u8 GEMM microkernels with zero points, run over an indirection buffer so the
// same kernel does a GEMM (one "tap" per row) and a convolution (KxK taps, no im2col).
//
//   acc[m][n] = bias[n] + sum_{t < ks, c < kc} (a[t][m][c] - a_zp) * (w[n][t][c] - w_zp[n])   (mod 2^32)
//   y[m][n]   = requantize(acc[m][n])   -- fp32 or gemmlowp Q31 fixed point, per channel
//
// The sum wraps modulo 2^32 (the scalar twin computes it in uint32), so the sign-flipped VNNI
// kernel, whose corrections are only exact modulo 2^32, is bit-identical even when a huge bias
// overflows; the plan ops bound K so that real accumulators fit anyway.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace i8k {

enum class U8U8Requant : int32_t { fp32 = 0, q31 = 1 };

struct U8U8Params {
  int32_t a_zero_point;  // input zero point (the zero row of padding taps holds it too)
  int32_t y_zero_point;
  int32_t y_min, y_max;  // output clamp in u8 units
  U8U8Requant mode;
};

// Every packed panel of NR output channels starts with this header, filled by the operator; the
// kernel's pack function writes the weights after it (and may fold corrections into bias).
// Layout: int32 bias[NR] | float scale[NR] | int32 multiplier[NR] | int32 shift[NR] |
// int32 w_zero_point[NR] (the kernel zero point, per output channel) | weights.
inline size_t u8u8_header_bytes(size_t nr) { return 20 * nr; }

// ---- Requantization: the scalar definitions every SIMD kernel reproduces ----------------------
// In an unnamed namespace: every kernel file is built with its own ISA flags, and one shared inline
// copy (which the linker may pick from any of them) could carry AVX-512 code into the SSE2 kernel.
namespace {

// gemmlowp SaturatingRoundingDoublingHighMul: the high 32 bits of 2*a*b, rounded with a nudge of
// +2^30 (a*b >= 0) or 1 - 2^30 (a*b < 0) and a division that truncates toward zero; the one
// overflowing input pair (INT32_MIN, INT32_MIN) saturates.
inline int32_t q31_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = int64_t(a) * int64_t(b);
  const int64_t nudge = ab >= 0 ? (int64_t(1) << 30) : (int64_t(1) - (int64_t(1) << 30));
  return int32_t((ab + nudge) / (int64_t(1) << 31));
}

// gemmlowp RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero (0 <= e <= 31).
inline int32_t q31_rdbp(int32_t x, int32_t e) {
  const int32_t mask = int32_t((int64_t(1) << e) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (remainder > threshold ? 1 : 0);
}

// Clamp before adding the zero point (same result for integer bounds, no int32 overflow).
inline uint8_t u8u8_requant_q31(int32_t acc, int32_t multiplier, int32_t shift, const U8U8Params& p) {
  int32_t v = q31_rdbp(q31_srdhm(acc, multiplier), shift);
  v = v < p.y_min - p.y_zero_point ? p.y_min - p.y_zero_point : v;
  v = v > p.y_max - p.y_zero_point ? p.y_max - p.y_zero_point : v;
  return uint8_t(v + p.y_zero_point);
}

// The same as requantize_u8 of the u8 x s8 family: one float32 product (no FMA), clamp, round half
// to even (nearbyint, default rounding mode), + zero point.
inline uint8_t u8u8_requant_fp32(int32_t acc, float scale, const U8U8Params& p) {
  float v = static_cast<float>(acc) * scale;
  v = std::fmin(std::fmax(v, static_cast<float>(p.y_min - p.y_zero_point)),
                static_cast<float>(p.y_max - p.y_zero_point));
  return static_cast<uint8_t>(static_cast<int32_t>(std::nearbyint(v)) + p.y_zero_point);
}

// Q31 form of a real multiplier s in [2^-32, 1): s = multiplier * 2^-(31 + shift) exactly (a
// float's 24-bit mantissa fits in 31 bits), multiplier in [2^30, 2^31). False when out of range.
inline bool u8u8_q31_from_scale(float s, int32_t* multiplier, int32_t* shift) {
  if (!(s >= std::ldexp(1.0f, -32) && s < 1.0f)) return false;
  int e;
  const float m = std::frexp(s, &e);  // s = m * 2^e, m in [0.5, 1), e in [-31, 0]
  *multiplier = int32_t(std::ldexp(double(m), 31));
  *shift = -e;
  return true;
}

// The output stage over an int32 tile (acc[i * ld + j], i < mr, j < nr) for kernels that keep no
// vector form of one of the modes: the scalar definition itself.
inline void u8u8_output_scalar(const int32_t* acc, size_t ld, size_t mr, size_t nr, const void* panel,
                               size_t NR, uint8_t* y, size_t y_stride, const U8U8Params& p) {
  const uint8_t* h = static_cast<const uint8_t*>(panel);
  for (size_t j = 0; j < nr; j++) {
    float scale;
    int32_t mult, shift;
    std::memcpy(&scale, h + 4 * NR + 4 * j, 4);
    std::memcpy(&mult, h + 8 * NR + 4 * j, 4);
    std::memcpy(&shift, h + 12 * NR + 4 * j, 4);
    for (size_t i = 0; i < mr; i++)
      y[i * y_stride + j] = p.mode == U8U8Requant::q31 ? u8u8_requant_q31(acc[i * ld + j], mult, shift, p)
                                                       : u8u8_requant_fp32(acc[i * ld + j], scale, p);
  }
}

// Row pointer i of an indirection buffer (see U8U8GemmUkernel).
inline const uint8_t* u8u8_row(const uint8_t* const* a, size_t i, size_t a_offset, const uint8_t* zero) {
  const uint8_t* r = a[i];
  return r == zero ? zero : reinterpret_cast<const uint8_t*>(reinterpret_cast<uintptr_t>(r) + a_offset);
}

// Points at kb bytes of row r from c on: in place when they exist, else copied into buf (kb bytes)
// zero-padded, so no kernel reads past kc (padded weights multiply these bytes by zero).
inline const uint8_t* u8u8_block(const uint8_t* r, size_t c, size_t kc, size_t kb, uint8_t* buf) {
  if (c + kb <= kc) return r + c;
  std::memset(buf, 0, kb);
  std::memcpy(buf, r + c, kc - c);
  return buf;
}

// Walks the ks taps of an indirection buffer in blocks of KB k: block(src) receives MR pointers to
// KB readable bytes each (a last, partial block is copied zero-padded).
template <size_t MR, size_t KB, class Block>
inline void u8u8_for_each_block(size_t ks, size_t kc, const uint8_t* const* a, size_t a_offset,
                                const uint8_t* zero, Block&& block) {
  alignas(16) uint8_t tail[MR][KB];
  for (size_t t = 0; t < ks; t++) {
    const uint8_t* r[MR];
    for (size_t i = 0; i < MR; i++) r[i] = u8u8_row(a + t * MR, i, a_offset, zero);
    size_t c = 0;
    for (; c + KB <= kc; c += KB) {
      const uint8_t* src[MR];
      for (size_t i = 0; i < MR; i++) src[i] = r[i] + c;
      block(src);
    }
    if (c < kc) {
      const uint8_t* src[MR];
      for (size_t i = 0; i < MR; i++) src[i] = u8u8_block(r[i], c, kc, KB, tail[i]);
      block(src);
    }
  }
}

}  // namespace

// ---- Kernel interface ------------------------------------------------------------------------

// a: ks groups of MR row pointers (a[t * MR + i]: tap t of row i), each to kc readable bytes. A
// pointer equal to `zero` is used as is (the zero-point row of padding taps); any other gets
// a_offset added (a group's channel offset in a grouped convolution, whose groups share one
// indirection buffer; 0 for a GEMM). Rows >= mr still hold valid pointers (`zero` or a repeated
// row). w: one packed panel. The kernel must not read past kc bytes of any row nor write y outside
// [mr x nr].
using U8U8GemmUkernel = void (*)(size_t mr, size_t nr, size_t kc, size_t ks, const uint8_t* const* a,
                                 size_t a_offset, const uint8_t* zero, const void* w, uint8_t* y,
                                 size_t y_stride, const U8U8Params* p);
// Writes the weights of one panel (nvalid <= NR output channels; w[n * ks * kc + t * kc + c]) after
// the header, which already holds bias, requantization and kernel zero points; the VNNI kernel folds
// its corrections into the header's bias, which also needs a_zero_point.
using U8U8PackPanel = void (*)(size_t kc, size_t ks, size_t nvalid, const uint8_t* w, int32_t a_zero_point,
                               void* panel);
using U8U8PanelBytes = size_t (*)(size_t kc, size_t ks);

// name, MR, NR, KB (the k block weights are padded to), isa.
#define I8K_U8U8_GEMM_KERNELS(X)              \
  X(u8u8_gemm_4x8_scalar, 4, 8, 1, scalar)    \
  X(u8u8_gemm_4x8c2_sse2, 4, 8, 8, sse2)      \
  X(u8u8_gemm_4x16c2_avx2, 4, 16, 8, avx2)    \
  X(u8u8_gemm_8x32c4_avx512vnni, 8, 32, 16, avx512vnni) \
  X(u8u8_gemm_4x8c2_wasmsimd, 4, 8, 8, wasmsimd) \
  X(u8u8_gemm_4x8_neon, 4, 8, 8, neon)

#define I8K_DECLARE_U8U8(name, MR, NR, KB, isa)                                                    \
  void name(size_t mr, size_t nr, size_t kc, size_t ks, const uint8_t* const* a, size_t a_offset, \
            const uint8_t* zero, const void* w, uint8_t* y, size_t y_stride, const U8U8Params* p); \
  void name##_pack(size_t kc, size_t ks, size_t nvalid, const uint8_t* w, int32_t a_zero_point,   \
                   void* panel);                                                                   \
  size_t name##_panel_bytes(size_t kc, size_t ks);
I8K_U8U8_GEMM_KERNELS(I8K_DECLARE_U8U8)
#undef I8K_DECLARE_U8U8

}  // namespace i8k
