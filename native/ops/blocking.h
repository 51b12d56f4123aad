// Cache blocking and work splitting shared by the GEMM operators.
#pragma once
#include <algorithm>
#include <cstddef>

namespace i8k {

// Rows of A processed against every weight panel before moving on: the block of A should stay in
// L2 (1 MiB per core on the CPUs we tune for; half of it leaves room for the weight panels).
inline size_t rows_per_block(size_t m, size_t mr, size_t row_bytes) {
  constexpr size_t kBudget = 512 * 1024;
  size_t rows = std::max<size_t>(mr, kBudget / std::max<size_t>(row_bytes, 1) / mr * mr);
  return std::min(rows, (m + mr - 1) / mr * mr);
}

// The (row block, weight panel) pairs of an M x N GEMM, row block major so that one thread's
// consecutive tasks reuse the same block of A. Each pair is one parallel task.
class GemmBlocks {
 public:
  struct Block {
    size_t m0, m1, panel, n0, nvalid;
  };
  GemmBlocks(size_t m, size_t n, size_t mr, size_t nr, size_t row_bytes)
      : GemmBlocks(m, n, nr, rows_per_block(m, mr, row_bytes)) {}
  // Row blocks of `mc` rows chosen by the caller.
  GemmBlocks(size_t m, size_t n, size_t nr, size_t mc)
      : m_(m), n_(n), nr_(nr), mc_(std::max<size_t>(1, mc)), panels_((n + nr - 1) / nr) {}
  size_t count() const { return (m_ + mc_ - 1) / mc_ * panels_; }
  Block at(size_t t) const {
    const size_t mb = t / panels_, p = t % panels_;
    const size_t m0 = mb * mc_, n0 = p * nr_;
    return {m0, std::min(m_, m0 + mc_), p, n0, std::min(nr_, n_ - n0)};
  }

 private:
  size_t m_, n_, nr_, mc_, panels_;
};

}  // namespace i8k
