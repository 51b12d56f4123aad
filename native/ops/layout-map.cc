#include "layout-map.h"
#include <algorithm>
#include <cstring>

namespace i8k {

IndexMapCopy::IndexMapCopy(const std::vector<int64_t>& in_dims, std::vector<std::vector<int64_t>> maps,
                           size_t elem_size, const std::vector<uint8_t>& fill)
    : esize_(elem_size) {
  std::vector<int64_t> dims = in_dims;
  if (dims.empty()) dims = {1}, maps = {{0}};
  const size_t r = dims.size();
  std::vector<int64_t> strides(r);
  int64_t acc = int64_t(elem_size);
  for (size_t i = r; i-- > 0;) strides[i] = acc, acc *= dims[i];
  rows_ = 1;
  for (size_t i = 0; i + 1 < r; i++) rows_ *= maps[i].size();
  inner_map_ = maps[r - 1];
  inner_n_ = int64_t(inner_map_.size());
  in_inner_stride_ = strides[r - 1];
  outer_maps_.assign(maps.begin(), maps.end() - 1);
  in_strides_.assign(strides.begin(), strides.end() - 1);
  for (int64_t o = 0; o < inner_n_; o++) {
    const int64_t in = inner_map_[o];
    if (!segments_.empty()) {
      Segment& s = segments_.back();
      if ((in < 0 && s.in < 0) || (in >= 0 && s.in >= 0 && in == s.in + s.len)) {
        s.len++;
        continue;
      }
    }
    segments_.push_back({o, 1, in});
  }
  // Per-element copies beat a memcpy call per short run (nearest upsampling).
  use_segments_ = segments_.size() * 4 <= size_t(inner_n_);
  fill_row_.resize(size_t(inner_n_) * elem_size);
  for (int64_t o = 0; o < inner_n_; o++) std::memcpy(&fill_row_[size_t(o) * elem_size], fill.data(), elem_size);
}

void IndexMapCopy::run(const void* src, void* dst, const RunContext& ctx) const {
  if (!rows_ || !inner_n_) return;
  const size_t grain = std::max<size_t>(1, (size_t{1} << 16) / (size_t(inner_n_) * esize_));
  ctx.parallel_for(rows_, grain, [&](size_t b, size_t e) {
    run_rows(static_cast<const uint8_t*>(src), static_cast<uint8_t*>(dst), b, e);
  });
}

namespace {
template <typename T>
void gather_row(const uint8_t* src, int64_t stride, const int64_t* map, const T* fill, T* dst, int64_t n) {
  for (int64_t o = 0; o < n; o++) {
    if (map[o] < 0) {
      dst[o] = fill[o];
    } else {
      T v;
      std::memcpy(&v, src + map[o] * stride, sizeof(T));
      dst[o] = v;
    }
  }
}
}  // namespace

void IndexMapCopy::run_rows(const uint8_t* src, uint8_t* dst, size_t begin, size_t end) const {
  const size_t row_bytes = size_t(inner_n_) * esize_;
  for (size_t row = begin; row < end; row++) {
    uint8_t* out = dst + row * row_bytes;
    int64_t off = 0;
    bool filled = false;
    size_t i = row;
    for (size_t d = outer_maps_.size(); d-- > 0;) {
      const int64_t in = outer_maps_[d][i % outer_maps_[d].size()];
      i /= outer_maps_[d].size();
      if (in < 0) filled = true;
      else off += in * in_strides_[d];
    }
    if (filled) {
      std::memcpy(out, fill_row_.data(), row_bytes);
      continue;
    }
    const uint8_t* in_row = src + off;
    if (use_segments_) {
      for (const Segment& s : segments_)
        std::memcpy(out + size_t(s.out) * esize_,
                    s.in < 0 ? &fill_row_[size_t(s.out) * esize_] : in_row + s.in * in_inner_stride_,
                    size_t(s.len) * esize_);
      continue;
    }
    switch (esize_) {
      case 1:
        gather_row(in_row, in_inner_stride_, inner_map_.data(), fill_row_.data(), out, inner_n_);
        break;
      case 4:
        gather_row(in_row, in_inner_stride_, inner_map_.data(),
                   reinterpret_cast<const uint32_t*>(fill_row_.data()), reinterpret_cast<uint32_t*>(out), inner_n_);
        break;
      default:
        gather_row(in_row, in_inner_stride_, inner_map_.data(),
                   reinterpret_cast<const uint64_t*>(fill_row_.data()), reinterpret_cast<uint64_t*>(out), inner_n_);
        break;
    }
  }
}

}  // namespace i8k
