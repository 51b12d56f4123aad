// The add and multiply kernels written once over a vector type S (q8-simd/q8-simd-<isa>.h): the
// scalar definitions of q8-vbinary.h lane by lane, which also handle the tail.
#pragma once
#include "q8-vbinary.h"

namespace i8k::q8simd {

// B_VEC: b advances with a (vv) or stays on its one element (vs).
template <class S, typename T, bool B_VEC>
void add(size_t n, const T* a, const T* b, T* y, const Q8AddParams& p) {
  using F = typename S::F;
  const F az = S::set(p.a_zero_point), am = S::set(p.a_multiplier), bz = S::set(p.b_zero_point),
          bm = S::set(p.b_multiplier), yz = S::set(p.y_zero_point);
  const F lo = S::set(Q8Range<T>::lo), hi = S::set(Q8Range<T>::hi);
  // The b term of a vs run is the same for every element.
  const F tb_const = S::set(B_VEC || n == 0 ? 0.0f : (float(*b) - p.b_zero_point) * p.b_multiplier);
  for (; n >= S::W; n -= S::W, a += S::W, y += S::W) {
    const F ta = S::mul(S::sub(S::to_f(S::load_i(a)), az), am);
    const F tb = B_VEC ? S::mul(S::sub(S::to_f(S::load_i(b)), bz), bm) : tb_const;
    S::store(y, S::clamp(S::add(S::round(S::add(ta, tb)), yz), lo, hi));
    if (B_VEC) b += S::W;
  }
  for (; n; n--, a++, y++) {
    *y = q8_add<T>(*a, *b, p);
    if (B_VEC) b++;
  }
}

template <class S, typename T, bool B_VEC>
void mul(size_t n, const T* a, const T* b, T* y, const Q8MulParams& p) {
  using F = typename S::F;
  const F az = S::set(p.a_zero_point), bz = S::set(p.b_zero_point), m = S::set(p.multiplier), yz = S::set(p.y_zero_point);
  const F lo = S::set(Q8Range<T>::lo), hi = S::set(Q8Range<T>::hi);
  const F b_const = S::set(B_VEC || n == 0 ? 0.0f : float(*b) - p.b_zero_point);
  for (; n >= S::W; n -= S::W, a += S::W, y += S::W) {
    const F tb = B_VEC ? S::sub(S::to_f(S::load_i(b)), bz) : b_const;
    const F prod = S::mul(S::sub(S::to_f(S::load_i(a)), az), tb);
    S::store(y, S::clamp(S::add(S::round(S::mul(prod, m)), yz), lo, hi));
    if (B_VEC) b += S::W;
  }
  for (; n; n--, a++, y++) {
    *y = q8_mul<T>(*a, *b, p);
    if (B_VEC) b++;
  }
}

template <class S, typename T>
constexpr Q8VBinaryPair<T> vbinary_pair() {
  return {add<S, T, true>, add<S, T, false>, mul<S, T, true>, mul<S, T, false>};
}

template <class S>
constexpr Q8VBinaryKernels vbinary_kernels(const char* name) {
  return {name, vbinary_pair<S, uint8_t>(), vbinary_pair<S, int8_t>()};
}

}  // namespace i8k::q8simd
