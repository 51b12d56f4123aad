// Plan ops of the quantized runtime's small kernels (u8 or s8 tensors, per-tensor parameters):
//   MaxPool of u8 / s8 (ONNX opset 12+; reached through MaxPool's factory in op-conv.cc)
//   com.microsoft QLinearConcat: Y_scale, Y_zero_point, then (X, X_scale, X_zero_point) per input;
//     attribute axis; inputs whose codes keep their meaning are copied, others go through a table
//   com.microsoft QLinearAdd, QLinearMul: A, A_scale, A_zp, B, B_scale, B_zp, C_scale[, C_zp],
//     numpy broadcasting; semantics of q8-vbinary.h
//   com.microsoft QLinearAveragePool: X, x_scale, x_zp, y_scale[, y_zp]; AveragePool's attributes
//     and channels_last; semantics of ops/pool-q8.h
//   com.microsoft QLinearGlobalAveragePool: same inputs, channels_last; q8-pool.h's gavg
// channels_last = 1 (also int8kit's attribute on the u8 / s8 MaxPool) means X is [N, spatial..., C]
// and Y likewise ([N, 1, ..., 1, C] for the global pool).
//   com.microsoft QLinearSigmoid, QLinearLeakyRelu (alpha): X, X_scale, X_zp, Y_scale[, Y_zp]
//   QLinearLookup (int8kit's): X, table (constant, 256 entries); Y = table[X] (s8 X indexes by
//     its two's-complement bits), Y's dtype is the table's
// Scales and zero points are constant scalars, read when the plan is created; a zero point that
// is absent is 0. The elementwise functions become a 256-entry table built then from float32:
//   table[x] = quantize(f(dequantize(x))) with q8-vcvt.h's quantize and dequantize.
#include "op-qsmall.h"
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include "../config/qsmall-config.h"
#include "../ops/broadcast.h"
#include "../ops/elementwise.h"
#include "../ops/pool-q8.h"

namespace i8k {

namespace {

bool is_q8(DType t) { return t == DType::u8 || t == DType::s8; }

// The input count and that input 0 is a u8 / s8 tensor.
bool expect_q8_inputs(const OpContext& c, size_t lo, size_t hi, const char* names) {
  const size_t n = c.op.inputs.size();
  if (n < lo || n > hi || c.op.outputs.size() != 1)
    return c.fail("expected " + std::to_string(lo) + (lo == hi ? "" : " to " + std::to_string(hi)) + " inputs (" + names +
                  ") and 1 output but received " + std::to_string(n) + " inputs and " + std::to_string(c.op.outputs.size()) + " outputs");
  const ValueInfo* x = c.input(0);
  if (!x) return c.fail(std::string("expected input 0 but it is absent"));
  if (!is_q8(x->dtype)) return c.fail(std::string("expected a uint8 or int8 input 0 but received ") + dtype_name(x->dtype));
  return true;
}

// A constant scalar input (a scale when dt is float32, else a zero point of dtype dt); an absent
// optional zero point is 0.
bool read_scalar(const OpContext& c, size_t i, const char* role, DType dt, float* out) {
  const ValueInfo* v = c.input(i);
  const bool scale = dt == DType::f32;
  if (!v) {
    if (scale) return c.fail(std::string("expected input ") + role + " but it is absent");
    *out = 0;
    return true;
  }
  if (v->dtype != dt) return c.fail(std::string("expected ") + dtype_name(dt) + " for " + role + " but received " + dtype_name(v->dtype));
  size_t count = 1;
  for (int64_t d : v->dims) count *= size_t(d);
  if (count != 1) return c.fail(std::string("expected a scalar ") + role + " but received shape " + shape_str(v->dims));
  if (!v->constant || v->data.size() < size_t(dtype_size(dt)))
    return c.fail(std::string("expected a constant ") + role + " (read when the plan is created) but received a run-time value");
  if (scale) {
    float s;
    std::memcpy(&s, v->data.data(), 4);
    if (!(s > 0.0f) || !std::isfinite(s)) return c.fail(std::string("expected a positive finite ") + role + " but received " + std::to_string(s));
    *out = s;
  } else {
    *out = dt == DType::u8 ? float(v->data[0]) : float(int8_t(v->data[0]));
  }
  return true;
}

bool expect_output(const OpContext& c, DType dt, const std::vector<int64_t>& dims) {
  const ValueInfo& y = c.output(0);
  if (y.dtype != dt || y.dims != dims)
    return c.fail(std::string("expected Y of dtype ") + dtype_name(dt) + " and shape " + shape_str(dims) + " but received " +
                  dtype_name(y.dtype) + " " + shape_str(y.dims));
  return true;
}

// ---- MaxPool (u8 / s8) ---------------------------------------------------------------------------

template <typename T>
class Q8MaxPoolOp : public Op {
 public:
  // channels: 0 for NCHW, else NHWC with this many channels.
  Q8MaxPoolOp(const Q8PoolSet<T>& k, Q8EvenFn even, Pool2DShape s, size_t channels, int32_t x, int32_t y)
      : k_(k), even_(even), s_(s), channels_(channels), x_(x), y_(y) {}
  void run(void* const* b, const RunContext& ctx) const override {
    const T* x = static_cast<const T*>(b[x_]);
    T* y = static_cast<T*>(b[y_]);
    if (channels_) q8_max_pool2d_nhwc(k_, channels_, s_, x, y, ctx);
    else q8_max_pool2d(k_, even_, s_, x, y, ctx);
  }

