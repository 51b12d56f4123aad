// The u8/s8 x u8/s8 GEMM with every zero-point form and the s32 / f32 / u8 / s8 output stages
// (kernels/gemm-u8s8/u8s8-output.h), on top of the u8 x s8 kernels' raw-accumulator entry:
// QLinearMatMul, MatMulInteger, ConvInteger and dynamically quantized MatMul.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>
#include "../config/kernel-config.h"
#include "../kernels/gemm-u8s8/u8s8-output.h"
#include "../plan/thread-pool.h"

namespace i8k {

// B [K x N] (row stride ldb) packed for one kernel. u8 B is stored as s8 B' = B - 128 (so it runs
// on the same u8 x s8 kernels); colsum is of B', for the A zero-point term.
struct QPackedB {
  size_t k = 0, n = 0, panel_bytes = 0;
  bool b_signed = true;
  std::vector<uint8_t> panels;
  std::vector<int32_t> colsum;
};
void qpack_b(const U8S8GemmConfig& cfg, size_t k, size_t n, const void* b, bool b_signed,
             size_t ldb, QPackedB* out);

struct QGemmZeroPoints {
  bool a_signed = false;
  int32_t a_zp = 0;               // per tensor, in A's type
  const int32_t* b_zp = nullptr;  // nullptr (0), or 1 (per tensor) or N (per column) entries
  size_t b_zp_count = 0;
  // N int32 values added to every row's accumulator (a QLinearConv-style bias at a_scale * b_scale),
  // folded into the column offsets so it costs nothing per element.
  const int32_t* acc_bias = nullptr;
};

// Y[M x N] (row stride y_stride elements) = stage(A[M x K] (row stride lda) x B) with the zero
// points subtracted exactly. The stage's kind, scale, bias and rq are used as given; its col_off,
// col_mult and row_sum are computed here from the zero points.
void qgemm(const U8S8GemmConfig& cfg, const QPackedB& b, size_t m, const void* a, size_t lda,
           const QGemmZeroPoints& zp, U8S8Output stage, void* y, size_t y_stride,
           const RunContext& ctx);

}  // namespace i8k
