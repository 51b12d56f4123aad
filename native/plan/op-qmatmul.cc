// Plan ops of the integer GEMM family (see op-factory.h), all on qgemm (ops/qmatmul.h):
//   QLinearMatMul          u8/s8 A x u8/s8 B -> u8/s8 Y, requantized (per-tensor A, per-tensor or
//                          per-column B scale and zero point), N-D with MatMul broadcasting; int8kit's
//                          extensions for the QDQ lowering of Gemm / MatMul + bias + ReLU: an int32
//                          bias [N] at a_scale * b_scale (input 8) and an output clamp y_min / y_max
//   MatMulInteger          u8/s8 A x u8/s8 B -> s32 Y, optional zero points (B's per column)
//   MatMulIntegerToFloat   the same -> f32 Y, dequantized (+ bias) in the output stage
//                          (onnxruntime's com.microsoft op for dynamically quantized MatMul)
//   ConvInteger            u8/s8 X x u8/s8 W -> s32 Y, NCHW (1-D or 2-D), through im2col
//                          (ops/conv-integer.h)
//   DynamicQuantizeLinear  f32 X -> u8 Y, scale, zero point (ops/dynamic-quantize.h)
// Any input may be a run-time value (ONNX test cases feed scales and weights as inputs): a
// constant B or W is packed once when the plan is created, otherwise on every run.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include "../ops/conv-integer.h"
#include "../ops/dynamic-quantize.h"
#include "../ops/elementwise.h"
#include "../ops/qmatmul.h"
#include "op-factory.h"