 private:
  Q8PoolSet<T> k_;
  Q8EvenFn even_;
  Pool2DShape s_;
  size_t channels_;
  int32_t x_, y_;
};

template <typename T>
class Q8AvgPoolOp : public Op {
 public:
  Q8AvgPoolOp(const Q8PoolSet<T>& k, Pool2DShape s, size_t channels, bool include_pad, Q8AvgPoolParams p, int32_t x, int32_t y)
      : k_(k), s_(s), channels_(channels), include_pad_(include_pad), p_(p), x_(x), y_(y) {}
  void run(void* const* b, const RunContext& ctx) const override {
    const T* x = static_cast<const T*>(b[x_]);
    T* y = static_cast<T*>(b[y_]);
    if (channels_) q8_avg_pool2d_nhwc(k_, channels_, s_, include_pad_, p_, x, y, ctx);
    else q8_avg_pool2d(k_, s_, include_pad_, p_, x, y, ctx);
  }

 private:
  Q8PoolSet<T> k_;
  Pool2DShape s_;
  size_t channels_;  // 0: NCHW
  bool include_pad_;
  Q8AvgPoolParams p_;
  int32_t x_, y_;
};

// Attribute channels_last: 0 (NCHW) or 1 (NHWC).
bool read_channels_last(const OpContext& c, bool* nhwc) {
  int64_t v;
  if (!c.int_attr("channels_last", 0, &v)) return false;
  if (v != 0 && v != 1) return c.fail("expected attribute channels_last 0 (NCHW) or 1 (NHWC) but received " + std::to_string(v));
  *nhwc = v == 1;
  return true;
}

// [N, spatial..., C] <-> [N, C, spatial...].
std::vector<int64_t> channels_first(const std::vector<int64_t>& d) {
  std::vector<int64_t> r{d[0], d.back()};
  r.insert(r.end(), d.begin() + 1, d.end() - 1);
  return r;
}
std::vector<int64_t> channels_last(const std::vector<int64_t>& d) {
  std::vector<int64_t> r{d[0]};
  r.insert(r.end(), d.begin() + 2, d.end());
  r.push_back(d[1]);
  return r;
}

// X's rank, the layout and the window, shared by MaxPool and QLinearAveragePool; *channels is 0
// for NCHW, else X's channel count.
bool read_q8_pool(const OpContext& c, bool max, Pool2DShape* s, bool* include_pad, size_t* channels) {
  const ValueInfo& xv = *c.input(0);
  bool nhwc;
  if (!read_channels_last(c, &nhwc)) return false;
  if (xv.dims.size() < 3 || xv.dims.size() > 4)
    return c.fail("expected X of rank 3 or 4 (N, C and one or two spatial axes) but received rank " + std::to_string(xv.dims.size()));
  // The window rules read NCHW dims: give them a channels-first view of X's shape.
  const ValueInfo x{xv.dtype, nhwc ? channels_first(xv.dims) : xv.dims, xv.bytes, false, {}};
  std::vector<int64_t> ydims;
  if (!read_pool2d(c, x, max, s, &ydims, include_pad) || !expect_output(c, x.dtype, nhwc ? channels_last(ydims) : ydims)) return false;
  *channels = nhwc ? size_t(x.dims[1]) : 0;
  if (nhwc && *channels == 0) return c.fail("expected X with at least 1 channel but received " + shape_str(xv.dims));
  if (q8_pool_row_span(*s) > kQ8PoolMaxRowSpan || s->w > kQ8PoolMaxRowSpan)
    return c.fail("expected pooling windows spanning at most " + std::to_string(kQ8PoolMaxRowSpan) + " positions of a row but received " +
                  std::to_string(q8_pool_row_span(*s)));
  if (s->kh * s->kw > kQ8GavgMaxSize)
    return c.fail("expected at most " + std::to_string(kQ8GavgMaxSize) + " positions in a window but received " + std::to_string(s->kh * s->kw));
  return true;
}

// ---- QLinearAdd / QLinearMul ---------------------------------------------------------------------

// One broadcast run: both advance, one of them stays (commutative ops swap the operands), or
// both stay (one result repeated).
template <typename T, typename P>
class Q8BinaryOp : public Op {
 public:
  Q8BinaryOp(Q8VBinaryFn<T, P> vv, Q8VBinaryFn<T, P> vs, P p, P swapped, const std::vector<int64_t>& out,
             const std::vector<std::vector<int64_t>>& shapes, InputRef a, InputRef b, int32_t y)
      : vv_(vv), vs_(vs), p_(p), swapped_(swapped), b_(out, shapes), a_(std::move(a)), bb_(std::move(b)), y_(y) {}
  void run(void* const* buffers, const RunContext& ctx) const override {
    const T* a = static_cast<const T*>(a_.get(buffers));
    const T* b = static_cast<const T*>(bb_.get(buffers));
    T* y = static_cast<T*>(buffers[y_]);
    const size_t inner = b_.inner();
    const bool sa = b_.steps(0), sb = b_.steps(1);
    ctx.parallel_for(b_.outer(), std::max<size_t>(1, kElementGrain / std::max<size_t>(inner, 1)), [&](size_t begin, size_t end) {
      size_t offs[2];
      for (size_t o = begin; o < end; o++) {
        b_.offsets(o, offs);
        T* yo = y + o * inner;
        if (sa && sb) vv_(inner, a + offs[0], b + offs[1], yo, p_);
        else if (sa) vs_(inner, a + offs[0], b + offs[1], yo, p_);
        else if (sb) vs_(inner, b + offs[1], a + offs[0], yo, swapped_);
        else if (inner) vs_(1, a + offs[0], b + offs[1], yo, p_), std::fill(yo + 1, yo + inner, yo[0]);
      }
    });
  }

