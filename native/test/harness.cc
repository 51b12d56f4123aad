// kernel-test: every kernel config usable on this CPU against the scalar config, standalone (no Node).
//
//   kernel-test [seed]
//
// Runs every registered suite (native/test/*-test.cc) for every ISA. Prints one line per failure
// (the first few per ISA), then `N passed, N failed`; exits non-zero on any failure (a fault prints
// the summary line from the signal handler, then dies of the signal).
#include "harness.h"

#include <signal.h>

#include <map>

using namespace i8k;

namespace i8k_test {

std::mt19937_64 rng;
char g_case[512];

namespace {

size_t g_passed = 0, g_failed = 0, g_reported = 0;
constexpr size_t kMaxReportsPerConfig = 10;

std::map<std::string, KernelSuite>& suites() {
  static std::map<std::string, KernelSuite> s;
  return s;
}

// Only async-signal-safe calls in the handler.
void write_str(int fd, const char* s) { (void)!write(fd, s, strlen(s)); }

void write_count(int fd, size_t v) {
  char buf[24];
  char* p = buf + sizeof buf;
  *--p = 0;
  do *--p = char('0' + v % 10); while (v /= 10);
  write_str(fd, p);
}

void on_fault(int sig) {
  write_str(1, "FAIL (out-of-bounds access) in ");
  write_str(1, g_case);
  write_str(1, "\n");
  write_count(1, g_passed);
  write_str(1, " passed, ");
  write_count(1, g_failed + 1);
  write_str(1, " failed\n");
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

void record(bool ok, const std::string& what) {
  if (ok) {
    g_passed++;
    return;
  }
  g_failed++;
  if (g_reported++ < kMaxReportsPerConfig) std::printf("FAIL %s\n", what.c_str());
}

SuiteRegistrar::SuiteRegistrar(const char* name, KernelSuite fn) { suites()[name] = fn; }

}  // namespace i8k_test

using namespace i8k_test;

int main(int argc, char** argv) {
  const unsigned long long seed = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 20261123ULL;
  rng.seed(seed);
  // Line buffered: the fault handler writes directly, and a pipe would otherwise hold back (and
  // lose) the lines printed before the fault.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  signal(SIGSEGV, on_fault);
  signal(SIGBUS, on_fault);

  const KernelConfig* scalar = kernel_config(Isa::scalar, nullptr);
  if (!scalar) {
    std::printf("no scalar config\n0 passed, 1 failed\n");
    return 1;
  }
  std::printf("kernel-test: seed %llu\n", seed);
  // Every Isa value the enum has (isa_name answers "unknown" past the last one), so a new ISA is
  // tested without touching this file.
  for (int i = 0;; i++) {
    const Isa isa = static_cast<Isa>(i);
    if (std::string(isa_name(isa)) == "unknown") break;
    std::string why;
    const KernelConfig* cfg = kernel_config(isa, &why);
    if (!cfg) {
      std::printf("skip %s: %s\n", isa_name(isa), why.c_str());
      continue;
    }
    for (const auto& [name, fn] : suites()) {
      const size_t passed0 = g_passed, failed0 = g_failed;
      g_reported = 0;
      fn(isa, *cfg, *scalar);
      std::printf("%s %s: %zu passed, %zu failed\n", isa_name(isa), name.c_str(), g_passed - passed0,
                  g_failed - failed0);
    }
  }
  std::printf("%zu passed, %zu failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
