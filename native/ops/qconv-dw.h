// INT8 depthwise convolution (group == cin == cout), NHWC in and out, on the u8 depthwise rows of
// QConvConfig: one output row per call. Its windows come from an indirection row listed column by
// column (taps ordered kx-major), so neighbouring output pixels share pointers: a row of a 3x3
// stride-1 conv needs (ow + 2) * 3 pointers rather than ow * 9. The rows' offsets into an image
// (or "padding") are computed once at construction; a run only adds the image's address.
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

 private:
  QConvShape s_;
  RequantParams out_;
  QU8DwConvUkernel kernel_;
  std::vector<uint8_t> packed_;  // qu8_dwconv_pack layout for the config's block
  std::vector<uint8_t> zp_row_;  // C bytes of x_zero_point: where padding taps point
  size_t entries_, step_;        // indirection entries per output row, and between pixels
  std::vector<int64_t> offsets_;  // [oh][entries_]: byte offset into the NHWC image, -1 = padding
};

}  // namespace i8k
