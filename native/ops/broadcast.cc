#include "broadcast.h"
#include <algorithm>

namespace i8k {

bool broadcast_shape(const std::vector<std::vector<int64_t>>& shapes, std::vector<int64_t>* out) {
  size_t rank = 0;
  for (const auto& s : shapes) rank = std::max(rank, s.size());
  out->assign(rank, 1);
  for (const auto& s : shapes)
    for (size_t i = 0; i < s.size(); i++) {
      int64_t& o = (*out)[rank - s.size() + i];
      const int64_t d = s[i];
      if (d == o || d == 1) continue;
      if (o != 1) return false;
      o = d;
    }
  return true;
}

std::string shape_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); i++) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

Broadcast::Broadcast(const std::vector<int64_t>& out, const std::vector<std::vector<int64_t>>& ins) {
  const size_t rank = out.size(), k = ins.size();
  // Full-rank strides, 0 where an input is broadcast.
  std::vector<std::vector<int64_t>> st(k, std::vector<int64_t>(rank, 0));
  for (size_t j = 0; j < k; j++) {
    int64_t s = 1;
    for (size_t i = ins[j].size(); i-- > 0;) {
      const size_t d = rank - ins[j].size() + i;
      st[j][d] = ins[j][i] == 1 ? 0 : s;
      s *= ins[j][i];
    }
  }
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> strides(k);
  for (size_t d = 0; d < rank; d++) {
    if (out[d] == 1) continue;
    bool merge = !dims.empty();
    for (size_t j = 0; j < k && merge; j++) merge = strides[j].back() == st[j][d] * out[d];
    if (merge) {
      dims.back() *= out[d];
      for (size_t j = 0; j < k; j++) strides[j].back() = st[j][d];
    } else {
      dims.push_back(out[d]);
      for (size_t j = 0; j < k; j++) strides[j].push_back(st[j][d]);
    }
  }
  inner_step_.assign(k, false);
  for (int64_t d : out) outer_ *= size_t(d);  // 0 for empty outputs
  if (outer_ == 0 || dims.empty()) {
    inner_ = outer_ ? 1 : 0;
    outer_ = outer_ ? 1 : 0;
    strides_.assign(k, {});
    return;
  }
  inner_ = size_t(dims.back());
  outer_ /= inner_;
  for (size_t j = 0; j < k; j++) {
    inner_step_[j] = strides[j].back() != 0;
    strides[j].pop_back();
  }
  dims.pop_back();
  dims_ = std::move(dims);
  strides_ = std::move(strides);
}

void Broadcast::offsets(size_t o, size_t* offs) const {
  for (size_t j = 0; j < strides_.size(); j++) offs[j] = 0;
  for (size_t d = dims_.size(); d-- > 0;) {
    const size_t i = o % size_t(dims_[d]);
    o /= size_t(dims_[d]);
    for (size_t j = 0; j < strides_.size(); j++) offs[j] += i * size_t(strides_[j][d]);
  }
}

}  // namespace i8k
