// ReduceSum / ReduceMean / ReduceMax / ReduceMin over FP32. The input is viewed with reduced and
// kept axes merged into alternating blocks: [outer, R] runs the row kernels, [outer, R, inner]
// folds whole rows with the binary kernels, anything else takes an element-by-element loop.
#pragma once
#include <vector>
#include "../config/elementwise-config.h"
#include "../plan/plan.h"
#include "elementwise.h"

namespace i8k {

enum class ReduceKind { sum, mean, max, min };

class ReduceOp : public Op {
 public:
  // reduced[d]: whether axis d of dims is reduced.
  ReduceOp(const ElementwiseConfig& k, ReduceKind kind, const std::vector<int64_t>& dims,
           const std::vector<bool>& reduced, InputRef x, int32_t y);
  void run(void* const* buffers, const RunContext& ctx) const override;

 private:
  void general(const float* x, float* y) const;
  ElementwiseConfig k_;
  ReduceKind kind_;
  std::vector<int64_t> dims_;  // merged, size-1 axes dropped
  std::vector<bool> reduced_;
  size_t outer_ = 1, r_ = 1, inner_ = 1, out_size_ = 1;
  int shape_;  // 0: rows [outer, R]; 1: [outer, R, inner]; 2: general
  float identity_;
  InputRef x_;
  int32_t y_;
};

}  // namespace i8k