namespace i8k {

namespace {

bool is_8bit(DType t) { return t == DType::u8 || t == DType::s8; }

// The two operands of an integer product: uint8 or int8 each.
bool check_operands(const OpContext& c, const ValueInfo& a, const ValueInfo& b, const char* names) {
  if (is_8bit(a.dtype) && is_8bit(b.dtype)) return true;
  return c.fail(std::string("expected uint8 or int8 ") + names + " but received " + dtype_name(a.dtype) + " and " + dtype_name(b.dtype));
}

InputRef ref_of(const OpContext& c, size_t i) {
  return i < c.op.inputs.size() ? input_ref(c.values, c.op.inputs[i]) : InputRef{};
}

// Integer entries of an 8-bit zero point, or floats of a scale, read at run time.
void read_zps(const InputRef& r, DType t, size_t count, void* const* b, std::vector<int32_t>* out) {
  out->resize(count);
  if (r.absent()) return std::fill(out->begin(), out->end(), 0);
  const void* p = r.get(b);
  for (size_t i = 0; i < count; i++)
    (*out)[i] = t == DType::s8 ? int32_t(static_cast<const int8_t*>(p)[i]) : int32_t(static_cast<const uint8_t*>(p)[i]);
}

bool check_count(const OpContext& c, size_t n_in_lo, size_t n_in_hi, size_t n_out, const char* names) {
  const size_t ni = c.op.inputs.size(), no = c.op.outputs.size();
  if (ni < n_in_lo || ni > n_in_hi || no != n_out)
    return c.fail("expected " + std::to_string(n_in_lo) + (n_in_lo == n_in_hi ? "" : " to " + std::to_string(n_in_hi)) +
                  " inputs (" + names + ") and " + std::to_string(n_out) + " output(s) but received " +
                  std::to_string(ni) + " inputs and " + std::to_string(no) + " outputs");
  for (size_t i = 0; i < n_in_lo; i++)
    if (!c.input(i)) return c.fail(std::string("expected input ") + std::to_string(i) + " (" + names + ") but it is absent");
  return true;
}

// ---- MatMul shapes ------------------------------------------------------------------------------

// ONNX MatMul shapes: 1-D operands promoted (A [K] -> [1, K], B [K] -> [K, 1]), batch dims
// broadcast. For each output matrix t, a_of[t] and b_of[t] index the A and B matrices.
struct MatMulShape {
  size_t m = 0, k = 0, n = 0, a_matrices = 1, b_matrices = 1;
  std::vector<int64_t> b_batch;  // B's batch dims
  std::vector<size_t> a_of, b_of;
};

bool matmul_shape(const OpContext& c, const ValueInfo& a, const ValueInfo& b, const ValueInfo& y, MatMulShape* s) {
  if (a.dims.empty() || b.dims.empty())
    return c.fail("expected A and B of rank >= 1 but received " + dims_text(a.dims) + " and " + dims_text(b.dims));
  std::vector<int64_t> ad = a.dims, bd = b.dims;
  if (ad.size() == 1) ad.insert(ad.begin(), 1);
  if (bd.size() == 1) bd.push_back(1);
  s->m = size_t(ad[ad.size() - 2]), s->k = size_t(ad.back()), s->n = size_t(bd.back());
  if (bd[bd.size() - 2] != ad.back())
    return c.fail("expected B with " + std::to_string(ad.back()) + " rows (A's last dim) but received B of shape " + dims_text(b.dims));
  if (s->k > 32768) return c.fail("expected K <= 32768 (int32 accumulators) but received " + std::to_string(s->k));
  const std::vector<int64_t> ab(ad.begin(), ad.end() - 2), bb(bd.begin(), bd.end() - 2);
  s->b_batch = bb;
  const size_t r = std::max(ab.size(), bb.size());
  std::vector<int64_t> out(r);
  for (size_t i = 0; i < r; i++) {
    const int64_t x = i + ab.size() >= r ? ab[i + ab.size() - r] : 1, z = i + bb.size() >= r ? bb[i + bb.size() - r] : 1;
    if (x != z && x != 1 && z != 1)
      return c.fail("expected broadcastable batch dims but received A " + dims_text(a.dims) + " and B " + dims_text(b.dims));
    out[i] = x == 1 ? z : x;
  }
  std::vector<int64_t> want = out;
  if (a.dims.size() > 1) want.push_back(int64_t(s->m));
  if (b.dims.size() > 1) want.push_back(int64_t(s->n));
  if (y.dims != want) return c.fail("expected Y of shape " + dims_text(want) + " but received " + dims_text(y.dims));
  s->a_matrices = element_count(ab), s->b_matrices = element_count(bb);
  const size_t batches = element_count(out);
  s->a_of.assign(batches, 0), s->b_of.assign(batches, 0);
  for (size_t t = 0; t < batches; t++) {
    size_t rem = t, ai = 0, bi = 0, astr = 1, bstr = 1;
    for (size_t i = r; i-- > 0;) {
      const size_t coord = rem % size_t(out[i]);
      rem /= size_t(out[i]);
      if (i + ab.size() >= r) {
        const size_t d = size_t(ab[i + ab.size() - r]);
        ai += (d == 1 ? 0 : coord) * astr, astr *= d;
      }
      if (i + bb.size() >= r) {
        const size_t d = size_t(bb[i + bb.size() - r]);
        bi += (d == 1 ? 0 : coord) * bstr, bstr *= d;
      }
    }
    s->a_of[t] = ai, s->b_of[t] = bi;
  }
  return true;
}

// Where a B-side parameter (zero point or scale) applies: per tensor (1 entry), per column of
// every B matrix (N entries, last dim N) or per column of each B matrix (B's batch dims + [1, N]).
struct BParam {
  size_t per_matrix = 0;  // 0 absent, 1 or N entries per matrix
  bool batched = false;   // a block of per_matrix entries per B matrix
  size_t offset(size_t matrix) const { return batched ? matrix * per_matrix : 0; }
};

bool b_param(const OpContext& c, const ValueInfo* v, const char* role, DType dtype, const MatMulShape& s, BParam* p) {
  if (!v) return true;
  if (v->dtype != dtype)
    return c.fail(std::string("expected ") + role + " of dtype " + dtype_name(dtype) + " but received " + dtype_name(v->dtype));
  const size_t e = element_count(v->dims);
  std::vector<int64_t> per_batch = s.b_batch;
  per_batch.push_back(1), per_batch.push_back(int64_t(s.n));
  if (e == 1) {
    p->per_matrix = 1;
  } else if (e == s.n && v->dims.back() == int64_t(s.n)) {
    p->per_matrix = s.n;
  } else if (s.b_matrices > 1 && v->dims == per_batch) {
    p->per_matrix = s.n, p->batched = true;
  } else {
    return c.fail(std::string("expected ") + role + " with 1 entry (per tensor) or " + std::to_string(s.n) +
                  " (per column of B, shape [N] or " + dims_text(per_batch) + ") but received shape " + dims_text(v->dims));
  }
  return true;
}

// A-side parameters are per tensor only.
bool a_param(const OpContext& c, const ValueInfo* v, const char* role, DType dtype) {
  if (!v) return true;
  if (v->dtype != dtype)
    return c.fail(std::string("expected ") + role + " of dtype " + dtype_name(dtype) + " but received " + dtype_name(v->dtype));
  if (element_count(v->dims) != 1)
    return c.fail(std::string("expected a per-tensor ") + role + " (1 entry; per-row quantization of A is not supported) but received shape " +
                  dims_text(v->dims));
  return true;
}

// ---- QLinearMatMul and MatMulInteger ----------------------------------------------------------

class QMatMulOp : public Op {
 public:
  struct Args {
    MatMulShape s;
    DType a_t, b_t, y_t;
    InputRef a, b, a_zp, b_zp, a_scale, b_scale, y_scale, y_zp, bias, acc_bias;
    int32_t y_min = 0, y_max = 255;  // QLinearMatMul's output clamp, in Y's type
    BParam b_zp_at, b_scale_at;
    int32_t y;
  };
  QMatMulOp(const U8S8GemmConfig& cfg, Args args) : cfg_(cfg), x_(std::move(args)) {
    if (x_.b.constant) packed_ = pack_all(x_.b.data.data());
  }

