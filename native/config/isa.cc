#include "isa.h"
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace i8k {

namespace {
struct IsaInfo {
  Isa isa;
  const char* name;
};
constexpr IsaInfo kIsas[] = {{Isa::scalar, "scalar"},     {Isa::wasmsimd, "wasmsimd"},
                             {Isa::avx2, "avx2"},         {Isa::avxvnni_evex, "avxvnni-evex"},
                             {Isa::avxvnni, "avxvnni"},   {Isa::avx512vnni, "avx512vnni"},
                             {Isa::neon, "neon"}};

#if defined(__x86_64__) || defined(__i386__)
constexpr bool kX86 = true;
#else
constexpr bool kX86 = false;
#endif

bool has(const char* feature) {
#if defined(__x86_64__) || defined(__i386__)
  // __builtin_cpu_supports needs a literal; map the names we use.
  const std::string f = feature;
  if (f == "avx2") return __builtin_cpu_supports("avx2");
  if (f == "fma") return __builtin_cpu_supports("fma");
  if (f == "avx512f") return __builtin_cpu_supports("avx512f");
  if (f == "avx512bw") return __builtin_cpu_supports("avx512bw");
  if (f == "avx512vl") return __builtin_cpu_supports("avx512vl");
  if (f == "avx512vnni") return __builtin_cpu_supports("avx512vnni");
  // CPUID.(EAX=7, ECX=1):EAX bit 4, read directly: older compilers (clang 14) do not know the
  // "avxvnni" name. Its VEX encoding needs the YMM state AVX2 already requires from the OS.
  if (f == "avxvnni") {
    unsigned a = 0, b = 0, c = 0, d = 0;
    return __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a >> 4 & 1) && __builtin_cpu_supports("avx2");
  }
#else
  (void)feature;
#endif
  return false;
}

std::string missing(std::initializer_list<const char*> features) {
  std::string out;
  for (const char* f : features)
    if (!has(f)) out += (out.empty() ? "" : ", ") + std::string(f);
  return out.empty() ? out : "CPU lacks " + out;
}
}  // namespace

const std::vector<Isa>& all_isas() {
  static const std::vector<Isa> list = [] {
    std::vector<Isa> out;
    for (const auto& i : kIsas) out.push_back(i.isa);
    return out;
  }();
  return list;
}

const char* isa_name(Isa isa) {
  for (const auto& i : kIsas)
    if (i.isa == isa) return i.name;
  return "unknown";
}

bool isa_from_name(const std::string& name, Isa* out) {
  for (const auto& i : kIsas)
    if (name == i.name) return *out = i.isa, true;
  return false;
}

std::string isa_unsupported_reason(Isa isa) {
  switch (isa) {
    case Isa::scalar:
      return "";
    case Isa::wasmsimd:
#if defined(__wasm_simd128__)
      return "";
#else
      return "only the WebAssembly build has wasmsimd";
#endif
    case Isa::neon:
#if defined(__aarch64__)
      // Advanced SIMD is mandatory in AArch64 (ARMv8-A), so every AArch64 CPU has it.
      return "";
#else
      return "neon kernels exist only on AArch64";
#endif
    default:
      break;
  }
  if (!kX86) return std::string(isa_name(isa)) + " kernels exist only on x86";
  switch (isa) {
    case Isa::avx2:
      return missing({"avx2", "fma"});
    case Isa::avxvnni:
      return missing({"avx2", "fma", "avxvnni"});
    case Isa::avxvnni_evex:
    case Isa::avx512vnni:
      return missing({"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512vnni"});
    default:
      return "unknown ISA";
  }
}

std::vector<std::string> cpu_features() {
  std::vector<std::string> out;
#if defined(__wasm_simd128__)
  out.push_back("wasm-simd128");
#endif
#if defined(__aarch64__)
  // Both names: "asimd" is what Linux /proc/cpuinfo calls it, "neon" what users search for.
  out.push_back("neon");
  out.push_back("asimd");
#endif
  for (const char* f : {"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512vnni", "avxvnni"})
    if (has(f)) out.push_back(f);
  return out;
}

}  // namespace i8k
