#include "plan.h"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <cstring>
#include <new>
#include "memory-plan.h"
#include "op-factory.h"

namespace i8k {

namespace {

const OpRegistry& registry() {
  static const OpRegistry r = [] {
    OpRegistry out;
    register_gemm_ops(out);
    register_elementwise_ops(out);
    register_conv_ops(out);
    register_layout_ops(out);
    register_quant_ops(out);
    register_qconv_ops(out);
    register_qnnpack_ops(out);
    register_qsmall_ops(out);
    register_qmatmul_ops(out);
    register_qdynamic_ops(out);
    return out;
  }();
  return r;
}

bool fail(Error* err, const std::string& msg) {
  *err = {"INVALID_PLAN", "Invalid plan: " + msg};
  return false;
}

// Every value is defined exactly once (plan input, constant, or one op output) before it is read.
bool check_structure(const PlanDesc& d, Error* err) {
  const int32_t n = int32_t(d.values.size());
  std::vector<bool> defined(n, false);
  auto valid = [&](int32_t id) { return id >= 0 && id < n; };
  for (int32_t i = 0; i < n; i++) defined[i] = d.values[i].constant;
  for (int32_t id : d.inputs) {
    if (!valid(id)) return fail(err, "plan input id " + std::to_string(id) + " is out of range");
    if (defined[id])
      return fail(err, "plan input " + std::to_string(id) + " is a constant or listed twice");
    defined[id] = true;
  }
  for (size_t o = 0; o < d.ops.size(); o++) {
    const OpDesc& op = d.ops[o];
    const std::string where = "op " + std::to_string(o) + " (" + op.type + ")";
    for (int32_t id : op.inputs) {
      if (id == -1) continue;
      if (!valid(id)) return fail(err, where + " reads value id " + std::to_string(id) + " out of range");
      if (!defined[id])
        return fail(err, where + " reads value " + std::to_string(id) + " before it is defined");
    }
    for (int32_t id : op.outputs) {
      if (!valid(id)) return fail(err, where + " writes value id " + std::to_string(id) + " out of range");
      if (defined[id]) return fail(err, where + " writes value " + std::to_string(id) + ", which is already defined");
      defined[id] = true;
    }
  }
  std::vector<bool> listed(n, false);
  for (int32_t id : d.outputs) {
    if (!valid(id) || !defined[id] || d.values[id].constant)
      return fail(err, "plan output " + std::to_string(id) + " is not computed by an op");
    if (listed[id]) return fail(err, "plan output " + std::to_string(id) + " is listed twice");
    listed[id] = true;
    bool is_input = false;
    for (int32_t in : d.inputs) is_input |= in == id;
    if (is_input) return fail(err, "plan output " + std::to_string(id) + " is a plan input");
  }
  return true;
}

// An op's own figure, else the bytes of its distinct constant inputs (see Op::weight_bytes).
size_t op_weight_bytes(const Op& built, const OpDesc& op, const std::vector<ValueInfo>& values) {
  const size_t reported = built.weight_bytes();
  if (reported != Op::kWeightsUnreported) return reported;
  size_t bytes = 0;
  for (size_t i = 0; i < op.inputs.size(); i++) {
    const int32_t id = op.inputs[i];
    if (id < 0 || !values[id].constant) continue;
    if (std::find(op.inputs.begin(), op.inputs.begin() + i, id) != op.inputs.begin() + i) continue;
    bytes += values[id].bytes;
  }
  return bytes;
}

}  // namespace

void RunContext::fail(const std::string& rule) const {
  if (error && error->code.empty()) *error = {"INVALID_ARGUMENT", rule};
}

bool OpContext::expect(const ValueInfo* v, const char* role, DType dtype, size_t rank) const {
  if (!v) return fail(std::string("expected input ") + role + " but it is absent");
  if (v->dtype != dtype || v->dims.size() != rank)
    return fail(std::string("expected ") + role + " of dtype " + dtype_name(dtype) + " and rank " +
                std::to_string(rank) + " but received " + dtype_name(v->dtype) + " of rank " +
                std::to_string(v->dims.size()));
  return true;
}

// Attribute kinds come from the JavaScript values (an integer-valued float arrives as an int), so
// float accessors take integers too.
bool OpContext::float_attr(const char* name, float def, float* out) const {
  const Attr* a = attr(name);
  if (!a) return *out = def, true;
  if (a->is_string || a->is_list) return fail(std::string("expected attribute ") + name + " to be one number");
  return *out = a->is_float ? a->floats[0] : float(a->ints[0]), true;
}

bool OpContext::floats_attr(const char* name, std::vector<float>* out) const {
  const Attr* a = attr(name);
  if (!a) return true;
  if (a->is_string) return fail(std::string("expected attribute ") + name + " to be numbers");
  if (a->is_float) *out = a->floats;
  else out->assign(a->ints.begin(), a->ints.end());
  return true;
}

bool OpContext::ints_attr(const char* name, std::vector<int64_t>* out) const {
  const Attr* a = attr(name);
  if (!a) return true;
  if (a->is_string || a->is_float) return fail(std::string("expected attribute ") + name + " to be integers");
  *out = a->ints;
  return true;
}

bool OpContext::string_attr(const char* name, const char* def, std::string* out) const {
  const Attr* a = attr(name);
  if (!a) return *out = def, true;
  if (!a->is_string) return fail(std::string("expected attribute ") + name + " to be a string");
  return *out = a->str, true;
}

bool OpContext::int_attr(const char* name, int64_t def, int64_t* out) const {
  const Attr* a = attr(name);
  if (!a) return *out = def, true;
  if (a->is_string || a->is_float || a->is_list)
    return fail(std::string("expected attribute ") + name + " to be one integer");
  return *out = a->ints[0], true;
}

std::unique_ptr<Plan> Plan::create(const uint8_t* bytes, size_t size, const KernelConfig& cfg,
                                   size_t threads, Error* err) {
  try {
    PlanDesc desc;
    if (!read_plan(bytes, size, &desc, err) || !check_structure(desc, err)) return nullptr;
    auto plan = std::unique_ptr<Plan>(new Plan());
    plan->cfg_ = &cfg;
    plan->memory_ = plan_memory(desc);
    for (size_t o = 0; o < desc.ops.size(); o++) {
      const OpDesc& op = desc.ops[o];
      OpContext ctx{op, desc.values, cfg, "op " + std::to_string(o) + " (" + op.type + ")", err};
      const OpFactory make = registry().find(op.type);
      if (!make) return fail(err, ctx.where + ": unsupported op type"), nullptr;
      auto built = make(ctx);
      if (!built) return nullptr;
      for (const auto& [name, _] : op.attrs)
        if (!ctx.used.count(name)) return fail(err, ctx.where + ": unknown attribute " + name), nullptr;
      plan->workspace_bytes_ = std::max(plan->workspace_bytes_, built->workspace_bytes());
      plan->weight_bytes_ += op_weight_bytes(*built, op, desc.values);
      plan->ops_.push_back(std::move(built));
      plan->op_names_.push_back(ctx.where);
      plan->op_io_.push_back({op.inputs.empty() ? -1 : op.inputs[0], op.outputs.empty() ? -1 : op.outputs[0]});
    }
    // Weights now live packed inside the ops.
    for (auto& v : desc.values) std::vector<uint8_t>().swap(v.data);
    plan->values_ = std::move(desc.values);
    plan->inputs_ = std::move(desc.inputs);
    plan->outputs_ = std::move(desc.outputs);
    if (threads > 1) plan->pool_ = std::make_unique<ThreadPool>(threads);
    if (const char* p = std::getenv("INT8KIT_PROFILE"); p && *p && *p != '0') {
      plan->profile_.reset(new std::atomic<int64_t>[plan->ops_.size()]);
      for (size_t i = 0; i < plan->ops_.size(); i++) plan->profile_[i] = 0;
    }
    return plan;
  } catch (const std::bad_alloc&) {
    *err = {"OUT_OF_MEMORY", "Out of memory while creating the plan"};
    return nullptr;
  }
}

// The arena of intermediate values (memory-plan.h) and the op workspace of one run, reused by
// later runs: fresh allocations of megabytes are page faults on every run. Each concurrent run
// leases its own. Uninitialised on purpose: every op writes its outputs in full.
class Plan::ScratchLease {
 public:
  explicit ScratchLease(const Plan& plan) : plan_(plan) {
    {
      std::lock_guard<std::mutex> lock(plan.scratch_mutex_);
      if (!plan.free_scratch_.empty()) {
        set_ = std::move(plan.free_scratch_.back());
        plan.free_scratch_.pop_back();
      }
    }
    // 64 bytes of slack each to align the starts to a cache line.
    if (set_.empty()) {
      set_.emplace_back(new uint8_t[plan.memory_.bytes + 64]);
      set_.emplace_back(new uint8_t[plan.workspace_bytes_ + 64]);
    }
  }
  ~ScratchLease() {
    std::lock_guard<std::mutex> lock(plan_.scratch_mutex_);
    plan_.free_scratch_.push_back(std::move(set_));
  }
  void* value(size_t id) { return aligned(0) + plan_.memory_.offset[id]; }
  void* workspace() { return plan_.workspace_bytes_ ? aligned(1) : nullptr; }