  void run(void* const* buf, const RunContext& ctx) const override {
    const MatMulShape& s = x_.s;
    std::vector<QPackedB> run_packed;
    if (!x_.b.constant) run_packed = pack_all(x_.b.get(buf));
    const std::vector<QPackedB>& packed = x_.b.constant ? packed_ : run_packed;
    std::vector<int32_t> a_zp, b_zp;
    read_zps(x_.a_zp, x_.a_t, 1, buf, &a_zp);
    read_zps(x_.b_zp, x_.b_t, x_.b_zp.absent() ? 0 : (x_.b_zp_at.batched ? s.b_matrices : 1) * x_.b_zp_at.per_matrix, buf, &b_zp);
    const U8S8OutputKind kind = x_.y_t == DType::s32 ? U8S8OutputKind::s32
                                : x_.y_t == DType::f32 ? U8S8OutputKind::f32
                                : x_.y_t == DType::u8  ? U8S8OutputKind::u8
                                                       : U8S8OutputKind::s8;
    const bool requant = kind == U8S8OutputKind::u8 || kind == U8S8OutputKind::s8;
    U8S8Output o{kind, nullptr, nullptr, nullptr, nullptr, nullptr, RequantParams{0, 0, 255}};
    if (!x_.bias.absent()) o.bias = static_cast<const float*>(x_.bias.get(buf));
    std::vector<float> scale;
    const uint8_t* a = static_cast<const uint8_t*>(x_.a.get(buf));
    uint8_t* y = static_cast<uint8_t*>(buf[x_.y]);
    const size_t y_size = requant ? 1 : 4;
    if (requant) {
      std::vector<int32_t> y_zp;
      read_zps(x_.y_zp, x_.y_t, 1, buf, &y_zp);
      // s8 Y: the u8 stage with everything shifted by 128 (u8s8-output.h).
      const int32_t shift = x_.y_t == DType::s8 ? 128 : 0;
      o.rq = RequantParams{y_zp[0] + shift, x_.y_min + shift, x_.y_max + shift};
    }
    for (size_t t = 0; t < s.a_of.size(); t++) {
      const size_t bm = s.b_of[t];
      QGemmZeroPoints zp;
      zp.a_signed = x_.a_t == DType::s8;
      zp.a_zp = a_zp[0];
      if (!x_.b_zp.absent()) zp.b_zp = b_zp.data() + x_.b_zp_at.offset(bm), zp.b_zp_count = x_.b_zp_at.per_matrix;
      if (!x_.acc_bias.absent()) zp.acc_bias = static_cast<const int32_t*>(x_.acc_bias.get(buf));
      if (kind != U8S8OutputKind::s32) {
        // float32, in this order: the multiplier a_scale * b_scale (/ y_scale) is part of the numerics.
        const float as = *static_cast<const float*>(x_.a_scale.get(buf));
        const float ys = requant ? *static_cast<const float*>(x_.y_scale.get(buf)) : 1.0f;
        const float* bs = static_cast<const float*>(x_.b_scale.get(buf)) + x_.b_scale_at.offset(bm);
        scale.resize(s.n);
        for (size_t j = 0; j < s.n; j++) {
          const float ab = as * bs[x_.b_scale_at.per_matrix == 1 ? 0 : j];
          scale[j] = requant ? ab / ys : ab;
        }
        o.scale = scale.data();
      }
      qgemm(cfg_, packed[bm], s.m, a + s.a_of[t] * s.m * s.k, s.k, zp, o, y + t * s.m * s.n * y_size, s.n, ctx);
    }
  }

