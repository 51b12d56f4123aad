// Plan ops of the layout family: data movement for any dtype (ONNX semantics, static shapes).
// Identity, Reshape, Flatten, Squeeze, Unsqueeze (copies), Transpose, Concat, Split, Slice, Expand,
// Tile (strided copies), Gather, Pad, Resize, Shape, Size.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include "../config/layout-config.h"
#include "../ops/layout-copy.h"
#include "../ops/layout-map.h"
#include "../ops/resize.h"
#include "op-factory.h"

namespace i8k {

namespace {

using Dims = std::vector<int64_t>;

std::string dims_str(const Dims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); i++) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

int64_t numel(const Dims& d) {
  int64_t n = 1;
  for (int64_t x : d) n *= x;
  return n;
}

// An input's bytes at run time: the value's buffer, or for a constant the copy the op kept (plan
// buffers hold no constants).
struct Source {
  int32_t id = -1;
  std::vector<uint8_t> kept;
  bool constant = false;
  const void* get(void* const* buffers) const { return constant ? kept.data() : buffers[id]; }
};

Source source(const OpContext& c, size_t i) {
  Source s;
  s.id = c.op.inputs[i];
  const ValueInfo* v = c.input(i);
  if (v && v->constant) s.constant = true, s.kept = v->data;
  return s;
}

bool counts(const OpContext& c, size_t min_in, size_t max_in, size_t min_out, size_t max_out) {
  const size_t ni = c.op.inputs.size(), no = c.op.outputs.size();
  if (ni >= min_in && ni <= max_in && no >= min_out && no <= max_out) return true;
  auto range = [](size_t lo, size_t hi) {
    return lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi);
  };
  return c.fail("expected " + range(min_in, max_in) + " inputs and " + range(min_out, max_out) +
                " outputs but received " + std::to_string(ni) + " inputs and " + std::to_string(no) + " outputs");
}

// Input 0 (data) present, every output of its dtype.
bool data_and_outputs(const OpContext& c) {
  const ValueInfo* x = c.input(0);
  if (!x) return c.fail("expected input 0 (data) but it is absent");
  for (size_t o = 0; o < c.op.outputs.size(); o++)
    if (c.output(o).dtype != x->dtype)
      return c.fail("expected output " + std::to_string(o) + " of dtype " + dtype_name(x->dtype) +
                    " (the input's) but received " + dtype_name(c.output(o).dtype));
  return true;
}

bool expect_shape(const OpContext& c, size_t o, const Dims& dims) {
  const Dims& got = c.output(o).dims;
  if (got == dims) return true;
  return c.fail("expected output " + std::to_string(o) + " of shape " + dims_str(dims) + " but received " +
                dims_str(got));
}

// A constant int32/int64 tensor input as integers (shape-like inputs must be known at creation).
bool const_ints(const OpContext& c, size_t i, const char* role, Dims* out) {
  const ValueInfo* v = c.input(i);
  if (!v) return c.fail(std::string("expected input ") + role + " but it is absent");
  if (!v->constant) return c.fail(std::string("expected input ") + role + " to be a constant (static shapes)");
  if ((v->dtype != DType::s64 && v->dtype != DType::s32) || v->dims.size() > 1)
    return c.fail(std::string("expected input ") + role + " to be an int64 or int32 vector but received " +
                  dtype_name(v->dtype) + " of rank " + std::to_string(v->dims.size()));
  const size_t n = size_t(numel(v->dims));
  out->resize(n);
  for (size_t k = 0; k < n; k++) {
    if (v->dtype == DType::s64) std::memcpy(&(*out)[k], v->data.data() + 8 * k, 8);
    else {
      int32_t x;
      std::memcpy(&x, v->data.data() + 4 * k, 4);
      (*out)[k] = x;
    }
  }
  return true;
}

// Normalizes axis into [0, rank); fails naming role otherwise.
bool axis_in(const OpContext& c, int64_t axis, int64_t rank, const char* role, int64_t* out) {
  if (axis < -rank || axis >= rank)
    return c.fail(std::string("expected ") + role + " in [" + std::to_string(-rank) + ", " +
                  std::to_string(rank - 1) + "] but received " + std::to_string(axis));
  return *out = axis < 0 ? axis + rank : axis, true;
}

// Axes from a constant input (opset 13+) or the attribute (earlier opsets), normalized and unique.
bool axes_of(const OpContext& c, size_t input, int64_t rank, Dims* axes, bool* given) {
  Dims raw;
  const bool from_input = c.input(input) != nullptr;
  const Attr* a = c.attr("axes");
  if (from_input && a) return c.fail("expected axes as an input or an attribute but received both");
  if (from_input && !const_ints(c, input, "axes", &raw)) return false;
  if (a && !c.ints_attr("axes", &raw)) return false;
  *given = from_input || a;
  std::vector<bool> seen(size_t(std::max<int64_t>(rank, 0)), false);
  axes->clear();
  for (int64_t x : raw) {
    int64_t k;
    if (!axis_in(c, x, rank, "axes", &k)) return false;
    if (seen[size_t(k)]) return c.fail("expected distinct axes but received axis " + std::to_string(x) + " twice");
    seen[size_t(k)] = true;
    axes->push_back(k);
  }
  return true;
}

// ---- copies ----------------------------------------------------------------------------------

