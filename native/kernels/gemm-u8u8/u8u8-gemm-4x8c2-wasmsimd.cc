// u8 x u8 4x8 tile, WebAssembly SIMD, QNNPACK style: the SSE2 kernel's layout, with i32x4.dot_i16x8
// (pmaddwd) multiplying pairs of k.
#include <wasm_simd128.h>

#include "u8u8-pack-i16.h"

namespace i8k {

namespace {
constexpr size_t MR = 4, NR = 8, KB = 8;
}

size_t u8u8_gemm_4x8c2_wasmsimd_panel_bytes(size_t kc, size_t ks) { return u8u8_i16_panel_bytes<NR, KB>(kc, ks); }

void u8u8_gemm_4x8c2_wasmsimd_pack(size_t kc, size_t ks, size_t nvalid, const uint8_t* w, int32_t, void* panel) {
  u8u8_pack_i16<NR, 2, KB>(kc, ks, nvalid, w, panel);
}

void u8u8_gemm_4x8c2_wasmsimd(size_t mr, size_t nr, size_t kc, size_t ks, const uint8_t* const* a, size_t a_offset,
                              const uint8_t* zero, const void* w, uint8_t* y, size_t y_stride, const U8U8Params* p) {
  const uint8_t* hdr = static_cast<const uint8_t*>(w);
  const int16_t* wp = reinterpret_cast<const int16_t*>(hdr + u8u8_header_bytes(NR));
  v128_t acc[MR][2];
  const v128_t b0 = wasm_v128_load(hdr), b1 = wasm_v128_load(hdr + 16);
  for (size_t i = 0; i < MR; i++) acc[i][0] = b0, acc[i][1] = b1;
  const v128_t vzp = wasm_i16x8_splat(int16_t(p->a_zero_point));
  uint8_t tail[MR][KB];
  for (size_t t = 0; t < ks; t++) {
    const uint8_t* r[MR];
    for (size_t i = 0; i < MR; i++) r[i] = u8u8_row(a + t * MR, i, a_offset, zero);
    for (size_t c = 0; c < kc; c += KB) {
      v128_t va[MR];
      for (size_t i = 0; i < MR; i++)
        va[i] = wasm_i16x8_sub(wasm_u16x8_load8x8(u8u8_block(r[i], c, kc, KB, tail[i])), vzp);
#define I8K_PAIR(j)                                                                 \
  {                                                                                 \
    const v128_t w0 = wasm_v128_load(wp + 16 * (j));                                \
    const v128_t w1 = wasm_v128_load(wp + 16 * (j) + 8);                            \
    for (size_t i = 0; i < MR; i++) {                                               \
      const v128_t ab = wasm_i32x4_shuffle(va[i], va[i], j, j, j, j);               \
      acc[i][0] = wasm_i32x4_add(acc[i][0], wasm_i32x4_dot_i16x8(ab, w0));          \
      acc[i][1] = wasm_i32x4_add(acc[i][1], wasm_i32x4_dot_i16x8(ab, w1));          \
    }                                                                               \
  }
      I8K_PAIR(0) I8K_PAIR(1) I8K_PAIR(2) I8K_PAIR(3)
#undef I8K_PAIR
      wp += 64;
    }
  }
  int32_t out[MR * NR];
  for (size_t i = 0; i < MR; i++) {
    wasm_v128_store(out + i * NR, acc[i][0]);
    wasm_v128_store(out + i * NR + 4, acc[i][1]);
  }
  u8u8_output_scalar(out, NR, mr, nr, w, NR, y, y_stride, *p);
}

}  // namespace i8k