 private:
  Q8VBinaryFn<T, P> vv_, vs_;
  P p_, swapped_;
  Broadcast b_;
  InputRef a_, bb_;
  int32_t y_;
};

const Q8VBinaryPair<uint8_t>& pair(const Q8VBinaryKernels& k, uint8_t) { return k.u8; }
const Q8VBinaryPair<int8_t>& pair(const Q8VBinaryKernels& k, int8_t) { return k.s8; }

template <typename T>
std::unique_ptr<Op> make_q8_binary(const OpContext& c, bool add, const std::vector<int64_t>& out, float sa, float za,
                                   float sb, float zb, float sy, float zy) {
  const Q8VBinaryPair<T>& kp = pair(*qsmall_config(c.cfg.isa).vbinary, T());
  const std::vector<std::vector<int64_t>> shapes{c.input(0)->dims, c.input(3)->dims};
  InputRef a = input_ref(c.values, c.op.inputs[0]), b = input_ref(c.values, c.op.inputs[3]);
  if (add) {
    const Q8AddParams p{za, sa / sy, zb, sb / sy, zy}, sw{zb, sb / sy, za, sa / sy, zy};
    return std::make_unique<Q8BinaryOp<T, Q8AddParams>>(kp.add_vv, kp.add_vs, p, sw, out, shapes, std::move(a), std::move(b), c.op.outputs[0]);
  }
  const float m = (sa * sb) / sy;
  const Q8MulParams p{za, zb, m, zy}, sw{zb, za, m, zy};
  return std::make_unique<Q8BinaryOp<T, Q8MulParams>>(kp.mul_vv, kp.mul_vs, p, sw, out, shapes, std::move(a), std::move(b), c.op.outputs[0]);
}

std::unique_ptr<Op> make_qlinear_binary(const OpContext& c, bool add) {
  if (!expect_q8_inputs(c, 7, 8, "A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale, C_zero_point")) return nullptr;
  const DType dt = c.input(0)->dtype;
  const ValueInfo* b = c.input(3);
  if (!b || b->dtype != dt)
    return c.fail(std::string("expected B of A's dtype ") + dtype_name(dt) + " but received " + (b ? dtype_name(b->dtype) : "none")), nullptr;
  float sa, za, sb, zb, sy, zy;
  if (!read_scalar(c, 1, "A_scale", DType::f32, &sa) || !read_scalar(c, 2, "A_zero_point", dt, &za) ||
      !read_scalar(c, 4, "B_scale", DType::f32, &sb) || !read_scalar(c, 5, "B_zero_point", dt, &zb) ||
      !read_scalar(c, 6, "C_scale", DType::f32, &sy) || !read_scalar(c, 7, "C_zero_point", dt, &zy))
    return nullptr;
  std::vector<int64_t> out;
  if (!broadcast_shape({c.input(0)->dims, b->dims}, &out))
    return c.fail("expected A and B to broadcast but received " + shape_str(c.input(0)->dims) + " and " + shape_str(b->dims)), nullptr;
  if (!expect_output(c, dt, out)) return nullptr;
  if (dt == DType::u8) return make_q8_binary<uint8_t>(c, add, out, sa, za, sb, zb, sy, zy);
  return make_q8_binary<int8_t>(c, add, out, sa, za, sb, zb, sy, zy);
}

std::unique_ptr<Op> make_qlinear_add(const OpContext& c) { return make_qlinear_binary(c, true); }
std::unique_ptr<Op> make_qlinear_mul(const OpContext& c) { return make_qlinear_binary(c, false); }

// ---- pools ---------------------------------------------------------------------------------------

// x_scale, x_zero_point, y_scale, y_zero_point at inputs 1 to 4 (named X_scale ... by the
// elementwise contrib ops: `upper`).
bool read_requant(const OpContext& c, float* sx, float* zx, float* sy, float* zy, bool upper = false) {
  const DType dt = c.input(0)->dtype;
  return read_scalar(c, 1, upper ? "X_scale" : "x_scale", DType::f32, sx) && read_scalar(c, 2, upper ? "X_zero_point" : "x_zero_point", dt, zx) &&
         read_scalar(c, 3, upper ? "Y_scale" : "y_scale", DType::f32, sy) && read_scalar(c, 4, upper ? "Y_zero_point" : "y_zero_point", dt, zy);
}

std::unique_ptr<Op> make_qlinear_average_pool(const OpContext& c) {
  if (!expect_q8_inputs(c, 4, 5, "X, x_scale, x_zero_point, y_scale, y_zero_point")) return nullptr;
  float sx, zx, sy, zy;
  Pool2DShape s;
  bool include_pad;
  size_t ch;
  if (!read_requant(c, &sx, &zx, &sy, &zy) || !read_q8_pool(c, false, &s, &include_pad, &ch)) return nullptr;
  const Q8AvgPoolParams p{int32_t(zx), sx / sy, zy};
  const Q8PoolKernels& k = *qsmall_config(c.cfg.isa).pool;
  if (c.input(0)->dtype == DType::u8) return std::make_unique<Q8AvgPoolOp<uint8_t>>(k.u8, s, ch, include_pad, p, c.op.inputs[0], c.op.outputs[0]);
  return std::make_unique<Q8AvgPoolOp<int8_t>>(k.s8, s, ch, include_pad, p, c.op.inputs[0], c.op.outputs[0]);
}

template <typename T>
class Q8GlobalAvgPoolOp : public Op {
 public:
  // channels: 0 for NCHW (planes of size_ elements), else NHWC with this many channels.
  Q8GlobalAvgPoolOp(const Q8PoolSet<T>& k, size_t planes, size_t size, size_t channels, Q8GavgParams p, int32_t x, int32_t y)
      : k_(k), planes_(planes), size_(size), channels_(channels), p_(p), x_(x), y_(y) {}
  void run(void* const* b, const RunContext& ctx) const override {
    const T* x = static_cast<const T*>(b[x_]);
    T* y = static_cast<T*>(b[y_]);
    if (channels_) {
      q8_global_avg_pool_nhwc(k_, planes_ / channels_, size_, channels_, p_, x, y, ctx);
      return;
    }
    ctx.parallel_for(planes_, std::max<size_t>(1, kElementGrain / size_), [&](size_t begin, size_t end) {
      k_.gavg(end - begin, size_, x + begin * size_, y + begin, p_);
    });
  }