class CopyOp : public Op {
 public:
  CopyOp(Source in, int32_t out, size_t bytes) : in_(std::move(in)), out_(out), bytes_(bytes) {}
  void run(void* const* b, const RunContext& ctx) const override {
    parallel_memcpy(b[out_], in_.get(b), bytes_, ctx);
  }

 private:
  Source in_;
  int32_t out_;
  size_t bytes_;
};

std::unique_ptr<Op> copy_op(const OpContext& c, const Dims& out_dims) {
  if (!expect_shape(c, 0, out_dims)) return nullptr;
  return std::make_unique<CopyOp>(source(c, 0), c.op.outputs[0], c.input(0)->bytes);
}

std::unique_ptr<Op> make_identity(const OpContext& c) {
  if (!counts(c, 1, 1, 1, 1) || !data_and_outputs(c)) return nullptr;
  return copy_op(c, c.input(0)->dims);
}

std::unique_ptr<Op> make_reshape(const OpContext& c) {
  int64_t allowzero;
  Dims shape;
  if (!counts(c, 2, 2, 1, 1) || !data_and_outputs(c) || !c.int_attr("allowzero", 0, &allowzero) ||
      !const_ints(c, 1, "shape", &shape))
    return nullptr;
  const Dims& in = c.input(0)->dims;
  int64_t infer = -1, known = 1;
  for (size_t i = 0; i < shape.size(); i++) {
    if (shape[i] == 0 && !allowzero) {
      if (i >= in.size())
        return c.fail("expected shape[" + std::to_string(i) + "] = 0 only where the input has that dim"), nullptr;
      shape[i] = in[i];
    }
    if (shape[i] == -1) {
      if (infer >= 0) return c.fail("expected at most one -1 in shape but received " + dims_str(shape)), nullptr;
      infer = int64_t(i);
    } else if (shape[i] < 0) {
      return c.fail("expected shape entries >= -1 but received " + dims_str(shape)), nullptr;
    } else {
      known *= shape[i];
    }
  }
  const int64_t total = numel(in);
  if (infer >= 0) {
    if (known == 0 || total % known)
      return c.fail("expected a shape whose -1 can be inferred from " + std::to_string(total) +
                    " elements but received " + dims_str(shape)), nullptr;
    shape[size_t(infer)] = total / known;
  } else if (known != total) {
    return c.fail("expected a shape of " + std::to_string(total) + " elements but received " + dims_str(shape)),
           nullptr;
  }
  return copy_op(c, shape);
}

std::unique_ptr<Op> make_flatten(const OpContext& c) {
  int64_t axis;
  if (!counts(c, 1, 1, 1, 1) || !data_and_outputs(c) || !c.int_attr("axis", 1, &axis)) return nullptr;
  const Dims& in = c.input(0)->dims;
  const int64_t r = int64_t(in.size());
  if (axis < -r || axis > r)
    return c.fail("expected axis in [" + std::to_string(-r) + ", " + std::to_string(r) + "] but received " +
                  std::to_string(axis)), nullptr;
  if (axis < 0) axis += r;
  const Dims lead(in.begin(), in.begin() + axis), rest(in.begin() + axis, in.end());
  return copy_op(c, {numel(lead), numel(rest)});
}

std::unique_ptr<Op> make_squeeze(const OpContext& c) {
  if (!counts(c, 1, 2, 1, 1) || !data_and_outputs(c)) return nullptr;
  const Dims& in = c.input(0)->dims;
  Dims axes;
  bool given;
  if (!axes_of(c, 1, int64_t(in.size()), &axes, &given)) return nullptr;
  std::vector<bool> drop(in.size(), false);
  for (int64_t a : axes) {
    if (in[size_t(a)] != 1)
      return c.fail("expected dim " + std::to_string(a) + " to be 1 to squeeze it but received " +
                    std::to_string(in[size_t(a)])), nullptr;
    drop[size_t(a)] = true;
  }
  Dims out;
  for (size_t i = 0; i < in.size(); i++)
    if (!(given ? drop[i] : in[i] == 1)) out.push_back(in[i]);
  return copy_op(c, out);
}

std::unique_ptr<Op> make_unsqueeze(const OpContext& c) {
  if (!counts(c, 1, 2, 1, 1) || !data_and_outputs(c)) return nullptr;
  const Dims& in = c.input(0)->dims;
  Dims raw;
  bool given;
  // Axes refer to the output's rank, which needs their count first.
  if (c.input(1) ? !const_ints(c, 1, "axes", &raw) : !c.ints_attr("axes", &raw)) return nullptr;
  const int64_t rank = int64_t(in.size() + raw.size());
  Dims axes;
  if (!axes_of(c, 1, rank, &axes, &given)) return nullptr;
  if (!given) return c.fail("expected axes (an input or an attribute) but received none"), nullptr;
  if (rank > int64_t(kMaxRank)) return c.fail("expected an output rank <= 8 but received " + std::to_string(rank)), nullptr;
  std::vector<bool> one(size_t(rank), false);
  for (int64_t a : axes) one[size_t(a)] = true;
  Dims out;
  size_t k = 0;
  for (int64_t i = 0; i < rank; i++) out.push_back(one[size_t(i)] ? 1 : in[k++]);
  return copy_op(c, out);
}

