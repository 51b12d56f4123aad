// AArch64 Advanced SIMD u8 x s8 GEMM microkernel, MR=8 x NR=8, KR=1: exact int16 x int16 -> int32
// multiply-accumulate by lane (smlal/smlal2 by element).
//
// Baseline AArch64 has no u8 x s8 dot product (sdot/udot are optional ARMv8.2 extensions and are
// same-signed anyway), and 8-bit smull/umull products cannot be accumulated pairwise in int16
// without overflow for the full u8 x s8 range. So both operands are widened to int16 (u8 fits
// int16 unsigned-extended, s8 sign-extended) and every product goes straight into an int32 lane:
// the integers are exactly those of the scalar kernel.
//
// Why 8x8 with KR=1 rather than a 4x8c2 layout: multiply-by-element needs no pairing of k, so
// KR=1 is the natural layout (the weight panel is the scalar layout, and the operator never has
// to copy A to pad rows to a multiple of KR). With 32 vector registers, 8 rows fit: 16 int32x4
// accumulators + 8 int16x8 A vectors (8 k of one row each) + 1-2 widened weight vectors. Per k one
// 8-byte weight load and one sxtl are shared by 8 rows (16 smlal), twice the reuse of 4 rows, and
// every weight panel is streamed half as often. Edge tiles (mr < 8) run an instance compiled for
// exactly mr rows, so small M (M=1 inference) does not pay for 8 rows and rows >= mr are never
// addressed.
#include "gemm-u8s8.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <cstring>
#include "../unroll.h"

namespace i8k {

namespace {
constexpr size_t MR = 8;
constexpr size_t NR = 8;

struct OutputStage {
  float32x4_t s0, s1, lo, hi;
  int16x8_t zp;
};

// requantize_u8 for the 8 columns of one row. scvtf and fmul round like the scalar casts and
// multiply (and no add follows the multiply, so nothing can be contracted into an FMA);
// fmaxnm/fminnm return the number when the product is NaN, as std::fmax/std::fmin do; fcvtns
// rounds half to even like nearbyint in the default rounding mode. The narrowing steps truncate
// (uzp1 / xtn keep the low bits) and the zero point is added in int16, which gives
// (rounded + zero point) mod 256: exactly static_cast<uint8_t> of the scalar int32 sum.
inline uint8x8_t requantize_row(int32x4_t c0, int32x4_t c1, const OutputStage& o) {
  float32x4_t v0 = vmulq_f32(vcvtq_f32_s32(c0), o.s0);
  float32x4_t v1 = vmulq_f32(vcvtq_f32_s32(c1), o.s1);
  v0 = vminnmq_f32(vmaxnmq_f32(v0, o.lo), o.hi);
  v1 = vminnmq_f32(vmaxnmq_f32(v1, o.lo), o.hi);
  const int16x8_t r = vuzp1q_s16(vreinterpretq_s16_s32(vcvtnq_s32_f32(v0)),
                                 vreinterpretq_s16_s32(vcvtnq_s32_f32(v1)));
  return vmovn_u16(vreinterpretq_u16_s16(vaddq_s16(r, o.zp)));
}

// Stores the first n (1..8) bytes of v with 4-, 2- and 1-byte stores, so no byte past the tile is
// written. memcpy keeps the unaligned stores well defined; it compiles to single str/st1.
inline void store_row(uint8_t* y, size_t n, uint8x8_t v) {
  if (n >= NR) {
    vst1_u8(y, v);
    return;
  }
  if (n & 4) {
    const uint32_t t = vget_lane_u32(vreinterpret_u32_u8(v), 0);
    std::memcpy(y, &t, 4);
    v = vext_u8(v, v, 4);
    y += 4;
  }
  if (n & 2) {
    const uint16_t t = vget_lane_u16(vreinterpret_u16_u8(v), 0);
    std::memcpy(y, &t, 2);
    v = vext_u8(v, v, 2);
    y += 2;
  }
  if (n & 1) vst1_lane_u8(y, v, 0);
}

// acc[r][*] += the dot products of the R rows of A with the panel.
template <size_t R>
inline void dot_tile(size_t k, const uint8_t* a, size_t a_stride, const int8_t* w,
                     int32x4_t (&acc)[R][2]) {
  const uint8_t* ap[R];
  unroll<R>([&](auto r) { ap[r] = a + r * a_stride; });

  size_t kk = 0;
  for (; kk + 8 <= k; kk += 8) {
    int16x8_t va[R];
    unroll<R>([&](auto r) { va[r] = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(ap[r] + kk))); });
    unroll<8>([&](auto l) {
      const int16x8_t vw = vmovl_s8(vld1_s8(w + l * NR));
      unroll<R>([&](auto r) {
        acc[r][0] = vmlal_laneq_s16(acc[r][0], vget_low_s16(vw), va[r], l);
        acc[r][1] = vmlal_high_laneq_s16(acc[r][1], vw, va[r], l);
      });
    });
    w += 8 * NR;
  }
  // The last k % 8 values, one k at a time: an 8-byte load would read past the end of the row
  // (rows hold exactly k bytes with KR=1).
  for (; kk < k; kk++) {
    const int16x8_t vw = vmovl_s8(vld1_s8(w));
    w += NR;
    unroll<R>([&](auto r) {
      const int16_t av = ap[r][kk];
      acc[r][0] = vmlal_n_s16(acc[r][0], vget_low_s16(vw), av);
      acc[r][1] = vmlal_high_n_s16(acc[r][1], vw, av);
    });
  }
}

