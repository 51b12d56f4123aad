// Plan ops of the conv family (ONNX semantics, NCHW, float32): Conv, ConvTranspose, MatMul,
// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool. ONNX's Gemm is op-gemm.cc's "Gemm".
// 1-D and 2-D spatial shapes are supported; a 1-D op runs as 2-D with H = 1.
#include <algorithm>
#include <cmath>
#include "../config/conv-config.h"
#include "../ops/conv-f32.h"
#include "../ops/conv-transpose-f32.h"
#include "../ops/matmul-f32.h"
#include "../ops/pool-f32.h"
#include "op-factory.h"
#include "op-qsmall.h"

namespace i8k {

namespace {

std::string dims_str(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); i++) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

const float* f32_data(const ValueInfo* v) {
  return v ? reinterpret_cast<const float*>(v->data.data()) : nullptr;
}

bool expect_rank(const OpContext& c, const ValueInfo* v, const char* role, size_t lo, size_t hi) {
  if (!v) return c.fail(std::string("expected input ") + role + " but it is absent");
  if (v->dtype != DType::f32 || v->dims.size() < lo || v->dims.size() > hi)
    return c.fail(std::string("expected ") + role + " of dtype float32 and rank " +
                  (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
                  " but received " + dtype_name(v->dtype) + " of rank " + std::to_string(v->dims.size()));
  return true;
}

bool expect_counts(const OpContext& c, size_t in_lo, size_t in_hi, size_t outs, const char* names) {
  const size_t ni = c.op.inputs.size(), no = c.op.outputs.size();
  if (ni < in_lo || ni > in_hi || no != outs)
    return c.fail(std::string("expected ") +
                  (in_lo == in_hi ? std::to_string(in_lo) : std::to_string(in_lo) + " to " + std::to_string(in_hi)) +
                  " inputs (" + names + ") and " + std::to_string(outs) + " output" + (outs > 1 ? "s" : "") +
                  " but received " + std::to_string(ni) + " inputs and " + std::to_string(no) + " outputs");
  return true;
}

bool expect_shape(const OpContext& c, const ValueInfo& y, const char* role, const std::vector<int64_t>& dims) {
  if (y.dtype != DType::f32 || y.dims != dims)
    return c.fail(std::string("expected ") + role + " of dtype float32 and shape " + dims_str(dims) +
                  " but received " + dtype_name(y.dtype) + " " + dims_str(y.dims));
  return true;
}

// The sliding-window attributes shared by Conv and the pools, resolved to pads and output sizes.
struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads_begin, pads_end, out;
};

// kernel: from the weights (Conv) or empty (pools, which require kernel_shape).
bool read_window(const OpContext& c, const std::vector<int64_t>& in, std::vector<int64_t> kernel,
                 bool ceil_mode, bool with_dilations, Window* win) {
  const size_t r = in.size();
  std::vector<int64_t> ks;
  if (!c.ints_attr("kernel_shape", &ks)) return false;
  if (kernel.empty()) {
    if (ks.size() != r)
      return c.fail("expected attribute kernel_shape with " + std::to_string(r) + " positive sizes but received " +
                    (c.op.attrs.count("kernel_shape") ? dims_str(ks) : std::string("none")));
    kernel = ks;
  } else if (c.op.attrs.count("kernel_shape") && ks != kernel) {
    return c.fail("expected attribute kernel_shape " + dims_str(kernel) + " (the weights' spatial shape) but received " + dims_str(ks));
  }
  for (int64_t k : kernel)
    if (k < 1) return c.fail("expected kernel sizes >= 1 but received " + dims_str(kernel));
  std::vector<int64_t> strides(r, 1), dil(r, 1), pads(2 * r, 0);
  if (!c.ints_attr("strides", &strides) || !c.ints_attr("pads", &pads)) return false;
  if (with_dilations && !c.ints_attr("dilations", &dil)) return false;
  std::string auto_pad;
  if (!c.string_attr("auto_pad", "NOTSET", &auto_pad)) return false;
  if (strides.size() != r)
    return c.fail("expected attribute strides with " + std::to_string(r) + " values but received " + dims_str(strides));
  if (dil.size() != r)
    return c.fail("expected attribute dilations with " + std::to_string(r) + " values but received " + dims_str(dil));
  if (pads.size() != 2 * r)
    return c.fail("expected attribute pads with " + std::to_string(2 * r) + " values but received " + dims_str(pads));
  for (size_t i = 0; i < r; i++) {
    if (strides[i] < 1) return c.fail("expected strides >= 1 but received " + dims_str(strides));
    if (dil[i] < 1) return c.fail("expected dilations >= 1 but received " + dims_str(dil));
  }
  for (int64_t p : pads)
    if (p < 0 || p > (int64_t{1} << 30)) return c.fail("expected pads >= 0 but received " + dims_str(pads));
  const bool same_upper = auto_pad == "SAME_UPPER", same_lower = auto_pad == "SAME_LOWER";
  if (!same_upper && !same_lower && auto_pad != "VALID" && auto_pad != "NOTSET")
    return c.fail("expected attribute auto_pad NOTSET, SAME_UPPER, SAME_LOWER or VALID but received " + auto_pad);
  win->kernel = kernel, win->strides = strides, win->dilations = dil;
  win->pads_begin.assign(r, 0), win->pads_end.assign(r, 0), win->out.assign(r, 0);
  for (size_t i = 0; i < r; i++) {
    const int64_t dk = (kernel[i] - 1) * dil[i] + 1, s = strides[i];
    int64_t pb = pads[i], pe = pads[r + i], o;
    if (same_upper || same_lower) {
      o = (in[i] + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (o - 1) * s + dk - in[i]);
      pb = same_upper ? total / 2 : total - total / 2;
      pe = total - pb;
    } else {
      if (auto_pad == "VALID") pb = pe = 0;
      const int64_t span = in[i] + pb + pe - dk;
      if (span < 0)
        return c.fail("expected the padded input " + std::to_string(in[i] + pb + pe) +
                      " to be at least the dilated kernel " + std::to_string(dk) + " in spatial axis " + std::to_string(i));
      o = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
      // ONNX drops a ceil_mode window that would start in the end padding.
      if (ceil_mode && (o - 1) * s >= in[i] + pb) o--;
    }
    win->pads_begin[i] = pb, win->pads_end[i] = pe, win->out[i] = o;
  }
  return true;
}

bool read_activation(const OpContext& c, Activation* act) {
  std::string name;
  std::vector<float> params;
  if (!c.string_attr("activation", "", &name) || !c.floats_attr("activation_params", &params)) return false;
  auto want = [&](size_t n, const char* what) {
    if (params.size() == n) return true;
    return c.fail("expected attribute activation_params " + std::string(what) + " for activation " + name +
                  " but received " + std::to_string(params.size()) + " values");
  };
  if (name.empty() || name == "Relu" || name == "HardSwish" || name == "Sigmoid") {
    if (!want(0, "absent")) return false;
    if (name == "Relu") act->min = 0;
    if (name == "HardSwish") act->kind = Activation::hard_swish;
    if (name == "Sigmoid") act->kind = Activation::sigmoid;
  } else if (name == "Clip") {
    if (!want(2, "[min, max]")) return false;
    if (!(params[0] <= params[1])) return c.fail("expected Clip activation_params min <= max");
    act->min = params[0], act->max = params[1];
  } else if (name == "LeakyRelu") {
    if (!want(1, "[alpha]")) return false;
    act->kind = Activation::leaky_relu, act->alpha = params[0];
  } else if (name == "HardSigmoid") {
    if (!want(2, "[alpha, beta]")) return false;
    act->kind = Activation::hard_sigmoid, act->alpha = params[0], act->beta = params[1];
  } else {
    return c.fail("expected attribute activation Relu, Clip, LeakyRelu, HardSigmoid, HardSwish or Sigmoid but received " + name);
  }
  return true;
}

size_t at(const std::vector<int64_t>& v, size_t i, int64_t def) { return size_t(i < v.size() ? v[i] : def); }

// ---- Conv ----

class ConvOp : public Op {
 public:
  ConvOp(std::unique_ptr<F32Conv> conv, int32_t x, int32_t y) : conv_(std::move(conv)), x_(x), y_(y) {}
  void run(void* const* b, const RunContext& ctx) const override {
    conv_->run(static_cast<const float*>(b[x_]), static_cast<float*>(b[y_]), ctx);
  }
  size_t workspace_bytes() const override { return conv_->workspace_bytes(); }

