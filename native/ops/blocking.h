// Cache blocking shared by the GEMM operators.
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

}  // namespace i8k
