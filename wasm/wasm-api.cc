// The plan API for the WebAssembly build: the same Plan code as the native addon behind a C ABI.
// JavaScript (src/backends/wasm.ts) copies buffers in and out of the module heap.
#include <emscripten/emscripten.h>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include "../native/config/kernel-config.h"
#include "../native/plan/plan.h"

using namespace i8k;

namespace {
std::map<int, std::unique_ptr<Plan>> g_plans;
int g_next = 1;
Error g_error;
std::string g_text;  // backing store for strings returned to JS
}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* i8k_error_code() { return g_error.code.c_str(); }
EMSCRIPTEN_KEEPALIVE const char* i8k_error_message() { return g_error.message.c_str(); }

// "isa:available:reason-or-kernels" lines, for `int8kit info`.
EMSCRIPTEN_KEEPALIVE const char* i8k_isa_info() {
  g_text.clear();
  for (Isa isa : {Isa::scalar, Isa::wasmsimd}) {
    std::string why;
    const KernelConfig* cfg = kernel_config(isa, &why);
    g_text += std::string(isa_name(isa)) + "\t" + (cfg ? "1\t" : "0\t") +
              (cfg ? std::string(cfg->f32_gemm.name) + "\t" + cfg->u8s8_gemm.name : why) + "\n";
  }
  return g_text.c_str();
}

// Returns a plan handle > 0, or 0 with the error set.
EMSCRIPTEN_KEEPALIVE int i8k_plan_create(const uint8_t* bytes, size_t size, const char* isa_name_) {
  Isa isa = Isa::wasmsimd;
  if (isa_name_ && *isa_name_ && !isa_from_name(isa_name_, &isa)) {
    g_error = {"UNSUPPORTED_ISA", std::string("unknown ISA ") + isa_name_};
    return 0;
  }
  std::string why;
  const KernelConfig* cfg = kernel_config(isa, &why);
  if (!cfg) {
    g_error = {"UNSUPPORTED_ISA", std::string(isa_name(isa)) + ": " + why};
    return 0;
  }
  // No pthreads in this build: plans run on the calling thread.
  auto plan = Plan::create(bytes, size, *cfg, 1, &g_error);
  if (!plan) return 0;
  g_plans[g_next] = std::move(plan);
  return g_next++;
}

EMSCRIPTEN_KEEPALIVE void i8k_plan_release(int handle) { g_plans.erase(handle); }

// Writes arena, workspace and weight bytes (plan.h PlanMemory) to out[0..2]. Returns 1, or 0 with
// the error set for a released handle.
EMSCRIPTEN_KEEPALIVE int i8k_plan_memory(int handle, double* out) {
  auto it = g_plans.find(handle);
  if (it == g_plans.end()) {
    g_error = {"RELEASED", "the plan was released"};
    return 0;
  }
  const PlanMemory m = it->second->memory();
  out[0] = double(m.arena_bytes);
  out[1] = double(m.workspace_bytes);
  out[2] = double(m.weight_bytes);
  return 1;
}

// in/out: arrays of (pointer, byte length) pairs. Returns 1 on success, 0 with the error set.
EMSCRIPTEN_KEEPALIVE int i8k_plan_run(int handle, const uint32_t* in, size_t n_in, const uint32_t* out,
                                      size_t n_out) {
  auto it = g_plans.find(handle);
  if (it == g_plans.end()) {
    g_error = {"RELEASED", "the plan was released"};
    return 0;
  }
  std::vector<ConstBuffer> ins(n_in);
  std::vector<MutBuffer> outs(n_out);
  for (size_t i = 0; i < n_in; i++) ins[i] = {reinterpret_cast<const void*>(in[2 * i]), in[2 * i + 1]};
  for (size_t i = 0; i < n_out; i++) outs[i] = {reinterpret_cast<void*>(out[2 * i]), out[2 * i + 1]};
  return it->second->run(ins.data(), n_in, outs.data(), n_out, &g_error) ? 1 : 0;
}

}  // extern "C"
