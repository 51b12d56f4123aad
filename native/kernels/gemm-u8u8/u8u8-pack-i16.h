// Packing shared by the QNNPACK-style kernels (scalar, SSE2, AVX2, WASM SIMD, NEON): weights minus
// their channel's zero point (from the panel header), widened to int16 once at pack time (the kernels widen A and subtract its zero
// point per block). Per tap, kc is padded to the kernel's block KB with zeros (so whatever the
// kernel feeds for A past kc adds nothing); within a block, groups of KR consecutive k hold NR
// columns x KR values (KR = 2: the pairs pmaddwd / i32x4.dot multiply and add).
#pragma once
#include "gemm-u8u8.h"

namespace i8k {
namespace {

template <size_t NR, size_t KB>
size_t u8u8_i16_panel_bytes(size_t kc, size_t ks) {
  return u8u8_header_bytes(NR) + ks * ((kc + KB - 1) / KB * KB) * NR * sizeof(int16_t);
}

template <size_t NR, size_t KR, size_t KB>
void u8u8_pack_i16(size_t kc, size_t ks, size_t nvalid, const uint8_t* w, void* panel) {
  int32_t zp[NR];
  std::memcpy(zp, static_cast<uint8_t*>(panel) + 16 * NR, sizeof zp);
  int16_t* out = reinterpret_cast<int16_t*>(static_cast<uint8_t*>(panel) + u8u8_header_bytes(NR));
  const size_t kp = (kc + KB - 1) / KB * KB;
  for (size_t t = 0; t < ks; t++)
    for (size_t k = 0; k < kp; k += KR)
      for (size_t n = 0; n < NR; n++)
        for (size_t j = 0; j < KR; j++) {
          const size_t c = k + j;
          *out++ = n < nvalid && c < kc ? int16_t(int32_t(w[n * ks * kc + t * kc + c]) - zp[n]) : 0;
        }
}

}  // namespace
}  // namespace i8k