 private:
  uint8_t* aligned(size_t i) {
    uint8_t* p = set_[i].get();
    return p + (64 - reinterpret_cast<uintptr_t>(p) % 64) % 64;
  }
  const Plan& plan_;
  std::vector<std::unique_ptr<uint8_t[]>> set_;
};

// "[1, 32, 112, 112] -> [1, 16, 112, 112]": the first input and output shapes of an op.
std::string Plan::op_detail(size_t o) const {
  auto dims = [&](int32_t id) {
    std::string out = "[";
    for (size_t i = 0; i < values_[id].dims.size(); i++) out += (i ? ", " : "") + std::to_string(values_[id].dims[i]);
    return out + "]";
  };
  const auto& io = op_io_[o];
  return io.first >= 0 && io.second >= 0 ? dims(io.first) + " -> " + dims(io.second) : "";
}

// Prints time per op type, largest first: where a model's time goes.
Plan::~Plan() {
  if (!profile_) return;
  std::map<std::string, std::pair<int64_t, int>> by_type;
  int64_t total = 0;
  for (size_t o = 0; o < ops_.size(); o++) {
    const std::string& name = op_names_[o];
    const std::string type = name.substr(name.find('(') + 1, name.size() - name.find('(') - 2);
    by_type[type].first += profile_[o];
    by_type[type].second++;
    total += profile_[o];
  }
  std::vector<std::pair<int64_t, std::string>> rows;
  for (auto& [type, v] : by_type) rows.push_back({v.first, type});
  std::sort(rows.rbegin(), rows.rend());
  std::fprintf(stderr, "int8kit profile: %.3f ms in ops over all runs\n", total / 1e6);
  for (auto& [ns, type] : rows)
    std::fprintf(stderr, "  %-22s %5.1f%%  %10.3f ms  (%d ops)\n", type.c_str(), total ? 100.0 * ns / total : 0.0, ns / 1e6, by_type[type].second);
  std::vector<std::pair<int64_t, size_t>> ops;
  for (size_t o = 0; o < ops_.size(); o++) ops.push_back({profile_[o], o});
  std::sort(ops.rbegin(), ops.rend());
  std::fprintf(stderr, "  costliest ops:\n");
  // INT8KIT_PROFILE=all lists every op.
  const char* mode = std::getenv("INT8KIT_PROFILE");
  const size_t shown = mode && std::string(mode) == "all" ? ops.size() : std::min<size_t>(8, ops.size());
  for (size_t i = 0; i < shown; i++)
    std::fprintf(stderr, "    %-28s %5.1f%%  %s\n", op_names_[ops[i].second].c_str(),
                 total ? 100.0 * ops[i].first / total : 0.0, op_detail(ops[i].second).c_str());
}

bool Plan::run(const ConstBuffer* in, size_t n_in, const MutBuffer* out, size_t n_out,
               Error* err) const {
  auto bad = [&](const std::string& msg) {
    *err = {"INVALID_ARGUMENT", msg};
    return false;
  };
  if (n_in != inputs_.size())
    return bad("expected " + std::to_string(inputs_.size()) + " inputs but received " + std::to_string(n_in));
  if (n_out != outputs_.size())
    return bad("expected " + std::to_string(outputs_.size()) + " outputs but received " + std::to_string(n_out));
  try {
    std::vector<void*> buffers(values_.size(), nullptr);
    ScratchLease scratch(*this);
    for (size_t i = 0; i < n_in; i++) {
      const ValueInfo& v = values_[inputs_[i]];
      if (in[i].bytes != v.bytes || (v.bytes && !in[i].data))
        return bad("expected " + std::to_string(v.bytes) + " bytes for input " + std::to_string(i) +
                   " but received " + std::to_string(in[i].bytes));
      buffers[inputs_[i]] = const_cast<void*>(in[i].data);  // ops never write their inputs
    }
    for (size_t i = 0; i < n_out; i++) {
      const ValueInfo& v = values_[outputs_[i]];
      if (out[i].bytes != v.bytes || (v.bytes && !out[i].data))
        return bad("expected " + std::to_string(v.bytes) + " bytes for output " + std::to_string(i) +
                   " but received " + std::to_string(out[i].bytes));
      buffers[outputs_[i]] = out[i].data;
    }
    for (size_t id = 0; id < values_.size(); id++)
      if (!buffers[id] && memory_.offset[id] != MemoryPlan::kNone) buffers[id] = scratch.value(id);
    Error op_err;
    RunContext ctx{pool_.get(), &op_err, scratch.workspace()};
    struct Park {  // the workers sleep once the run is over, however it ends
      ThreadPool* pool;
      ~Park() { if (pool) pool->park(); }
    } park{pool_.get()};
    for (size_t o = 0; o < ops_.size(); o++) {
      const auto t0 = std::chrono::steady_clock::now();
      ops_[o]->run(buffers.data(), ctx);
      if (profile_) profile_[o] += (std::chrono::steady_clock::now() - t0).count();
      if (!op_err.code.empty()) {
        *err = {op_err.code, op_names_[o] + ": " + op_err.message};
        return false;
      }
    }
    return true;
  } catch (const std::bad_alloc&) {
    *err = {"OUT_OF_MEMORY", "Out of memory while running the plan"};
    return false;
  }
}

}  // namespace i8k
