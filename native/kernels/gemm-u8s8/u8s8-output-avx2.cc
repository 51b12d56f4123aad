// AVX2 output stages of u8s8-output.h on accumulator tiles (also the AVX-VNNI kernels' stage): 8
// columns per step, the column tail by vpmaskmov loads and the partial stores of
// u8s8-output-ymm.h, whose per-vector stage the kernels' fused entries share.
#include "u8s8-output-ymm.h"

namespace i8k {

void u8s8_output_avx2(const U8S8Output& o, size_t m0, size_t mr, size_t n0, size_t nr,
                      const int32_t* tile, size_t tile_stride, void* y, size_t y_stride) {
  const size_t es = u8s8_output_size(o.kind);
  const YmmStage z(o);
  for (size_t j = 0; j < nr; j += 8) {
    const YmmColumns c(o, n0 + j, nr - j < 8 ? nr - j : 8);
    for (size_t i = 0; i < mr; i++) {
      uint8_t* out = static_cast<uint8_t*>(y) + ((m0 + i) * y_stride + n0 + j) * es;
      ymm_output(o, z, c, _mm256_maskload_epi32(tile + i * tile_stride + j, c.mask), m0 + i, out);
    }
  }
}

}  // namespace i8k