 private:
  std::vector<QPackedB> pack_all(const void* b) const {
    std::vector<QPackedB> out(x_.s.b_matrices);
    const size_t kn = x_.s.k * x_.s.n;
    for (size_t i = 0; i < out.size(); i++)
      qpack_b(cfg_, x_.s.k, x_.s.n, static_cast<const uint8_t*>(b) + i * kn, x_.b_t == DType::s8, x_.s.n, &out[i]);
    return out;
  }
  const U8S8GemmConfig& cfg_;
  Args x_;
  std::vector<QPackedB> packed_;
};

std::unique_ptr<Op> make_qlinear_matmul(const OpContext& c) {
  if (!check_count(c, 8, 9, 1, "a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point[, bias]")) return nullptr;
  const ValueInfo &a = *c.input(0), &b = *c.input(3), &y = c.output(0);
  if (!check_operands(c, a, b, "a and b")) return nullptr;
  const DType yt = c.input(7)->dtype;
  if (!is_8bit(yt) || y.dtype != yt)
    return c.fail(std::string("expected y of y_zero_point's dtype (uint8 or int8) but received y ") + dtype_name(y.dtype) +
                  " and y_zero_point " + dtype_name(yt)), nullptr;
  QMatMulOp::Args x;
  if (!matmul_shape(c, a, b, y, &x.s)) return nullptr;
  if (!a_param(c, c.input(1), "a_scale", DType::f32) || !a_param(c, c.input(2), "a_zero_point", a.dtype) ||
      !a_param(c, c.input(6), "y_scale", DType::f32) || !a_param(c, c.input(7), "y_zero_point", yt) ||
      !b_param(c, c.input(4), "b_scale", DType::f32, x.s, &x.b_scale_at) ||
      !b_param(c, c.input(5), "b_zero_point", b.dtype, x.s, &x.b_zp_at))
    return nullptr;
  x.a_t = a.dtype, x.b_t = b.dtype, x.y_t = yt;
  x.a = ref_of(c, 0), x.a_scale = ref_of(c, 1), x.a_zp = ref_of(c, 2), x.b = ref_of(c, 3);
  x.b_scale = ref_of(c, 4), x.b_zp = ref_of(c, 5), x.y_scale = ref_of(c, 6), x.y_zp = ref_of(c, 7);
  if (const ValueInfo* bias = c.input(8)) {
    if (bias->dtype != DType::s32 || bias->dims != std::vector<int64_t>{int64_t(x.s.n)} || x.s.b_matrices != 1)
      return c.fail("expected bias of dtype int32 and shape [" + std::to_string(x.s.n) + "] with a 2-D B but received " +
                    dtype_name(bias->dtype) + " " + dims_text(bias->dims) + " and B " + dims_text(b.dims)), nullptr;
    x.acc_bias = ref_of(c, 8);
  }
  const int64_t lo = yt == DType::u8 ? 0 : -128, hi = yt == DType::u8 ? 255 : 127;
  int64_t y_min, y_max;
  if (!c.int_attr("y_min", lo, &y_min) || !c.int_attr("y_max", hi, &y_max)) return nullptr;
  if (y_min < lo || y_max > hi || y_min > y_max)
    return c.fail("expected " + std::to_string(lo) + " <= y_min <= y_max <= " + std::to_string(hi) + " but received y_min " +
                  std::to_string(y_min) + ", y_max " + std::to_string(y_max)), nullptr;
  x.y_min = int32_t(y_min), x.y_max = int32_t(y_max);
  x.y = c.op.outputs[0];
  return std::make_unique<QMatMulOp>(c.cfg.u8s8_gemm, std::move(x));
}

std::unique_ptr<Op> make_matmul_integer(const OpContext& c) {
  if (!check_count(c, 2, 4, 1, "A, B, a_zero_point, b_zero_point")) return nullptr;
  const ValueInfo &a = *c.input(0), &b = *c.input(1), &y = c.output(0);
  if (!check_operands(c, a, b, "A and B")) return nullptr;
  if (y.dtype != DType::s32) return c.fail(std::string("expected Y of dtype int32 but received ") + dtype_name(y.dtype)), nullptr;
  QMatMulOp::Args x;
  if (!matmul_shape(c, a, b, y, &x.s)) return nullptr;
  if (!a_param(c, c.input(2), "a_zero_point", a.dtype) || !b_param(c, c.input(3), "b_zero_point", b.dtype, x.s, &x.b_zp_at))
    return nullptr;
  x.a_t = a.dtype, x.b_t = b.dtype, x.y_t = DType::s32;
  x.a = ref_of(c, 0), x.b = ref_of(c, 1), x.a_zp = ref_of(c, 2), x.b_zp = ref_of(c, 3);
  x.y = c.op.outputs[0];
  return std::make_unique<QMatMulOp>(c.cfg.u8s8_gemm, std::move(x));
}

// ---- ConvInteger ------------------------------------------------------------------------------

class ConvIntegerOp : public Op {
 public:
  ConvIntegerOp(const U8S8GemmConfig& cfg, const ConvIntegerShape& shape, DType x_t, DType w_t, InputRef x,
                InputRef w, InputRef x_zp, InputRef w_zp, size_t w_zp_count, int32_t y)
      : conv_(cfg, shape, x_t == DType::s8, w_t == DType::s8), x_t_(x_t), w_t_(w_t), x_(std::move(x)),
        w_(std::move(w)), x_zp_(std::move(x_zp)), w_zp_(std::move(w_zp)), w_zp_count_(w_zp_count), y_(y) {
    if (w_.constant) packed_ = conv_.pack(w_.data.data());
  }
  void run(void* const* buf, const RunContext& ctx) const override {
    std::vector<QPackedB> run_packed;
    if (!w_.constant) run_packed = conv_.pack(w_.get(buf));
    std::vector<int32_t> x_zp, w_zp;
    read_zps(x_zp_, x_t_, 1, buf, &x_zp);
    read_zps(w_zp_, w_t_, w_zp_.absent() ? 0 : w_zp_count_, buf, &w_zp);
    conv_.run(w_.constant ? packed_ : run_packed, x_.get(buf), x_zp[0], w_zp_.absent() ? nullptr : w_zp.data(),
              w_zp_count_, static_cast<int32_t*>(buf[y_]), ctx);
  }

