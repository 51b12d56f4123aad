#include "matmul-f32.h"
#include <algorithm>
#include <cmath>
#include "blocking.h"

namespace i8k {

void f32_pack_b(const float* b, size_t k, size_t n, size_t nr, float* dst) {
  const size_t panels = (n + nr - 1) / nr;
  for (size_t p = 0; p < panels; p++) {
    float* w = dst + p * k * nr;
    const size_t n0 = p * nr, nv = std::min(nr, n - n0);
    for (size_t kk = 0; kk < k; kk++) {
      std::copy(b + kk * n + n0, b + kk * n + n0 + nv, w + kk * nr);
      std::fill(w + kk * nr + nv, w + (kk + 1) * nr, 0.0f);
    }
  }
}

F32MatMul::F32MatMul(const F32GemmConfig& cfg, size_t m, size_t k, size_t n,
                     std::vector<size_t> a_batch, std::vector<size_t> b_batch, size_t b_count,
                     const float* b)
    : cfg_(cfg), m_(m), k_(k), n_(n), b_count_(b_count), a_batch_(std::move(a_batch)),
      b_batch_(std::move(b_batch)) {
  packed_size_ = (n + cfg.nr - 1) / cfg.nr * k * cfg.nr;
  zeros_.assign(cfg.nr, 0.0f);
  if (b) {
    packed_.resize(b_count * packed_size_);
    for (size_t i = 0; i < b_count; i++)
      f32_pack_b(b + i * k * n, k, n, cfg.nr, packed_.data() + i * packed_size_);
  }
}

void F32MatMul::run(const float* a, const float* b, float* y, const RunContext& ctx) const {
  if (!packed_.empty() || packed_size_ == 0 || b_count_ == 0) {
    multiply(a, packed_.data(), y, ctx);
    return;
  }
  std::vector<float> packed(b_count_ * packed_size_);
  ctx.parallel_for(b_count_, 1, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++)
      f32_pack_b(b + i * k_ * n_, k_, n_, cfg_.nr, packed.data() + i * packed_size_);
  });
  multiply(a, packed.data(), y, ctx);
}

void F32MatMul::multiply(const float* a, const float* packed, float* y, const RunContext& ctx) const {
  const size_t mr = cfg_.mr, nr = cfg_.nr, batches = a_batch_.size();
  if (m_ == 0 || n_ == 0) return;
  if (k_ == 0) {
    std::fill(y, y + batches * m_ * n_, 0.0f);
    return;
  }
  const GemmBlocks blocks(m_, n_, mr, nr, k_ * sizeof(float));
  const size_t per = blocks.count();
  ctx.parallel_for(batches * per, 1, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; t++) {
      const size_t i = t / per;
      const auto blk = blocks.at(t % per);
      const float* w = packed + b_batch_[i] * packed_size_ + blk.panel * k_ * nr;
      const float* ai = a + a_batch_[i] * m_ * k_;
      float* yi = y + i * m_ * n_;
      for (size_t r = blk.m0; r < blk.m1; r += mr)
        cfg_.ukernel(std::min(mr, blk.m1 - r), blk.nvalid, k_, ai + r * k_, k_, w, zeros_.data(),
                     yi + r * n_ + blk.n0, n_, -INFINITY, INFINITY);
    }
  });
}

}  // namespace i8k
