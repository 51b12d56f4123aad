// Measures this core's throughput limits for the instructions our x86 GEMM kernels live on, so
// kernel ops/cycle can be read against the machine actually running them (VMs and CPU
// generations differ: Zen 4 splits 512-bit ops in two, Zen 5 does not).
#include <cstdio>
#include <cstring>
#include <ctime>

namespace {

double thread_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// A chain of dependent adds retires one per cycle: the clock, measured rather than assumed.
double cycles_per_second() {
  const long n = 50000000;
  long x = 0, i = n;
  const double t0 = thread_seconds();
  asm volatile(
      "1:\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
      "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tdec %1\n\tjnz 1b\n"
      : "+r"(x), "+r"(i));
  return 8.0 * n / (thread_seconds() - t0);
}

// 12 independent accumulators (more than latency x issue width) of one instruction form.
#define I8K_X12(ins, r) \
  ins " %%" r "14, %%" r "15, %%" r "0\n\t" ins " %%" r "14, %%" r "15, %%" r "1\n\t"   \
  ins " %%" r "14, %%" r "15, %%" r "2\n\t" ins " %%" r "14, %%" r "15, %%" r "3\n\t"   \
  ins " %%" r "14, %%" r "15, %%" r "4\n\t" ins " %%" r "14, %%" r "15, %%" r "5\n\t"   \
  ins " %%" r "14, %%" r "15, %%" r "6\n\t" ins " %%" r "14, %%" r "15, %%" r "7\n\t"   \
  ins " %%" r "14, %%" r "15, %%" r "8\n\t" ins " %%" r "14, %%" r "15, %%" r "9\n\t"   \
  ins " %%" r "14, %%" r "15, %%" r "10\n\t" ins " %%" r "14, %%" r "15, %%" r "11\n\t"
#define I8K_PROBE(ins, r)                                                       \
  [] {                                                                          \
    long i = 20000000;                                                          \
    const double t0 = thread_seconds();                                         \
    asm volatile("1:\n\t" I8K_X12(ins, r) "dec %0\n\tjnz 1b\n" : "+r"(i)::"memory"); \
    return 12.0 * 20000000 / (thread_seconds() - t0);                           \
  }

struct Probe {
  const char* what;
  double ops_per_instruction;  // multiply and add counted as two ops
  double (*per_second)();
};

}  // namespace

// `cpu-peak --json` prints {"ghz": g, "probes": [{"what": ..., "opsPerCycle": c}]} for
// scripts/bench-kernels.cjs, which reads kernel figures against these.
int main(int argc, char** argv) {
  const bool json = argc > 1 && std::strcmp(argv[1], "--json") == 0;
  const double hz = cycles_per_second();
  const Probe probes[] = {
      {"vpdpbusd zmm (AVX-512 VNNI) u8 x s8", 128, I8K_PROBE("vpdpbusd", "zmm")},
      {"vpdpbusd ymm (EVEX, AVX-VNNI width)", 64, I8K_PROBE("vpdpbusd", "ymm")},
      {"vpmaddwd ymm (exact int16, AVX2)", 32, I8K_PROBE("vpmaddwd", "ymm")},
      {"vfmadd231ps zmm (FP32)", 32, I8K_PROBE("vfmadd231ps", "zmm")},
      {"vfmadd231ps ymm (FP32)", 16, I8K_PROBE("vfmadd231ps", "ymm")},
  };
  if (json) {
    std::printf("{\"ghz\": %.4f, \"probes\": [", hz / 1e9);
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
      std::printf("%s{\"what\": \"%s\", \"opsPerCycle\": %.2f}", i ? ", " : "", probes[i].what,
                  probes[i].per_second() / hz * probes[i].ops_per_instruction);
    std::printf("]}\n");
    return 0;
  }
  std::printf("Clock (dependent-add chain): %.3f GHz\n\n", hz / 1e9);
  std::printf("| instruction | per cycle | ops/cycle | GOPS |\n|---|---|---|---|\n");
  for (const auto& p : probes) {
    const double per_cycle = p.per_second() / hz;
    std::printf("| %s | %.2f | %.0f | %.0f |\n", p.what, per_cycle, per_cycle * p.ops_per_instruction,
                per_cycle * p.ops_per_instruction * hz / 1e9);
  }
}
