// INT8 depthwise convolution (group == cin == cout), NHWC in and out, on the u8 depthwise rows of
// QConvConfig: one output row per call, its windows given as an indirection row built per task.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>
#include "../config/qconv-config.h"
#include "../plan/thread-pool.h"
#include "qconv-weights.h"

namespace i8k {

class QConvDw {
 public:
  QConvDw(const QConvConfig& cfg, const QConvShape& s, const QConvPrepared& w, const RequantParams& out,
          uint8_t x_zero_point);
  void run(const uint8_t* x, uint8_t* y, const RunContext& ctx) const;
  QU8DwConvUkernel kernel() const { return kernel_; }

 private:
  QConvShape s_;
  RequantParams out_;
  QU8DwConvUkernel kernel_;
  std::vector<int16_t> w_;      // [taps][C]
  std::vector<int32_t> bias_;
  std::vector<float> scale_;
  std::vector<uint8_t> zp_row_;  // C bytes of x_zero_point: where padding taps point
};

}  // namespace i8k
