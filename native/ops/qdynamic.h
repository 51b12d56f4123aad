// Dynamically quantized MatMul in one op (onnxruntime's com.microsoft DynamicQuantizeMatMul):
//   A (float32 [M x K]) -> u8 codes, a_scale, a_zp exactly as DynamicQuantizeLinear
//                          (ops/dynamic-quantize.h: the range includes 0, scale = (max - min) / 255)
//   Y[m][n] = float((A_q - a_zp) x (B - b_zp[n])) * (a_scale * b_scale[n]) (+ bias[n])
// The product is qgemm's f32 output stage (ops/qmatmul.h): the same two float32 roundings, in the
// same order, as the unfused chain MatMulInteger -> Cast -> Mul(a_scale * b_scale) -> Add(bias),
// so the fused op gives that chain's values bit for bit. The codes live in the caller's scratch
// (workspace_bytes) and never round-trip through the plan's memory.
#pragma once
#include <cstddef>
#include <cstdint>
#include "../config/dynquant-config.h"
#include "qmatmul.h"

namespace i8k {

struct QDynamicParams {
  const float* b_scale = nullptr;  // 1 (per tensor) or N (per column) entries
  size_t b_scale_count = 1;
  const int32_t* b_zp = nullptr;  // nullptr (0), or 1 or N entries, in B's type
  size_t b_zp_count = 0;
  const float* bias = nullptr;  // N entries or nullptr
};

class QDynamicMatMul {
 public:
  QDynamicMatMul(const U8S8GemmConfig& gemm, const DynQuantConfig& dq, size_t m, size_t k, size_t n, bool b_signed)
      : gemm_(gemm), dq_(dq), m_(m), k_(k), n_(n), b_signed_(b_signed) {}
  // B [K x N] row-major, int8 (b_signed) or uint8.
  void pack(const void* b, QPackedB* out) const { qpack_b(gemm_, k_, n_, b, b_signed_, n_, out); }
  size_t workspace_bytes() const { return m_ * k_; }
  // y [M x N]; workspace holds workspace_bytes() bytes.
  void run(const QPackedB& b, const float* a, const QDynamicParams& p, float* y, void* workspace,
           const RunContext& ctx) const;

 private:
  const U8S8GemmConfig& gemm_;
  const DynQuantConfig& dq_;
  size_t m_, k_, n_;
  bool b_signed_;
};

}  // namespace i8k
