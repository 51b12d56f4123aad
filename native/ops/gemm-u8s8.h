// INT8 fully connected operator: u8 A[M x K] x s8 B[K x N] + s32 bias -> u8 Y[M x N], with
// per-tensor or per-output-channel weight scales (weights are symmetric: zero point 0).
// B is packed once at construction; run() may be called from several threads at once.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>
#include "../config/kernel-config.h"
#include "../plan/thread-pool.h"

namespace i8k {

struct U8S8GemmQuant {
  float a_scale;
  int32_t a_zero_point;
  const float* b_scale;  // 1 (per tensor) or N (per channel) entries
  size_t b_scale_count;
  float y_scale;
  RequantParams out;
};

class U8S8Gemm {
 public:
  U8S8Gemm(const U8S8GemmConfig& cfg, size_t k, size_t n, const int8_t* b, const int32_t* bias,
           const U8S8GemmQuant& q);
  void run(size_t m, const uint8_t* a, uint8_t* y, const RunContext& ctx) const;

 private:
  U8S8GemmConfig cfg_;
  size_t k_, n_, panel_bytes_;
  RequantParams out_;
  std::vector<uint8_t> packed_;
  std::vector<int32_t> bias_;  // bias - a_zero_point * colsum(B), padded to whole panels
  std::vector<float> scale_;   // a_scale * b_scale[n] / y_scale, padded
};

}  // namespace i8k
