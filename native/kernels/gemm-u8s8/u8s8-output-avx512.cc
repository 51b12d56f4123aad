// AVX-512 output stages of u8s8-output.h on accumulator tiles: 16 columns per step, the column
// tail by masks (u8s8-output-zmm.h).
#include "u8s8-output-zmm.h"

namespace i8k {

void u8s8_output_avx512(const U8S8Output& o, size_t m0, size_t mr, size_t n0, size_t nr,
                        const int32_t* tile, size_t tile_stride, void* y, size_t y_stride) {
  const size_t es = u8s8_output_size(o.kind);
  const ZmmStage z(o);
  for (size_t j = 0; j < nr; j += 16) {
    const ZmmColumns c(o, n0 + j, nr - j);
    for (size_t i = 0; i < mr; i++) {
      uint8_t* out = static_cast<uint8_t*>(y) + ((m0 + i) * y_stride + n0 + j) * es;
      zmm_output(o, z, c, _mm512_maskz_loadu_epi32(c.mask, tile + i * tile_stride + j), m0 + i, out);
    }
  }
}

}  // namespace i8k
