// Node-API entry: registers exports only. The TypeScript wrapper (src/backends/native.ts) validates
// arguments before they reach this layer.
#include <napi.h>
#include "../config/kernel-config.h"
#include "napi-util.h"

namespace i8k {
namespace {

Napi::Value cpu_features_js(const Napi::CallbackInfo& info) {
  auto list = cpu_features();
  Napi::Array out = Napi::Array::New(info.Env(), list.size());
  for (uint32_t i = 0; i < list.size(); i++) out[i] = list[i];
  return out;
}

// [{ isa, available, reason?, kernels: { f32Gemm, u8s8Gemm } }] for every ISA this binary knows,
// and the default one (honouring INT8KIT_ISA).
Napi::Value isa_info_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array list = Napi::Array::New(env);
  for (Isa isa : all_isas()) {
    if (isa == Isa::wasmsimd) continue;  // the wasm backend reports its own
    std::string why;
    const KernelConfig* cfg = kernel_config(isa, &why);
    Napi::Object o = Napi::Object::New(env);
    o.Set("isa", isa_name(isa));
    o.Set("available", cfg != nullptr);
    if (cfg) {
      Napi::Object k = Napi::Object::New(env);
      k.Set("f32Gemm", cfg->f32_gemm.name);
      k.Set("u8s8Gemm", cfg->u8s8_gemm.name);
      o.Set("kernels", k);
    } else {
      o.Set("reason", why);
    }
    list[list.Length()] = o;
  }
  std::string forced_error;
  Napi::Object out = Napi::Object::New(env);
  out.Set("isas", list);
  out.Set("default", isa_name(default_isa(&forced_error)));
  if (!forced_error.empty()) out.Set("forcedIsaError", forced_error);
  return out;
}

}  // namespace
}  // namespace i8k

static Napi::Object init_int8kit(Napi::Env env, Napi::Object exports) {
  exports.Set("cpuFeatures", Napi::Function::New(env, i8k::cpu_features_js));
  exports.Set("isaInfo", Napi::Function::New(env, i8k::isa_info_js));
  return i8k::init_plan_wrap(env, exports);
}

NODE_API_MODULE(int8kit, init_int8kit)
