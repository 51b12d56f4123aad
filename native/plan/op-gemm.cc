// Plan ops for fully connected layers: "Gemm" (FP32) and "QGemm" (u8 x s8 -> u8).
//   inputs: A [M, K], B [K, N] (constant), bias [N] (constant, optional); output Y [M, N].
//   "Gemm" also takes ONNX Gemm's attributes (transA, transB, alpha, beta) and any C
//   broadcastable to [M, N] as its third input.
#include <algorithm>
#include <cmath>
#include "../ops/gemm-f32.h"
#include "../ops/gemm-u8s8.h"
#include "op-factory.h"

namespace i8k {

namespace {

// Maximum K for which no u8 x s8 sum, zero-point correction and int32 bias can overflow int32.
constexpr int64_t kMaxQGemmK = 32768;

template <typename Gemm, typename In, typename Out>
class GemmOp : public Op {
 public:
  GemmOp(std::unique_ptr<Gemm> gemm, size_t m, int32_t a, int32_t y)
      : gemm_(std::move(gemm)), m_(m), a_(a), y_(y) {}
  void run(void* const* buffers, const RunContext& ctx) const override {
    gemm_->run(m_, static_cast<const In*>(buffers[a_]), static_cast<Out*>(buffers[y_]), ctx);
  }

 private:
  std::unique_ptr<Gemm> gemm_;
  size_t m_;
  int32_t a_, y_;
};

// Shared shape rules; fills m, k, n.
bool check_gemm_shapes(const OpContext& c, DType a_t, DType b_t, DType bias_t, DType y_t,
                       int64_t* m, int64_t* k, int64_t* n) {
  if (c.op.inputs.size() < 2 || c.op.inputs.size() > 3 || c.op.outputs.size() != 1)
    return c.fail("expected 2 or 3 inputs (A, B, bias) and 1 output but received " +
                  std::to_string(c.op.inputs.size()) + " inputs and " +
                  std::to_string(c.op.outputs.size()) + " outputs");
  const ValueInfo *a = c.input(0), *b = c.input(1), *bias = c.input(2);
  const ValueInfo& y = c.output(0);
  if (!c.expect(a, "A", a_t, 2) || !c.expect(b, "B", b_t, 2) || !c.expect(&y, "Y", y_t, 2))
    return false;
  if (!b->constant) return c.fail("expected B to be a constant (weights are packed at creation)");
  *m = a->dims[0], *k = a->dims[1], *n = b->dims[1];
  if (b->dims[0] != *k)
    return c.fail("expected B with " + std::to_string(*k) + " rows (the columns of A) but received " +
                  std::to_string(b->dims[0]));
  if (y.dims[0] != *m || y.dims[1] != *n)
    return c.fail("expected Y of shape [" + std::to_string(*m) + ", " + std::to_string(*n) +
                  "] but received [" + std::to_string(y.dims[0]) + ", " + std::to_string(y.dims[1]) + "]");
  if (bias) {
    if (!c.expect(bias, "bias", bias_t, 1)) return false;
    if (!bias->constant) return c.fail("expected bias to be a constant");
    if (bias->dims[0] != *n)
      return c.fail("expected bias of length " + std::to_string(*n) + " but received " +
                    std::to_string(bias->dims[0]));
  }
  return true;
}

bool positive_finite(float x) { return std::isfinite(x) && x > 0; }

}  // namespace

namespace {

// ONNX Gemm on top of int8kit's: Y = clamp(alpha * op(A) x op(B) + beta * C, min, max). alpha and
// transB are folded into the packed B, a C that is the same for every row becomes the kernel's
// bias; transA transposes A into scratch per run, and any other C is added after the GEMM.
class OnnxGemmOp : public Op {
 public:
  struct PostAdd {
    int32_t id = -1;            // C's value when it is added after the GEMM
    std::vector<float> data;    // C when constant
    size_t row_stride = 0, col_stride = 0;
    float beta = 1;
  };
  OnnxGemmOp(std::unique_ptr<F32Gemm> gemm, size_t m, size_t k, size_t n, bool trans_a, PostAdd post,
             float min, float max, int32_t a, int32_t y)
      : gemm_(std::move(gemm)), m_(m), k_(k), n_(n), trans_a_(trans_a), post_(std::move(post)),
        min_(min), max_(max), a_(a), y_(y) {}
  void run(void* const* buffers, const RunContext& ctx) const override {
    const float* a = static_cast<const float*>(buffers[a_]);
    float* y = static_cast<float*>(buffers[y_]);
    std::vector<float> at;
    if (trans_a_) {
      at.resize(m_ * k_);
      for (size_t kk = 0; kk < k_; kk++)
        for (size_t i = 0; i < m_; i++) at[i * k_ + kk] = a[kk * m_ + i];
      a = at.data();
    }
    gemm_->run(m_, a, y, ctx);
    if (post_.id < 0 && post_.data.empty()) return;
    const float* cv = post_.data.empty() ? static_cast<const float*>(buffers[post_.id]) : post_.data.data();
    for (size_t i = 0; i < m_; i++)
      for (size_t j = 0; j < n_; j++) {
        float& v = y[i * n_ + j];
        v = std::min(std::max(v + post_.beta * cv[i * post_.row_stride + j * post_.col_stride], min_), max_);
      }
  }