// ---- strided copies --------------------------------------------------------------------------

// One or more strided copies from inputs to outputs (Concat: many inputs, Split: many outputs).
class StridedOp : public Op {
 public:
  struct Part {
    Source in;
    int32_t out;
    StridedCopy copy;
  };
  explicit StridedOp(std::vector<Part> parts) : parts_(std::move(parts)) {}
  void run(void* const* b, const RunContext& ctx) const override {
    for (const Part& p : parts_) p.copy.run(p.in.get(b), b[p.out], ctx);
  }

 private:
  std::vector<Part> parts_;
};

std::unique_ptr<Op> single_copy(const OpContext& c, StridedCopy copy) {
  std::vector<StridedOp::Part> parts;
  parts.push_back({source(c, 0), c.op.outputs[0], std::move(copy)});
  return std::make_unique<StridedOp>(std::move(parts));
}

std::unique_ptr<Op> make_transpose(const OpContext& c) {
  if (!counts(c, 1, 1, 1, 1) || !data_and_outputs(c)) return nullptr;
  const Dims& in = c.input(0)->dims;
  const size_t r = in.size();
  Dims perm(r);
  for (size_t i = 0; i < r; i++) perm[i] = int64_t(r - 1 - i);
  if (!c.ints_attr("perm", &perm)) return nullptr;
  std::vector<bool> seen(r, false);
  bool ok = perm.size() == r;
  for (int64_t p : perm) ok = ok && p >= 0 && p < int64_t(r) && !seen[size_t(p)] && (seen[size_t(p)] = true);
  if (!ok) return c.fail("expected perm to be a permutation of [0, " + std::to_string(r) + ") but received " +
                         dims_str(perm)), nullptr;
  const Dims in_strides = contiguous_strides(in);
  Dims out(r), src(r);
  for (size_t i = 0; i < r; i++) out[i] = in[size_t(perm[i])], src[i] = in_strides[size_t(perm[i])];
  if (!expect_shape(c, 0, out)) return nullptr;
  return single_copy(c, StridedCopy(layout_kernels(c.cfg.isa).x32_transpose, out, src, contiguous_strides(out), size_t(dtype_size(c.input(0)->dtype))));
}

std::unique_ptr<Op> make_concat(const OpContext& c) {
  int64_t axis_attr, axis;
  if (!counts(c, 1, 65535, 1, 1) || !data_and_outputs(c)) return nullptr;
  if (!c.attr("axis")) return c.fail("expected attribute axis but it is absent"), nullptr;
  if (!c.int_attr("axis", 0, &axis_attr)) return nullptr;
  const ValueInfo* first = c.input(0);
  const int64_t r = int64_t(first->dims.size());
  if (r == 0) return c.fail("expected inputs of rank >= 1 but received rank 0"), nullptr;
  if (!axis_in(c, axis_attr, r, "axis", &axis)) return nullptr;
  Dims out = first->dims;
  out[size_t(axis)] = 0;
  for (size_t i = 0; i < c.op.inputs.size(); i++) {
    const ValueInfo* v = c.input(i);
    if (!v) return c.fail("expected input " + std::to_string(i) + " but it is absent"), nullptr;
    bool same = v->dtype == first->dtype && v->dims.size() == first->dims.size();
    for (size_t d = 0; same && d < v->dims.size(); d++) same = int64_t(d) == axis || v->dims[d] == first->dims[d];
    if (!same)
      return c.fail("expected input " + std::to_string(i) + " of dtype " + dtype_name(first->dtype) +
                    " and shape " + dims_str(first->dims) + " except along axis " + std::to_string(axis) +
                    " but received " + dtype_name(v->dtype) + " " + dims_str(v->dims)), nullptr;
    out[size_t(axis)] += v->dims[size_t(axis)];
  }
  if (!expect_shape(c, 0, out)) return nullptr;
  const Dims out_strides = contiguous_strides(out);
  const size_t es = size_t(dtype_size(first->dtype));
  std::vector<StridedOp::Part> parts;
  int64_t at = 0;
  for (size_t i = 0; i < c.op.inputs.size(); i++) {
    const Dims& d = c.input(i)->dims;
    parts.push_back({source(c, i), c.op.outputs[0],
                     StridedCopy(layout_kernels(c.cfg.isa).x32_transpose, d, contiguous_strides(d), out_strides, es, 0, at * out_strides[size_t(axis)])});
    at += d[size_t(axis)];
  }
  return std::make_unique<StridedOp>(std::move(parts));
}