template <size_t R>
void tile(size_t nr, size_t k, const uint8_t* a, size_t a_stride, const int8_t* w,
          const int32_t* bias, const float* scale, uint8_t* y, size_t y_stride,
          const RequantParams& p) {
  int32x4_t acc[R][2];
  const int32x4_t b0 = vld1q_s32(bias), b1 = vld1q_s32(bias + 4);
  unroll<R>([&](auto r) {
    acc[r][0] = b0;
    acc[r][1] = b1;
  });
  dot_tile<R>(k, a, a_stride, w, acc);

  const OutputStage o{vld1q_f32(scale), vld1q_f32(scale + 4),
                      vdupq_n_f32(static_cast<float>(p.y_min - p.y_zero_point)),
                      vdupq_n_f32(static_cast<float>(p.y_max - p.y_zero_point)),
                      vdupq_n_s16(static_cast<int16_t>(p.y_zero_point))};
  unroll<R>([&](auto r) {
    store_row(y + r * y_stride, nr, requantize_row(acc[r][0], acc[r][1], o));
  });
}
}  // namespace

size_t u8s8_gemm_8x8_neon_panel_bytes(size_t k) { return k * NR; }

// Layout: for each k, NR weights (the scalar layout: KR=1 needs no interleaving).
void u8s8_gemm_8x8_neon_pack(size_t k, size_t nvalid, const int8_t* b, size_t ldb, void* out) {
  int8_t* w = static_cast<int8_t*>(out);
  std::memset(w, 0, k * NR);
  for (size_t kk = 0; kk < k; kk++) std::memcpy(w + kk * NR, b + kk * ldb, nvalid);
}

void u8s8_gemm_8x8_neon(size_t mr, size_t nr, size_t k, const uint8_t* a, size_t a_stride,
                        const void* w, const int32_t* bias, const float* scale, uint8_t* y,
                        size_t y_stride, const RequantParams* p) {
  const int8_t* wb = static_cast<const int8_t*>(w);
  with_rows<MR>(mr, [&](auto rows) {
    constexpr size_t R = decltype(rows)::value;
    tile<R>(nr, k, a, a_stride, wb, bias, scale, y, y_stride, *p);
  });
}

void u8s8_gemm_8x8_neon_acc(size_t mr, size_t k, const uint8_t* a, size_t a_stride, const void* w,
                            int32_t* tile) {
  const int8_t* wb = static_cast<const int8_t*>(w);
  with_rows<MR>(mr, [&](auto rows) {
    constexpr size_t R = decltype(rows)::value;
    int32x4_t acc[R][2];
    unroll<R>([&](auto r) { acc[r][0] = acc[r][1] = vdupq_n_s32(0); });
    dot_tile<R>(k, a, a_stride, wb, acc);
    unroll<R>([&](auto r) {
      vst1q_s32(tile + r * NR, acc[r][0]);
      vst1q_s32(tile + r * NR + 4, acc[r][1]);
    });
  });
}

}  // namespace i8k

#endif  // defined(__aarch64__)
