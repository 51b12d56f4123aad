// One-lane "vector" for the scalar twins: the same kernel templates as the SIMD files, so the
// scalar build is a reference of the same algorithm (compiled with -ffp-contract=off).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace i8k::simd {

struct Scalar {
  static constexpr size_t W = 1;
  using V = float;
  using M = bool;
  using I = int32_t;
  static V load(const float* p) { return *p; }
  static void store(float* p, V v) { *p = v; }
  static V splat(float x) { return x; }
  static V fma(V a, V b, V c) { return a * b + c; }
  static V max(V a, V b) { return a > b ? a : b; }  // b when either is NaN, like maxps
  static V min(V a, V b) { return a < b ? a : b; }
  static V sqrt(V a) { return std::sqrt(a); }
  static V floor(V a) { return std::floor(a); }
  static V ceil(V a) { return std::ceil(a); }
  static V abs(V a) { return std::fabs(a); }
  static M lt(V a, V b) { return a < b; }
  static M le(V a, V b) { return a <= b; }
  static M ne(V a, V b) { return a != b; }
  static M mor(M a, M b) { return a || b; }
  static bool any(M m) { return m; }
  static V select(M m, V a, V b) { return m ? a : b; }
  static I to_int(V a) { return int32_t(a); }  // a is integral and in range
  static I isub(I a, I b) { return a - b; }
  static V exp2i(I n) {  // 2^n for n in [-126, 127]
    uint32_t bits = uint32_t(n + 127) << 23;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  // Splits a > 0 finite into mantissa in [1, 2) and exponent.
  static V mantissa(V a, I* e) {
    uint32_t bits;
    std::memcpy(&bits, &a, 4);
    *e = int32_t(bits >> 23) - 127;
    bits = (bits & 0x007fffffu) | 0x3f800000u;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  static V to_float(I n) { return float(n); }
  static float hsum(V a) { return a; }
  static float hmax(V a) { return a; }
  static float hmin(V a) { return a; }
};

}  // namespace i8k::simd
