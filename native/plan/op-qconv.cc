// Plan op of the INT8 conv family (see op-factory.h): ONNX QLinearConv, NCHW, 1-D or 2-D, or with
// int8kit's attribute channels_last = 1 NHWC (2-D only): x [N, H, W, C], y [N, OH, OW, Cout], run
// by QConv::run_channels_last without layout conversions (a runtime keeping activations NHWC).
//   inputs: x (u8 or s8), x_scale, x_zero_point, w (s8 or u8, OIHW), w_scale (1 or cout),
//           w_zero_point (1 or cout), y_scale, y_zero_point (u8 or s8: Y's dtype), B (int32, optional)
//   attributes: auto_pad, dilations, group, kernel_shape, pads, strides; int8kit's y_min / y_max
//   (in Y's units) clamp the output for a fused ReLU / ReLU6.
// Everything but x must be a constant: weights are prepared and packed when the plan is created.
#include <cmath>
#include <string>
#include "../config/qconv-config.h"
#include "../ops/qconv-op.h"
#include "op-factory.h"

namespace i8k {

namespace {

// A constant parameter of `dtype` with 1 entry, or `many` entries when many > 1 (1-D).
bool param(const OpContext& c, size_t i, const char* role, DType dtype, size_t many) {
  const ValueInfo* v = c.input(i);
  if (!v) return c.fail(std::string("expected input ") + role + " but it is absent");
  if (!v->constant) return c.fail(std::string("expected ") + role + " to be a constant (it is folded in when the plan is created)");
  if (v->dtype != dtype) return c.fail(std::string("expected ") + role + " of dtype " + dtype_name(dtype) + " but received " + dtype_name(v->dtype));
  const size_t n = element_count(*v);
  if (v->dims.size() > 1 || (n != 1 && n != many))
    return c.fail(std::string("expected ") + role + " to be a scalar" + (many > 1 ? " or 1-D of length " + std::to_string(many) : std::string()) +
                  " but received shape " + dims_text(v->dims));
  return true;
}

template <typename T>
const T* data_of(const ValueInfo* v) {
  return v ? reinterpret_cast<const T*>(v->data.data()) : nullptr;
}

// Zero points of u8 or s8 values as int32.
std::vector<int32_t> zero_points(const ValueInfo* v) {
  std::vector<int32_t> out;
  if (!v) return {0};
  for (size_t i = 0; i < element_count(*v); i++)
    out.push_back(v->dtype == DType::s8 ? int32_t(int8_t(v->data[i])) : int32_t(v->data[i]));
  return out;
}

// ONNX's window rules for one spatial axis: pads from auto_pad, and the output size.
bool resolve_axis(const OpContext& c, const std::string& auto_pad, int64_t in, int64_t k, int64_t s, int64_t d,
                  int64_t* pb, int64_t* pe, int64_t* out) {
  const int64_t dk = (k - 1) * d + 1;
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    *out = (in + s - 1) / s;
    const int64_t total = std::max<int64_t>(0, (*out - 1) * s + dk - in);
    *pb = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    *pe = total - *pb;
    return true;
  }
  if (auto_pad == "VALID") *pb = *pe = 0;
  const int64_t span = in + *pb + *pe - dk;
  if (span < 0)
    return c.fail("expected the padded input (" + std::to_string(in + *pb + *pe) + ") to hold the dilated kernel (" +
                  std::to_string(dk) + ") but it does not");
  *out = span / s + 1;
  return true;
}

class QLinearConvOp : public Op {
 public:
  QLinearConvOp(std::unique_ptr<QConv> conv, bool nhwc, int32_t x, int32_t y) : conv_(std::move(conv)), nhwc_(nhwc), x_(x), y_(y) {}
  void run(void* const* b, const RunContext& ctx) const override {
    if (nhwc_) conv_->run_channels_last(b[x_], b[y_], ctx.workspace, ctx);
    else conv_->run(b[x_], b[y_], ctx.workspace, ctx);
  }
  size_t workspace_bytes() const override { return nhwc_ ? conv_->channels_last_workspace_bytes() : conv_->workspace_bytes(); }

