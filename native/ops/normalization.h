// Softmax / LogSoftmax over one axis, LayerNormalization over trailing axes, BatchNormalization
// (inference) per channel. Rules are checked by the factories in native/plan/op-elementwise.cc.
#pragma once
#include <vector>
#include "../config/elementwise-config.h"
#include "../plan/plan.h"
#include "elementwise.h"

namespace i8k {

// x viewed as [outer, axis, inner]; inner == 1 runs the row kernels, otherwise whole inner-length
// vectors are combined with the binary and unary kernels (no transpose).
class SoftmaxOp : public Op {
 public:
  SoftmaxOp(const ElementwiseConfig& k, bool log, size_t outer, size_t axis, size_t inner, InputRef x, int32_t y)
      : k_(k), log_(log), outer_(outer), axis_(axis), inner_(inner), x_(std::move(x)), y_(y) {}
  void run(void* const* buffers, const RunContext& ctx) const override;

 private:
  void strided(const float* x, float* y, size_t begin, size_t end) const;
  ElementwiseConfig k_;
  bool log_;
  size_t outer_, axis_, inner_;
  InputRef x_;
  int32_t y_;
};

class LayerNormOp : public Op {
 public:
  LayerNormOp(F32LayerNormFn fn, size_t rows, size_t n, float eps, InputRef x, InputRef scale, InputRef bias, int32_t y)
      : fn_(fn), rows_(rows), n_(n), eps_(eps), x_(std::move(x)), scale_(std::move(scale)), bias_(std::move(bias)), y_(y) {}
  void run(void* const* buffers, const RunContext& ctx) const override;

 private:
  F32LayerNormFn fn_;
  size_t rows_, n_;
  float eps_;
  InputRef x_, scale_, bias_;  // bias_ may be absent
  int32_t y_;
};

// y = x a[c] + b[c] with a = scale / sqrt(var + eps), b = B - mean a folded at creation.
class BatchNormOp : public Op {
 public:
  BatchNormOp(F32VUnaryFn affine, size_t n, std::vector<float> a, std::vector<float> b, size_t inner,
              InputRef x, int32_t y)
      : affine_(affine), n_(n), a_(std::move(a)), b_(std::move(b)), inner_(inner), x_(std::move(x)), y_(y) {}
  void run(void* const* buffers, const RunContext& ctx) const override;

 private:
  F32VUnaryFn affine_;
  size_t n_;
  std::vector<float> a_, b_;
  size_t inner_;
  InputRef x_;
  int32_t y_;
};

}  // namespace i8k
