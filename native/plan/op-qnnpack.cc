// Plan ops of the QNNPACK-like u8 x u8 family (native/ops/qnnpack-*.h), internal op types that the
// runtime lowering may pick for ONNX QLinearConv / QLinearMatMul:
//   QnnpackConv   (x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point[, B]),
//                 attributes auto_pad, dilations, group, kernel_shape, pads, strides (2-D, NCHW; or
//                 NHWC x [N, H, W, C] and y [N, OH, OW, Cout] with int8kit's channels_last = 1)
//   QnnpackMatMul (a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point),
//                 a [..., K] x constant b [K, N]
// both with attribute requantization = "fp32" (default; QNNPACK's multiplier a_scale * w_scale * (1 / y_scale)),
// "onnx" (fp32 with ONNX QLinearConv's multiplier a_scale * w_scale / y_scale, which the fbgemm-like ops
// use: the QDQ lowering picks it so every backend gives the same codes) or "q31" (gemmlowp fixed point). Everything
// but x / a is a constant (packed at creation); u8 only; w / b scales and zero points per tensor or
// per output channel.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include "../config/qnnpack-config.h"
#include "../ops/elementwise.h"
#include "../ops/qnnpack-conv.h"
#include "../ops/qnnpack-gemm.h"
#include "op-factory.h"

namespace i8k {

namespace {

// At most this many products per output: |sum| <= 255 * 255 * 32768 < 2^31 (QGemm's bound).
constexpr int64_t kMaxProducts = 32768;

// A constant input of `dtype` holding 1 value, or (per_channel > 0) 1 or per_channel values in a
// scalar or 1-D tensor. Returns its values widened to double.
bool const_param(const OpContext& c, size_t i, const char* role, DType dtype, size_t per_channel,
                 std::vector<double>* out) {
  const ValueInfo* v = c.input(i);
  if (!v) return c.fail(std::string("expected input ") + role + " but it is absent");
  if (v->dtype != dtype)
    return c.fail(std::string("expected ") + role + " of dtype " + dtype_name(dtype) + " but received " + dtype_name(v->dtype));
  if (!v->constant) return c.fail(std::string("expected ") + role + " to be a constant");
  const size_t n = element_count(*v);
  if (v->dims.size() > 1 || (n != 1 && (per_channel == 0 || n != per_channel)))
    return c.fail(std::string("expected ") + role + " with 1" + (per_channel ? " or " + std::to_string(per_channel) : std::string()) +
                  " values (a scalar" + (per_channel ? " or 1-D" : "") + ") but received shape " + dims_text(v->dims));
  out->resize(n);
  for (size_t k = 0; k < n; k++) {
    if (dtype == DType::f32) {
      float f;
      std::memcpy(&f, v->data.data() + 4 * k, 4);
      (*out)[k] = f;
    } else {
      (*out)[k] = v->data[k];
    }
  }
  return true;
}

// Scales, zero points and the requantization mode shared by both ops; fills the params, the n
// real multipliers and the n kernel zero points.
bool read_quant(const OpContext& c, size_t n, const std::string& x, const std::string& w, U8U8Params* p,
                std::vector<float>* scale, std::vector<int32_t>* w_zero_point) {
  std::vector<double> xs, xz, ws, wz, ys, yz;
  if (!const_param(c, 1, (x + "_scale").c_str(), DType::f32, 0, &xs) ||
      !const_param(c, 2, (x + "_zero_point").c_str(), DType::u8, 0, &xz) ||
      !const_param(c, 4, (w + "_scale").c_str(), DType::f32, n, &ws) ||
      !const_param(c, 5, (w + "_zero_point").c_str(), DType::u8, n, &wz) ||
      !const_param(c, 6, "y_scale", DType::f32, 0, &ys) || !const_param(c, 7, "y_zero_point", DType::u8, 0, &yz))
    return false;
  std::string mode;
  if (!c.string_attr("requantization", "fp32", &mode)) return false;
  if (mode != "fp32" && mode != "onnx" && mode != "q31")
    return c.fail("expected attribute requantization \"fp32\", \"onnx\" or \"q31\" but received \"" + mode + "\"");
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  if (!positive(xs[0]) || !positive(ys[0]))
    return c.fail("expected positive finite " + x + "_scale and y_scale but received " + std::to_string(xs[0]) + " and " + std::to_string(ys[0]));
  p->a_zero_point = int32_t(xz[0]), p->y_zero_point = int32_t(yz[0]);
  w_zero_point->resize(n);
  for (size_t j = 0; j < n; j++) (*w_zero_point)[j] = int32_t(wz[wz.size() == 1 ? 0 : j]);
  p->y_min = 0, p->y_max = 255;
  p->mode = mode == "q31" ? U8U8Requant::q31 : U8U8Requant::fp32;
  scale->resize(n);
  for (size_t j = 0; j < n; j++) {
    const double wsc = ws[ws.size() == 1 ? 0 : j];
    if (!positive(wsc)) return c.fail("expected positive finite " + w + "_scale but received " + std::to_string(wsc));
    const float s = mode == "onnx" ? float(xs[0]) * float(wsc) / float(ys[0]) : u8u8_real_scale(float(xs[0]), float(wsc), float(ys[0]));
    int32_t m, sh;
    if (p->mode == U8U8Requant::q31 && !u8u8_q31_from_scale(s, &m, &sh))
      return c.fail("expected " + x + "_scale * " + w + "_scale / y_scale in [2^-32, 1) for requantization q31 but received " +
                    std::to_string(s) + " (output channel " + std::to_string(j) + ")");
    if (!positive(s)) return c.fail("expected " + x + "_scale * " + w + "_scale / y_scale to be positive and finite but received " + std::to_string(s));
    (*scale)[j] = s;
  }
  return true;
}

// Bias: an absent input or a constant int32 [n].
bool read_bias(const OpContext& c, size_t i, size_t n, const int32_t** bias) {
  *bias = nullptr;
  const ValueInfo* b = c.input(i);
  if (!b) return true;
  if (!c.expect(b, "B", DType::s32, 1)) return false;
  if (!b->constant) return c.fail("expected B to be a constant");
  if (size_t(b->dims[0]) != n) return c.fail("expected B of length " + std::to_string(n) + " but received " + std::to_string(b->dims[0]));
  *bias = reinterpret_cast<const int32_t*>(b->data.data());
  return true;
}

InputRef ref(const OpContext& c, size_t i) { return input_ref(c.values, c.op.inputs[i]); }

class QnnpackConvOp : public Op {
 public:
  QnnpackConvOp(std::unique_ptr<U8U8Conv> conv, bool nhwc, InputRef x, int32_t y)
      : conv_(std::move(conv)), nhwc_(nhwc), x_(std::move(x)), y_(y) {}
  void run(void* const* b, const RunContext& ctx) const override {
    const uint8_t* x = static_cast<const uint8_t*>(x_.get(b));
    if (nhwc_) conv_->run_nhwc(x, static_cast<uint8_t*>(b[y_]), ctx.workspace, ctx);
    else conv_->run(x, static_cast<uint8_t*>(b[y_]), ctx.workspace, ctx);
  }
  size_t workspace_bytes() const override { return nhwc_ ? conv_->nhwc_workspace_bytes() : conv_->workspace_bytes(); }