 private:
  std::unique_ptr<F32Conv> conv_;
  int32_t x_, y_;
};

std::unique_ptr<Op> make_conv(const OpContext& c) {
  if (!expect_counts(c, 2, 3, 1, "X, W, B")) return nullptr;
  const ValueInfo *x = c.input(0), *w = c.input(1), *bias = c.input(2);
  if (!expect_rank(c, x, "X", 3, 4)) return nullptr;
  const size_t rank = x->dims.size(), sp = rank - 2;
  if (!expect_rank(c, w, "W", rank, rank)) return nullptr;
  if (!w->constant) return c.fail("expected W to be a constant (weights are prepared at creation)"), nullptr;
  int64_t group;
  if (!c.int_attr("group", 1, &group)) return nullptr;
  const int64_t n = x->dims[0], cin = x->dims[1], cout = w->dims[0];
  if (group < 1 || cin % group || cout % group)
    return c.fail("expected attribute group >= 1 dividing the input channels " + std::to_string(cin) +
                  " and output channels " + std::to_string(cout) + " but received " + std::to_string(group)), nullptr;
  if (w->dims[1] != cin / group)
    return c.fail("expected W with " + std::to_string(cin / group) + " input channels per group (X has " +
                  std::to_string(cin) + ", group " + std::to_string(group) + ") but received " + std::to_string(w->dims[1])), nullptr;
  if (bias) {
    if (!expect_rank(c, bias, "B", 1, 1)) return nullptr;
    if (!bias->constant) return c.fail("expected B to be a constant"), nullptr;
    if (bias->dims[0] != cout)
      return c.fail("expected B of length " + std::to_string(cout) + " but received " + std::to_string(bias->dims[0])), nullptr;
  }
  Window win;
  const std::vector<int64_t> in(x->dims.begin() + 2, x->dims.end()), kernel(w->dims.begin() + 2, w->dims.end());
  if (!read_window(c, in, kernel, false, true, &win)) return nullptr;
  Activation act;
  if (!read_activation(c, &act)) return nullptr;
  std::vector<int64_t> ydims{n, cout};
  ydims.insert(ydims.end(), win.out.begin(), win.out.end());
  if (!expect_shape(c, c.output(0), "Y", ydims)) return nullptr;
  // 1-D runs as 2-D with a leading spatial axis of 1.
  const size_t o = sp == 1 ? 1 : 0;
  auto ax = [&](const std::vector<int64_t>& v, size_t i, int64_t def) { return i < o ? size_t(def) : at(v, i - o, def); };
  Conv2DShape s{size_t(n), size_t(cin), ax(in, 0, 1), ax(in, 1, 1), size_t(cout),
                ax(win.out, 0, 1), ax(win.out, 1, 1), size_t(group),
                ax(win.kernel, 0, 1), ax(win.kernel, 1, 1), ax(win.strides, 0, 1), ax(win.strides, 1, 1),
                ax(win.dilations, 0, 1), ax(win.dilations, 1, 1), ax(win.pads_begin, 0, 0), ax(win.pads_begin, 1, 0)};
  auto conv = std::make_unique<F32Conv>(c.cfg.f32_gemm, conv_config(c.cfg.isa), s, f32_data(w), f32_data(bias), act);
  return std::make_unique<ConvOp>(std::move(conv), c.op.inputs[0], c.op.outputs[0]);
}

// ---- ConvTranspose ----

class ConvTransposeOp : public Op {
 public:
  ConvTransposeOp(std::unique_ptr<F32ConvTranspose> op, int32_t x, int32_t y) : op_(std::move(op)), x_(x), y_(y) {}
  void run(void* const* b, const RunContext& ctx) const override {
    op_->run(static_cast<const float*>(b[x_]), static_cast<float*>(b[y_]), ctx);
  }

