// Plan ops of the quantization family (see op-factory.h): ONNX QuantizeLinear and DequantizeLinear,
// per tensor or per axis. They make a QDQ model runnable as a float simulation of its integer
// arithmetic (the INT8 runtime fuses them into INT8 ops instead). Runs of elements sharing one
// channel's parameters go through the q8-vcvt kernels (qsmall-config.h), bit-identical on every ISA.
//   QuantizeLinear:   y = saturate(round_half_even(x / y_scale) + y_zero_point), u8 or s8
//   DequantizeLinear: y = (x - x_zero_point) * x_scale, from u8, s8 or s32
#include <algorithm>
#include <cstring>
#include <string>
#include "../config/qsmall-config.h"
#include "../ops/elementwise.h"
#include "op-factory.h"

namespace i8k {

namespace {

// Where the per-axis parameters apply: `channels` values along the axis, each covering `inner`
// consecutive elements (1 and everything for per-tensor parameters).
struct Layout {
  size_t channels = 1, inner = 1, n = 0;
};

// Checks X, scale, zero point and axis; scale must be float32, a scalar (or [1]) or 1-D of the
// axis' length; the zero point, when given, the same shape with dtype zp_dtype.
bool check_params(const OpContext& c, const ValueInfo& x, const char* scale_role, const char* zp_role, Layout* l) {
  const size_t n_in = c.op.inputs.size();
  if (n_in < 2 || n_in > 3 || c.op.outputs.size() != 1 || !c.input(0) || !c.input(1))
    return c.fail("expected inputs (X, scale[, zero_point]) and one output");
  const ValueInfo& s = *c.input(1);
  if (s.dtype != DType::f32) return c.fail(std::string("expected float32 for ") + scale_role + " but received " + dtype_name(s.dtype));
  int64_t axis;
  if (!c.int_attr("axis", 1, &axis)) return false;
  l->n = element_count(x.dims);
  const size_t count = element_count(s.dims);
  if (s.dims.size() > 1) return c.fail(std::string("expected a scalar or 1-D ") + scale_role + " but received rank " + std::to_string(s.dims.size()));
  if (s.dims.size() == 1 && count != 1) {
    const int64_t rank = int64_t(x.dims.size());
    if (axis < -rank || axis >= rank) return c.fail("expected axis in [" + std::to_string(-rank) + ", " + std::to_string(rank - 1) + "] but received " + std::to_string(axis));
    const size_t a = size_t(axis < 0 ? axis + rank : axis);
    if (int64_t(count) != x.dims[a])
      return c.fail(std::string("expected ") + std::to_string(x.dims[a]) + " entries in " + scale_role + " (the length of axis " + std::to_string(a) + ") but received " + std::to_string(count));
    l->channels = count;
    l->inner = 1;
    for (size_t d = a + 1; d < x.dims.size(); d++) l->inner *= size_t(x.dims[d]);
  }
  if (const ValueInfo* zp = c.input(2)) {
    if (element_count(zp->dims) != count) return c.fail(std::string("expected as many entries in ") + zp_role + " as in " + scale_role);
  }
  return true;
}

// Calls fn(begin, end, channel) for the runs of [begin, end) that share one channel's parameters.
template <typename F>
void channel_runs(const Layout& l, size_t begin, size_t end, F&& fn) {
  const size_t inner = l.channels == 1 ? l.n : l.inner;  // per tensor: one run
  while (begin < end) {
    const size_t run = begin / inner, stop = std::min(end, (run + 1) * inner);
    fn(begin, stop, run % l.channels);
    begin = stop;
  }
}

// The q8-vcvt kernels (q8-vcvt.h): nearbyint rounds half to even; NaN goes to the lowest code.
template <typename Q>
class QuantizeOp : public Op {
 public:
  using Fn = void (*)(size_t, const float*, Q*, const Q8QuantizeParams&);
  QuantizeOp(Fn fn, Layout l, InputRef x, InputRef s, InputRef zp, int32_t y) : fn_(fn), l_(l), x_(std::move(x)), s_(std::move(s)), zp_(std::move(zp)), y_(y) {}
  void run(void* const* b, const RunContext& ctx) const override {
    const float* x = static_cast<const float*>(x_.get(b));
    const float* s = static_cast<const float*>(s_.get(b));
    const Q* zp = zp_.absent() ? nullptr : static_cast<const Q*>(zp_.get(b));
    Q* y = static_cast<Q*>(b[y_]);
    ctx.parallel_for(l_.n, kElementGrain, [&](size_t begin, size_t end) {
      channel_runs(l_, begin, end, [&](size_t i, size_t stop, size_t ch) {
        fn_(stop - i, x + i, y + i, {s[ch], zp ? float(zp[ch]) : 0.0f});
      });
    });
  }