 private:
  Q8PoolSet<T> k_;
  size_t planes_, size_, channels_;
  Q8GavgParams p_;
  int32_t x_, y_;
};

std::unique_ptr<Op> make_qlinear_global_average_pool(const OpContext& c) {
  if (!expect_q8_inputs(c, 4, 5, "X, x_scale, x_zero_point, y_scale, y_zero_point")) return nullptr;
  float sx, zx, sy, zy;
  bool nhwc;
  if (!read_requant(c, &sx, &zx, &sy, &zy) || !read_channels_last(c, &nhwc)) return nullptr;
  const ValueInfo& xv = *c.input(0);
  if (xv.dims.size() < 3) return c.fail("expected X of rank 3 or more (N, C, spatial axes) but received rank " + std::to_string(xv.dims.size())), nullptr;
  const std::vector<int64_t> xd = nhwc ? channels_first(xv.dims) : xv.dims;  // NCHW order
  std::vector<int64_t> ydims(xd.size(), 1);
  ydims[0] = xd[0], ydims[1] = xd[1];
  if (!expect_output(c, xv.dtype, nhwc ? channels_last(ydims) : ydims)) return nullptr;
  const ValueInfo& x = xv;
  if (xd[1] < 1) return c.fail("expected X with at least 1 channel but received " + shape_str(xv.dims)), nullptr;
  size_t size = 1;
  for (size_t i = 2; i < xd.size(); i++) size *= size_t(xd[i]);
  if (size == 0 || size > kQ8GavgMaxSize)
    return c.fail("expected 1 to " + std::to_string(kQ8GavgMaxSize) + " elements per channel but received X " + shape_str(x.dims)), nullptr;
  const Q8GavgParams p{int32_t(zx), sx / sy / float(size), zy};
  const size_t planes = size_t(xd[0] * xd[1]), ch = nhwc ? size_t(xd[1]) : 0;
  const Q8PoolKernels& k = *qsmall_config(c.cfg.isa).pool;
  if (x.dtype == DType::u8) return std::make_unique<Q8GlobalAvgPoolOp<uint8_t>>(k.u8, planes, size, ch, p, c.op.inputs[0], c.op.outputs[0]);
  return std::make_unique<Q8GlobalAvgPoolOp<int8_t>>(k.s8, planes, size, ch, p, c.op.inputs[0], c.op.outputs[0]);
}

// ---- table lookups -------------------------------------------------------------------------------

class LutOp : public Op {
 public:
  LutOp(U8LutFn fn, const std::array<uint8_t, 256>& table, size_t n, InputRef x, int32_t y)
      : fn_(fn), table_(table), n_(n), x_(std::move(x)), y_(y) {}
  void run(void* const* b, const RunContext& ctx) const override {
    const uint8_t* x = static_cast<const uint8_t*>(x_.get(b));
    uint8_t* y = static_cast<uint8_t*>(b[y_]);
    ctx.parallel_for(n_, kElementGrain, [&](size_t begin, size_t end) { fn_(end - begin, x + begin, table_.data(), y + begin); });
  }

