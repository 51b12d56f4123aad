// The kernel-test harness: seeded randomness, pass/fail bookkeeping, a fault handler that names
// the case, and guarded buffers that end at an inaccessible page. Each kernel family has its own
// test file (native/test/<family>-test.cc) that registers a suite with I8K_KERNEL_SUITE; the
// driver (harness.cc) runs every suite for every ISA usable on this CPU.
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "../config/isa.h"
#include "../config/kernel-config.h"

namespace i8k_test {

extern std::mt19937_64 rng;

inline int irand(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
inline float frand(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng); }
template <typename T>
T pick(std::initializer_list<T> v) {
  return *(v.begin() + irand(0, int(v.size()) - 1));
}

// Counts a check; prints the first few failures per ISA.
void record(bool ok, const std::string& what);
// The case being run, formatted before each one, so a fault can name it.
extern char g_case[512];

// `bytes` of memory whose last byte is immediately followed by an inaccessible page.
class Guarded {
 public:
  explicit Guarded(size_t bytes) : bytes_(bytes), page_(size_t(sysconf(_SC_PAGESIZE))) {
    map_bytes_ = (bytes + page_ - 1) / page_ * page_ + page_;
    void* p = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      std::perror("mmap");
      std::exit(2);
    }
    base_ = static_cast<uint8_t*>(p);
    if (mprotect(base_ + map_bytes_ - page_, page_, PROT_NONE) != 0) {
      std::perror("mprotect");
      std::exit(2);
    }
  }
  template <typename T>
  explicit Guarded(const std::vector<T>& init) : Guarded(init.size() * sizeof(T)) {
    std::memcpy(as<T>(), init.data(), init.size() * sizeof(T));
  }
  ~Guarded() { munmap(base_, map_bytes_); }
  Guarded(const Guarded&) = delete;
  Guarded& operator=(const Guarded&) = delete;
  template <typename T>
  T* as() const {
    return reinterpret_cast<T*>(base_ + map_bytes_ - page_ - bytes_);
  }

 private:
  size_t bytes_, page_, map_bytes_;
  uint8_t* base_;
};

// Every K of 1..70 plus the long ones, in random order, recycled as often as needed.
class KSource {
 public:
  size_t next() {
    if (i_ == ks_.size()) {
      ks_.clear();
      for (size_t k = 1; k <= 70; k++) ks_.push_back(k);
      for (size_t k : {256, 1024, 4096}) ks_.push_back(k);
      std::shuffle(ks_.begin(), ks_.end(), rng);
      i_ = 0;
    }
    return ks_[i_++];
  }

 private:
  std::vector<size_t> ks_;
  size_t i_ = 0;
};

inline std::string shape_str(size_t m, size_t n, size_t k) {
  return std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
}


// Ks for the direct calls: around the kernel's KR groups and unrolled steps, plus a longer one.
inline std::vector<size_t> ukernel_ks(size_t kr) {
  std::vector<size_t> ks;
  for (size_t k = 1; k <= 17; k++) ks.push_back(k);
  ks.push_back(4 * kr * 8 + 3);
  ks.push_back(size_t(irand(18, 70)));
  return ks;
}

// Output canvas: the tile sits at row 1, column 3 of a (MR + 2) x (NR + 6) sentinel-filled area.
template <typename T>
struct Canvas {
  size_t rows, ld;
  std::vector<T> v;
  T sentinel;
  Canvas(size_t mr, size_t nr, T s) : rows(mr + 2), ld(nr + 6), v(rows * ld, s), sentinel(s) {}
  T* tile() { return v.data() + ld + 3; }
  // Empty when every element outside [mr x nr] still holds the sentinel.
  std::string check_outside(size_t mr, size_t nr) const {
    for (size_t i = 0; i < rows; i++)
      for (size_t j = 0; j < ld; j++) {
        const bool inside = i >= 1 && i < 1 + mr && j >= 3 && j < 3 + nr;
        if (!inside && std::memcmp(&v[i * ld + j], &sentinel, sizeof(T)) != 0)
          return "wrote outside the tile at row " + std::to_string(int(i) - 1) + ", column " +
                 std::to_string(int(j) - 3);
      }
    return "";
  }
};


// Error bound of comparing two summation orders (with or without FMA) of one dot product.
inline double f32_tolerance(size_t k, double magnitude) {
  return 2.0 * double(k + 1) * std::ldexp(1.0, -24) * magnitude;
}

// A suite checks one family on one ISA against the scalar config (cfg == scalar: against a naive
// reference). Suites run in name order.
using KernelSuite = void (*)(i8k::Isa isa, const i8k::KernelConfig& cfg, const i8k::KernelConfig& scalar);
struct SuiteRegistrar {
  SuiteRegistrar(const char* name, KernelSuite fn);
};
#define I8K_KERNEL_SUITE(name, fn) static ::i8k_test::SuiteRegistrar name##_suite_registrar(#name, fn)

}  // namespace i8k_test
