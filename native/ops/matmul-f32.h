// FP32 MatMul with numpy semantics, after the op has promoted 1-D operands and broadcast the batch
// dimensions: for each output batch i, Y_i[M, N] = A_{a_batch[i]}[M, K] x B_{b_batch[i]}[K, N].
// A constant B is packed into the GEMM's panel layout once; otherwise each run packs it.
#pragma once
#include <vector>
#include "../config/kernel-config.h"
#include "../plan/thread-pool.h"

namespace i8k {

// Panels of NR columns, k-major, zero padded past n (the F32 GEMM layout).
void f32_pack_b(const float* b, size_t k, size_t n, size_t nr, float* dst);

class F32MatMul {
 public:
  // b: the constant B (all its batches), or null when B is a run-time input.
  F32MatMul(const F32GemmConfig& cfg, size_t m, size_t k, size_t n, std::vector<size_t> a_batch,
            std::vector<size_t> b_batch, size_t b_count, const float* b);
  void run(const float* a, const float* b, float* y, const RunContext& ctx) const;

 private:
  void multiply(const float* a, const float* packed, float* y, const RunContext& ctx) const;

  F32GemmConfig cfg_;
  size_t m_, k_, n_, b_count_, packed_size_;
  std::vector<size_t> a_batch_, b_batch_;
  std::vector<float> packed_;  // constant B only
  std::vector<float> zeros_;
};

}  // namespace i8k