 private:
  std::unique_ptr<F32ConvTranspose> op_;
  int32_t x_, y_;
};

std::unique_ptr<Op> make_conv_transpose(const OpContext& c) {
  if (!expect_counts(c, 2, 3, 1, "X, W, B")) return nullptr;
  const ValueInfo *x = c.input(0), *w = c.input(1), *bias = c.input(2);
  if (!expect_rank(c, x, "X", 3, 4)) return nullptr;
  const size_t rank = x->dims.size(), r = rank - 2;
  if (!expect_rank(c, w, "W", rank, rank)) return nullptr;
  if (!w->constant) return c.fail("expected W to be a constant (weights are prepared at creation)"), nullptr;
  int64_t group;
  if (!c.int_attr("group", 1, &group)) return nullptr;
  const int64_t n = x->dims[0], cin = x->dims[1], cout = w->dims[1] * group;
  if (group < 1 || cin % group)
    return c.fail("expected attribute group >= 1 dividing the input channels " + std::to_string(cin) +
                  " but received " + std::to_string(group)), nullptr;
  if (w->dims[0] != cin)
    return c.fail("expected W with " + std::to_string(cin) + " rows (the input channels) but received " + std::to_string(w->dims[0])), nullptr;
  if (bias) {
    if (!expect_rank(c, bias, "B", 1, 1)) return nullptr;
    if (!bias->constant) return c.fail("expected B to be a constant"), nullptr;
    if (bias->dims[0] != cout)
      return c.fail("expected B of length " + std::to_string(cout) + " but received " + std::to_string(bias->dims[0])), nullptr;
  }
  std::vector<int64_t> kernel(w->dims.begin() + 2, w->dims.end()), ks, strides(r, 1), dil(r, 1), pads(2 * r, 0),
      outpad(r, 0), out_shape;
  if (!c.ints_attr("kernel_shape", &ks) || !c.ints_attr("strides", &strides) || !c.ints_attr("dilations", &dil) ||
      !c.ints_attr("pads", &pads) || !c.ints_attr("output_padding", &outpad) || !c.ints_attr("output_shape", &out_shape))
    return nullptr;
  std::string auto_pad;
  if (!c.string_attr("auto_pad", "NOTSET", &auto_pad)) return nullptr;
  if (c.op.attrs.count("kernel_shape") && ks != kernel)
    return c.fail("expected attribute kernel_shape " + dims_str(kernel) + " (the weights' spatial shape) but received " + dims_str(ks)), nullptr;
  if (strides.size() != r || dil.size() != r || outpad.size() != r || pads.size() != 2 * r)
    return c.fail("expected strides, dilations and output_padding with " + std::to_string(r) + " values and pads with " +
                  std::to_string(2 * r) + " but received " + dims_str(strides) + ", " + dims_str(dil) + ", " +
                  dims_str(outpad) + " and " + dims_str(pads)), nullptr;
  if (!out_shape.empty() && out_shape.size() != r && out_shape.size() != rank)
    return c.fail("expected attribute output_shape with " + std::to_string(r) + " values but received " + dims_str(out_shape)), nullptr;
  if (out_shape.size() == rank) out_shape.erase(out_shape.begin(), out_shape.begin() + 2);
  const bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  if (!same && auto_pad != "VALID" && auto_pad != "NOTSET")
    return c.fail("expected attribute auto_pad NOTSET, SAME_UPPER, SAME_LOWER or VALID but received " + auto_pad), nullptr;
  std::vector<int64_t> out(r), pb(r), in(x->dims.begin() + 2, x->dims.end());
  for (size_t i = 0; i < r; i++) {
    if (strides[i] < 1 || dil[i] < 1 || kernel[i] < 1 || pads[i] < 0 || pads[r + i] < 0 || outpad[i] < 0 ||
        (outpad[i] >= strides[i] && outpad[i] >= dil[i]))
      return c.fail("expected strides, dilations, kernel sizes >= 1, pads >= 0 and 0 <= output_padding < stride or dilation"), nullptr;
    const int64_t dk = (kernel[i] - 1) * dil[i] + 1, full = strides[i] * (in[i] - 1) + outpad[i] + dk;
    if (!out_shape.empty() || same) {
      out[i] = !out_shape.empty() ? out_shape[i] : in[i] * strides[i];
      // A larger output than the input reaches (ONNX Runtime's rule) just gets bias at the end.
      const int64_t total = std::max<int64_t>(0, full - out[i]);
      if (out[i] < 1) return c.fail("expected output_shape values >= 1 but received " + dims_str(out_shape)), nullptr;
      pb[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else {
      const int64_t p0 = auto_pad == "VALID" ? 0 : pads[i], p1 = auto_pad == "VALID" ? 0 : pads[r + i];
      out[i] = full - p0 - p1, pb[i] = p0;
      if (out[i] < 1) return c.fail("expected a positive output size but the pads leave " + std::to_string(out[i])), nullptr;
    }
  }
  std::vector<int64_t> ydims{n, cout};
  ydims.insert(ydims.end(), out.begin(), out.end());
  if (!expect_shape(c, c.output(0), "Y", ydims)) return nullptr;
  const size_t o = r == 1 ? 1 : 0;
  auto ax = [&](const std::vector<int64_t>& v, size_t i, int64_t def) { return i < o ? size_t(def) : at(v, i - o, def); };
  ConvTranspose2DShape s{size_t(n), size_t(cin), ax(in, 0, 1), ax(in, 1, 1), size_t(cout), ax(out, 0, 1), ax(out, 1, 1),
                         size_t(group), ax(kernel, 0, 1), ax(kernel, 1, 1), ax(strides, 0, 1), ax(strides, 1, 1),
                         ax(dil, 0, 1), ax(dil, 1, 1), ax(pb, 0, 0), ax(pb, 1, 0)};
  return std::make_unique<ConvTransposeOp>(std::make_unique<F32ConvTranspose>(s, f32_data(w), f32_data(bias)),
                                           c.op.inputs[0], c.op.outputs[0]);
}

// ---- MatMul ----

class MatMulOp : public Op {
 public:
  MatMulOp(std::unique_ptr<F32MatMul> mm, int32_t a, int32_t b, int32_t y) : mm_(std::move(mm)), a_(a), b_(b), y_(y) {}
  void run(void* const* buf, const RunContext& ctx) const override {
    mm_->run(static_cast<const float*>(buf[a_]), static_cast<const float*>(buf[b_]), static_cast<float*>(buf[y_]), ctx);
  }

 private:
  std::unique_ptr<F32MatMul> mm_;
  int32_t a_, b_, y_;
};

std::unique_ptr<Op> make_matmul(const OpContext& c) {
  if (!expect_counts(c, 2, 2, 1, "A, B")) return nullptr;
  const ValueInfo *a = c.input(0), *b = c.input(1);
  if (!expect_rank(c, a, "A", 1, 8) || !expect_rank(c, b, "B", 1, 8)) return nullptr;
  std::vector<int64_t> ad = a->dims, bd = b->dims;
  const bool vec_a = ad.size() == 1, vec_b = bd.size() == 1;
  if (vec_a) ad.insert(ad.begin(), 1);
  if (vec_b) bd.push_back(1);
  const int64_t m = ad[ad.size() - 2], k = ad.back(), n = bd.back();
  if (bd[bd.size() - 2] != k)
    return c.fail("expected B with " + std::to_string(k) + " rows (the columns of A) but received " +
                  std::to_string(bd[bd.size() - 2]) + " (A " + dims_str(a->dims) + ", B " + dims_str(b->dims) + ")"), nullptr;
  const std::vector<int64_t> abat(ad.begin(), ad.end() - 2), bbat(bd.begin(), bd.end() - 2);
  const size_t nb = std::max(abat.size(), bbat.size());
  std::vector<int64_t> batch(nb);
  for (size_t i = 0; i < nb; i++) {
    const int64_t da = i + abat.size() >= nb ? abat[i + abat.size() - nb] : 1;
    const int64_t db = i + bbat.size() >= nb ? bbat[i + bbat.size() - nb] : 1;
    if (da != db && da != 1 && db != 1)
      return c.fail("expected broadcastable batch dimensions but received A " + dims_str(a->dims) + " and B " + dims_str(b->dims)), nullptr;
    batch[i] = da == 1 ? db : da;
  }
  std::vector<int64_t> ydims = batch;
  if (!vec_a) ydims.push_back(m);
  if (!vec_b) ydims.push_back(n);
  if (!expect_shape(c, c.output(0), "Y", ydims)) return nullptr;
  // Source matrix of A and of B for each output batch (row-major over the broadcast batch).
  size_t count = 1, b_count = 1;
  for (int64_t d : batch) count *= size_t(d);
  for (int64_t d : bbat) b_count *= size_t(d);
  std::vector<size_t> ai(count), bi(count);
  for (size_t t = 0; t < count; t++) {
    size_t rem = t, ia = 0, ib = 0, sa = 1, sb = 1;
    for (size_t i = nb; i-- > 0;) {
      const size_t idx = rem % size_t(batch[i]);
      rem /= size_t(batch[i]);
      const int64_t da = i + abat.size() >= nb ? abat[i + abat.size() - nb] : 1;
      const int64_t db = i + bbat.size() >= nb ? bbat[i + bbat.size() - nb] : 1;
      ia += (da == 1 ? 0 : idx) * sa, sa *= size_t(da);
      ib += (db == 1 ? 0 : idx) * sb, sb *= size_t(db);
    }
    ai[t] = ia, bi[t] = ib;
  }
  auto mm = std::make_unique<F32MatMul>(c.cfg.f32_gemm, size_t(m), size_t(k), size_t(n), std::move(ai), std::move(bi),
                                        b_count, b->constant ? f32_data(b) : nullptr);
  return std::make_unique<MatMulOp>(std::move(mm), c.op.inputs[0], c.op.inputs[1], c.op.outputs[0]);
}

// ---- Pools ----

class PoolOp : public Op {
 public:
  PoolOp(PoolKind kind, Pool2DShape s, int32_t x, int32_t y) : kind_(kind), s_(s), x_(x), y_(y) {}
  void run(void* const* b, const RunContext& ctx) const override {
    f32_pool2d(kind_, s_, static_cast<const float*>(b[x_]), static_cast<float*>(b[y_]), ctx);
  }

 private:
  PoolKind kind_;
  Pool2DShape s_;
  int32_t x_, y_;
};

}  // namespace

// X's rank (3 or 4) is checked by the caller; Y's dims are returned for it to check.
bool read_pool2d(const OpContext& c, const ValueInfo& x, bool max, Pool2DShape* s, std::vector<int64_t>* ydims, bool* include_pad) {
  int64_t ceil_mode, include = 0, storage_order = 0;
  if (!c.int_attr("ceil_mode", 0, &ceil_mode)) return false;
  if (max ? !c.int_attr("storage_order", 0, &storage_order) : !c.int_attr("count_include_pad", 0, &include))
    return false;
  if ((ceil_mode != 0 && ceil_mode != 1) || (include != 0 && include != 1) || (storage_order != 0 && storage_order != 1))
    return c.fail("expected attributes ceil_mode, count_include_pad and storage_order to be 0 or 1");
  Window win;
  const std::vector<int64_t> in(x.dims.begin() + 2, x.dims.end());
  if (!read_window(c, in, {}, ceil_mode != 0, true, &win)) return false;
  *ydims = {x.dims[0], x.dims[1]};
  ydims->insert(ydims->end(), win.out.begin(), win.out.end());
  const size_t o = in.size() == 1 ? 1 : 0;
  auto ax = [&](const std::vector<int64_t>& v, size_t i, int64_t def) { return i < o ? size_t(def) : at(v, i - o, def); };
  *s = {size_t(x.dims[0] * x.dims[1]), ax(in, 0, 1), ax(in, 1, 1), ax(win.out, 0, 1), ax(win.out, 1, 1),
        ax(win.kernel, 0, 1), ax(win.kernel, 1, 1), ax(win.strides, 0, 1), ax(win.strides, 1, 1),
        ax(win.dilations, 0, 1), ax(win.dilations, 1, 1), ax(win.pads_begin, 0, 0), ax(win.pads_begin, 1, 0),
        ax(win.pads_end, 0, 0), ax(win.pads_end, 1, 0)};
  *include_pad = include != 0;
  return true;
}

namespace {

std::unique_ptr<Op> make_pool(const OpContext& c, bool max) {
  if (max && c.op.outputs.size() == 2)
    return c.fail("expected 1 output (the optional Indices output of MaxPool is not supported) but received 2"), nullptr;
  if (!expect_counts(c, 1, 1, 1, "X")) return nullptr;
  const ValueInfo* x = c.input(0);
  if (max && x && (x->dtype == DType::u8 || x->dtype == DType::s8)) return make_q8_max_pool(c);  // op-qsmall.cc
  if (!expect_rank(c, x, "X", 3, 4) || !expect_channels_first(c)) return nullptr;
  Pool2DShape s;
  std::vector<int64_t> ydims;
  bool include_pad;
  if (!read_pool2d(c, *x, max, &s, &ydims, &include_pad) || !expect_shape(c, c.output(0), "Y", ydims)) return nullptr;
  const PoolKind kind = max ? PoolKind::max : include_pad ? PoolKind::average_include_pad : PoolKind::average;
  return std::make_unique<PoolOp>(kind, s, c.op.inputs[0], c.op.outputs[0]);
}

std::unique_ptr<Op> make_max_pool(const OpContext& c) { return make_pool(c, true); }
std::unique_ptr<Op> make_average_pool(const OpContext& c) { return make_pool(c, false); }

class GlobalPoolOp : public Op {
 public:
  GlobalPoolOp(bool max, size_t planes, size_t size, int32_t x, int32_t y) : max_(max), planes_(planes), size_(size), x_(x), y_(y) {}
  void run(void* const* b, const RunContext& ctx) const override {
    f32_global_pool(max_, planes_, size_, static_cast<const float*>(b[x_]), static_cast<float*>(b[y_]), ctx);
  }

 private:
  bool max_;
  size_t planes_, size_;
  int32_t x_, y_;
};

std::unique_ptr<Op> make_global_pool(const OpContext& c, bool max) {
  if (!expect_counts(c, 1, 1, 1, "X")) return nullptr;
  const ValueInfo* x = c.input(0);
  if (!expect_rank(c, x, "X", 3, 8)) return nullptr;
  std::vector<int64_t> ydims(x->dims.size(), 1);
  ydims[0] = x->dims[0], ydims[1] = x->dims[1];
  if (!expect_shape(c, c.output(0), "Y", ydims)) return nullptr;
  size_t size = 1;
  for (size_t i = 2; i < x->dims.size(); i++) size *= size_t(x->dims[i]);
  if (size == 0) return c.fail("expected non-empty spatial dimensions but received X " + dims_str(x->dims)), nullptr;
  return std::make_unique<GlobalPoolOp>(max, size_t(x->dims[0] * x->dims[1]), size, c.op.inputs[0], c.op.outputs[0]);
}

std::unique_ptr<Op> make_global_average_pool(const OpContext& c) { return make_global_pool(c, false); }
std::unique_ptr<Op> make_global_max_pool(const OpContext& c) { return make_global_pool(c, true); }

}  // namespace

void register_conv_ops(OpRegistry& r) {
  r.add("Conv", make_conv);
  r.add("ConvTranspose", make_conv_transpose);
  r.add("MatMul", make_matmul);
  r.add("MaxPool", make_max_pool);
  r.add("AveragePool", make_average_pool);
  r.add("GlobalAveragePool", make_global_average_pool);
  r.add("GlobalMaxPool", make_global_max_pool);
}

}  // namespace i8k