 private:
  ConvInteger conv_;
  DType x_t_, w_t_;
  InputRef x_, w_, x_zp_, w_zp_;
  size_t w_zp_count_;
  int32_t y_;
  std::vector<QPackedB> packed_;
};

std::unique_ptr<Op> make_conv_integer(const OpContext& c) {
  if (!check_count(c, 2, 4, 1, "x, w, x_zero_point, w_zero_point")) return nullptr;
  const ValueInfo &x = *c.input(0), &w = *c.input(1), &y = c.output(0);
  if (!check_operands(c, x, w, "x and w")) return nullptr;
  const size_t r = x.dims.size();
  if ((r != 3 && r != 4) || w.dims.size() != r)
    return c.fail("expected x and w of rank 3 or 4 (1-D or 2-D NCHW convolution) but received " + dims_text(x.dims) + " and " + dims_text(w.dims)), nullptr;
  int64_t group;
  std::vector<int64_t> ks, strides(r - 2, 1), dil(r - 2, 1), pads(2 * (r - 2), 0);
  std::string auto_pad;
  if (!c.int_attr("group", 1, &group) || !c.ints_attr("kernel_shape", &ks) || !c.ints_attr("strides", &strides) ||
      !c.ints_attr("dilations", &dil) || !c.ints_attr("pads", &pads) || !c.string_attr("auto_pad", "NOTSET", &auto_pad))
    return nullptr;
  // 1-D convolution as 2-D with a height of 1.
  std::vector<int64_t> xd = x.dims, wd = w.dims;
  if (r == 3) {
    xd.insert(xd.begin() + 2, 1), wd.insert(wd.begin() + 2, 1);
    strides.insert(strides.begin(), 1), dil.insert(dil.begin(), 1);
    if (pads.size() == 2) pads = {0, pads[0], 0, pads[1]};
  }
  const std::vector<int64_t> kernel(wd.begin() + 2, wd.end());
  if (c.op.attrs.count("kernel_shape") && ks != std::vector<int64_t>(w.dims.begin() + 2, w.dims.end()))
    return c.fail("expected attribute kernel_shape " + dims_text(std::vector<int64_t>(w.dims.begin() + 2, w.dims.end())) +
                  " (w's spatial shape) but received " + dims_text(ks)), nullptr;
  if (strides.size() != 2 || dil.size() != 2 || pads.size() != 4)
    return c.fail("expected strides, dilations (" + std::to_string(r - 2) + " values) and pads (" + std::to_string(2 * (r - 2)) +
                  ") but received " + dims_text(strides) + ", " + dims_text(dil) + " and " + dims_text(pads)), nullptr;
  for (int i = 0; i < 2; i++)
    if (strides[i] < 1 || dil[i] < 1 || kernel[i] < 1 || pads[i] < 0 || pads[i + 2] < 0 || pads[i] > (1 << 30) || pads[i + 2] > (1 << 30))
      return c.fail("expected strides, dilations and kernel sizes >= 1 and pads >= 0 but received strides " + dims_text(strides) +
                    ", dilations " + dims_text(dil) + ", pads " + dims_text(pads)), nullptr;
  if (group < 1 || xd[1] % group != 0 || wd[0] % group != 0 || wd[1] * group != xd[1])
    return c.fail("expected group >= 1 dividing the " + std::to_string(xd[1]) + " input and " + std::to_string(wd[0]) +
                  " output channels with w's dim 1 = channels / group but received group " + std::to_string(group) +
                  " and w " + dims_text(w.dims)), nullptr;
  std::vector<int64_t> out(2), pb(2);
  for (int i = 0; i < 2; i++) {
    const int64_t in = xd[2 + i], dk = (kernel[i] - 1) * dil[i] + 1, s = strides[i];
    int64_t b = pads[i], e = pads[i + 2];
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      out[i] = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (out[i] - 1) * s + dk - in);
      b = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      e = total - b;
    } else if (auto_pad == "VALID" || auto_pad == "NOTSET") {
      if (auto_pad == "VALID") b = e = 0;
      if (in + b + e < dk)
        return c.fail("expected the padded input (" + std::to_string(in + b + e) + ") to hold the dilated kernel (" +
                      std::to_string(dk) + ")"), nullptr;
      out[i] = (in + b + e - dk) / s + 1;
    } else {
      return c.fail("expected attribute auto_pad NOTSET, SAME_UPPER, SAME_LOWER or VALID but received " + auto_pad), nullptr;
    }
    pb[i] = b;
  }
  std::vector<int64_t> want = {xd[0], wd[0]};
  if (r == 4) want.push_back(out[0]);
  want.push_back(out[1]);
  if (y.dtype != DType::s32 || y.dims != want)
    return c.fail("expected y of dtype int32 and shape " + dims_text(want) + " but received " + dtype_name(y.dtype) + " " + dims_text(y.dims)), nullptr;
  if (!a_param(c, c.input(2), "x_zero_point", x.dtype)) return nullptr;
  size_t w_zp_count = 0;
  if (const ValueInfo* z = c.input(3)) {
    w_zp_count = element_count(z->dims);
    if (z->dtype != w.dtype || (w_zp_count != 1 && (z->dims.size() != 1 || z->dims[0] != wd[0])))
      return c.fail(std::string("expected w_zero_point of w's dtype ") + dtype_name(w.dtype) + " with 1 or " +
                    std::to_string(wd[0]) + " (per output channel) entries but received " + dtype_name(z->dtype) + " " +
                    dims_text(z->dims)), nullptr;
  }
  const int64_t kc = wd[1] * kernel[0] * kernel[1];
  if (kc > 32768) return c.fail("expected channels x kernel size <= 32768 (int32 accumulators) but received " + std::to_string(kc)), nullptr;
  const ConvIntegerShape shape{size_t(xd[0]), size_t(xd[1]), size_t(xd[2]), size_t(xd[3]), size_t(wd[0]),
                               size_t(group), size_t(kernel[0]), size_t(kernel[1]), size_t(out[0]), size_t(out[1]),
                               size_t(strides[0]), size_t(strides[1]), size_t(dil[0]), size_t(dil[1]), size_t(pb[0]),
                               size_t(pb[1])};
  return std::make_unique<ConvIntegerOp>(c.cfg.u8s8_gemm, shape, x.dtype, w.dtype, ref_of(c, 0), ref_of(c, 1),
                                         ref_of(c, 2), ref_of(c, 3), w_zp_count, c.op.outputs[0]);
}