std::unique_ptr<Op> make_split(const OpContext& c) {
  int64_t axis_attr, axis, num_outputs;
  if (!counts(c, 1, 2, 1, 65535) || !data_and_outputs(c) || !c.int_attr("axis", 0, &axis_attr) ||
      !c.int_attr("num_outputs", 0, &num_outputs))
    return nullptr;
  const Dims& in = c.input(0)->dims;
  if (!axis_in(c, axis_attr, int64_t(in.size()), "axis", &axis)) return nullptr;
  const int64_t n = in[size_t(axis)];
  const int64_t outs = int64_t(c.op.outputs.size());
  Dims split;
  const bool attr_split = c.attr("split") != nullptr;
  if (c.input(1) && attr_split) return c.fail("expected split as an input or an attribute but received both"), nullptr;
  if (c.input(1) ? !const_ints(c, 1, "split", &split) : !c.ints_attr("split", &split)) return nullptr;
  if (c.attr("num_outputs") && num_outputs != outs)
    return c.fail("expected num_outputs equal to the " + std::to_string(outs) + " outputs but received " +
                  std::to_string(num_outputs)), nullptr;
  if (!c.input(1) && !attr_split) {
    // Equal parts; opset 18's num_outputs allows a smaller last part.
    const int64_t part = c.attr("num_outputs") ? (n + outs - 1) / outs : n / outs;
    if (!c.attr("num_outputs") && n % outs)
      return c.fail("expected dim " + std::to_string(n) + " divisible by the " + std::to_string(outs) +
                    " outputs (or a split)"), nullptr;
    for (int64_t o = 0, left = n; o < outs; o++) split.push_back(std::min(part, left)), left -= split.back();
  }
  int64_t sum = 0;
  for (int64_t s : split) sum += s < 0 ? -(int64_t{1} << 40) : s;
  if (int64_t(split.size()) != outs || sum != n)
    return c.fail("expected " + std::to_string(outs) + " non-negative split sizes summing to " + std::to_string(n) +
                  " but received " + dims_str(split)), nullptr;
  const Dims in_strides = contiguous_strides(in);
  const size_t es = size_t(dtype_size(c.input(0)->dtype));
  std::vector<StridedOp::Part> parts;
  int64_t at = 0;
  for (int64_t o = 0; o < outs; o++) {
    Dims d = in;
    d[size_t(axis)] = split[size_t(o)];
    if (!expect_shape(c, size_t(o), d)) return nullptr;
    parts.push_back({source(c, 0), c.op.outputs[size_t(o)],
                     StridedCopy(layout_kernels(c.cfg.isa).x32_transpose, d, in_strides, contiguous_strides(d), es, at * in_strides[size_t(axis)], 0)});
    at += split[size_t(o)];
  }
  return std::make_unique<StridedOp>(std::move(parts));
}

std::unique_ptr<Op> make_slice(const OpContext& c) {
  if (!counts(c, 1, 5, 1, 1) || !data_and_outputs(c)) return nullptr;
  const Dims& in = c.input(0)->dims;
  const int64_t r = int64_t(in.size());
  Dims starts, ends, axes_raw, steps;
  bool have_axes = false, have_steps = false;
  if (c.op.inputs.size() == 1) {  // opset < 10: attributes
    if (!c.attr("starts") || !c.attr("ends")) return c.fail("expected starts and ends (inputs or attributes)"), nullptr;
    if (!c.ints_attr("starts", &starts) || !c.ints_attr("ends", &ends)) return nullptr;
    have_axes = c.attr("axes") != nullptr;
    if (have_axes && !c.ints_attr("axes", &axes_raw)) return nullptr;
  } else {
    if (!const_ints(c, 1, "starts", &starts) || !const_ints(c, 2, "ends", &ends)) return nullptr;
    have_axes = c.input(3) != nullptr, have_steps = c.input(4) != nullptr;
    if (have_axes && !const_ints(c, 3, "axes", &axes_raw)) return nullptr;
    if (have_steps && !const_ints(c, 4, "steps", &steps)) return nullptr;
  }
  const size_t k = starts.size();
  if (!have_axes) for (size_t i = 0; i < k; i++) axes_raw.push_back(int64_t(i));
  if (!have_steps) steps.assign(k, 1);
  if (ends.size() != k || axes_raw.size() != k || steps.size() != k)
    return c.fail("expected starts, ends, axes and steps of one length but received " + std::to_string(k) + ", " +
                  std::to_string(ends.size()) + ", " + std::to_string(axes_raw.size()) + ", " +
                  std::to_string(steps.size())), nullptr;
  Dims out = in, start(size_t(r), 0), step(size_t(r), 1);
  std::vector<bool> seen(size_t(r), false);
  for (size_t i = 0; i < k; i++) {
    int64_t a;
    if (!axis_in(c, axes_raw[i], r, "axes", &a)) return nullptr;
    if (seen[size_t(a)]) return c.fail("expected distinct axes but received axis " + std::to_string(axes_raw[i]) + " twice"), nullptr;
    seen[size_t(a)] = true;
    if (steps[i] == 0) return c.fail("expected non-zero steps but received 0 for axis " + std::to_string(a)), nullptr;
    const int64_t d = in[size_t(a)];
    int64_t s = starts[i], e = ends[i];
    // Clamp in a width that cannot overflow (INT64_MAX ends are common).
    auto norm = [d](int64_t x) { return x < 0 ? (x < -d ? -1 - d : x) + d : x; };
    s = norm(s), e = norm(e);
    int64_t len;
    if (steps[i] > 0) {
      s = std::min(std::max<int64_t>(s, 0), d), e = std::min(std::max<int64_t>(e, 0), d);
      len = e > s ? (e - s + steps[i] - 1) / steps[i] : 0;
    } else {
      s = std::min(std::max<int64_t>(s, 0), d - 1), e = std::min(std::max<int64_t>(e, -1), d - 1);
      len = s > e ? (s - e + (-steps[i]) - 1) / (-steps[i]) : 0;
    }
    out[size_t(a)] = len, start[size_t(a)] = s, step[size_t(a)] = steps[i];
  }
  if (!expect_shape(c, 0, out)) return nullptr;
  const Dims in_strides = contiguous_strides(in);
  Dims src(static_cast<size_t>(r));
  int64_t offset = 0;
  const bool empty = numel(out) == 0;
  for (size_t i = 0; i < size_t(r); i++) {
    src[i] = in_strides[i] * step[i];
    if (!empty) offset += start[i] * in_strides[i];
  }
  return single_copy(c, StridedCopy(layout_kernels(c.cfg.isa).x32_transpose, out, src, contiguous_strides(out), size_t(dtype_size(c.input(0)->dtype)), offset, 0));
}

