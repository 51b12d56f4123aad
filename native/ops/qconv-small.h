// INT8 convolution for small windows without an im2col matrix (qu8-smallconv.h): the input rows a
// block of output pixels reads are copied once, zero-point padded, into the task's scratch, and
// the kernel reads every window in place from there. Taken by QConvGemm where it is exact (one
// group, weights within s8, no horizontal dilation) and the window is small (see fits()).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>
#include "../config/qconv-config.h"
#include "qconv-weights.h"

namespace i8k {

class QConvSmall {
 public:
  // Whether the direct kernel serves this conv: it needs a kernel on the ISA, one group, no
  // horizontal dilation and a window of at most kMaxBytes (kernel rows x 4-byte groups), past
  // which the im2col GEMM's deeper K tiles win.
  static constexpr size_t kMaxBytes = 128;
  static bool fits(const QConvConfig& qcfg, const QConvShape& s, const QConvPrepared& w);
  QConvSmall(const QConvConfig& qcfg, const QConvShape& s, const QConvPrepared& w, const RequantParams& out,
             uint8_t x_zero_point);
  // Output pixels [p0, p1) of image n into y (p1 - p0 pixels of cout bytes). x: the whole NHWC
  // input (u8 domain); exactly its bytes are read. buf: scratch_bytes().
  void run_pixels(const uint8_t* x, size_t n, size_t p0, size_t p1, uint8_t* y, uint8_t* buf) const;
  size_t scratch_bytes() const;

 private:
  // Padded input rows [r0, r1) (padded coordinates: row r is input row r - pt) into buf.
  void pad_rows(const uint8_t* x, size_t n, size_t r0, size_t r1, uint8_t* buf) const;

  QU8SmallConvUkernel kernel_;
  QConvShape s_;
  RequantParams out_;
  uint8_t x_zp_;
  size_t span_, groups_, wp_;   // bytes per kernel row, its 4-byte groups, padded row width in pixels
  std::vector<uint8_t> packed_;
  std::vector<int32_t> bias_;   // cout rounded up to a tile, zero padded
  std::vector<float> scale_;
};

}  // namespace i8k
