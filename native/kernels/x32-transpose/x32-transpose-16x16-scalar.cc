#include <algorithm>
#include <cstring>
#include "x32-transpose.h"

namespace i8k {

// Tiles of 16 x 16 (one cache line of each side) through a local buffer, so each pass touches one
// line at a time: with power-of-two strides the lines of a tile share one L1 set, and reading or
// writing them interleaved thrashes it.
void x32_transpose_16x16_scalar(const uint8_t* src, int64_t src_col, uint8_t* dst, int64_t dst_row,
                                int64_t rows, int64_t cols) {
  constexpr int64_t kTile = 16;
  uint32_t buf[kTile][kTile];
  for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
    const int64_t nr = std::min(kTile, rows - r0);
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t nc = std::min(kTile, cols - c0);
      for (int64_t c = 0; c < nc; c++) std::memcpy(buf[c], src + (c0 + c) * src_col + r0 * 4, size_t(nr) * 4);
      for (int64_t r = 0; r < nr; r++) {
        uint32_t* d = reinterpret_cast<uint32_t*>(dst + (r0 + r) * dst_row) + c0;
        for (int64_t c = 0; c < nc; c++) d[c] = buf[c][r];
      }
    }
  }
}

}  // namespace i8k