std::unique_ptr<Op> make_expand(const OpContext& c) {
  Dims shape;
  if (!counts(c, 2, 2, 1, 1) || !data_and_outputs(c) || !const_ints(c, 1, "shape", &shape)) return nullptr;
  const Dims& in = c.input(0)->dims;
  const size_t r = std::max(in.size(), shape.size());
  Dims out(r), src(r, 0);
  const Dims in_strides = contiguous_strides(in);
  for (size_t i = 0; i < r; i++) {
    const int64_t a = i + in.size() >= r ? in[i + in.size() - r] : 1;
    const int64_t b = i + shape.size() >= r ? shape[i + shape.size() - r] : 1;
    if (a != b && a != 1 && b != 1)
      return c.fail("expected shape broadcastable with the input " + dims_str(in) + " but received " +
                    dims_str(shape)), nullptr;
    out[i] = a == 1 ? b : a;
    if (i + in.size() >= r && a != 1) src[i] = in_strides[i + in.size() - r];
  }
  if (!expect_shape(c, 0, out)) return nullptr;
  return single_copy(c, StridedCopy(layout_kernels(c.cfg.isa).x32_transpose, out, src, contiguous_strides(out), size_t(dtype_size(c.input(0)->dtype))));
}

std::unique_ptr<Op> make_tile(const OpContext& c) {
  Dims repeats;
  if (!counts(c, 2, 2, 1, 1) || !data_and_outputs(c) || !const_ints(c, 1, "repeats", &repeats)) return nullptr;
  const Dims& in = c.input(0)->dims;
  bool ok = repeats.size() == in.size();
  for (int64_t x : repeats) ok = ok && x >= 0;
  if (!ok) return c.fail("expected " + std::to_string(in.size()) + " repeats >= 0 but received " + dims_str(repeats)), nullptr;
  Dims out(in.size());
  for (size_t i = 0; i < in.size(); i++) out[i] = in[i] * repeats[i];
  if (!expect_shape(c, 0, out)) return nullptr;
  // Output dim i as (repeat, element): the repeat reads the input again (stride 0).
  const Dims in_strides = contiguous_strides(in), out_strides = contiguous_strides(out);
  Dims box, src, dst;
  for (size_t i = 0; i < in.size(); i++) {
    box.insert(box.end(), {repeats[i], in[i]});
    src.insert(src.end(), {0, in_strides[i]});
    dst.insert(dst.end(), {in[i] * out_strides[i], out_strides[i]});
  }
  return single_copy(c, StridedCopy(layout_kernels(c.cfg.isa).x32_transpose, box, src, dst, size_t(dtype_size(c.input(0)->dtype))));
}

// ---- Gather ----------------------------------------------------------------------------------

class GatherOp : public Op {
 public:
  GatherOp(Source data, Source indices, int32_t out, bool idx64, size_t outer, int64_t axis_n, size_t n_idx,
           size_t block_bytes)
      : data_(std::move(data)), indices_(std::move(indices)), out_(out), idx64_(idx64), outer_(outer),
        axis_n_(axis_n), n_idx_(n_idx), block_(block_bytes) {}

  void run(void* const* b, const RunContext& ctx) const override {
    const void* raw = indices_.get(b);
    // Indices come from the caller (token ids): checked before any read.
    std::vector<int64_t> idx(n_idx_);
    for (size_t j = 0; j < n_idx_; j++) {
      int64_t v;
      if (idx64_) std::memcpy(&v, static_cast<const uint8_t*>(raw) + 8 * j, 8);
      else {
        int32_t w;
        std::memcpy(&w, static_cast<const uint8_t*>(raw) + 4 * j, 4);
        v = w;
      }
      if (v < -axis_n_ || v >= axis_n_)
        return ctx.fail("expected indices in [" + std::to_string(-axis_n_) + ", " + std::to_string(axis_n_ - 1) +
                        "] but received " + std::to_string(v) + " at position " + std::to_string(j));
      idx[j] = v < 0 ? v + axis_n_ : v;
    }
    const uint8_t* data = static_cast<const uint8_t*>(data_.get(b));
    uint8_t* out = static_cast<uint8_t*>(b[out_]);
    if (!block_) return;
    ctx.parallel_for(outer_ * n_idx_, std::max<size_t>(1, (size_t{1} << 16) / block_), [&](size_t s, size_t e) {
      for (size_t t = s; t < e; t++) {
        const size_t o = t / n_idx_, j = t % n_idx_;
        std::memcpy(out + t * block_, data + (o * size_t(axis_n_) + size_t(idx[j])) * block_, block_);
      }
    });
  }

