// Work split of the u8 x s8 GEMMs (U8S8Gemm, qgemm): (row block, weight panel) tasks, row-block
// major as in GemmBlocks, with GemmBlocks' L2-sized row blocks cut smaller when they would leave
// fewer than 4 tasks per thread. Narrow GEMMs have few panels (MobileNetV2's pointwise layers:
// 1 to 5 of 32 columns), so L2-sized blocks alone would give 2 threads 5 tasks to share, a 3:2
// split at best.
#pragma once
#include <algorithm>
#include <cstddef>
#include "blocking.h"

namespace i8k {

inline GemmBlocks u8s8_blocks(size_t m, size_t n, size_t mr, size_t nr, size_t row_bytes, size_t threads) {
  const size_t panels = (n + nr - 1) / nr;
  const size_t row_blocks = (threads * 4 + panels - 1) / std::max<size_t>(panels, 1);
  const size_t even = ((m + row_blocks - 1) / row_blocks + mr - 1) / mr * mr;
  return GemmBlocks(m, n, nr, std::max<size_t>(mr, std::min(rows_per_block(m, mr, row_bytes), even)));
}

}  // namespace i8k
