// FP32 fully connected operator: Y[M x N] = clamp(A[M x K] * B[K x N] + bias, min, max).
// B is packed once at construction; run() may be called from several threads at once.
#pragma once
#include <cstddef>
#include <vector>
#include "../config/kernel-config.h"
#include "../plan/thread-pool.h"

namespace i8k {

class F32Gemm {
 public:
  F32Gemm(const F32GemmConfig& cfg, size_t k, size_t n, const float* b, const float* bias,
          float min, float max);
  void run(size_t m, const float* a, float* y, const RunContext& ctx) const;

 private:
  F32GemmConfig cfg_;
  size_t k_, n_;
  float min_, max_;
  std::vector<float> packed_;  // panels of k * NR floats
  std::vector<float> bias_;    // padded to whole panels
};

}  // namespace i8k