 private:
  Source data_, indices_;
  int32_t out_;
  bool idx64_;
  size_t outer_;
  int64_t axis_n_;
  size_t n_idx_, block_;
};

std::unique_ptr<Op> make_gather(const OpContext& c) {
  int64_t axis_attr, axis;
  if (!counts(c, 2, 2, 1, 1) || !data_and_outputs(c) || !c.int_attr("axis", 0, &axis_attr)) return nullptr;
  const ValueInfo *x = c.input(0), *ind = c.input(1);
  if (!ind) return c.fail("expected input indices but it is absent"), nullptr;
  if (ind->dtype != DType::s64 && ind->dtype != DType::s32)
    return c.fail(std::string("expected indices of dtype int64 or int32 but received ") + dtype_name(ind->dtype)), nullptr;
  const int64_t r = int64_t(x->dims.size());
  if (r == 0) return c.fail("expected data of rank >= 1 but received rank 0"), nullptr;
  if (!axis_in(c, axis_attr, r, "axis", &axis)) return nullptr;
  Dims out(x->dims.begin(), x->dims.begin() + axis);
  out.insert(out.end(), ind->dims.begin(), ind->dims.end());
  out.insert(out.end(), x->dims.begin() + axis + 1, x->dims.end());
  if (out.size() > kMaxRank) return c.fail("expected an output rank <= 8 but received " + std::to_string(out.size())), nullptr;
  if (!expect_shape(c, 0, out)) return nullptr;
  const Dims lead(x->dims.begin(), x->dims.begin() + axis), rest(x->dims.begin() + axis + 1, x->dims.end());
  return std::make_unique<GatherOp>(source(c, 0), source(c, 1), c.op.outputs[0], ind->dtype == DType::s64,
                                    size_t(numel(lead)), x->dims[size_t(axis)], size_t(numel(ind->dims)),
                                    size_t(numel(rest)) * size_t(dtype_size(x->dtype)));
}

// ---- Pad and nearest Resize ------------------------------------------------------------------

class MapOp : public Op {
 public:
  MapOp(Source in, int32_t out, IndexMapCopy copy) : in_(std::move(in)), out_(out), copy_(std::move(copy)) {}
  void run(void* const* b, const RunContext& ctx) const override { copy_.run(in_.get(b), b[out_], ctx); }

 private:
  Source in_;
  int32_t out_;
  IndexMapCopy copy_;
};

// value as one element of dtype t.
std::vector<uint8_t> element_bytes(DType t, double value) {
  std::vector<uint8_t> b(size_t(dtype_size(t)));
  auto put = [&](auto v) { std::memcpy(b.data(), &v, sizeof v); };
  switch (t) {
    case DType::f32: put(float(value)); break;
    case DType::u8: put(uint8_t(value)); break;
    case DType::s8: put(int8_t(value)); break;
    case DType::s32: put(int32_t(value)); break;
    case DType::s64: put(int64_t(value)); break;
    case DType::boolean: put(uint8_t(value != 0)); break;
  }
  return b;
}

std::unique_ptr<Op> make_pad(const OpContext& c) {
  std::string mode;
  if (!counts(c, 1, 4, 1, 1) || !data_and_outputs(c) || !c.string_attr("mode", "constant", &mode)) return nullptr;
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return c.fail("expected mode constant, reflect or edge but received " + mode), nullptr;
  const ValueInfo* x = c.input(0);
  const int64_t r = int64_t(x->dims.size());
  Dims pads;
  float value_attr;
  if (!c.float_attr("value", 0.f, &value_attr)) return nullptr;
  const bool attr_pads = c.attr("pads") != nullptr;
  if (attr_pads && c.input(1)) return c.fail("expected pads as an input or an attribute but received both"), nullptr;
  if (c.input(1) ? !const_ints(c, 1, "pads", &pads) : !c.ints_attr("pads", &pads)) return nullptr;
  if (!c.input(1) && !attr_pads) return c.fail("expected pads (an input or an attribute) but received none"), nullptr;
  Dims axes;
  bool given;
  if (!axes_of(c, 3, r, &axes, &given)) return nullptr;
  if (!given) for (int64_t i = 0; i < r; i++) axes.push_back(i);
  if (pads.size() != 2 * axes.size())
    return c.fail("expected " + std::to_string(2 * axes.size()) + " pads but received " + std::to_string(pads.size())),
           nullptr;
  std::vector<uint8_t> fill = element_bytes(x->dtype, value_attr);
  if (const ValueInfo* v = c.input(2)) {
    if (v->dtype != x->dtype || numel(v->dims) != 1 || v->dims.size() > 1)
      return c.fail(std::string("expected constant_value to be one ") + dtype_name(x->dtype) + " element but received " +
                    dtype_name(v->dtype) + " " + dims_str(v->dims)), nullptr;
    if (!v->constant) return c.fail("expected constant_value to be a constant"), nullptr;
    fill = v->data;
  }
  Dims begin(size_t(r), 0), end(size_t(r), 0), out = x->dims;
  for (size_t i = 0; i < axes.size(); i++) begin[size_t(axes[i])] = pads[i], end[size_t(axes[i])] = pads[i + axes.size()];
  std::vector<Dims> maps(static_cast<size_t>(r));
  for (size_t d = 0; d < size_t(r); d++) {
    const int64_t n = x->dims[d];
    out[d] = n + begin[d] + end[d];
    if (out[d] < 0) return c.fail("expected pads that leave dim " + std::to_string(d) + " >= 0 but it becomes " + std::to_string(out[d])), nullptr;
    if (mode != "constant" && (begin[d] < 0 || end[d] < 0))
      return c.fail("expected pads >= 0 in mode " + mode + " but received " + dims_str(pads)), nullptr;
    if (mode != "constant" && n == 0 && out[d] > 0)
      return c.fail("expected a non-empty dim " + std::to_string(d) + " to pad in mode " + mode), nullptr;
    maps[d].resize(size_t(out[d]));
    for (int64_t o = 0; o < out[d]; o++) {
      int64_t i = o - begin[d];
      if (mode == "constant") {
        if (i < 0 || i >= n) i = -1;
      } else if (mode == "edge" || n == 1) {
        i = std::min(std::max<int64_t>(i, 0), n - 1);
      } else {
        const int64_t period = 2 * (n - 1);
        i %= period;
        if (i < 0) i += period;
        if (i >= n) i = period - i;
      }
      maps[d][size_t(o)] = i;
    }
  }
  if (!expect_shape(c, 0, out)) return nullptr;
  return std::make_unique<MapOp>(source(c, 0), c.op.outputs[0],
                                 IndexMapCopy(x->dims, std::move(maps), size_t(dtype_size(x->dtype)), fill));
}

