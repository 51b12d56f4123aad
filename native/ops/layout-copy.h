// Data movement as one strided copy: dst[sum i_d dst_d] = src[sum i_d src_d] over a box of dims.
// Slice, Transpose, Expand, Tile, Split and Concat are all this copy with different strides; it is
// dtype-agnostic (element size only) and picks the fastest loop the strides allow once, at creation.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>
#include "../kernels/x32-transpose/x32-transpose.h"
#include "../plan/thread-pool.h"

namespace i8k {

// Row-major element strides of dims.
std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& dims);

// Copies bytes, split over the pool when large.
void parallel_memcpy(void* dst, const void* src, size_t bytes, const RunContext& ctx);

class StridedCopy {
 public:
  // Strides in elements (negative allowed, 0 to repeat); offsets are added to the run() pointers.
  // x32: the 4-byte transpose kernel of the plan's ISA.
  StridedCopy(X32TransposeFn x32, const std::vector<int64_t>& dims, const std::vector<int64_t>& src_strides,
              const std::vector<int64_t>& dst_strides, size_t elem_size, int64_t src_offset = 0,
              int64_t dst_offset = 0);
  void run(const void* src, void* dst, const RunContext& ctx) const;

 private:
  enum class Mode { empty, memcpy, rows, transpose, elements };
  struct Dim {
    int64_t n, src, dst;  // strides in bytes
  };
  void run_rows(const uint8_t* src, uint8_t* dst, size_t begin, size_t end) const;
  void run_transpose(const uint8_t* src, uint8_t* dst, size_t begin, size_t end) const;
  void run_elements(const uint8_t* src, uint8_t* dst, size_t begin, size_t end) const;

  X32TransposeFn x32_;
  Mode mode_ = Mode::empty;
  size_t esize_;
  int64_t src_offset_, dst_offset_;  // bytes
  std::vector<Dim> outer_;           // iterated dims, outermost first
  Dim inner_{1, 0, 0};               // innermost dim (rows/elements) or tile columns (transpose)
  Dim tile_rows_{1, 0, 0};           // transpose: the dim read contiguously, written with a stride
  // Transpose tasks: blocks of rows x columns (multiples of every tile size).
  static constexpr int64_t kTaskRows = 64, kTaskCols = 256;
  size_t outer_count_ = 1, row_blocks_ = 1, col_blocks_ = 1;
};

}  // namespace i8k