// ---- DynamicQuantizeLinear --------------------------------------------------------------------

class DynQuantOp : public Op {
 public:
  DynQuantOp(const DynQuantConfig& k, size_t n, InputRef x, int32_t y, int32_t scale, int32_t zp)
      : k_(k), n_(n), x_(std::move(x)), y_(y), scale_(scale), zp_(zp) {}
  void run(void* const* buf, const RunContext& ctx) const override {
    dynamic_quantize_u8(k_, n_, static_cast<const float*>(x_.get(buf)), static_cast<uint8_t*>(buf[y_]),
                        static_cast<float*>(buf[scale_]), static_cast<uint8_t*>(buf[zp_]), ctx);
  }

 private:
  const DynQuantConfig& k_;
  size_t n_;
  InputRef x_;
  int32_t y_, scale_, zp_;
};

std::unique_ptr<Op> make_dynamic_quantize(const OpContext& c) {
  if (!check_count(c, 1, 1, 3, "x")) return nullptr;
  const ValueInfo &x = *c.input(0), &y = c.output(0), &s = c.output(1), &z = c.output(2);
  if (x.dtype != DType::f32) return c.fail(std::string("expected x of dtype float32 but received ") + dtype_name(x.dtype)), nullptr;
  if (y.dtype != DType::u8 || y.dims != x.dims)
    return c.fail("expected y of dtype uint8 and shape " + dims_text(x.dims) + " but received " + dtype_name(y.dtype) + " " + dims_text(y.dims)), nullptr;
  if (s.dtype != DType::f32 || element_count(s.dims) != 1 || z.dtype != DType::u8 || element_count(z.dims) != 1)
    return c.fail(std::string("expected a float32 scalar y_scale and a uint8 scalar y_zero_point but received ") +
                  dtype_name(s.dtype) + " " + dims_text(s.dims) + " and " + dtype_name(z.dtype) + " " + dims_text(z.dims)), nullptr;
  return std::make_unique<DynQuantOp>(dynquant_config(c.cfg.isa), element_count(x.dims), ref_of(c, 0), c.op.outputs[0],
                                      c.op.outputs[1], c.op.outputs[2]);
}

