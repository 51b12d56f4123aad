// Resize coordinate rules (ONNX opset 11-19) and bilinear interpolation over the last two dims.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include "../plan/thread-pool.h"

namespace i8k {

enum class ResizeCoord { half_pixel, pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn };
enum class NearestRound { round_prefer_floor, round_prefer_ceil, floor, ceil };

bool parse_resize_coord(const std::string& s, ResizeCoord* out);
bool parse_nearest_round(const std::string& s, NearestRound* out);

// The input coordinate output index x maps to along one axis, in double precision. out_len is the
// resized length the coordinate rules divide by: in * scale when scales are given (not its floor,
// as the ONNX reference computes align_corners), the output size when sizes are.
double resize_source(ResizeCoord mode, int64_t x, double scale, int64_t in, double out_len);

// Input index read by each of the out output indices of one axis (clamped to [0, in - 1]).
std::vector<int64_t> nearest_map(ResizeCoord mode, NearestRound round, double scale, int64_t in,
                                 int64_t out, double out_len);

class BilinearResize {
 public:
  // planes: product of the leading dims; scales are those of the last two axes.
  BilinearResize(size_t planes, int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w,
                 double scale_h, double scale_w, double len_h, double len_w, ResizeCoord mode);
  void run(const float* x, float* y, const RunContext& ctx) const;

 private:
  struct Tap {
    int64_t lo, hi;
    float w;  // weight of hi
  };
  static std::vector<Tap> taps(ResizeCoord mode, double scale, int64_t in, int64_t out, double out_len);

  size_t planes_;
  int64_t in_h_, in_w_, out_h_, out_w_;
  std::vector<Tap> ty_, tx_;
};

}  // namespace i8k
