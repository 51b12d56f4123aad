// Plan ops of the elementwise family (see op-factory.h): unary and activation ops, Cast, binary
// ops with numpy broadcasting, comparisons and logic, Where, Softmax/LogSoftmax,
// LayerNormalization, BatchNormalization (inference) and ReduceSum/Mean/Max/Min.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include "../config/elementwise-config.h"
#include "../ops/elementwise.h"
#include "../ops/normalization.h"
#include "../ops/reduce.h"
#include "op-factory.h"

namespace i8k {

namespace {

using Dims = std::vector<int64_t>;

size_t numel(const Dims& d) {
  size_t n = 1;
  for (int64_t x : d) n *= size_t(x);
  return n;
}

bool counts(const OpContext& c, size_t min_in, size_t max_in, size_t outs) {
  const size_t n = c.op.inputs.size(), m = c.op.outputs.size();
  if (n >= min_in && n <= max_in && m == outs) return true;
  std::string want = min_in == max_in ? std::to_string(min_in) : std::to_string(min_in) + " to " + std::to_string(max_in);
  return c.fail("expected " + want + " inputs and " + std::to_string(outs) + " output" + (outs == 1 ? "" : "s") +
                " but received " + std::to_string(n) + " inputs and " + std::to_string(m) + " outputs");
}

bool present(const OpContext& c, size_t i, const char* role) {
  if (c.input(i)) return true;
  return c.fail(std::string("expected input ") + role + " but it is absent");
}

bool dtype_in(const OpContext& c, const ValueInfo& v, const char* role, std::initializer_list<DType> ok) {
  for (DType t : ok)
    if (v.dtype == t) return true;
  std::string names;
  for (DType t : ok) names += std::string(names.empty() ? "" : " or ") + dtype_name(t);
  return c.fail(std::string("expected ") + role + " of dtype " + names + " but received " + dtype_name(v.dtype));
}

bool same_dtype(const OpContext& c, const ValueInfo& v, const char* role, DType t) {
  if (v.dtype == t) return true;
  return c.fail(std::string("expected ") + role + " of dtype " + dtype_name(t) + " but received " + dtype_name(v.dtype));
}

bool dims_are(const OpContext& c, const ValueInfo& v, const char* role, const Dims& d) {
  if (v.dims == d) return true;
  return c.fail(std::string("expected ") + role + " of shape " + shape_str(d) + " but received " + shape_str(v.dims));
}

// A constant float32 scalar (rank 0 or one element) input such as Clip's min.
bool const_scalar(const OpContext& c, size_t i, const char* role, float* out) {
  const ValueInfo* v = c.input(i);
  if (!v) return true;
  if (!same_dtype(c, *v, role, DType::f32)) return false;
  if (!v->constant) return c.fail(std::string("expected ") + role + " to be a constant (it is read at plan creation)");
  if (numel(v->dims) != 1)
    return c.fail(std::string("expected ") + role + " with 1 element but received shape " + shape_str(v->dims));
  std::memcpy(out, v->data.data(), 4);
  return true;
}

bool normalize_axis(const OpContext& c, int64_t axis, size_t rank, const char* role, size_t* out) {
  const int64_t r = int64_t(rank);
  if (axis < -r || axis >= r)
    return c.fail(std::string("expected ") + role + " in [" + std::to_string(-r) + ", " + std::to_string(r - 1) +
                  "] but received " + std::to_string(axis));
  *out = size_t(axis < 0 ? axis + r : axis);
  return true;
}

ElementwiseConfig cfg(const OpContext& c) { return elementwise_config(c.cfg.isa); }

// ---- unary -------------------------------------------------------------------------------------

// Reads the attributes of `kind` into p; false with the message set when one is invalid.
bool unary_params(const OpContext& c, UnaryKind kind, UnaryParams* p) {
  switch (kind) {
    case UnaryKind::leaky_relu:
      return c.float_attr("alpha", 0.01f, &p->a);
    case UnaryKind::hard_sigmoid:
      return c.float_attr("alpha", 0.2f, &p->a) && c.float_attr("beta", 0.5f, &p->b);
    case UnaryKind::elu:
      return c.float_attr("alpha", 1.0f, &p->a);
    case UnaryKind::selu:
      return c.float_attr("alpha", 1.67326319217681884765625f, &p->a) &&
             c.float_attr("gamma", 1.05070102214813232421875f, &p->b);
    default:
      return true;
  }
}

std::unique_ptr<Op> unary_op(const OpContext& c, UnaryKind kind, UnaryParams p) {
  const ValueInfo &x = *c.input(0), &y = c.output(0);
  if (!same_dtype(c, x, "X", DType::f32) || !same_dtype(c, y, "Y", DType::f32) || !dims_are(c, y, "Y", x.dims))
    return nullptr;
  return std::make_unique<F32UnaryOp>(cfg(c).unary->fn[int(kind)], p, numel(x.dims), input_ref(c.values, c.op.inputs[0]),
                                      c.op.outputs[0]);
}

template <UnaryKind kind>
std::unique_ptr<Op> make_unary(const OpContext& c) {
  UnaryParams p;
  if (!counts(c, 1, 1, 1) || !present(c, 0, "X") || !unary_params(c, kind, &p)) return nullptr;
  return unary_op(c, kind, p);
}

std::unique_ptr<Op> make_gelu(const OpContext& c) {
  std::string approx;
  if (!counts(c, 1, 1, 1) || !present(c, 0, "X") || !c.string_attr("approximate", "none", &approx)) return nullptr;
  if (approx != "none" && approx != "tanh")
    return c.fail("expected attribute approximate \"none\" or \"tanh\" but received \"" + approx + "\""), nullptr;
  return unary_op(c, approx == "none" ? UnaryKind::gelu : UnaryKind::gelu_tanh, {});
}

// Integer Clip: bounds are constants of X's dtype, absent = the dtype's range.
template <typename T>
std::unique_ptr<Op> clip_int(const OpContext& c) {
  const ValueInfo &x = *c.input(0), &y = c.output(0);
  T b[2] = {std::numeric_limits<T>::lowest(), std::numeric_limits<T>::max()};
  const char* roles[] = {"min", "max"};
  for (size_t i = 1; i < 3; i++) {
    const ValueInfo* v = c.input(i);
    if (!v) continue;
    if (!same_dtype(c, *v, roles[i - 1], x.dtype)) return nullptr;
    if (!v->constant) return c.fail(std::string("expected ") + roles[i - 1] + " to be a constant (it is read at plan creation)"), nullptr;
    if (numel(v->dims) != 1)
      return c.fail(std::string("expected ") + roles[i - 1] + " with 1 element but received shape " + shape_str(v->dims)), nullptr;
    std::memcpy(&b[i - 1], v->data.data(), sizeof(T));
  }
  if (!same_dtype(c, y, "Y", x.dtype) || !dims_are(c, y, "Y", x.dims)) return nullptr;
  const T lo = b[0], hi = b[1];
  return make_typed_op<T, T>([lo, hi](T v) { return std::min(hi, std::max(lo, v)); }, x.dims, {x.dims},
                             {input_ref(c.values, c.op.inputs[0])}, c.op.outputs[0]);
}

// Clip: min and max as constant inputs (opset 11+) or attributes (opset 6); absent = unbounded.
std::unique_ptr<Op> make_clip(const OpContext& c) {
  UnaryParams p{-INFINITY, INFINITY};
  if (counts(c, 1, 3, 1) && present(c, 0, "X")) {
    switch (c.input(0)->dtype) {
      case DType::s8: return clip_int<int8_t>(c);
      case DType::u8: return clip_int<uint8_t>(c);
      case DType::s32: return clip_int<int32_t>(c);
      case DType::s64: return clip_int<int64_t>(c);
      default: break;
    }
  }
  if (!counts(c, 1, 3, 1) || !present(c, 0, "X") || !c.float_attr("min", -INFINITY, &p.a) ||
      !c.float_attr("max", INFINITY, &p.b) || !const_scalar(c, 1, "min", &p.a) || !const_scalar(c, 2, "max", &p.b))
    return nullptr;
  if (std::isnan(p.a) || std::isnan(p.b)) return c.fail("expected min and max that are not NaN"), nullptr;
  return unary_op(c, UnaryKind::clip, p);
}

std::unique_ptr<Op> copy_op(const OpContext& c) {
  const ValueInfo &x = *c.input(0), &y = c.output(0);
  if (!same_dtype(c, y, "output", x.dtype) || !dims_are(c, y, "output", x.dims)) return nullptr;
  return std::make_unique<CopyOp>(x.bytes, input_ref(c.values, c.op.inputs[0]), c.op.outputs[0]);
}

std::unique_ptr<Op> make_identity(const OpContext& c) {
  if (!counts(c, 1, 1, 1) || !present(c, 0, "input")) return nullptr;
  return copy_op(c);
}

// Dropout at inference is the identity; the mask output and training mode are not supported.
std::unique_ptr<Op> make_dropout(const OpContext& c) {
  float ratio;
  int64_t seed, is_test;
  if (!c.float_attr("ratio", 0.5f, &ratio) || !c.int_attr("seed", 0, &seed) || !c.int_attr("is_test", 1, &is_test))
    return nullptr;
  if (c.op.outputs.size() == 2)
    return c.fail("expected 1 output (inference; the mask output is not supported) but received 2"), nullptr;
  if (!counts(c, 1, 3, 1) || !present(c, 0, "data")) return nullptr;
  if (const ValueInfo* t = c.input(2)) {
    if (!same_dtype(c, *t, "training_mode", DType::boolean)) return nullptr;
    if (!t->constant || numel(t->dims) != 1 || t->data[0] != 0)
      return c.fail("expected training_mode to be a constant false (inference only)"), nullptr;
  }
  if (!is_test) return c.fail("expected attribute is_test 1 (inference only) but received 0"), nullptr;
  return copy_op(c);
}

std::unique_ptr<Op> make_not(const OpContext& c) {
  if (!counts(c, 1, 1, 1) || !present(c, 0, "X")) return nullptr;
  const ValueInfo &x = *c.input(0), &y = c.output(0);
  if (!same_dtype(c, x, "X", DType::boolean) || !same_dtype(c, y, "Y", DType::boolean) || !dims_are(c, y, "Y", x.dims))
    return nullptr;
  return make_typed_op<uint8_t, uint8_t>([](uint8_t a) -> uint8_t { return !a; }, x.dims, {x.dims},
                                         {input_ref(c.values, c.op.inputs[0])}, c.op.outputs[0]);
}

// ---- Cast --------------------------------------------------------------------------------------

// float -> integer truncates toward zero (ONNX, like C); out-of-range values and NaN, which ONNX
// leaves undefined, saturate (NaN -> 0) so the result never depends on the compiler.
template <typename To>
To from_float(float v) {
  if constexpr (std::is_same_v<To, float>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != 0;
  } else {
    if (std::isnan(v)) return 0;
    const double t = std::trunc(double(v));
    if (t <= double(std::numeric_limits<To>::min())) return std::numeric_limits<To>::min();
    if (t >= double(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return To(t);
  }
}

// Integer -> narrower integer wraps (two's complement), integer -> bool is != 0.
template <typename To, typename From>
To convert(From v) {
  if constexpr (std::is_same_v<From, float>) return from_float<To>(v);
  else if constexpr (std::is_same_v<To, bool>) return v != 0;
  else if constexpr (std::is_same_v<To, float>) return float(v);
  else return To(std::make_unsigned_t<To>(v));
}

template <typename From>
std::unique_ptr<Op> cast_from(const OpContext& c, DType to) {
  const ValueInfo& x = *c.input(0);
  auto in = std::vector<InputRef>{input_ref(c.values, c.op.inputs[0])};
  const int32_t y = c.op.outputs[0];
  switch (to) {
    case DType::f32: return make_typed_op<float, From>(convert<float, From>, x.dims, {x.dims}, std::move(in), y);
    case DType::u8: return make_typed_op<uint8_t, From>(convert<uint8_t, From>, x.dims, {x.dims}, std::move(in), y);
    case DType::s8: return make_typed_op<int8_t, From>(convert<int8_t, From>, x.dims, {x.dims}, std::move(in), y);
    case DType::s32: return make_typed_op<int32_t, From>(convert<int32_t, From>, x.dims, {x.dims}, std::move(in), y);
    case DType::s64: return make_typed_op<int64_t, From>(convert<int64_t, From>, x.dims, {x.dims}, std::move(in), y);
    case DType::boolean:
      return make_typed_op<uint8_t, From>([](From v) -> uint8_t { return convert<bool, From>(v); }, x.dims, {x.dims},
                                          std::move(in), y);
  }
  return nullptr;
}

std::unique_ptr<Op> make_cast(const OpContext& c) {
  int64_t to, saturate;
  if (!counts(c, 1, 1, 1) || !present(c, 0, "input") || !c.int_attr("to", -1, &to) ||
      !c.int_attr("saturate", 1, &saturate))
    return nullptr;
  const ValueInfo &x = *c.input(0), &y = c.output(0);
  if (to < 0 || to > 255 || !dtype_valid(uint8_t(to)))
    return c.fail("expected attribute to naming float32, uint8, int8, int32, int64 or bool but received " +
                  std::to_string(to)), nullptr;
  if (!same_dtype(c, y, "output", DType(to)) || !dims_are(c, y, "output", x.dims)) return nullptr;
  switch (x.dtype) {
    case DType::f32: return cast_from<float>(c, DType(to));
    case DType::u8: return cast_from<uint8_t>(c, DType(to));
    case DType::s8: return cast_from<int8_t>(c, DType(to));
    case DType::s32: return cast_from<int32_t>(c, DType(to));
    case DType::s64: return cast_from<int64_t>(c, DType(to));
    case DType::boolean: return cast_from<uint8_t>(c, DType(to));
  }
  return nullptr;
}

// ---- binary ------------------------------------------------------------------------------------

// Checks inputs [0, n) broadcast to the declared output; fills their shapes and refs.
bool broadcast_inputs(const OpContext& c, size_t first, size_t n, std::vector<Dims>* shapes,
                      std::vector<InputRef>* refs) {
  for (size_t i = first; i < first + n; i++) {
    if (!present(c, i, ("input " + std::to_string(i)).c_str())) return false;
    shapes->push_back(c.input(i)->dims);
    refs->push_back(input_ref(c.values, c.op.inputs[i]));
  }
  Dims out;
  std::string got;
  for (const auto& s : *shapes) got += (got.empty() ? "" : " and ") + shape_str(s);
  if (!broadcast_shape(*shapes, &out))
    return c.fail("expected input shapes that broadcast (numpy rules) but received " + got);
  return dims_are(c, c.output(0), "output", out);
}

template <typename T>
std::unique_ptr<Op> int_arith(const OpContext& c, BinaryKind kind, const Dims& out, const std::vector<Dims>& shapes,
                              std::vector<InputRef> refs) {
  const int32_t y = c.op.outputs[0];
  switch (kind) {
    case BinaryKind::add: return make_typed_op<T, T, T>([](T a, T b) { return T(a + b); }, out, shapes, std::move(refs), y);
    case BinaryKind::sub: return make_typed_op<T, T, T>([](T a, T b) { return T(a - b); }, out, shapes, std::move(refs), y);
    case BinaryKind::mul: return make_typed_op<T, T, T>([](T a, T b) { return T(a * b); }, out, shapes, std::move(refs), y);
    // Truncating division as in C; x / 0 (undefined in ONNX) gives 0 instead of a crash. 8-bit
    // results wrap, as in ONNX's reference (numpy).
    case BinaryKind::div:
      return make_typed_op<T, T, T>([](T a, T b) { return b == 0 || (b == -1 && a == std::numeric_limits<T>::min()) ? T(b ? a : 0) : T(a / b); },
                                    out, shapes, std::move(refs), y);
    case BinaryKind::max: return make_typed_op<T, T, T>([](T a, T b) { return a > b ? a : b; }, out, shapes, std::move(refs), y);
    case BinaryKind::min: return make_typed_op<T, T, T>([](T a, T b) { return a < b ? a : b; }, out, shapes, std::move(refs), y);
    default: return nullptr;
  }
}

// Pow with an integer base or exponent: computed in double, converted to the base's dtype (as
// ONNX's reference does with numpy).
template <typename T, typename E>
std::unique_ptr<Op> pow_mixed(const OpContext& c, std::vector<Dims> shapes, std::vector<InputRef> refs) {
  return make_typed_op<T, T, E>([](T a, E b) { return T(std::pow(double(a), double(b))); }, c.output(0).dims, shapes,
                                std::move(refs), c.op.outputs[0]);
}

template <typename T>
std::unique_ptr<Op> pow_of(const OpContext& c, DType e, std::vector<Dims> shapes, std::vector<InputRef> refs) {
  switch (e) {
    case DType::f32: return pow_mixed<T, float>(c, std::move(shapes), std::move(refs));
    case DType::s32: return pow_mixed<T, int32_t>(c, std::move(shapes), std::move(refs));
    default: return pow_mixed<T, int64_t>(c, std::move(shapes), std::move(refs));
  }
}

std::unique_ptr<Op> make_pow_mixed(const OpContext& c, std::vector<Dims> shapes, std::vector<InputRef> refs) {
  const ValueInfo &a = *c.input(0), &e = *c.input(1);
  if (!dtype_in(c, a, "X", {DType::f32, DType::s32, DType::s64}) || !dtype_in(c, e, "Y", {DType::f32, DType::s32, DType::s64}) ||
      !same_dtype(c, c.output(0), "Z", a.dtype))
    return nullptr;
  switch (a.dtype) {
    case DType::f32: return pow_of<float>(c, e.dtype, std::move(shapes), std::move(refs));
    case DType::s32: return pow_of<int32_t>(c, e.dtype, std::move(shapes), std::move(refs));
    default: return pow_of<int64_t>(c, e.dtype, std::move(shapes), std::move(refs));
  }
}

template <BinaryKind kind>
std::unique_ptr<Op> make_binary(const OpContext& c) {
  const bool variadic = kind == BinaryKind::max || kind == BinaryKind::min;
  if (!counts(c, variadic ? 1 : 2, variadic ? 64 : 2, 1)) return nullptr;
  if (variadic && c.op.inputs.size() == 1) return present(c, 0, "input 0") ? copy_op(c) : nullptr;
  std::vector<Dims> shapes;
  std::vector<InputRef> refs;
  if (!broadcast_inputs(c, 0, c.op.inputs.size(), &shapes, &refs)) return nullptr;
  const ValueInfo &a = *c.input(0), &y = c.output(0);
  if (kind == BinaryKind::pow && (a.dtype != DType::f32 || c.input(1)->dtype != DType::f32))
    return make_pow_mixed(c, std::move(shapes), std::move(refs));
  const bool ints = kind != BinaryKind::pow;
  if (ints ? !dtype_in(c, a, "A", {DType::f32, DType::s32, DType::s64, DType::u8, DType::s8}) : !dtype_in(c, a, "A", {DType::f32}))
    return nullptr;
  for (size_t i = 1; i < c.op.inputs.size(); i++)
    if (!same_dtype(c, *c.input(i), ("input " + std::to_string(i)).c_str(), a.dtype)) return nullptr;
  if (!same_dtype(c, y, "output", a.dtype)) return nullptr;
  const ValueInfo* e = c.input(1);
  if (kind == BinaryKind::pow && e->constant && numel(e->dims) == 1 && y.dims == a.dims) {
    // x^2 (variance in LayerNorm decompositions) is one multiply, not a pow call per element.
    float v;
    std::memcpy(&v, e->data.data(), 4);
    if (v == 2.0f)
      return std::make_unique<F32UnaryOp>(cfg(c).unary->fn[int(UnaryKind::square)], UnaryParams{}, numel(a.dims),
                                          std::move(refs[0]), c.op.outputs[0]);
  }
  if (a.dtype == DType::f32)
    return std::make_unique<F32BinaryOp>(*cfg(c).binary, kind, y.dims, shapes, std::move(refs), c.op.outputs[0]);
  if (c.op.inputs.size() != 2)
    return c.fail("expected 2 inputs for integer " + c.op.type + " but received " + std::to_string(c.op.inputs.size())),
           nullptr;
  switch (a.dtype) {
    case DType::s32: return int_arith<int32_t>(c, kind, y.dims, shapes, std::move(refs));
    case DType::u8: return int_arith<uint8_t>(c, kind, y.dims, shapes, std::move(refs));
    case DType::s8: return int_arith<int8_t>(c, kind, y.dims, shapes, std::move(refs));
    default: return int_arith<int64_t>(c, kind, y.dims, shapes, std::move(refs));
  }
}

// PRelu: slope broadcasts to X (unidirectional), Y has X's shape.
std::unique_ptr<Op> make_prelu(const OpContext& c) {
  if (!counts(c, 2, 2, 1)) return nullptr;
  std::vector<Dims> shapes;
  std::vector<InputRef> refs;
  if (!broadcast_inputs(c, 0, 2, &shapes, &refs)) return nullptr;
  const ValueInfo &x = *c.input(0), &s = *c.input(1), &y = c.output(0);
  if (!same_dtype(c, x, "X", DType::f32) || !same_dtype(c, s, "slope", DType::f32) || !same_dtype(c, y, "Y", DType::f32) ||
      !dims_are(c, y, "Y (the shape of X)", x.dims))
    return nullptr;
  return std::make_unique<F32BinaryOp>(*cfg(c).binary, BinaryKind::prelu, y.dims, shapes, std::move(refs), c.op.outputs[0]);
}

enum class Cmp { eq, lt, gt, le, ge };

template <typename T, Cmp op>
uint8_t compare(T a, T b) {
  switch (op) {
    case Cmp::eq: return a == b;
    case Cmp::lt: return a < b;
    case Cmp::gt: return a > b;
    case Cmp::le: return a <= b;
    case Cmp::ge: return a >= b;
  }
  return 0;
}

template <Cmp op>
std::unique_ptr<Op> make_compare(const OpContext& c) {
  if (!counts(c, 2, 2, 1)) return nullptr;
  std::vector<Dims> shapes;
  std::vector<InputRef> refs;
  if (!broadcast_inputs(c, 0, 2, &shapes, &refs)) return nullptr;
  const ValueInfo &a = *c.input(0), &y = c.output(0);
  const bool eq = op == Cmp::eq;
  if (eq ? !dtype_in(c, a, "A", {DType::f32, DType::s32, DType::s64, DType::boolean})
         : !dtype_in(c, a, "A", {DType::f32, DType::s32, DType::s64}))
    return nullptr;
  if (!same_dtype(c, *c.input(1), "B", a.dtype) || !same_dtype(c, y, "C", DType::boolean)) return nullptr;
  const int32_t out = c.op.outputs[0];
  switch (a.dtype) {
    case DType::f32: return make_typed_op<uint8_t, float, float>(compare<float, op>, y.dims, shapes, std::move(refs), out);
    case DType::s32: return make_typed_op<uint8_t, int32_t, int32_t>(compare<int32_t, op>, y.dims, shapes, std::move(refs), out);
    case DType::s64: return make_typed_op<uint8_t, int64_t, int64_t>(compare<int64_t, op>, y.dims, shapes, std::move(refs), out);
    default: return make_typed_op<uint8_t, uint8_t, uint8_t>(compare<uint8_t, op>, y.dims, shapes, std::move(refs), out);
  }
}

template <int op>  // 0 And, 1 Or, 2 Xor
std::unique_ptr<Op> make_logic(const OpContext& c) {
  if (!counts(c, 2, 2, 1)) return nullptr;
  std::vector<Dims> shapes;
  std::vector<InputRef> refs;
  if (!broadcast_inputs(c, 0, 2, &shapes, &refs)) return nullptr;
  if (!same_dtype(c, *c.input(0), "A", DType::boolean) || !same_dtype(c, *c.input(1), "B", DType::boolean) ||
      !same_dtype(c, c.output(0), "C", DType::boolean))
    return nullptr;
  auto f = [](uint8_t a, uint8_t b) -> uint8_t { return op == 0 ? (a && b) : op == 1 ? (a || b) : (!a != !b); };
  return make_typed_op<uint8_t, uint8_t, uint8_t>(f, c.output(0).dims, shapes, std::move(refs), c.op.outputs[0]);
}

template <typename T>
std::unique_ptr<Op> where_of(const OpContext& c, std::vector<Dims> shapes, std::vector<InputRef> refs) {
  return make_typed_op<T, uint8_t, T, T>([](uint8_t k, T a, T b) { return k ? a : b; }, c.output(0).dims, shapes,
                                         std::move(refs), c.op.outputs[0]);
}

std::unique_ptr<Op> make_where(const OpContext& c) {
  if (!counts(c, 3, 3, 1)) return nullptr;
  std::vector<Dims> shapes;
  std::vector<InputRef> refs;
  if (!broadcast_inputs(c, 0, 3, &shapes, &refs)) return nullptr;
  const ValueInfo &x = *c.input(1), &y = c.output(0);
  if (!same_dtype(c, *c.input(0), "condition", DType::boolean) || !same_dtype(c, *c.input(2), "Y", x.dtype) ||
      !same_dtype(c, y, "output", x.dtype))
    return nullptr;
  // Selection moves bits, so one instance per element size serves every dtype.
  switch (dtype_size(x.dtype)) {
    case 1: return where_of<uint8_t>(c, std::move(shapes), std::move(refs));
    case 4: return where_of<uint32_t>(c, std::move(shapes), std::move(refs));
    default: return where_of<uint64_t>(c, std::move(shapes), std::move(refs));
  }
}

// ---- normalization -----------------------------------------------------------------------------

template <bool log>
std::unique_ptr<Op> make_softmax(const OpContext& c) {
  int64_t axis;
  if (!counts(c, 1, 1, 1) || !present(c, 0, "input") || !c.int_attr("axis", -1, &axis)) return nullptr;
  const ValueInfo &x = *c.input(0), &y = c.output(0);
  if (!same_dtype(c, x, "input", DType::f32) || !same_dtype(c, y, "output", DType::f32) || !dims_are(c, y, "output", x.dims))
    return nullptr;
  if (x.dims.empty()) return c.fail("expected input of rank >= 1 but received rank 0"), nullptr;
  size_t a;
  if (!normalize_axis(c, axis, x.dims.size(), "attribute axis", &a)) return nullptr;
  size_t outer = 1, inner = 1;
  for (size_t d = 0; d < a; d++) outer *= size_t(x.dims[d]);
  for (size_t d = a + 1; d < x.dims.size(); d++) inner *= size_t(x.dims[d]);
  return std::make_unique<SoftmaxOp>(cfg(c), log, outer, size_t(x.dims[a]), inner, input_ref(c.values, c.op.inputs[0]),
                                     c.op.outputs[0]);
}

std::unique_ptr<Op> make_layernorm(const OpContext& c) {
  int64_t axis, stash;
  float eps;
  if (!c.int_attr("axis", -1, &axis) || !c.float_attr("epsilon", 1e-5f, &eps) || !c.int_attr("stash_type", 1, &stash))
    return nullptr;
  if (c.op.outputs.size() > 1)
    return c.fail("expected 1 output (Mean and InvStdDev are not supported) but received " +
                  std::to_string(c.op.outputs.size())), nullptr;
  if (!counts(c, 2, 3, 1) || !present(c, 0, "X") || !present(c, 1, "Scale")) return nullptr;
  const ValueInfo &x = *c.input(0), &s = *c.input(1), *b = c.input(2), &y = c.output(0);
  if (!same_dtype(c, x, "X", DType::f32) || !same_dtype(c, s, "Scale", DType::f32) ||
      !same_dtype(c, y, "Y", DType::f32) || !dims_are(c, y, "Y", x.dims) || (b && !same_dtype(c, *b, "B", DType::f32)))
    return nullptr;
  if (stash != 1) return c.fail("expected attribute stash_type 1 (float32) but received " + std::to_string(stash)), nullptr;
  if (!(eps >= 0)) return c.fail("expected attribute epsilon >= 0"), nullptr;
  if (x.dims.empty()) return c.fail("expected X of rank >= 1 but received rank 0"), nullptr;
  size_t a;
  if (!normalize_axis(c, axis, x.dims.size(), "attribute axis", &a)) return nullptr;
  const Dims norm(x.dims.begin() + a, x.dims.end());
  // Scale and B of the normalized shape (leading 1s allowed, as broadcasting would).
  auto fits = [&](const ValueInfo& v) { return numel(v.dims) == numel(norm) && v.dims.size() <= x.dims.size() &&
                                               (v.dims.size() < norm.size() ? false : Dims(v.dims.end() - norm.size(), v.dims.end()) == norm); };
  if (!fits(s)) return c.fail("expected Scale of shape " + shape_str(norm) + " but received " + shape_str(s.dims)), nullptr;
  if (b && !fits(*b)) return c.fail("expected B of shape " + shape_str(norm) + " but received " + shape_str(b->dims)), nullptr;
  const size_t n = numel(norm), rows = n ? numel(x.dims) / n : 0;
  return std::make_unique<LayerNormOp>(cfg(c).rowwise->layernorm, rows, n, eps, input_ref(c.values, c.op.inputs[0]),
                                       input_ref(c.values, c.op.inputs[1]),
                                       input_ref(c.values, b ? c.op.inputs[2] : -1), c.op.outputs[0]);
}

std::unique_ptr<Op> make_batchnorm(const OpContext& c) {
  float eps, momentum;
  int64_t training, spatial;
  if (!c.float_attr("epsilon", 1e-5f, &eps) || !c.float_attr("momentum", 0.9f, &momentum) ||
      !c.int_attr("training_mode", 0, &training) || !c.int_attr("spatial", 1, &spatial))
    return nullptr;
  if (training) return c.fail("expected attribute training_mode 0 (inference only) but received " + std::to_string(training)), nullptr;
  if (c.op.outputs.size() > 1)
    return c.fail("expected 1 output (the training outputs are not supported) but received " +
                  std::to_string(c.op.outputs.size())), nullptr;
  if (!counts(c, 5, 5, 1)) return nullptr;
  const char* roles[] = {"X", "scale", "B", "input_mean", "input_var"};
  for (size_t i = 0; i < 5; i++)
    if (!present(c, i, roles[i]) || !same_dtype(c, *c.input(i), roles[i], DType::f32)) return nullptr;
  const ValueInfo &x = *c.input(0), &y = c.output(0);
  if (!same_dtype(c, y, "Y", DType::f32) || !dims_are(c, y, "Y", x.dims)) return nullptr;
  if (x.dims.size() < 2) return c.fail("expected X of rank >= 2 but received rank " + std::to_string(x.dims.size())), nullptr;
  if (!spatial) return c.fail("expected attribute spatial 1 but received 0"), nullptr;
  if (!(eps >= 0)) return c.fail("expected attribute epsilon >= 0"), nullptr;
  const size_t ch = size_t(x.dims[1]);
  std::vector<const float*> p(5);
  for (size_t i = 1; i < 5; i++) {
    const ValueInfo& v = *c.input(i);
    if (!v.constant) return c.fail(std::string("expected ") + roles[i] + " to be a constant (folded at plan creation)"), nullptr;
    if (!dims_are(c, v, roles[i], {int64_t(ch)})) return nullptr;
    p[i] = reinterpret_cast<const float*>(v.data.data());
  }
  std::vector<float> a(ch), b(ch);
  for (size_t k = 0; k < ch; k++) {
    a[k] = float(double(p[1][k]) / std::sqrt(double(p[4][k]) + double(eps)));
    b[k] = float(double(p[2][k]) - double(p[3][k]) * double(a[k]));
  }
  size_t inner = 1;
  for (size_t d = 2; d < x.dims.size(); d++) inner *= size_t(x.dims[d]);
  return std::make_unique<BatchNormOp>(cfg(c).unary->fn[int(UnaryKind::affine)], size_t(x.dims[0]), std::move(a),
                                       std::move(b), inner, input_ref(c.values, c.op.inputs[0]), c.op.outputs[0]);
}

// ---- reductions --------------------------------------------------------------------------------

template <ReduceKind kind>
std::unique_ptr<Op> make_reduce(const OpContext& c) {
  int64_t keepdims, noop;
  std::vector<int64_t> axes;
  bool has_axes_attr = false;
  if (!c.int_attr("keepdims", 1, &keepdims) || !c.int_attr("noop_with_empty_axes", 0, &noop)) return nullptr;
  if (c.attr("axes")) {
    has_axes_attr = true;
    if (!c.ints_attr("axes", &axes)) return nullptr;
  }
  if (!counts(c, 1, 2, 1) || !present(c, 0, "data")) return nullptr;
  const ValueInfo &x = *c.input(0), &y = c.output(0);
  if (const ValueInfo* ax = c.input(1)) {
    if (has_axes_attr) return c.fail("expected axes as an attribute or as an input, not both"), nullptr;
    if (!same_dtype(c, *ax, "axes", DType::s64)) return nullptr;
    if (!ax->constant) return c.fail("expected axes to be a constant (it is read at plan creation)"), nullptr;
    if (ax->dims.size() != 1) return c.fail("expected axes of rank 1 but received rank " + std::to_string(ax->dims.size())), nullptr;
    axes.resize(size_t(ax->dims[0]));
    if (!axes.empty()) std::memcpy(axes.data(), ax->data.data(), axes.size() * 8);
  }
  if (!same_dtype(c, x, "data", DType::f32) || !same_dtype(c, y, "reduced", DType::f32)) return nullptr;
  const size_t rank = x.dims.size();
  if (axes.empty() && noop) return copy_op(c);
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) {
    size_t d;
    if (!normalize_axis(c, a, rank, "every axis", &d)) return nullptr;
    if (reduced[d] && !axes.empty()) return c.fail("expected distinct axes but received axis " + std::to_string(a) + " twice"), nullptr;
    reduced[d] = true;
  }
  Dims out;
  for (size_t d = 0; d < rank; d++)
    if (!reduced[d]) out.push_back(x.dims[d]);
    else if (keepdims) out.push_back(1);
  if (!dims_are(c, y, "reduced", out)) return nullptr;
  return std::make_unique<ReduceOp>(cfg(c), kind, x.dims, reduced, input_ref(c.values, c.op.inputs[0]), c.op.outputs[0]);
}

}  // namespace

void register_elementwise_ops(OpRegistry& r) {
  r.add("Relu", make_unary<UnaryKind::relu>);
  r.add("Sigmoid", make_unary<UnaryKind::sigmoid>);
  r.add("Tanh", make_unary<UnaryKind::tanh>);
  r.add("Exp", make_unary<UnaryKind::exp>);
  r.add("Log", make_unary<UnaryKind::log>);
  r.add("Sqrt", make_unary<UnaryKind::sqrt>);
  r.add("Erf", make_unary<UnaryKind::erf>);
  r.add("Neg", make_unary<UnaryKind::neg>);
  r.add("Abs", make_unary<UnaryKind::abs>);
  r.add("Reciprocal", make_unary<UnaryKind::reciprocal>);
  r.add("Floor", make_unary<UnaryKind::floor>);
  r.add("Ceil", make_unary<UnaryKind::ceil>);
  r.add("Softplus", make_unary<UnaryKind::softplus>);
  r.add("Gelu", make_gelu);
  r.add("LeakyRelu", make_unary<UnaryKind::leaky_relu>);
  r.add("HardSigmoid", make_unary<UnaryKind::hard_sigmoid>);
  r.add("HardSwish", make_unary<UnaryKind::hard_swish>);
  r.add("Elu", make_unary<UnaryKind::elu>);
  r.add("Selu", make_unary<UnaryKind::selu>);
  r.add("Clip", make_clip);
  r.add("Identity", make_identity);
  r.add("Dropout", make_dropout);
  r.add("Not", make_not);
  r.add("Cast", make_cast);
  r.add("Add", make_binary<BinaryKind::add>);
  r.add("Sub", make_binary<BinaryKind::sub>);
  r.add("Mul", make_binary<BinaryKind::mul>);
  r.add("Div", make_binary<BinaryKind::div>);
  r.add("Pow", make_binary<BinaryKind::pow>);
  r.add("Max", make_binary<BinaryKind::max>);
  r.add("Min", make_binary<BinaryKind::min>);
  r.add("PRelu", make_prelu);
  r.add("Equal", make_compare<Cmp::eq>);
  r.add("Less", make_compare<Cmp::lt>);
  r.add("Greater", make_compare<Cmp::gt>);
  r.add("LessOrEqual", make_compare<Cmp::le>);
  r.add("GreaterOrEqual", make_compare<Cmp::ge>);
  r.add("And", make_logic<0>);
  r.add("Or", make_logic<1>);
  r.add("Xor", make_logic<2>);
  r.add("Where", make_where);
  r.add("Softmax", make_softmax<false>);
  r.add("LogSoftmax", make_softmax<true>);
  r.add("LayerNormalization", make_layernorm);
  r.add("BatchNormalization", make_batchnorm);
  r.add("ReduceSum", make_reduce<ReduceKind::sum>);
  r.add("ReduceMean", make_reduce<ReduceKind::mean>);
  r.add("ReduceMax", make_reduce<ReduceKind::max>);
  r.add("ReduceMin", make_reduce<ReduceKind::min>);
}

}  // namespace i8k
