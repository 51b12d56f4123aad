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

class U8S8Blocks {
 public:
  using Block = GemmBlocks::Block;
  U8S8Blocks(size_t m, size_t n, size_t mr, size_t nr, size_t row_bytes, size_t threads)
      : m_(m), n_(n), nr_(nr), panels_((n + nr - 1) / nr) {
    const size_t row_blocks = (threads * 4 + panels_ - 1) / std::max<size_t>(panels_, 1);
    const size_t even = ((m + row_blocks - 1) / row_blocks + mr - 1) / mr * mr;
    mc_ = std::max<size_t>(mr, std::min(rows_per_block(m, mr, row_bytes), even));
  }
  size_t count() const { return (m_ + mc_ - 1) / mc_ * panels_; }
  Block at(size_t t) const {
    const size_t mb = t / panels_, p = t % panels_;
    const size_t m0 = mb * mc_, n0 = p * nr_;
    return {m0, std::min(m_, m0 + mc_), p, n0, std::min(nr_, n_ - n0)};
  }

 private:
  size_t m_, n_, nr_, panels_, mc_ = 1;
};

}  // namespace i8k
