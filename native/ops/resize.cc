#include "resize.h"
#include <algorithm>
#include <cmath>

namespace i8k {

bool parse_resize_coord(const std::string& s, ResizeCoord* out) {
  if (s == "half_pixel") return *out = ResizeCoord::half_pixel, true;
  if (s == "pytorch_half_pixel") return *out = ResizeCoord::pytorch_half_pixel, true;
  if (s == "align_corners") return *out = ResizeCoord::align_corners, true;
  if (s == "asymmetric") return *out = ResizeCoord::asymmetric, true;
  if (s == "tf_half_pixel_for_nn") return *out = ResizeCoord::tf_half_pixel_for_nn, true;
  return false;
}

bool parse_nearest_round(const std::string& s, NearestRound* out) {
  if (s == "round_prefer_floor") return *out = NearestRound::round_prefer_floor, true;
  if (s == "round_prefer_ceil") return *out = NearestRound::round_prefer_ceil, true;
  if (s == "floor") return *out = NearestRound::floor, true;
  if (s == "ceil") return *out = NearestRound::ceil, true;
  return false;
}

double resize_source(ResizeCoord mode, int64_t x, double scale, int64_t in, double out_len) {
  switch (mode) {
    case ResizeCoord::half_pixel:
      return (double(x) + 0.5) / scale - 0.5;
    case ResizeCoord::pytorch_half_pixel:
      return out_len > 1 ? (double(x) + 0.5) / scale - 0.5 : 0.0;
    case ResizeCoord::align_corners:
      return out_len > 1 ? double(x) * double(in - 1) / (out_len - 1) : 0.0;
    case ResizeCoord::asymmetric:
      return double(x) / scale;
    case ResizeCoord::tf_half_pixel_for_nn:
      return (double(x) + 0.5) / scale;
  }
  return 0;
}

std::vector<int64_t> nearest_map(ResizeCoord mode, NearestRound round, double scale, int64_t in,
                                 int64_t out, double out_len) {
  std::vector<int64_t> map(static_cast<size_t>(out));
  for (int64_t x = 0; x < out; x++) {
    const double s = resize_source(mode, x, scale, in, out_len);
    double i;
    switch (round) {
      case NearestRound::round_prefer_floor:
        i = s == std::floor(s) + 0.5 ? std::floor(s) : std::round(s);
        break;
      case NearestRound::round_prefer_ceil:
        i = s == std::floor(s) + 0.5 ? std::ceil(s) : std::round(s);
        break;
      case NearestRound::floor:
        i = std::floor(s);
        break;
      default:
        i = std::ceil(s);
        break;
    }
    map[size_t(x)] = int64_t(std::min(std::max(i, 0.0), double(in - 1)));
  }
  return map;
}

std::vector<BilinearResize::Tap> BilinearResize::taps(ResizeCoord mode, double scale, int64_t in, int64_t out,
                                                      double out_len) {
  std::vector<Tap> t(static_cast<size_t>(out));
  for (int64_t x = 0; x < out; x++) {
    // Sampling outside the input reads the edge value (ONNX pads with edge values).
    const double s = std::min(std::max(resize_source(mode, x, scale, in, out_len), 0.0), double(in - 1));
    const int64_t lo = int64_t(std::floor(s));
    t[size_t(x)] = {lo, std::min(lo + 1, in - 1), float(s - double(lo))};
  }
  return t;
}

BilinearResize::BilinearResize(size_t planes, int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w,
                               double scale_h, double scale_w, double len_h, double len_w, ResizeCoord mode)
    : planes_(planes), in_h_(in_h), in_w_(in_w), out_h_(out_h), out_w_(out_w),
      ty_(taps(mode, scale_h, in_h, out_h, len_h)), tx_(taps(mode, scale_w, in_w, out_w, len_w)) {}

void BilinearResize::run(const float* x, float* y, const RunContext& ctx) const {
  const size_t rows = planes_ * size_t(out_h_);
  if (!rows || !out_w_) return;
  ctx.parallel_for(rows, std::max<size_t>(1, 4096 / size_t(out_w_)), [&](size_t b, size_t e) {
    for (size_t r = b; r < e; r++) {
      const size_t p = r / size_t(out_h_);
      const Tap& ty = ty_[r % size_t(out_h_)];
      const float* plane = x + p * size_t(in_h_ * in_w_);
      const float* a = plane + ty.lo * in_w_;
      const float* c = plane + ty.hi * in_w_;
      float* out = y + r * size_t(out_w_);
      const float wy = ty.w;
      for (int64_t i = 0; i < out_w_; i++) {
        const Tap& tx = tx_[size_t(i)];
        const float top = a[tx.lo] + tx.w * (a[tx.hi] - a[tx.lo]);
        const float bottom = c[tx.lo] + tx.w * (c[tx.hi] - c[tx.lo]);
        out[i] = top + wy * (bottom - top);
      }
    }
  });
}

}  // namespace i8k