class BilinearOp : public Op {
 public:
  BilinearOp(Source in, int32_t out, BilinearResize r) : in_(std::move(in)), out_(out), r_(std::move(r)) {}
  void run(void* const* b, const RunContext& ctx) const override {
    r_.run(static_cast<const float*>(in_.get(b)), static_cast<float*>(b[out_]), ctx);
  }

 private:
  Source in_;
  int32_t out_;
  BilinearResize r_;
};

std::unique_ptr<Op> make_resize(const OpContext& c) {
  std::string mode, coord_s, nearest_s, policy;
  float cubic_a, extrapolation;
  int64_t exclude_outside, antialias;
  if (!counts(c, 1, 4, 1, 1) || !data_and_outputs(c) || !c.string_attr("mode", "nearest", &mode) ||
      !c.string_attr("coordinate_transformation_mode", "half_pixel", &coord_s) ||
      !c.string_attr("nearest_mode", "round_prefer_floor", &nearest_s) ||
      !c.string_attr("keep_aspect_ratio_policy", "stretch", &policy) ||
      !c.float_attr("cubic_coeff_a", -0.75f, &cubic_a) || !c.float_attr("extrapolation_value", 0.f, &extrapolation) ||
      !c.int_attr("exclude_outside", 0, &exclude_outside) || !c.int_attr("antialias", 0, &antialias))
    return nullptr;
  ResizeCoord coord;
  NearestRound round;
  if (mode != "nearest" && mode != "linear")
    return c.fail("expected mode nearest or linear but received " + mode), nullptr;
  if (!parse_resize_coord(coord_s, &coord))
    return c.fail("expected coordinate_transformation_mode half_pixel, pytorch_half_pixel, align_corners, "
                  "asymmetric or tf_half_pixel_for_nn but received " + coord_s), nullptr;
  if (!parse_nearest_round(nearest_s, &round))
    return c.fail("expected nearest_mode round_prefer_floor, round_prefer_ceil, floor or ceil but received " +
                  nearest_s), nullptr;
  if (policy != "stretch") return c.fail("expected keep_aspect_ratio_policy stretch but received " + policy), nullptr;
  if (exclude_outside || antialias) return c.fail("expected exclude_outside = 0 and antialias = 0"), nullptr;
  const ValueInfo* x = c.input(0);
  const int64_t r = int64_t(x->dims.size());
  Dims axes;
  bool given;
  if (!axes_of(c, size_t(-1), r, &axes, &given)) return nullptr;  // opset 18 axes: attribute only
  if (!given) for (int64_t i = 0; i < r; i++) axes.push_back(i);
  // Opset 10: (X, scales); 11+: (X, roi, scales, sizes) with roi ignored (no tf_crop_and_resize).
  const size_t scales_at = c.op.inputs.size() == 2 ? 1 : 2;
  const ValueInfo* scales_v = c.input(scales_at);
  const ValueInfo* sizes_v = c.op.inputs.size() == 4 ? c.input(3) : nullptr;
  if (scales_v && numel(scales_v->dims) == 0) scales_v = nullptr;
  if (sizes_v && numel(sizes_v->dims) == 0) sizes_v = nullptr;
  if (!scales_v == !sizes_v) return c.fail("expected exactly one of scales and sizes"), nullptr;
  std::vector<double> scale(size_t(r), 1.0), len(x->dims.begin(), x->dims.end());
  Dims out = x->dims;
  if (scales_v) {
    if (!scales_v->constant || scales_v->dtype != DType::f32 || scales_v->dims.size() != 1 ||
        scales_v->dims[0] != int64_t(axes.size()))
      return c.fail("expected scales to be a constant float32 vector of " + std::to_string(axes.size()) + " entries"),
             nullptr;
    for (size_t i = 0; i < axes.size(); i++) {
      float s;
      std::memcpy(&s, scales_v->data.data() + 4 * i, 4);
      if (!(s > 0) || !std::isfinite(s)) return c.fail("expected scales > 0 but received " + std::to_string(s)), nullptr;
      const size_t a = size_t(axes[i]);
      len[a] = double(x->dims[a]) * double(s);
      scale[a] = s, out[a] = int64_t(std::floor(len[a]));
    }
  } else {
    Dims sizes;
    if (!const_ints(c, 3, "sizes", &sizes)) return nullptr;
    if (sizes.size() != axes.size())
      return c.fail("expected " + std::to_string(axes.size()) + " sizes but received " + std::to_string(sizes.size())), nullptr;
    for (size_t i = 0; i < axes.size(); i++) {
      const size_t a = size_t(axes[i]);
      if (sizes[i] < 0) return c.fail("expected sizes >= 0 but received " + dims_str(sizes)), nullptr;
      out[a] = sizes[i], len[a] = double(sizes[i]);
      scale[a] = x->dims[a] ? double(sizes[i]) / double(x->dims[a]) : 1.0;
    }
  }
  if (!expect_shape(c, 0, out)) return nullptr;
  for (size_t d = 0; d < size_t(r); d++)
    if (x->dims[d] == 0 && out[d] > 0) return c.fail("expected a non-empty input dim " + std::to_string(d) + " to resize"), nullptr;
  if (mode == "nearest") {
    std::vector<Dims> maps(static_cast<size_t>(r));
    for (size_t d = 0; d < size_t(r); d++) maps[d] = nearest_map(coord, round, scale[d], x->dims[d], out[d], len[d]);
    return std::make_unique<MapOp>(source(c, 0), c.op.outputs[0],
                                   IndexMapCopy(x->dims, std::move(maps), size_t(dtype_size(x->dtype)),
                                                std::vector<uint8_t>(8, 0)));
  }
  if (x->dtype != DType::f32) return c.fail(std::string("expected float32 for mode linear but received ") + dtype_name(x->dtype)), nullptr;
  if (r < 2) return c.fail("expected rank >= 2 for mode linear but received " + std::to_string(r)), nullptr;
  for (size_t d = 0; d + 2 < size_t(r); d++)
    if (out[d] != x->dims[d])
      return c.fail("expected mode linear to resize only the last two dims but dim " + std::to_string(d) + " changes"), nullptr;
  const size_t h = size_t(r) - 2, w = size_t(r) - 1;
  return std::make_unique<BilinearOp>(source(c, 0), c.op.outputs[0],
                                      BilinearResize(size_t(numel(Dims(x->dims.begin(), x->dims.end() - 2))), x->dims[h],
                                                     x->dims[w], out[h], out[w], scale[h], scale[w], len[h], len[w], coord));
}

