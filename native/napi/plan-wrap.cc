// NativePlan: a created plan held by JS; run() executes on the libuv thread pool.
#include <memory>
#include <vector>
#include "napi-util.h"

namespace i8k {
namespace {

// Baton for one run: plain buffers in, plain buffers out. Execute() never touches V8; the JS
// typed arrays stay referenced until OnOK/OnError so their memory outlives the run.
class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, std::shared_ptr<const Plan> plan)
      : Napi::AsyncWorker(env), plan_(std::move(plan)), deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise promise() { return deferred_.Promise(); }
  void hold(Napi::TypedArray array, bool is_output) {
    refs_.push_back(Napi::Persistent(static_cast<Napi::Object>(array)));
    auto* data = static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
    if (is_output)
      out_.push_back({data, array.ByteLength()});
    else
      in_.push_back({data, array.ByteLength()});
  }

  void Execute() override {
    if (!plan_->run(in_.data(), in_.size(), out_.data(), out_.size(), &error_))
      SetError(error_.message);
  }
  void OnOK() override {
    settle([&] {
      Napi::Array outputs = Napi::Array::New(Env(), out_.size());
      for (size_t i = 0; i < out_.size(); i++) outputs[i] = refs_[in_.size() + i].Value();
      deferred_.Resolve(outputs);
    });
  }
  void OnError(const Napi::Error&) override {
    settle([&] { deferred_.Reject(make_error(Env(), error_).Value()); });
  }

 private:
  // A run can complete while its environment is being torn down (a worker thread terminated, or
  // exiting, with runs in flight): Node still completes the work, but JavaScript can no longer run,
  // so every N-API call here fails and throws. Uncaught, that exception aborts the whole process.
  // Then nobody can observe the promise: reject it if that still works, else drop it.
  template <typename F>
  void settle(F&& fn) {
    try {
      fn();
    } catch (const Napi::Error& e) {
      try {
        deferred_.Reject(e.Value());
      } catch (const Napi::Error&) {
      }
    }
  }

  std::shared_ptr<const Plan> plan_;
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> refs_;
  std::vector<ConstBuffer> in_;
  std::vector<MutBuffer> out_;
  Error error_;
};

Napi::TypedArray new_typed_array(Napi::Env env, DType t, size_t bytes) {
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, bytes);
  switch (t) {
    case DType::f32:
      return Napi::Float32Array::New(env, bytes / 4, buf, 0);
    case DType::s32:
      return Napi::Int32Array::New(env, bytes / 4, buf, 0);
    case DType::s8:
      return Napi::Int8Array::New(env, bytes, buf, 0);
    case DType::s64:
      return Napi::TypedArrayOf<int64_t>::New(env, bytes / 8, buf, 0, napi_bigint64_array);
    case DType::u8:
    case DType::boolean:
      break;
  }
  return Napi::Uint8Array::New(env, bytes, buf, 0);
}

class NativePlan : public Napi::ObjectWrap<NativePlan> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativePlan",
                       {InstanceMethod("run", &NativePlan::run), InstanceMethod("release", &NativePlan::release),
                        InstanceMethod("memory", &NativePlan::memory),
                        InstanceAccessor("isa", &NativePlan::isa, nullptr)});
  }

  // new NativePlan(bytes: Uint8Array, isa: string | undefined, threads: number | undefined)
  explicit NativePlan(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativePlan>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      throw make_error(env, {"INVALID_ARGUMENT", "expected the plan as a Uint8Array"});
    Error err;
    std::string forced_error;
    Isa isa = default_isa(&forced_error);
    if (info.Length() > 1 && info[1].IsString()) {
      const std::string name = info[1].As<Napi::String>();
      if (!isa_from_name(name, &isa))
        throw make_error(env, {"UNSUPPORTED_ISA", "unknown ISA " + name});
    } else if (!forced_error.empty()) {
      throw make_error(env, {"UNSUPPORTED_ISA", forced_error});
    }
    std::string why;
    const KernelConfig* cfg = kernel_config(isa, &why);
    if (!cfg) throw make_error(env, {"UNSUPPORTED_ISA", std::string(isa_name(isa)) + ": " + why});
    size_t threads = 1;
    if (info.Length() > 2 && info[2].IsNumber()) {
      const int64_t t = info[2].As<Napi::Number>().Int64Value();
      if (t < 1 || t > 256) throw make_error(env, {"INVALID_ARGUMENT", "expected threads in [1, 256]"});
      threads = size_t(t);
    }
    Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
    plan_ = Plan::create(bytes.Data(), bytes.ByteLength(), *cfg, threads, &err);
    if (!plan_) throw make_error(env, err);
  }

 private:
  // run(inputs: TypedArray[]): Promise<TypedArray[]>; outputs are allocated here on the JS thread
  // and filled off it.
  Napi::Value run(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!plan_) throw make_error(env, {"RELEASED", "the plan was released"});
    if (info.Length() < 1 || !info[0].IsArray())
      throw make_error(env, {"INVALID_ARGUMENT", "expected an array of input typed arrays"});
    Napi::Array inputs = info[0].As<Napi::Array>();
    auto* worker = new RunWorker(env, plan_);
    for (uint32_t i = 0; i < inputs.Length(); i++) {
      Napi::Value v = inputs[i];
      if (!v.IsTypedArray()) {
        delete worker;
        throw make_error(env, {"INVALID_ARGUMENT", "expected input " + std::to_string(i) + " to be a typed array"});
      }
      worker->hold(v.As<Napi::TypedArray>(), false);
    }
    for (int32_t id : plan_->outputs()) {
      const ValueInfo& v = plan_->value(id);
      worker->hold(new_typed_array(env, v.dtype, v.bytes), true);
    }
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  }

  Napi::Value release(const Napi::CallbackInfo& info) {
    plan_.reset();  // runs in flight keep their own reference
    return info.Env().Undefined();
  }

  // memory(): { arenaBytes, workspaceBytes, weightBytes } (plan.h PlanMemory).
  Napi::Value memory(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!plan_) throw make_error(env, {"RELEASED", "the plan was released"});
    const PlanMemory m = plan_->memory();
    Napi::Object out = Napi::Object::New(env);
    out.Set("arenaBytes", Napi::Number::New(env, double(m.arena_bytes)));
    out.Set("workspaceBytes", Napi::Number::New(env, double(m.workspace_bytes)));
    out.Set("weightBytes", Napi::Number::New(env, double(m.weight_bytes)));
    return out;
  }

  Napi::Value isa(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), plan_ ? isa_name(plan_->config().isa) : "released");
  }

  std::shared_ptr<const Plan> plan_;
};

}  // namespace

Napi::Object init_plan_wrap(Napi::Env env, Napi::Object exports) {
  exports.Set("NativePlan", NativePlan::define(env));
  return exports;
}

}  // namespace i8k