 private:
  U8LutFn fn_;
  std::array<uint8_t, 256> table_;
  size_t n_;
  InputRef x_;
  int32_t y_;
};

std::unique_ptr<Op> make_lut_op(const OpContext& c, const std::array<uint8_t, 256>& table) {
  return std::make_unique<LutOp>(qsmall_config(c.cfg.isa).lut->lut, table, element_count(c.input(0)->dims),
                                 input_ref(c.values, c.op.inputs[0]), c.op.outputs[0]);
}

// table[code] = quantize(f(dequantize(code))) for every code of T.
template <typename T, typename F>
std::array<uint8_t, 256> function_table(float sx, float zx, float sy, float zy, F f) {
  std::array<uint8_t, 256> t{};
  for (int code = std::numeric_limits<T>::min(); code <= std::numeric_limits<T>::max(); code++) {
    const float x = q8_dequantize<T>(T(code), {sx, zx});
    t[uint8_t(code)] = uint8_t(q8_quantize<T>(f(x), {sy, zy}));
  }
  return t;
}

template <typename F>
std::unique_ptr<Op> make_function_lut(const OpContext& c, F f) {
  if (!expect_q8_inputs(c, 4, 5, "X, X_scale, X_zero_point, Y_scale, Y_zero_point")) return nullptr;
  float sx, zx, sy, zy;
  if (!read_requant(c, &sx, &zx, &sy, &zy, true) || !expect_output(c, c.input(0)->dtype, c.input(0)->dims)) return nullptr;
  return make_lut_op(c, c.input(0)->dtype == DType::u8 ? function_table<uint8_t>(sx, zx, sy, zy, f)
                                                       : function_table<int8_t>(sx, zx, sy, zy, f));
}

// The logistic in double, rounded once to float.
std::unique_ptr<Op> make_qlinear_sigmoid(const OpContext& c) {
  return make_function_lut(c, [](float x) { return float(1.0 / (1.0 + std::exp(-double(x)))); });
}

std::unique_ptr<Op> make_qlinear_leaky_relu(const OpContext& c) {
  float alpha;
  if (!c.float_attr("alpha", 0.01f, &alpha)) return nullptr;
  if (!std::isfinite(alpha)) return c.fail("expected a finite attribute alpha but received " + std::to_string(alpha)), nullptr;
  return make_function_lut(c, [alpha](float x) { return x >= 0.0f ? x : alpha * x; });
}

std::unique_ptr<Op> make_qlinear_lookup(const OpContext& c) {
  if (!expect_q8_inputs(c, 2, 2, "X, table")) return nullptr;
  const ValueInfo* t = c.input(1);
  if (!t || !is_q8(t->dtype) || t->dims != std::vector<int64_t>{256} || !t->constant || t->data.size() != 256)
    return c.fail("expected a constant uint8 or int8 table of shape [256] but received " +
                  (t ? std::string(t->constant ? "" : "run-time ") + dtype_name(t->dtype) + " " + shape_str(t->dims) : std::string("none"))), nullptr;
  if (!expect_output(c, t->dtype, c.input(0)->dims)) return nullptr;
  std::array<uint8_t, 256> table;
  std::memcpy(table.data(), t->data.data(), 256);
  return make_lut_op(c, table);
}

// ---- QLinearConcat -------------------------------------------------------------------------------

// Y = concatenation along `axis`; each input is a run of `chunk` elements per outer index, copied
// when its codes map to themselves and else mapped through its 256-entry table.
class QConcatOp : public Op {
 public:
  struct Part {
    InputRef x;
    size_t chunk;
    bool copy;
    std::array<uint8_t, 256> table;
  };
  QConcatOp(U8LutFn lut, std::vector<Part> parts, size_t outer, int32_t y)
      : lut_(lut), parts_(std::move(parts)), outer_(outer), y_(y) {
    for (const Part& p : parts_) row_ += p.chunk;
  }
  void run(void* const* b, const RunContext& ctx) const override {
    uint8_t* y = static_cast<uint8_t*>(b[y_]);
    const size_t np = parts_.size();
    // Tasks are (outer index, part) pairs; small rows are grouped so a task moves ~kElementGrain bytes.
    ctx.parallel_for(outer_ * np, std::max<size_t>(1, kElementGrain * np / std::max<size_t>(row_, 1)), [&](size_t begin, size_t end) {
      for (size_t t = begin; t < end; t++) {
        const size_t o = t / np, i = t % np;
        const Part& p = parts_[i];
        size_t at = o * row_;
        for (size_t j = 0; j < i; j++) at += parts_[j].chunk;
        const uint8_t* x = static_cast<const uint8_t*>(p.x.get(b)) + o * p.chunk;
        if (p.copy) std::memcpy(y + at, x, p.chunk);
        else lut_(p.chunk, x, p.table.data(), y + at);
      }
    });
  }