// ---- Shape, Size -----------------------------------------------------------------------------

class ConstOp : public Op {
 public:
  ConstOp(std::vector<int64_t> v, int32_t out) : v_(std::move(v)), out_(out) {}
  void run(void* const* b, const RunContext&) const override {
    if (!v_.empty()) std::memcpy(b[out_], v_.data(), v_.size() * 8);
  }

 private:
  std::vector<int64_t> v_;
  int32_t out_;
};

std::unique_ptr<Op> make_shape(const OpContext& c) {
  int64_t start, end;
  if (!counts(c, 1, 1, 1, 1) || !c.int_attr("start", 0, &start)) return nullptr;
  const ValueInfo* x = c.input(0);
  if (!x) return c.fail("expected input 0 (data) but it is absent"), nullptr;
  const int64_t r = int64_t(x->dims.size());
  if (!c.int_attr("end", r, &end)) return nullptr;
  auto clamp = [r](int64_t v) { return std::min(std::max<int64_t>(v < 0 ? v + r : v, 0), r); };
  start = clamp(start), end = clamp(end);
  Dims v(x->dims.begin() + start, x->dims.begin() + std::max(start, end));
  if (!c.expect(&c.output(0), "output", DType::s64, 1) || !expect_shape(c, 0, {int64_t(v.size())})) return nullptr;
  return std::make_unique<ConstOp>(v, c.op.outputs[0]);
}

std::unique_ptr<Op> make_size(const OpContext& c) {
  if (!counts(c, 1, 1, 1, 1)) return nullptr;
  const ValueInfo* x = c.input(0);
  if (!x) return c.fail("expected input 0 (data) but it is absent"), nullptr;
  if (!c.expect(&c.output(0), "output", DType::s64, 0)) return nullptr;
  return std::make_unique<ConstOp>(Dims{numel(x->dims)}, c.op.outputs[0]);
}

}  // namespace

void register_layout_ops(OpRegistry& r) {
  r.add("Identity", make_identity);
  r.add("Reshape", make_reshape);
  r.add("Flatten", make_flatten);
  r.add("Squeeze", make_squeeze);
  r.add("Unsqueeze", make_unsqueeze);
  r.add("Transpose", make_transpose);
  r.add("Concat", make_concat);
  r.add("Split", make_split);
  r.add("Slice", make_slice);
  r.add("Expand", make_expand);
  r.add("Tile", make_tile);
  r.add("Gather", make_gather);
  r.add("Pad", make_pad);
  r.add("Resize", make_resize);
  r.add("Shape", make_shape);
  r.add("Size", make_size);
}

}  // namespace i8k
