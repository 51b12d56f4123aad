// Scalar twin of every u8 x u8 kernel: the definition of the integers (see gemm-u8u8.h).
#include "u8u8-pack-i16.h"

namespace i8k {

namespace {
constexpr size_t MR = 4, NR = 8;
}

size_t u8u8_gemm_4x8_scalar_panel_bytes(size_t kc, size_t ks) { return u8u8_i16_panel_bytes<NR, 1>(kc, ks); }

void u8u8_gemm_4x8_scalar_pack(size_t kc, size_t ks, size_t nvalid, const uint8_t* w, int32_t, void* panel) {
  u8u8_pack_i16<NR, 1, 1>(kc, ks, nvalid, w, panel);
}

void u8u8_gemm_4x8_scalar(size_t mr, size_t nr, size_t kc, size_t ks, const uint8_t* const* a, size_t a_offset,
                          const uint8_t* zero, const void* w, uint8_t* y, size_t y_stride, const U8U8Params* p) {
  const int16_t* wt = reinterpret_cast<const int16_t*>(static_cast<const uint8_t*>(w) + u8u8_header_bytes(NR));
  int32_t acc[MR * NR];
  for (size_t i = 0; i < mr; i++) {
    // uint32: the sum is defined modulo 2^32 (signed overflow would be undefined).
    uint32_t sum[NR];
    for (size_t n = 0; n < NR; n++) {
      int32_t b;
      std::memcpy(&b, static_cast<const uint8_t*>(w) + 4 * n, 4);
      sum[n] = uint32_t(b);
    }
    const int16_t* wp = wt;
    for (size_t t = 0; t < ks; t++) {
      const uint8_t* r = u8u8_row(a + t * MR, i, a_offset, zero);
      for (size_t c = 0; c < kc; c++, wp += NR) {
        const int32_t av = int32_t(r[c]) - p->a_zero_point;
        for (size_t n = 0; n < NR; n++) sum[n] += uint32_t(av * int32_t(wp[n]));
      }
    }
    for (size_t n = 0; n < NR; n++) acc[i * NR + n] = int32_t(sum[n]);
  }
  u8u8_output_scalar(acc, NR, mr, nr, w, NR, y, y_stride, *p);
}

}  // namespace i8k
