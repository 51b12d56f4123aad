#include "qmatmul.h"
#include <algorithm>
#include <cstring>
#include "u8s8-blocks.h"

namespace i8k {

void qpack_b(const U8S8GemmConfig& cfg, size_t k, size_t n, const void* b, bool b_signed,
             size_t ldb, QPackedB* out) {
  const size_t nr = cfg.nr, panels = (n + nr - 1) / nr;
  out->k = k, out->n = n, out->b_signed = b_signed, out->panel_bytes = cfg.panel_bytes(k);
  // The s8 operand B' (a copy only for u8 B): flipping the top bit is exactly b - 128.
  const int8_t* bs = static_cast<const int8_t*>(b);
  std::vector<int8_t> flipped;
  if (!b_signed) {
    flipped.resize(k * n);
    const uint8_t* bu = static_cast<const uint8_t*>(b);
    for (size_t kk = 0; kk < k; kk++)
      for (size_t j = 0; j < n; j++) flipped[kk * n + j] = int8_t(bu[kk * ldb + j] ^ 0x80);
    bs = flipped.data();
    ldb = n;
  }
  out->panels.assign(panels * out->panel_bytes, 0);
  for (size_t p = 0; p < panels; p++)
    cfg.pack(k, std::min(nr, n - p * nr), bs + p * nr, ldb, out->panels.data() + p * out->panel_bytes);
  out->colsum.assign(n, 0);
  for (size_t kk = 0; kk < k; kk++)
    for (size_t j = 0; j < n; j++) out->colsum[j] += bs[kk * ldb + j];
}

void qgemm(const U8S8GemmConfig& cfg, const QPackedB& b, size_t m, const void* a, size_t lda,
           const QGemmZeroPoints& zp, U8S8Output stage, void* y, size_t y_stride,
           const RunContext& ctx) {
  const size_t k = b.k, n = b.n, mr = cfg.mr, nr = cfg.nr, kr = cfg.kr;
  if (m == 0 || n == 0) return;
  // Column terms (u8s8-output.h): d[n] = c - zb[n], col_off[n] = -za' * (colsum(B')[n] + K d[n]).
  const int32_t c = b.b_signed ? 0 : 128;
  const uint32_t za = uint32_t(zp.a_signed ? zp.a_zp + 128 : zp.a_zp);
  std::vector<int32_t> col_mult(n), col_off(n);
  bool rows_needed = false;
  for (size_t j = 0; j < n; j++) {
    const int32_t zb = zp.b_zp ? zp.b_zp[zp.b_zp_count == 1 ? 0 : j] : 0;
    col_mult[j] = c - zb;
    rows_needed |= col_mult[j] != 0;
    col_off[j] = int32_t(0u - za * (uint32_t(b.colsum[j]) + uint32_t(k) * uint32_t(col_mult[j])) +
                         uint32_t(zp.acc_bias ? zp.acc_bias[j] : 0));
  }
  // A' rows as the kernels read them: u8, KR-padded with zeros. s8 A is flipped to u8 (a + 128)
  // and short rows padded in one copy that also sums each row; u8 A with whole KR groups is read
  // in place and summed only when a B zero-point term needs the sums.
  const size_t kp = (k + kr - 1) / kr * kr;
  const bool copy = zp.a_signed || kp != k;
  std::vector<uint8_t> abuf(copy ? m * kp : 0);
  std::vector<int32_t> row_sum(rows_needed ? m : 0);
  const uint8_t* au = static_cast<const uint8_t*>(a);
  if (copy || rows_needed) {
    const uint8_t flip = zp.a_signed ? 0x80 : 0;
    ctx.parallel_for(m, 64, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; i++) {
        const uint8_t* src = au + i * lda;
        int32_t sum = 0;
        if (copy) {
          uint8_t* dst = abuf.data() + i * kp;
          for (size_t kk = 0; kk < k; kk++) sum += dst[kk] = uint8_t(src[kk] ^ flip);
          std::memset(dst + k, 0, kp - k);
        } else {
          for (size_t kk = 0; kk < k; kk++) sum += src[kk];
        }
        if (rows_needed) row_sum[i] = sum;
      }
    });
  }
  if (copy) au = abuf.data(), lda = kp;

  stage.col_off = col_off.data();
  stage.col_mult = rows_needed ? col_mult.data() : nullptr;
  stage.row_sum = row_sum.data();
  const GemmBlocks blocks = u8s8_blocks(m, n, mr, nr, kp, ctx.threads());
  ctx.parallel_for(blocks.count(), 1, [&](size_t begin, size_t end) {
    alignas(64) int32_t tile[kMaxU8S8Tile];
    for (size_t t = begin; t < end; t++) {
      const auto blk = blocks.at(t);
      const uint8_t* w = b.panels.data() + blk.panel * b.panel_bytes;
      for (size_t i = blk.m0; i < blk.m1; i += mr) {
        const size_t rows = std::min(mr, blk.m1 - i);
        if (cfg.fused) {
          cfg.fused(rows, blk.nvalid, k, au + i * lda, lda, w, stage, i, blk.n0, y, y_stride);
        } else {
          cfg.acc(rows, k, au + i * lda, lda, w, tile);
          cfg.output(stage, i, rows, blk.n0, blk.nvalid, tile, nr, y, y_stride);
        }
      }
    }
  });
}

}  // namespace i8k
