#include "reduce.h"
#include <algorithm>
#include <cmath>
#include <limits>

namespace i8k {

ReduceOp::ReduceOp(const ElementwiseConfig& k, ReduceKind kind, const std::vector<int64_t>& dims,
                   const std::vector<bool>& reduced, InputRef x, int32_t y)
    : k_(k), kind_(kind), x_(std::move(x)), y_(y) {
  const float inf = std::numeric_limits<float>::infinity();
  identity_ = kind == ReduceKind::max ? -inf : kind == ReduceKind::min ? inf : 0.0f;
  bool empty = false;
  for (size_t d = 0; d < dims.size(); d++) {
    empty |= dims[d] == 0;
    if (!reduced[d]) out_size_ *= size_t(dims[d]);
    if (dims[d] == 1) continue;
    if (!dims_.empty() && reduced_.back() == reduced[d]) {
      dims_.back() *= dims[d];
    } else {
      dims_.push_back(dims[d]);
      reduced_.push_back(reduced[d]);
    }
  }
  shape_ = 2;
  if (empty) return;
  if (dims_.empty()) {
    shape_ = 0;  // one element: a row of 1
  } else if (reduced_.back()) {
    if (dims_.size() <= 2) {
      shape_ = 0, r_ = size_t(dims_.back()), outer_ = dims_.size() == 2 ? size_t(dims_[0]) : 1;
    }
  } else if (dims_.size() == 1) {
    shape_ = 1, r_ = 1, inner_ = size_t(dims_[0]);  // nothing reduced but size-1 axes
  } else if (dims_.size() <= 3 && reduced_[dims_.size() - 2]) {
    shape_ = 1, inner_ = size_t(dims_.back()), r_ = size_t(dims_[dims_.size() - 2]);
    outer_ = dims_.size() == 3 ? size_t(dims_[0]) : 1;
  }
}

void ReduceOp::run(void* const* buffers, const RunContext& ctx) const {
  const float* x = static_cast<const float*>(x_.get(buffers));
  float* y = static_cast<float*>(buffers[y_]);
  const float scale = kind_ == ReduceKind::mean ? 1.0f / float(r_) : 1.0f;
  if (shape_ == 0) {
    const F32ReduceFn fn = kind_ == ReduceKind::max   ? k_.rowwise->max
                           : kind_ == ReduceKind::min ? k_.rowwise->min
                                                      : k_.rowwise->sum;
    ctx.parallel_for(outer_, std::max<size_t>(1, kElementGrain / r_), [&](size_t b, size_t e) {
      for (size_t o = b; o < e; o++) y[o] = fn(r_, x + o * r_) * scale;
    });
  } else if (shape_ == 1) {
    const BinaryKind bk = kind_ == ReduceKind::max   ? BinaryKind::max
                          : kind_ == ReduceKind::min ? BinaryKind::min
                                                     : BinaryKind::add;
    const F32VBinaryFn fold = k_.binary->vv[int(bk)];
    const F32VUnaryFn affine = k_.unary->fn[int(UnaryKind::affine)];
    const size_t block = 1024, blocks = (inner_ + block - 1) / block;
    ctx.parallel_for(outer_ * blocks, std::max<size_t>(1, kElementGrain / (r_ * block)), [&](size_t b, size_t e) {
      for (size_t t = b; t < e; t++) {
        const size_t o = t / blocks, c0 = t % blocks * block, n = std::min(inner_, c0 + block) - c0;
        const float* xo = x + o * r_ * inner_ + c0;
        float* yo = y + o * inner_ + c0;
        std::copy(xo, xo + n, yo);
        for (size_t k = 1; k < r_; k++) fold(n, yo, xo + k * inner_, yo);
        if (scale != 1.0f) affine(n, yo, yo, UnaryParams{scale, 0.0f});
      }
    });
  } else {
    general(x, y);
  }
}

// Odometer over the input; each output element accumulates in input order.
void ReduceOp::general(const float* x, float* y) const {
  std::fill(y, y + out_size_, identity_);
  size_t total = 1, count = 1;
  for (size_t d = 0; d < dims_.size(); d++) {
    total *= size_t(dims_[d]);
    if (reduced_[d]) count *= size_t(dims_[d]);
  }
  std::vector<size_t> ost(dims_.size(), 0), idx(dims_.size(), 0);
  for (size_t d = dims_.size(), s = 1; d-- > 0;)
    if (!reduced_[d]) ost[d] = s, s *= size_t(dims_[d]);
  size_t off = 0;
  for (size_t i = 0; i < total; i++) {
    const float v = x[i];
    float& acc = y[off];
    if (kind_ == ReduceKind::max) acc = !std::isnan(acc) && (v > acc || std::isnan(v)) ? v : acc;
    else if (kind_ == ReduceKind::min) acc = !std::isnan(acc) && (v < acc || std::isnan(v)) ? v : acc;
    else acc += v;
    for (size_t d = dims_.size(); d-- > 0;) {
      off += ost[d];
      if (size_t(++idx[d]) < size_t(dims_[d])) break;
      off -= ost[d] * idx[d];
      idx[d] = 0;
    }
  }
  if (kind_ == ReduceKind::mean)
    for (size_t j = 0; j < out_size_; j++) y[j] = y[j] / float(count);
}

}  // namespace i8k
