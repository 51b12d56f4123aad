// ONNX multidirectional (numpy) broadcasting reduced to loops over contiguous runs: the output is
// `outer` runs of `inner` elements; in each run every input either advances by one element or
// stays on one element. Dimensions of size 1 are dropped and adjacent dimensions that every input
// walks alike are merged, so [N,C,H,W] + [1,C,1,1] becomes N*C runs of H*W over a fixed b value,
// and same-shape operands become one run.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace i8k {

// The broadcast of `shapes` (numpy rules); false when two dimensions are neither equal nor 1.
bool broadcast_shape(const std::vector<std::vector<int64_t>>& shapes, std::vector<int64_t>* out);
std::string shape_str(const std::vector<int64_t>& dims);

class Broadcast {
 public:
  // Every input shape must broadcast to out (check with broadcast_shape first).
  Broadcast(const std::vector<int64_t>& out, const std::vector<std::vector<int64_t>>& inputs);

  size_t outer() const { return outer_; }
  size_t inner() const { return inner_; }
  bool steps(size_t input) const { return inner_step_[input]; }  // advances along a run
  size_t inputs() const { return inner_step_.size(); }
  // Element offsets of each input at the start of run `o` (offs has inputs() entries).
  void offsets(size_t o, size_t* offs) const;

 private:
  std::vector<int64_t> dims_;                  // merged outer dimensions
  std::vector<std::vector<int64_t>> strides_;  // per input, per outer dimension
  std::vector<bool> inner_step_;
  size_t outer_ = 1, inner_ = 1;
};

}  // namespace i8k