 private:
  Fn fn_;
  Layout l_;
  InputRef x_, s_, zp_;
  int32_t y_;
};

// u8 and s8 through the q8-vcvt kernels ((float(x) - zp) * scale, exact subtraction), s32 here.
template <typename Q>
class DequantizeOp : public Op {
 public:
  using Fn = void (*)(size_t, const Q*, float*, const Q8DequantizeParams&);
  DequantizeOp(Fn fn, Layout l, InputRef x, InputRef s, InputRef zp, int32_t y) : fn_(fn), l_(l), x_(std::move(x)), s_(std::move(s)), zp_(std::move(zp)), y_(y) {}
  void run(void* const* b, const RunContext& ctx) const override {
    const Q* x = static_cast<const Q*>(x_.get(b));
    const float* s = static_cast<const float*>(s_.get(b));
    const Q* zp = zp_.absent() ? nullptr : static_cast<const Q*>(zp_.get(b));
    float* y = static_cast<float*>(b[y_]);
    ctx.parallel_for(l_.n, kElementGrain, [&](size_t begin, size_t end) {
      channel_runs(l_, begin, end, [&](size_t i, size_t stop, size_t ch) {
        if (fn_) return fn_(stop - i, x + i, y + i, {s[ch], zp ? float(zp[ch]) : 0.0f});
        // In int64 so that s32 - zp cannot overflow.
        for (; i < stop; i++) y[i] = float(int64_t(x[i]) - (zp ? int64_t(zp[ch]) : 0)) * s[ch];
      });
    });
  }

 private:
  Fn fn_;
  Layout l_;
  InputRef x_, s_, zp_;
  int32_t y_;
};

std::unique_ptr<Op> make_quantize(const OpContext& c) {
  Layout l;
  if (!c.input(0)) return c.fail("expected X"), nullptr;
  const ValueInfo& x = *c.input(0);
  if (!check_params(c, x, "y_scale", "y_zero_point", &l)) return nullptr;
  if (x.dtype != DType::f32) return c.fail(std::string("expected float32 for X but received ") + dtype_name(x.dtype)), nullptr;
  const ValueInfo& y = c.output(0);
  const DType qt = c.input(2) ? c.input(2)->dtype : DType::u8;
  if (qt != DType::u8 && qt != DType::s8) return c.fail(std::string("expected uint8 or int8 for y_zero_point but received ") + dtype_name(qt)), nullptr;
  if (y.dtype != qt || y.dims != x.dims) return c.fail(std::string("expected Y of X's shape with dtype ") + dtype_name(qt)), nullptr;
  auto ref = [&](size_t i) { return i < c.op.inputs.size() ? input_ref(c.values, c.op.inputs[i]) : InputRef{}; };
  const Q8VCvtKernels& k = *qsmall_config(c.cfg.isa).vcvt;
  if (qt == DType::u8) return std::make_unique<QuantizeOp<uint8_t>>(k.quantize_u8, l, ref(0), ref(1), ref(2), c.op.outputs[0]);
  return std::make_unique<QuantizeOp<int8_t>>(k.quantize_s8, l, ref(0), ref(1), ref(2), c.op.outputs[0]);
}

std::unique_ptr<Op> make_dequantize(const OpContext& c) {
  Layout l;
  if (!c.input(0)) return c.fail("expected X"), nullptr;
  const ValueInfo& x = *c.input(0);
  if (!check_params(c, x, "x_scale", "x_zero_point", &l)) return nullptr;
  if (x.dtype != DType::u8 && x.dtype != DType::s8 && x.dtype != DType::s32)
    return c.fail(std::string("expected uint8, int8 or int32 for X but received ") + dtype_name(x.dtype)), nullptr;
  if (c.input(2) && c.input(2)->dtype != x.dtype)
    return c.fail(std::string("expected x_zero_point of X's dtype ") + dtype_name(x.dtype) + " but received " + dtype_name(c.input(2)->dtype)), nullptr;
  const ValueInfo& y = c.output(0);
  if (y.dtype != DType::f32 || y.dims != x.dims) return c.fail("expected float32 Y of X's shape"), nullptr;
  auto ref = [&](size_t i) { return i < c.op.inputs.size() ? input_ref(c.values, c.op.inputs[i]) : InputRef{}; };
  const Q8VCvtKernels& k = *qsmall_config(c.cfg.isa).vcvt;
  if (x.dtype == DType::u8) return std::make_unique<DequantizeOp<uint8_t>>(k.dequantize_u8, l, ref(0), ref(1), ref(2), c.op.outputs[0]);
  if (x.dtype == DType::s8) return std::make_unique<DequantizeOp<int8_t>>(k.dequantize_s8, l, ref(0), ref(1), ref(2), c.op.outputs[0]);
  return std::make_unique<DequantizeOp<int32_t>>(nullptr, l, ref(0), ref(1), ref(2), c.op.outputs[0]);
}

}  // namespace

void register_quant_ops(OpRegistry& r) {
  r.add("QuantizeLinear", make_quantize);
  r.add("DequantizeLinear", make_dequantize);
}

}  // namespace i8k
