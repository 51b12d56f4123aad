// The scalar definitions every quantized small kernel (q8-vcvt, q8-vbinary, q8-pool) is specified
// by. SIMD kernels compute the same float32 operations in the same order, lane by lane, and call
// these for their tails, so every ISA is bit-identical to the scalar twin.
//   Rounding: std::nearbyint (round half to even in the default rounding mode).
//   Saturation: max with the lowest code first, so NaN saturates to the lowest code (as maxps(v,
//   lo) does), then min with the highest.
// No expression here may become an FMA: files including this turn contraction off (see
// q8-no-contract.h), and the scalar twins are compiled with -ffp-contract=off.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>

namespace i8k {

template <typename T>
struct Q8Range {
  static constexpr float lo = float(std::numeric_limits<T>::min());
  static constexpr float hi = float(std::numeric_limits<T>::max());
};

// v (already rounded, zero point added) saturated to T; NaN gives the lowest code.
template <typename T>
inline T q8_saturate(float v) {
  // The forms of maxss / minss (x > y ? x : y), so compilers emit those rather than branches.
  v = v > Q8Range<T>::lo ? v : Q8Range<T>::lo;
  v = v < Q8Range<T>::hi ? v : Q8Range<T>::hi;
  return T(int32_t(v));
}

// nearbyint (round half to even) without a libm call where the adding trick is exact: for
// |v| < 2^22, v + 1.5 * 2^23 lies in [2^23, 2^24), where the float grid is the integers, so the
// addition itself rounds v half to even (default rounding mode; the build has no -ffast-math).
// Larger magnitudes and NaN take std::nearbyint. -0.0 may come out as +0.0, which no caller can
// tell apart after adding a zero point.
inline float q8_nearbyint(float v) {
  constexpr float magic = 12582912.0f;  // 1.5 * 2^23
  return std::fabs(v) < 4194304.0f ? (v + magic) - magic : std::nearbyint(v);
}

// y = saturate(nearbyint(acc) + zero_point).
template <typename T>
inline T q8_round_store(float acc, float zero_point) {
  return q8_saturate<T>(q8_nearbyint(acc) + zero_point);
}

}  // namespace i8k
