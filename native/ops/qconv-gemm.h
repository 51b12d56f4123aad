// INT8 convolution as per-group GEMMs on the u8 x s8 microkernel (KernelConfig::u8s8_gemm), NHWC
// in and out. A 1x1, stride 1, unpadded conv passes the NHWC input itself as the kernel's A (rows
// at the pixel stride, no copy); any other window gathers MR rows of the im2col matrix at a time
// into a small per-task buffer (padding taps = x_zero_point, which the bias cancels) and runs
// them against every panel of the group's packed weights before gathering the next MR rows.
//
// Weights outside s8 (u8 weights minus a zero point reach [-255, 255]) are split into P s8 parts
// whose sum is the weight (P = 2, or 3 for 255); the im2col row then repeats P times, so the same
// kernel stays exact.
//
// Small windows (QConvSmall::fits, not 1x1) skip im2col: run_pixels hands them to QConvSmall.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>
#include "../config/kernel-config.h"
#include "../plan/thread-pool.h"
#include "../config/qconv-config.h"
#include "qconv-small.h"
#include "qconv-weights.h"

namespace i8k {

class QConvGemm {
 public:
  QConvGemm(const U8S8GemmConfig& cfg, const QConvConfig& qcfg, const QConvShape& s, const QConvPrepared& w, const RequantParams& out,
            uint8_t x_zero_point);
  // x: N*H*W pixels of cin bytes, readable for `input_slack()` bytes past its end (the kernel
  // reads whole KR groups; the extra bytes meet zero weights). y: N*OH*OW pixels of cout bytes.
  void run(const uint8_t* x, uint8_t* y, const RunContext& ctx) const;
  size_t input_slack() const { return cfg_.kr; }
  // Output pixels [p0, p1) of image n, every group, into y (p1 - p0 rows of cout bytes): a task of
  // a caller that runs its own parallel section. x: for direct(), pixels p0..p1 - 1 of the image
  // (cin bytes each, input_slack() readable past the last); else the whole NHWC input as for run().
  // buf: scratch_bytes().
  void run_pixels(const uint8_t* x, size_t n, size_t p0, size_t p1, uint8_t* y, uint8_t* buf) const;
  size_t scratch_bytes() const { return small_ ? small_->scratch_bytes() : direct_ ? 0 : cfg_.mr * kp_; }
  bool direct() const { return direct_; }
  // The direct small-window kernel runs this conv (gather_rows / run_tile do not apply).
  bool small() const { return small_ != nullptr; }
  size_t parts() const { return parts_; }
  // For images too small to split by pixel blocks (7x7, 14x14): the whole im2col matrix of image n,
  // group g, (oh * ow rows of row_bytes()) gathered once, then tiles of mr() rows x one weight panel
  // run as separate tasks. Rows [p0, p1) into dst.
  size_t row_bytes() const { return kp_; }
  size_t mr() const { return cfg_.mr; }
  size_t panels() const { return panels_; }
  void gather_rows(const uint8_t* x, size_t n, size_t g, size_t p0, size_t p1, uint8_t* dst) const;
  // Output rows [p0, p0 + rows) (rows <= mr()) of group g, weight panel p, from im2col rows a.
  void run_tile(const uint8_t* a, size_t g, size_t p0, size_t rows, size_t panel, uint8_t* y) const;

 private:
  void gather_row(const uint8_t* x, size_t n, size_t g, size_t pixel, uint8_t* dst) const;

  U8S8GemmConfig cfg_;
  QConvShape s_;
  RequantParams out_;
  uint8_t x_zp_;
  size_t parts_, k_, kp_, panels_, panel_bytes_;
  bool direct_;
  std::vector<uint8_t> packed_;  // [group][panel] of panel_bytes_
  std::vector<int32_t> bias_;    // [group][panels * nr], zero padded
  std::vector<float> scale_;     // likewise
  std::unique_ptr<QConvSmall> small_;
};

}  // namespace i8k
