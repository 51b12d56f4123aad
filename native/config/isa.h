// Instruction-set choices and the CPU features behind them.
#pragma once
#include <string>
#include <vector>

namespace i8k {

// default_isa() (kernel-config.cc) holds the order of preference.
enum class Isa { scalar, wasmsimd, avx2, avxvnni_evex, avxvnni, avx512vnni, neon };

// Every ISA this library knows, in the order `int8kit info` lists them.
const std::vector<Isa>& all_isas();
const char* isa_name(Isa isa);
bool isa_from_name(const std::string& name, Isa* out);
// Empty when supported, else the reason (which CPU feature or build option is missing).
std::string isa_unsupported_reason(Isa isa);
std::vector<std::string> cpu_features();

}  // namespace i8k