 private:
  std::unique_ptr<QConv> conv_;
  bool nhwc_;
  int32_t x_, y_;
};

// [N, H, W, C] <-> [N, C, H, W].
std::vector<int64_t> nhwc_to_nchw(const std::vector<int64_t>& d) { return {d[0], d[3], d[1], d[2]}; }
std::vector<int64_t> nchw_to_nhwc(const std::vector<int64_t>& d) { return {d[0], d[2], d[3], d[1]}; }

std::unique_ptr<Op> make_qlinear_conv(const OpContext& c) {
  const size_t ni = c.op.inputs.size();
  if (ni < 8 || ni > 9 || c.op.outputs.size() != 1)
    return c.fail("expected 8 or 9 inputs (x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B) and 1 output but received " +
                  std::to_string(ni) + " inputs and " + std::to_string(c.op.outputs.size()) + " outputs"), nullptr;
  const ValueInfo *x = c.input(0), *w = c.input(3), *bias = c.input(8);
  const ValueInfo& y = c.output(0);
  if (!x) return c.fail("expected input x but it is absent"), nullptr;
  if (x->constant) return c.fail("expected x to be a run-time input but received a constant"), nullptr;
  if ((x->dtype != DType::u8 && x->dtype != DType::s8) || x->dims.size() < 3 || x->dims.size() > 4)
    return c.fail("expected x of dtype uint8 or int8 and rank 3 or 4 but received " + std::string(dtype_name(x->dtype)) +
                  " of rank " + std::to_string(x->dims.size())), nullptr;
  int64_t channels_last;
  if (!c.int_attr("channels_last", 0, &channels_last)) return nullptr;
  if (channels_last != 0 && channels_last != 1)
    return c.fail("expected attribute channels_last 0 (NCHW) or 1 (NHWC) but received " + std::to_string(channels_last)), nullptr;
  const bool nhwc = channels_last == 1;
  if (nhwc && x->dims.size() != 4)
    return c.fail("expected x of rank 4 [N, H, W, C] with channels_last = 1 (2-D convolutions only) but received rank " +
                  std::to_string(x->dims.size())), nullptr;
  if (!w || !w->constant || (w->dtype != DType::u8 && w->dtype != DType::s8) || w->dims.size() != x->dims.size())
    return c.fail("expected w to be a constant of dtype uint8 or int8 and rank " + std::to_string(x->dims.size()) + " but received " +
                  (w ? std::string(w->constant ? "a constant " : "a run-time ") + dtype_name(w->dtype) + " of rank " + std::to_string(w->dims.size()) : "none")), nullptr;
  if (y.dtype != DType::u8 && y.dtype != DType::s8)
    return c.fail(std::string("expected y of dtype uint8 or int8 but received ") + dtype_name(y.dtype)), nullptr;
  // x's dims in NCHW order from here on.
  const std::vector<int64_t> xd = nhwc ? nhwc_to_nchw(x->dims) : x->dims;
  const size_t sp = xd.size() - 2;
  const int64_t n = xd[0], cin = xd[1], cout = w->dims[0];
  int64_t group;
  if (!c.int_attr("group", 1, &group)) return nullptr;
  if (group < 1 || cin % group || cout % group || cout < 1)
    return c.fail("expected attribute group >= 1 dividing the input channels " + std::to_string(cin) + " and output channels " +
                  std::to_string(cout) + " but received " + std::to_string(group)), nullptr;
  if (w->dims[1] != cin / group || w->dims[1] < 1)
    return c.fail("expected w with " + std::to_string(cin / group) + " (>= 1) input channels per group but received " +
                  std::to_string(w->dims[1])), nullptr;
  if (!param(c, 1, "x_scale", DType::f32, 1) || !param(c, 2, "x_zero_point", x->dtype, 1) ||
      !param(c, 4, "w_scale", DType::f32, size_t(cout)) || !param(c, 6, "y_scale", DType::f32, 1) ||
      !param(c, 7, "y_zero_point", y.dtype, 1))
    return nullptr;
  if (c.input(5) && !param(c, 5, "w_zero_point", w->dtype, size_t(cout))) return nullptr;
  if (bias) {
    if (!bias->constant || bias->dtype != DType::s32 || bias->dims.size() != 1 || bias->dims[0] != cout)
      return c.fail("expected B to be a constant int32 vector of length " + std::to_string(cout) + " but received " +
                    (bias->constant ? "a constant " : "a run-time ") + dtype_name(bias->dtype) + " " + dims_text(bias->dims)), nullptr;
  }
  const float x_scale = *data_of<float>(c.input(1)), y_scale = *data_of<float>(c.input(6));
  const ValueInfo& ws = *c.input(4);
  std::vector<float> w_scale(data_of<float>(&ws), data_of<float>(&ws) + element_count(ws));
  auto finite_positive = [](float v) { return std::isfinite(v) && v > 0; };
  bool scales_ok = finite_positive(x_scale) && finite_positive(y_scale);
  for (float s : w_scale) scales_ok = scales_ok && finite_positive(s);
  if (!scales_ok) return c.fail("expected x_scale, w_scale and y_scale to be finite and > 0"), nullptr;

  // Window attributes.
  std::vector<int64_t> kernel(w->dims.begin() + 2, w->dims.end()), ks, strides(sp, 1), dil(sp, 1), pads(2 * sp, 0);
  std::string auto_pad;
  if (!c.ints_attr("kernel_shape", &ks) || !c.ints_attr("strides", &strides) || !c.ints_attr("dilations", &dil) ||
      !c.ints_attr("pads", &pads) || !c.string_attr("auto_pad", "NOTSET", &auto_pad))
    return nullptr;
  if (c.op.attrs.count("kernel_shape") && ks != kernel)
    return c.fail("expected attribute kernel_shape " + dims_text(kernel) + " (w's spatial shape) but received " + dims_text(ks)), nullptr;
  if (strides.size() != sp || dil.size() != sp || pads.size() != 2 * sp)
    return c.fail("expected strides and dilations with " + std::to_string(sp) + " values and pads with " + std::to_string(2 * sp) +
                  " but received " + dims_text(strides) + ", " + dims_text(dil) + " and " + dims_text(pads)), nullptr;
  if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER")
    return c.fail("expected attribute auto_pad NOTSET, SAME_UPPER, SAME_LOWER or VALID but received " + auto_pad), nullptr;
  std::vector<int64_t> out(sp), pb(sp);
  for (size_t i = 0; i < sp; i++) {
    if (kernel[i] < 1 || strides[i] < 1 || dil[i] < 1 || pads[i] < 0 || pads[sp + i] < 0 || pads[i] > (1 << 20) ||
        pads[sp + i] > (1 << 20) || dil[i] > (1 << 20) || strides[i] > (1 << 20))
      return c.fail("expected kernel sizes, strides and dilations in [1, 2^20] and pads in [0, 2^20] but received kernel " + dims_text(kernel) +
                    ", strides " + dims_text(strides) + ", dilations " + dims_text(dil) + ", pads " + dims_text(pads)), nullptr;
    int64_t pe = pads[sp + i];
    pb[i] = pads[i];
    if (!resolve_axis(c, auto_pad, xd[2 + i], kernel[i], strides[i], dil[i], &pb[i], &pe, &out[i])) return nullptr;
  }
  std::vector<int64_t> ydims{n, cout};
  ydims.insert(ydims.end(), out.begin(), out.end());
  if (nhwc) ydims = nchw_to_nhwc(ydims);
  if (y.dims != ydims) return c.fail("expected y of shape " + dims_text(ydims) + " but received " + dims_text(y.dims)), nullptr;

  // The clamp, in Y's units (a fused ReLU is y_min = y_zero_point).
  const bool x_signed = x->dtype == DType::s8, y_signed = y.dtype == DType::s8;
  const int32_t y_lo = y_signed ? -128 : 0, y_hi = y_signed ? 127 : 255;
  int64_t y_min, y_max;
  if (!c.int_attr("y_min", y_lo, &y_min) || !c.int_attr("y_max", y_hi, &y_max)) return nullptr;
  if (y_min < y_lo || y_max > y_hi || y_min > y_max)
    return c.fail("expected " + std::to_string(y_lo) + " <= y_min <= y_max <= " + std::to_string(y_hi) + " but received y_min " +
                  std::to_string(y_min) + ", y_max " + std::to_string(y_max)), nullptr;
  // Shift s8 into the u8 domain the kernels work in.
  const int32_t x_shift = x_signed ? 128 : 0, y_shift = y_signed ? 128 : 0;
  const int32_t x_zp = zero_points(c.input(2))[0] + x_shift, y_zp = zero_points(c.input(7))[0] + y_shift;
  const std::vector<int32_t> w_zp = zero_points(c.input(5));
  QConvParams q{x_scale, x_zp, w_scale.data(), w_scale.size(), y_scale,
                RequantParams{y_zp, int32_t(y_min) + y_shift, int32_t(y_max) + y_shift}};
  const size_t o = sp == 1 ? 1 : 0;  // 1-D runs as 2-D with H = 1
  auto ax = [&](const std::vector<int64_t>& v, size_t i, int64_t def) { return size_t(i < o ? def : v[i - o]); };
  const std::vector<int64_t> in(xd.begin() + 2, xd.end());
  QConvShape s{size_t(n), size_t(cin), ax(in, 0, 1), ax(in, 1, 1), size_t(cout), ax(out, 0, 1), ax(out, 1, 1), size_t(group),
               ax(kernel, 0, 1), ax(kernel, 1, 1), ax(strides, 0, 1), ax(strides, 1, 1), ax(dil, 0, 1), ax(dil, 1, 1),
               ax(pb, 0, 0), ax(pb, 1, 0)};
  QConvRawWeights raw{w->data.data(), w->dtype == DType::s8, w_zp.data(), w_zp.size()};
  std::string why;
  auto conv = QConv::create(c.cfg, qconv_config(c.cfg.isa), s, raw, data_of<int32_t>(bias), q, QConvIo{x_signed, y_signed}, &why);
  if (!conv) return c.fail(why), nullptr;
  return std::make_unique<QLinearConvOp>(std::move(conv), nhwc, c.op.inputs[0], c.op.outputs[0]);
}

}  // namespace

void register_qconv_ops(OpRegistry& r) { r.add("QLinearConv", make_qlinear_conv); }

}  // namespace i8k
