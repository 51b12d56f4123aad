#include "normalization.h"
#include <algorithm>
#include "elementwise.h"

namespace i8k {

void SoftmaxOp::run(void* const* buffers, const RunContext& ctx) const {
  const float* x = static_cast<const float*>(x_.get(buffers));
  float* y = static_cast<float*>(buffers[y_]);
  if (axis_ == 0 || outer_ == 0 || inner_ == 0) return;
  if (inner_ == 1) {
    const F32RowFn row = log_ ? k_.rowwise->logsoftmax : k_.rowwise->softmax;
    ctx.parallel_for(outer_, std::max<size_t>(1, kElementGrain / axis_), [&](size_t b, size_t e) {
      for (size_t o = b; o < e; o++) row(axis_, x + o * axis_, y + o * axis_);
    });
    return;
  }
  // Tasks are (outer, column block) pairs; every column's arithmetic is the same in any split.
  const size_t block = 256, blocks = (inner_ + block - 1) / block;
  ctx.parallel_for(outer_ * blocks, std::max<size_t>(1, kElementGrain / (axis_ * block)), [&](size_t b, size_t e) {
    for (size_t t = b; t < e; t++) {
      const size_t o = t / blocks, c0 = t % blocks * block, c1 = std::min(inner_, c0 + block);
      strided(x + o * axis_ * inner_, y + o * axis_ * inner_, c0, c1);
    }
  });
}

void SoftmaxOp::strided(const float* x, float* y, size_t c0, size_t c1) const {
  const size_t n = c1 - c0;
  const auto& bin = *k_.binary;
  const auto& un = *k_.unary;
  float m[256], s[256];
  std::copy(x + c0, x + c1, m);
  for (size_t k = 1; k < axis_; k++) bin.vv[int(BinaryKind::max)](n, m, x + k * inner_ + c0, m);
  std::fill(s, s + n, 0.0f);
  for (size_t k = 0; k < axis_; k++) {
    float* yk = y + k * inner_ + c0;
    bin.vv[int(BinaryKind::sub)](n, x + k * inner_ + c0, m, yk);
    un.fn[int(UnaryKind::exp)](n, yk, yk, {});
    bin.vv[int(BinaryKind::add)](n, s, yk, s);
  }
  if (log_) {
    // (x - max) - ln s, as the row kernel does.
    un.fn[int(UnaryKind::log)](n, s, s, {});
    for (size_t k = 0; k < axis_; k++) {
      float* yk = y + k * inner_ + c0;
      bin.vv[int(BinaryKind::sub)](n, x + k * inner_ + c0, m, yk);
      bin.vv[int(BinaryKind::sub)](n, yk, s, yk);
    }
  } else {
    un.fn[int(UnaryKind::reciprocal)](n, s, s, {});
    for (size_t k = 0; k < axis_; k++) bin.vv[int(BinaryKind::mul)](n, y + k * inner_ + c0, s, y + k * inner_ + c0);
  }
}

void LayerNormOp::run(void* const* buffers, const RunContext& ctx) const {
  const float* x = static_cast<const float*>(x_.get(buffers));
  const float* scale = static_cast<const float*>(scale_.get(buffers));
  const float* bias = bias_.absent() ? nullptr : static_cast<const float*>(bias_.get(buffers));
  float* y = static_cast<float*>(buffers[y_]);
  if (n_ == 0) return;
  ctx.parallel_for(rows_, std::max<size_t>(1, kElementGrain / n_), [&](size_t b, size_t e) {
    for (size_t r = b; r < e; r++) fn_(n_, x + r * n_, y + r * n_, scale, bias, eps_);
  });
}

void BatchNormOp::run(void* const* buffers, const RunContext& ctx) const {
  const float* x = static_cast<const float*>(x_.get(buffers));
  float* y = static_cast<float*>(buffers[y_]);
  const size_t c = a_.size(), runs = n_ * c;
  if (inner_ == 0) return;
  ctx.parallel_for(runs, std::max<size_t>(1, kElementGrain / inner_), [&](size_t b, size_t e) {
    for (size_t r = b; r < e; r++)
      affine_(inner_, x + r * inner_, y + r * inner_, UnaryParams{a_[r % c], b_[r % c]});
  });
}

}  // namespace i8k