 private:
  std::unique_ptr<U8U8Conv> conv_;
  bool nhwc_;
  InputRef x_;
  int32_t y_;
};

class QnnpackMatMulOp : public Op {
 public:
  QnnpackMatMulOp(std::unique_ptr<U8U8Gemm> gemm, size_t m, size_t k, size_t n, InputRef a, int32_t y)
      : gemm_(std::move(gemm)), m_(m), k_(k), n_(n), a_(std::move(a)), y_(y) {}
  void run(void* const* b, const RunContext& ctx) const override {
    gemm_->run_rows(m_, static_cast<const uint8_t*>(a_.get(b)), k_, static_cast<const uint8_t**>(ctx.workspace),
                    static_cast<uint8_t*>(b[y_]), n_, ctx);
  }
  size_t workspace_bytes() const override { return gemm_->indirection_size(m_) * sizeof(const uint8_t*); }

 private:
  std::unique_ptr<U8U8Gemm> gemm_;
  size_t m_, k_, n_;
  InputRef a_;
  int32_t y_;
};

bool expect_io(const OpContext& c, size_t lo, size_t hi, const char* names) {
  const size_t ni = c.op.inputs.size(), no = c.op.outputs.size();
  if (ni < lo || ni > hi || no != 1)
    return c.fail(std::string("expected ") + std::to_string(lo) + (hi > lo ? " or " + std::to_string(hi) : std::string()) +
                  " inputs (" + names + ") and 1 output but received " + std::to_string(ni) + " inputs and " +
                  std::to_string(no) + " outputs");
  return true;
}

// Spatial attributes of a 2-D window resolved to begin pads and output sizes (ONNX Conv rules).
bool read_conv_window(const OpContext& c, const ValueInfo& x, const ValueInfo& w, U8U8ConvShape* s) {
  std::vector<int64_t> kernel{w.dims[2], w.dims[3]}, ks = kernel, strides{1, 1}, dil{1, 1}, pads{0, 0, 0, 0};
  std::string auto_pad;
  if (!c.ints_attr("kernel_shape", &ks) || !c.ints_attr("strides", &strides) || !c.ints_attr("dilations", &dil) ||
      !c.ints_attr("pads", &pads) || !c.string_attr("auto_pad", "NOTSET", &auto_pad))
    return false;
  if (ks != kernel) return c.fail("expected attribute kernel_shape " + dims_text(kernel) + " (the weights' spatial shape) but received " + dims_text(ks));
  if (strides.size() != 2 || dil.size() != 2 || pads.size() != 4)
    return c.fail("expected 2 strides, 2 dilations and 4 pads but received " + dims_text(strides) + ", " + dims_text(dil) + " and " + dims_text(pads));
  for (int i = 0; i < 2; i++)
    if (strides[i] < 1 || strides[i] > (1 << 20) || dil[i] < 1 || dil[i] > (1 << 20))
      return c.fail("expected strides and dilations in [1, 2^20] but received " + dims_text(strides) + " and " + dims_text(dil));
  for (int64_t p : pads)
    if (p < 0 || p > (1 << 20)) return c.fail("expected pads in [0, 2^20] but received " + dims_text(pads));
  const bool upper = auto_pad == "SAME_UPPER", lower = auto_pad == "SAME_LOWER";
  if (!upper && !lower && auto_pad != "VALID" && auto_pad != "NOTSET")
    return c.fail("expected attribute auto_pad NOTSET, SAME_UPPER, SAME_LOWER or VALID but received " + auto_pad);
  int64_t begin[2], out[2];
  for (int i = 0; i < 2; i++) {
    const int64_t in = x.dims[2 + i], dk = (kernel[i] - 1) * dil[i] + 1, st = strides[i];
    int64_t pb = pads[i], pe = pads[2 + i];
    if (upper || lower) {
      out[i] = (in + st - 1) / st;
      const int64_t total = std::max<int64_t>(0, (out[i] - 1) * st + dk - in);
      pb = upper ? total / 2 : total - total / 2;
    } else {
      if (auto_pad == "VALID") pb = pe = 0;
      const int64_t span = in + pb + pe - dk;
      if (span < 0)
        return c.fail("expected the padded input " + std::to_string(in + pb + pe) + " to be at least the dilated kernel " +
                      std::to_string(dk) + " in spatial axis " + std::to_string(i));
      out[i] = span / st + 1;
    }
    begin[i] = pb;
  }
  s->kernel_h = size_t(kernel[0]), s->kernel_w = size_t(kernel[1]);
  s->stride_h = size_t(strides[0]), s->stride_w = size_t(strides[1]);
  s->dilation_h = size_t(dil[0]), s->dilation_w = size_t(dil[1]);
  s->pad_top = size_t(begin[0]), s->pad_left = size_t(begin[1]);
  s->out_h = size_t(out[0]), s->out_w = size_t(out[1]);
  return true;
}

std::unique_ptr<Op> make_conv(const OpContext& c) {
  if (!expect_io(c, 8, 9, "x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point[, B]")) return nullptr;
  const ValueInfo *xv = c.input(0), *w = c.input(3);
  if (!c.expect(xv, "x", DType::u8, 4) || !c.expect(w, "w", DType::u8, 4)) return nullptr;
  int64_t channels_last;
  if (!c.int_attr("channels_last", 0, &channels_last)) return nullptr;
  if (channels_last != 0 && channels_last != 1)
    return c.fail("expected attribute channels_last 0 (NCHW) or 1 (NHWC) but received " + std::to_string(channels_last)), nullptr;
  const bool nhwc = channels_last == 1;
  // From here on x's dims are in NCHW order (a copy of the shape only: x is a run-time value).
  const ValueInfo xs{xv->dtype, nhwc ? std::vector<int64_t>{xv->dims[0], xv->dims[3], xv->dims[1], xv->dims[2]} : xv->dims,
                     xv->bytes, false, {}};
  const ValueInfo* x = &xs;
  if (!w->constant) return c.fail("expected w to be a constant (weights are packed at creation)"), nullptr;
  for (const ValueInfo* v : {x, w})
    for (int64_t d : v->dims)
      if (d < 1) return c.fail("expected x and w with positive dimensions but received " + dims_text(x->dims) + " and " + dims_text(w->dims)), nullptr;
  int64_t group;
  if (!c.int_attr("group", 1, &group)) return nullptr;
  const int64_t ch = x->dims[1], oc = w->dims[0];
  if (group < 1 || ch % group != 0 || oc % group != 0 || w->dims[1] != ch / group)
    return c.fail("expected group >= 1 dividing the " + std::to_string(ch) + " input and " + std::to_string(oc) +
                  " output channels, with w of shape [" + std::to_string(oc) + ", C / group, kH, kW], but received group " +
                  std::to_string(group) + " and w " + dims_text(w->dims)), nullptr;
  const int64_t products = w->dims[1] * w->dims[2] * w->dims[3];
  if (products > kMaxProducts)
    return c.fail("expected at most 32768 products per output (int32 accumulators) but received " + std::to_string(products)), nullptr;
  U8U8ConvShape s{};
  s.batch = size_t(x->dims[0]), s.channels = size_t(ch), s.height = size_t(x->dims[2]), s.width = size_t(x->dims[3]);
  s.groups = size_t(group), s.out_channels = size_t(oc);
  if (!read_conv_window(c, *x, *w, &s)) return nullptr;
  U8U8Params p;
  std::vector<float> scale;
  std::vector<int32_t> wzp;
  const int32_t* bias;
  if (!read_quant(c, size_t(oc), "x", "w", &p, &scale, &wzp) || !read_bias(c, 8, size_t(oc), &bias)) return nullptr;
  const std::vector<int64_t> ydims = nhwc ? std::vector<int64_t>{x->dims[0], int64_t(s.out_h), int64_t(s.out_w), oc}
                                           : std::vector<int64_t>{x->dims[0], oc, int64_t(s.out_h), int64_t(s.out_w)};
  const ValueInfo& y = c.output(0);
  if (y.dtype != DType::u8 || y.dims != ydims)
    return c.fail("expected y of dtype uint8 and shape " + dims_text(ydims) + " but received " + dtype_name(y.dtype) + " " + dims_text(y.dims)), nullptr;
  auto conv = std::make_unique<U8U8Conv>(qnnpack_config(c.cfg.isa), s, w->data.data(), wzp.data(), bias, scale.data(), p);
  return std::make_unique<QnnpackConvOp>(std::move(conv), nhwc, ref(c, 0), c.op.outputs[0]);
}

std::unique_ptr<Op> make_matmul(const OpContext& c) {
  if (!expect_io(c, 8, 8, "a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point")) return nullptr;
  const ValueInfo *a = c.input(0), *b = c.input(3);
  if (!a) return c.fail("expected input a but it is absent"), nullptr;
  if (a->dtype != DType::u8 || a->dims.size() < 2)
    return c.fail(std::string("expected a of dtype uint8 and rank >= 2 but received ") + dtype_name(a->dtype) + " of rank " +
                  std::to_string(a->dims.size())), nullptr;
  if (!c.expect(b, "b", DType::u8, 2)) return nullptr;
  if (!b->constant) return c.fail("expected b to be a constant (weights are packed at creation)"), nullptr;
  const int64_t k = a->dims.back(), n = b->dims[1];
  if (b->dims[0] != k)
    return c.fail("expected b with " + std::to_string(k) + " rows (the last dimension of a) but received " + dims_text(b->dims)), nullptr;
  if (k < 1 || n < 1) return c.fail("expected K and N >= 1 but received b " + dims_text(b->dims)), nullptr;
  if (k > kMaxProducts) return c.fail("expected K <= 32768 (int32 accumulators) but received " + std::to_string(k)), nullptr;
  std::vector<int64_t> ydims(a->dims.begin(), a->dims.end() - 1);
  ydims.push_back(n);
  const ValueInfo& y = c.output(0);
  if (y.dtype != DType::u8 || y.dims != ydims)
    return c.fail("expected y of dtype uint8 and shape " + dims_text(ydims) + " but received " + dtype_name(y.dtype) + " " + dims_text(y.dims)), nullptr;
  U8U8Params p;
  std::vector<float> scale;
  std::vector<int32_t> wzp;
  if (!read_quant(c, size_t(n), "a", "b", &p, &scale, &wzp)) return nullptr;
  // b [K, N] -> the kernels' n x k.
  std::vector<uint8_t> wt(size_t(n * k));
  for (int64_t kk = 0; kk < k; kk++)
    for (int64_t j = 0; j < n; j++) wt[size_t(j * k + kk)] = b->data[size_t(kk * n + j)];
  auto gemm = std::make_unique<U8U8Gemm>(qnnpack_config(c.cfg.isa), size_t(k), 1, size_t(n), wt.data(), wzp.data(),
                                         nullptr, scale.data(), p);
  return std::make_unique<QnnpackMatMulOp>(std::move(gemm), element_count(*a) / size_t(k), size_t(k), size_t(n), ref(c, 0),
                                           c.op.outputs[0]);
}

}  // namespace

void register_qnnpack_ops(OpRegistry& r) {
  r.add("QnnpackConv", make_conv);
  r.add("QnnpackMatMul", make_matmul);
}

}  // namespace i8k
