// Scalar twin of the output stages of u8s8-output.h.
#include "u8s8-output.h"

namespace i8k {

void u8s8_output_scalar(const U8S8Output& o, size_t m0, size_t mr, size_t n0, size_t nr,
                        const int32_t* tile, size_t tile_stride, void* y, size_t y_stride) {
  const size_t es = u8s8_output_size(o.kind);
  for (size_t i = 0; i < mr; i++) {
    uint8_t* row = static_cast<uint8_t*>(y) + ((m0 + i) * y_stride + n0) * es;
    for (size_t j = 0; j < nr; j++)
      u8s8_output_element(o, tile[i * tile_stride + j], m0 + i, n0 + j, row + j * es);
  }
}

}  // namespace i8k
