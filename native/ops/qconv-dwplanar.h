// INT8 depthwise convolution straight on NCHW planes (qu8-dwplanar.h): one parallel section per
// run over a fixed number of workspace slots, each padding its share of the planes in turn
// (x_zero_point border, s8 -> u8 flip) into its slot and running the planar kernel there, so a
// plane stays in cache between the two and the NCHW output needs no conversion. Stride 1 runs the
// padded plane as one long row (no partial vector block per output row; the kernel drops the
// wrapped windows); other strides run row by row. Both write the output plane directly. Used where the config has a
// planar kernel, the weights fit s8 and the column stride / dilation suit it; QConv keeps the
// NHWC depthwise for the rest and for run_nhwc.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>
#include "../kernels/qu8-dwconv/qu8-dwplanar.h"
#include "../plan/thread-pool.h"
#include "qconv-weights.h"

namespace i8k {

class QConvDwPlanar {
 public:
  // Null when kernel is null or the shape or weights do not suit it.
  static std::unique_ptr<QConvDwPlanar> create(QU8DwPlanarUkernel kernel, const QConvShape& s, const QConvPrepared& w,
                                               const RequantParams& out, uint8_t x_zero_point, uint8_t x_flip,
                                               uint8_t y_flip);
  size_t workspace_bytes() const { return slots_ * slot_bytes_; }
  // x, y: NCHW as the op boundary holds them; workspace: workspace_bytes().
  void run(const uint8_t* x, uint8_t* y, uint8_t* workspace, const RunContext& ctx) const;

 private:
  QConvDwPlanar() = default;
  void fill_slot(uint8_t* slot) const;
  void pad_plane(const uint8_t* x, uint8_t* plane) const;
  void run_plane(size_t i, const uint8_t* x, uint8_t* y, uint8_t* slot) const;

  QConvShape s_;
  size_t plane_w_, plane_h_;  // the padded plane: the rows and columns the windows reach
  bool flat_;                 // stride 1: the plane as one long row
  size_t in_bytes_, slot_bytes_, slots_;
  QU8DwPlanarUkernel kernel_;
  RequantParams out_;
  uint8_t x_zp_, x_flip_, y_flip_;
  std::vector<int8_t> w_;  // [c][kh][4 * quads]
  std::vector<int32_t> bias_;
  std::vector<float> scale_;
};

}  // namespace i8k