 private:
  std::unique_ptr<F32Gemm> gemm_;
  size_t m_, k_, n_;
  bool trans_a_;
  PostAdd post_;
  float min_, max_;
  int32_t a_, y_;
};

std::unique_ptr<Op> make_gemm_f32(const OpContext& c) {
  if (c.op.inputs.size() < 2 || c.op.inputs.size() > 3 || c.op.outputs.size() != 1)
    return c.fail("expected 2 or 3 inputs (A, B, C) and 1 output but received " +
                  std::to_string(c.op.inputs.size()) + " inputs and " +
                  std::to_string(c.op.outputs.size()) + " outputs"), nullptr;
  int64_t trans_a, trans_b;
  float alpha, beta, lo, hi;
  if (!c.int_attr("transA", 0, &trans_a) || !c.int_attr("transB", 0, &trans_b) ||
      !c.float_attr("alpha", 1, &alpha) || !c.float_attr("beta", 1, &beta) ||
      !c.float_attr("min", -INFINITY, &lo) || !c.float_attr("max", INFINITY, &hi))
    return nullptr;
  if ((trans_a != 0 && trans_a != 1) || (trans_b != 0 && trans_b != 1))
    return c.fail("expected attributes transA and transB to be 0 or 1"), nullptr;
  if (!(lo <= hi)) return c.fail("expected attribute min <= max"), nullptr;
  const ValueInfo *a = c.input(0), *b = c.input(1), *bias = c.input(2);
  const ValueInfo& y = c.output(0);
  if (!c.expect(a, "A", DType::f32, 2) || !c.expect(b, "B", DType::f32, 2) || !c.expect(&y, "Y", DType::f32, 2))
    return nullptr;
  if (!b->constant) return c.fail("expected B to be a constant (weights are packed at creation)"), nullptr;
  const int64_t m = a->dims[trans_a], k = a->dims[1 - trans_a], n = b->dims[1 - trans_b];
  if (b->dims[trans_b] != k)
    return c.fail("expected B" + std::string(trans_b ? "^T" : "") + " with " + std::to_string(k) +
                  " rows (the columns of A" + (trans_a ? "^T" : "") + ") but received " +
                  std::to_string(b->dims[trans_b])), nullptr;
  if (y.dims[0] != m || y.dims[1] != n)
    return c.fail("expected Y of shape [" + std::to_string(m) + ", " + std::to_string(n) +
                  "] but received " + dims_text(y.dims)), nullptr;
  // C (int8kit's "bias"): unidirectionally broadcastable to [M, N].
  std::vector<float> row_bias;
  OnnxGemmOp::PostAdd post;
  post.beta = beta;
  if (bias) {
    const auto& d = bias->dims;
    const int64_t cm = d.size() == 2 ? d[0] : 1, cn = d.empty() ? 1 : d.back();
    if (bias->dtype != DType::f32 || d.size() > 2 || (cm != 1 && cm != m) || (cn != 1 && cn != n))
      return c.fail("expected bias (C) of dtype float32 broadcastable to [" + std::to_string(m) + ", " +
                    std::to_string(n) + "] but received " + dtype_name(bias->dtype) + " " + dims_text(d)), nullptr;
    if (bias->constant && (cm == 1 || m == 1)) {
      const float* cv = reinterpret_cast<const float*>(bias->data.data());
      row_bias.resize(size_t(n));
      for (int64_t j = 0; j < n; j++) row_bias[j] = beta == 1 ? cv[cn == 1 ? 0 : j] : beta * cv[cn == 1 ? 0 : j];
    } else {
      post.row_stride = cm == 1 ? 0 : size_t(cn);
      post.col_stride = cn == 1 ? 0 : 1;
      if (bias->constant) {
        const float* cv = reinterpret_cast<const float*>(bias->data.data());
        post.data.assign(cv, cv + cm * cn);
      } else {
        post.id = c.op.inputs[2];
      }
    }
  }
  const bool has_post = post.id >= 0 || !post.data.empty();
  const float* bv = reinterpret_cast<const float*>(b->data.data());
  std::vector<float> bt;
  if (trans_b || alpha != 1) {
    bt.resize(size_t(k * n));
    for (int64_t kk = 0; kk < k; kk++)
      for (int64_t j = 0; j < n; j++) bt[kk * n + j] = alpha * (trans_b ? bv[j * k + kk] : bv[kk * n + j]);
    bv = bt.data();
  }
  auto gemm = std::make_unique<F32Gemm>(c.cfg.f32_gemm, size_t(k), size_t(n), bv,
                                        row_bias.empty() ? nullptr : row_bias.data(),
                                        has_post ? -INFINITY : lo, has_post ? INFINITY : hi);
  if (!trans_a && !has_post)
    return std::make_unique<GemmOp<F32Gemm, float, float>>(std::move(gemm), size_t(m), c.op.inputs[0],
                                                           c.op.outputs[0]);
  return std::make_unique<OnnxGemmOp>(std::move(gemm), size_t(m), size_t(k), size_t(n), trans_a != 0,
                                      std::move(post), lo, hi, c.op.inputs[0], c.op.outputs[0]);
}

std::unique_ptr<Op> make_gemm_u8s8(const OpContext& c) {
  int64_t m = 0, k = 0, n = 0;
  if (!check_gemm_shapes(c, DType::u8, DType::s8, DType::s32, DType::u8, &m, &k, &n)) return nullptr;
  if (k > kMaxQGemmK)
    return c.fail("expected K <= 32768 (int32 accumulators) but received " + std::to_string(k)), nullptr;
  float a_scale, y_scale;
  int64_t a_zp, y_zp, y_min, y_max;
  if (!c.float_attr("a_scale", NAN, &a_scale) || !c.float_attr("y_scale", NAN, &y_scale) ||
      !c.int_attr("a_zero_point", 0, &a_zp) || !c.int_attr("y_zero_point", 0, &y_zp) ||
      !c.int_attr("y_min", 0, &y_min) || !c.int_attr("y_max", 255, &y_max))
    return nullptr;
  if (!positive_finite(a_scale) || !positive_finite(y_scale))
    return c.fail("expected attributes a_scale and y_scale to be finite and > 0"), nullptr;
  if (a_zp < 0 || a_zp > 255 || y_zp < 0 || y_zp > 255)
    return c.fail("expected zero points in [0, 255]"), nullptr;
  if (y_min < 0 || y_max > 255 || y_min > y_max)
    return c.fail("expected 0 <= y_min <= y_max <= 255"), nullptr;
  std::vector<float> b_scale;
  if (!c.floats_attr("b_scale", &b_scale)) return nullptr;
  if (b_scale.size() != 1 && int64_t(b_scale.size()) != n)
    return c.fail("expected attribute b_scale with 1 or N=" + std::to_string(n) + " floats"), nullptr;
  for (float s : b_scale)
    if (!positive_finite(s)) return c.fail("expected every b_scale to be finite and > 0"), nullptr;
  const ValueInfo* bias = c.input(2);
  U8S8GemmQuant q{a_scale, int32_t(a_zp), b_scale.data(), b_scale.size(), y_scale,
                  RequantParams{int32_t(y_zp), int32_t(y_min), int32_t(y_max)}};
  auto gemm = std::make_unique<U8S8Gemm>(
      c.cfg.u8s8_gemm, size_t(k), size_t(n), reinterpret_cast<const int8_t*>(c.input(1)->data.data()),
      bias ? reinterpret_cast<const int32_t*>(bias->data.data()) : nullptr, q);
  return std::make_unique<GemmOp<U8S8Gemm, uint8_t, uint8_t>>(std::move(gemm), size_t(m),
                                                              c.op.inputs[0], c.op.outputs[0]);
}

}  // namespace

void register_gemm_ops(OpRegistry& r) {
  r.add("Gemm", make_gemm_f32);
  r.add("QGemm", make_gemm_u8s8);
}

}  // namespace i8k
