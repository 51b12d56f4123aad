#include "plan-reader.h"
#include <cstring>

namespace i8k {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::f32:
      return "float32";
    case DType::u8:
      return "uint8";
    case DType::s8:
      return "int8";
    case DType::s32:
      return "int32";
    case DType::s64:
      return "int64";
    case DType::boolean:
      return "bool";
  }
  return "unknown";
}

namespace {

// Limits that keep a hostile plan from asking for absurd allocations before validation.
constexpr uint64_t kMaxValueBytes = uint64_t(1) << 32;
constexpr uint32_t kMaxCount = 1u << 20;

class Reader {
 public:
  Reader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  bool ok() const { return ok_; }
  size_t offset(const uint8_t* base) const { return size_t(p_ - base); }

  template <typename T>
  T get() {
    T v{};
    if (!ok_ || size_t(end_ - p_) < sizeof(T)) return ok_ = false, v;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  std::string str() {
    const uint16_t n = get<uint16_t>();
    if (!ok_ || size_t(end_ - p_) < n) return ok_ = false, std::string();
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  bool bytes(uint64_t n, std::vector<uint8_t>* out) {
    if (!ok_ || uint64_t(end_ - p_) < n) return ok_ = false;
    out->assign(p_, p_ + n);
    p_ += n;
    return true;
  }
  bool at_end() const { return p_ == end_; }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

bool fail(Error* err, const std::string& msg) {
  *err = {"INVALID_PLAN", "Invalid plan: " + msg};
  return false;
}

bool read_value(Reader& r, size_t index, ValueInfo* v, Error* err) {
  const std::string where = "value " + std::to_string(index);
  const uint8_t code = r.get<uint8_t>();
  const uint8_t flags = r.get<uint8_t>();
  const uint16_t rank = r.get<uint16_t>();
  if (!r.ok()) return fail(err, "truncated at " + where);
  if (!dtype_valid(code))
    return fail(err, where + ": expected dtype float32, uint8, int8, int32, int64 or bool but received code " +
                         std::to_string(code));
  if (rank > kMaxRank)
    return fail(err, where + ": expected rank <= 8 but received " + std::to_string(rank));
  v->dtype = DType(code);
  v->constant = flags & 1;
  uint64_t elems = 1;
  for (uint16_t d = 0; d < rank; d++) {
    const int64_t dim = r.get<int64_t>();
    if (!r.ok()) return fail(err, "truncated at " + where);
    if (dim < 0)
      return fail(err, where + ": expected dims >= 0 but received " + std::to_string(dim));
    if (dim != 0 && elems > kMaxValueBytes / uint64_t(dim))
      return fail(err, where + ": more than 2^32 elements");
    elems *= uint64_t(dim);
    v->dims.push_back(dim);
  }
  const uint64_t bytes = elems * uint64_t(dtype_size(v->dtype));
  if (bytes > kMaxValueBytes) return fail(err, where + ": larger than 4 GiB");
  v->bytes = size_t(bytes);
  if (v->constant) {
    const uint64_t n = r.get<uint64_t>();
    if (r.ok() && n != bytes)
      return fail(err, where + ": expected " + std::to_string(bytes) +
                           " bytes of constant data for its shape but received " +
                           std::to_string(n));
    if (!r.bytes(n, &v->data)) return fail(err, "truncated in the data of " + where);
  }
  return true;
}

bool read_ids(Reader& r, uint32_t n, std::vector<int32_t>* out) {
  for (uint32_t i = 0; i < n && r.ok(); i++) out->push_back(r.get<int32_t>());
  return r.ok();
}

bool read_op(Reader& r, size_t index, OpDesc* op, Error* err) {
  const std::string where = "op " + std::to_string(index);
  op->type = r.str();
  const uint16_t n_in = r.get<uint16_t>(), n_out = r.get<uint16_t>();
  if (!read_ids(r, n_in, &op->inputs) || !read_ids(r, n_out, &op->outputs))
    return fail(err, "truncated at " + where);
  const uint16_t n_attrs = r.get<uint16_t>();
  for (uint16_t a = 0; a < n_attrs && r.ok(); a++) {
    const std::string name = r.str();
    const uint8_t kind = r.get<uint8_t>();
    if (!r.ok()) break;
    if (kind > 4)
      return fail(err, where + " attribute " + name + ": expected kind 0-4 but received " +
                           std::to_string(kind));
    Attr attr;
    if (kind == 4) {
      attr.is_string = true;
      attr.str = r.str();
      op->attrs[name] = std::move(attr);
      continue;
    }
    attr.is_float = kind == 1 || kind == 3;
    attr.is_list = kind >= 2;
    const uint32_t count = attr.is_list ? r.get<uint32_t>() : 1;
    if (count > kMaxCount) return fail(err, where + " attribute " + name + ": too many entries");
    for (uint32_t i = 0; i < count && r.ok(); i++) {
      if (attr.is_float)
        attr.floats.push_back(r.get<float>());
      else
        attr.ints.push_back(r.get<int64_t>());
    }
    op->attrs[name] = std::move(attr);
  }
  return r.ok() || fail(err, "truncated at " + where);
}

}  // namespace

bool read_plan(const uint8_t* bytes, size_t size, PlanDesc* out, Error* err) {
  Reader r(bytes, size);
  const uint32_t magic = r.get<uint32_t>(), version = r.get<uint32_t>();
  if (!r.ok() || magic != kPlanMagic) return fail(err, "missing the I8KP header");
  if (version != kPlanVersion)
    return fail(err, "expected format version 1 but received " + std::to_string(version));
  const uint32_t n_values = r.get<uint32_t>();
  if (n_values > kMaxCount || n_values > size / 4) return fail(err, "too many values");
  out->values.resize(r.ok() ? n_values : 0);
  for (uint32_t i = 0; i < out->values.size(); i++)
    if (!read_value(r, i, &out->values[i], err)) return false;
  const uint32_t n_ops = r.get<uint32_t>();
  if (n_ops > kMaxCount || n_ops > size / 8) return fail(err, "too many ops");
  out->ops.resize(r.ok() ? n_ops : 0);
  for (uint32_t i = 0; i < out->ops.size(); i++)
    if (!read_op(r, i, &out->ops[i], err)) return false;
  const uint32_t n_in = r.get<uint32_t>();
  if (n_in > kMaxCount || !read_ids(r, n_in, &out->inputs)) return fail(err, "truncated inputs");
  const uint32_t n_out = r.get<uint32_t>();
  if (n_out > kMaxCount || !read_ids(r, n_out, &out->outputs))
    return fail(err, "truncated outputs");
  if (!r.at_end()) return fail(err, "trailing bytes after the output list");
  return true;
}

}  // namespace i8k
