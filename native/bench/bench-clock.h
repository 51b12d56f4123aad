// Timing for the native benchmarks: per-thread CPU time (steadier than wall time on a shared
// machine) and the core clock measured in the same run rather than assumed.
#pragma once
#include <time.h>
#include <cstdint>

namespace i8k::bench {

inline double thread_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Cycles per second of this thread: 8 dependent adds per iteration run at one per cycle; the loop
// counter is a separate chain that executes alongside. Returns 0 where we have no asm for it.
inline double calibrate_hz() {
#if defined(__x86_64__) || defined(__aarch64__)
  constexpr long kAdds = 64'000'000;  // ~20 ms at 3 GHz
  uint64_t x = 0;
  const double t0 = thread_seconds();
  for (long i = 0; i < kAdds; i += 8) {
#if defined(__x86_64__)
    asm volatile(
        "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
        "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0"
        : "+r"(x));
#else
    asm volatile(
        "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
        "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1"
        : "+r"(x));
#endif
  }
  return double(kAdds) / (thread_seconds() - t0);
#else
  return 0.0;
#endif
}

}  // namespace i8k::bench