// com.microsoft MatMulIntegerToFloat (onnxruntime's contrib op for dynamically quantized
// MatMul): Y = float((A - a_zp)(B - b_zp)) * (a_scale * b_scale) (+ bias), the f32 output stage.
std::unique_ptr<Op> make_matmul_integer_to_float(const OpContext& c) {
  if (!check_count(c, 4, 7, 1, "A, B, a_scale, b_scale, a_zero_point, b_zero_point, bias")) return nullptr;
  const ValueInfo &a = *c.input(0), &b = *c.input(1), &y = c.output(0);
  if (!check_operands(c, a, b, "A and B")) return nullptr;
  if (y.dtype != DType::f32) return c.fail(std::string("expected Y of dtype float32 but received ") + dtype_name(y.dtype)), nullptr;
  QMatMulOp::Args x;
  if (!matmul_shape(c, a, b, y, &x.s)) return nullptr;
  if (!a_param(c, c.input(2), "a_scale", DType::f32) || !b_param(c, c.input(3), "b_scale", DType::f32, x.s, &x.b_scale_at) ||
      !a_param(c, c.input(4), "a_zero_point", a.dtype) || !b_param(c, c.input(5), "b_zero_point", b.dtype, x.s, &x.b_zp_at))
    return nullptr;
  if (const ValueInfo* bias = c.input(6))
    if (bias->dtype != DType::f32 || bias->dims != std::vector<int64_t>{int64_t(x.s.n)})
      return c.fail("expected bias of dtype float32 and shape [" + std::to_string(x.s.n) + "] but received " +
                    dtype_name(bias->dtype) + " " + dims_text(bias->dims)), nullptr;
  x.a_t = a.dtype, x.b_t = b.dtype, x.y_t = DType::f32;
  x.a = ref_of(c, 0), x.b = ref_of(c, 1), x.a_scale = ref_of(c, 2), x.b_scale = ref_of(c, 3);
  x.a_zp = ref_of(c, 4), x.b_zp = ref_of(c, 5), x.bias = ref_of(c, 6);
  x.y = c.op.outputs[0];
  return std::make_unique<QMatMulOp>(c.cfg.u8s8_gemm, std::move(x));
}

}  // namespace

void register_qmatmul_ops(OpRegistry& r) {
  r.add("MatMulIntegerToFloat", make_matmul_integer_to_float);
  r.add("QLinearMatMul", make_qlinear_matmul);
  r.add("MatMulInteger", make_matmul_integer);
  r.add("ConvInteger", make_conv_integer);
  r.add("DynamicQuantizeLinear", make_dynamic_quantize);
}

}  // namespace i8k