 private:
  U8LutFn lut_;
  std::vector<Part> parts_;
  size_t outer_, row_ = 0;
  int32_t y_;
};

// ONNX Runtime's QLinearConcat: every input is dequantized and quantized to Y's scale and zero
// point (saturate(round_half_even(x_scale * (x - x_zp) / y_scale) + y_zp)). A table per input
// holds exactly that for its 256 codes (q8-vcvt.h's dequantize and quantize); a requantize with a
// single multiplier x_scale / y_scale would round differently now and then.
std::unique_ptr<Op> make_qlinear_concat(const OpContext& c) {
  const size_t ni = c.op.inputs.size();
  if (ni < 5 || (ni - 2) % 3 != 0 || c.op.outputs.size() != 1)
    return c.fail("expected Y_scale, Y_zero_point and then (X, X_scale, X_zero_point) per input (2 + 3k inputs, k >= 1) and 1 output but received " +
                  std::to_string(ni) + " inputs and " + std::to_string(c.op.outputs.size()) + " outputs"), nullptr;
  const ValueInfo& y = c.output(0);
  if (!is_q8(y.dtype)) return c.fail(std::string("expected Y of dtype uint8 or int8 but received ") + dtype_name(y.dtype)), nullptr;
  const DType dt = y.dtype;
  float sy, zy;
  if (!read_scalar(c, 0, "Y_scale", DType::f32, &sy) || !read_scalar(c, 1, "Y_zero_point", dt, &zy)) return nullptr;
  const ValueInfo* x0 = c.input(2);
  if (!x0) return c.fail("expected input X 0 but it is absent"), nullptr;
  const size_t rank = x0->dims.size();
  int64_t axis;
  if (!c.int_attr("axis", 0, &axis)) return nullptr;
  if (rank == 0 || axis < -int64_t(rank) || axis >= int64_t(rank))
    return c.fail("expected attribute axis in [-" + std::to_string(rank) + ", " + std::to_string(rank) + ") for inputs of rank " +
                  std::to_string(rank) + " (>= 1) but received " + std::to_string(axis)), nullptr;
  const size_t ax = size_t(axis < 0 ? axis + int64_t(rank) : axis);
  std::vector<int64_t> ydims = x0->dims;
  ydims[ax] = 0;
  size_t outer = 1, inner = 1;
  for (size_t d = 0; d < ax; d++) outer *= size_t(x0->dims[d]);
  for (size_t d = ax + 1; d < rank; d++) inner *= size_t(x0->dims[d]);
  std::vector<QConcatOp::Part> parts;
  for (size_t i = 2; i < ni; i += 3) {
    const std::string k = std::to_string((i - 2) / 3);
    const ValueInfo* x = c.input(i);
    if (!x) return c.fail("expected input X " + k + " but it is absent"), nullptr;
    if (x->dtype != dt) return c.fail("expected X " + k + " of Y's dtype " + dtype_name(dt) + " but received " + dtype_name(x->dtype)), nullptr;
    bool agree = x->dims.size() == rank;
    for (size_t d = 0; agree && d < rank; d++) agree = d == ax || x->dims[d] == x0->dims[d];
    if (!agree)
      return c.fail("expected X " + k + " of shape " + shape_str(x0->dims) + " except on axis " + std::to_string(ax) + " but received " +
                    shape_str(x->dims)), nullptr;
    float sx, zx;
    if (!read_scalar(c, i + 1, ("X_scale " + k).c_str(), DType::f32, &sx) || !read_scalar(c, i + 2, ("X_zero_point " + k).c_str(), dt, &zx))
      return nullptr;
    ydims[ax] += x->dims[ax];
    QConcatOp::Part p{input_ref(c.values, c.op.inputs[i]), size_t(x->dims[ax]) * inner, true, {}};
    p.table = dt == DType::u8 ? function_table<uint8_t>(sx, zx, sy, zy, [](float v) { return v; })
                              : function_table<int8_t>(sx, zx, sy, zy, [](float v) { return v; });
    for (int code = 0; code < 256; code++) p.copy = p.copy && p.table[size_t(code)] == code;
    parts.push_back(std::move(p));
  }
  if (!expect_output(c, dt, ydims)) return nullptr;
  return std::make_unique<QConcatOp>(qsmall_config(c.cfg.isa).lut->lut, std::move(parts), outer, c.op.outputs[0]);
}

}  // namespace

std::unique_ptr<Op> make_q8_max_pool(const OpContext& c) {
  Pool2DShape s;
  bool include_pad;
  size_t ch;
  if (!read_q8_pool(c, true, &s, &include_pad, &ch)) return nullptr;
  const Q8PoolKernels& k = *qsmall_config(c.cfg.isa).pool;
  if (c.input(0)->dtype == DType::u8) return std::make_unique<Q8MaxPoolOp<uint8_t>>(k.u8, k.even, s, ch, c.op.inputs[0], c.op.outputs[0]);
  return std::make_unique<Q8MaxPoolOp<int8_t>>(k.s8, k.even, s, ch, c.op.inputs[0], c.op.outputs[0]);
}

bool expect_channels_first(const OpContext& c) {
  int64_t v;
  if (!c.int_attr("channels_last", 0, &v)) return false;
  if (v != 0) return c.fail("expected attribute channels_last 0 (NCHW: only uint8 and int8 pools run NHWC) but received " + std::to_string(v));
  return true;
}

void register_qsmall_ops(OpRegistry& r) {
  r.add("QLinearAdd", make_qlinear_add);
  r.add("QLinearMul", make_qlinear_mul);
  r.add("QLinearAveragePool", make_qlinear_average_pool);
  r.add("QLinearGlobalAveragePool", make_qlinear_global_average_pool);
  r.add("QLinearSigmoid", make_qlinear_sigmoid);
  r.add("QLinearLeakyRelu", make_qlinear_leaky_relu);
  r.add("QLinearLookup", make_qlinear_lookup);
  r.add("QLinearConcat", make_qlinear_concat);
}

}  // namespace i8k
