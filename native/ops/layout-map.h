// Copies where each output coordinate reads an input coordinate given per dim by a table (or a
// fill value): Pad (constant, edge, reflect) and nearest-neighbour Resize.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>
#include "../plan/thread-pool.h"

namespace i8k {

class IndexMapCopy {
 public:
  // maps[d][o] is the input index along dim d read by output index o, or -1 for the fill value.
  // fill holds one element (elem_size bytes).
  IndexMapCopy(const std::vector<int64_t>& in_dims, std::vector<std::vector<int64_t>> maps,
               size_t elem_size, const std::vector<uint8_t>& fill);
  void run(const void* src, void* dst, const RunContext& ctx) const;

 private:
  struct Segment {
    int64_t out, len, in;  // in = -1: fill
  };
  void run_rows(const uint8_t* src, uint8_t* dst, size_t begin, size_t end) const;

  size_t esize_;
  std::vector<int64_t> in_strides_;             // bytes, outer dims
  std::vector<std::vector<int64_t>> outer_maps_;  // every dim but the last
  std::vector<Segment> segments_;               // the last dim as runs
  std::vector<int64_t> inner_map_;              // the last dim, per element
  std::vector<uint8_t> fill_row_;               // one output row of fill values
  int64_t inner_n_ = 1, in_inner_stride_ = 0;
  size_t rows_ = 0;
  bool use_segments_ = true;
};

}  // namespace i8k
