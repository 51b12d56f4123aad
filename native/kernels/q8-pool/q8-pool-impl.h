// The pooling blocks written once over a vector type S (q8-simd/q8-simd-<isa>.h). vmax works on
// whole byte registers and finishes with one overlapping register (max is idempotent, so writing
// an element twice gives the same value) or the scalar loop when n < WB; vsum and gavg widen
// W bytes at a time to int32 lanes. Integer sums are exact in any order.
#pragma once
#include "q8-pool.h"

namespace i8k::q8simd {

template <class S, typename T>
void vmax(size_t n, size_t k, const T* const* x, T* y) {
  auto block = [&](size_t i) {
    typename S::B m = S::loadb(x[0] + i);
    for (size_t j = 1; j < k; j++) m = S::max(m, S::loadb(x[j] + i), T());
    S::storeb(y + i, m);
  };
  if (n >= S::WB) {
    size_t i = 0;
    for (; i + S::WB <= n; i += S::WB) block(i);
    if (i < n) block(n - S::WB);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    T m = x[0][i];
    for (size_t j = 1; j < k; j++) m = x[j][i] > m ? x[j][i] : m;
    y[i] = m;
  }
}

template <class S, typename T>
void vsum(size_t n, size_t k, const T* const* x, int32_t* y) {
  size_t i = 0;
  for (; i + S::W <= n; i += S::W) {
    typename S::I s = S::load_i(x[0] + i);
    for (size_t j = 1; j < k; j++) s = S::addi(s, S::load_i(x[j] + i));
    S::storei(y + i, s);
  }
  for (; i < n; i++) {
    int32_t s = 0;
    for (size_t j = 0; j < k; j++) s += x[j][i];
    y[i] = s;
  }
}

template <class S, typename T>
void gavg(size_t planes, size_t size, const T* x, T* y, const Q8GavgParams& p) {
  for (size_t c = 0; c < planes; c++, x += size) {
    typename S::I acc = S::zeroi();
    size_t i = 0;
    for (; i + S::W <= size; i += S::W) acc = S::addi(acc, S::load_i(x + i));
    int32_t s = S::hsum(acc);
    for (; i < size; i++) s += x[i];
    y[c] = q8_gavg_result<T>(s, size, p);
  }
}

template <class S>
void even(size_t n, const void* x, void* y) {
  const uint8_t* a = static_cast<const uint8_t*>(x);
  uint8_t* b = static_cast<uint8_t*>(y);
  size_t i = 0;
  for (; i + S::WE <= n; i += S::WE) S::even(a + 2 * i, b + i);
  for (; i < n; i++) b[i] = a[2 * i];
}

template <class S, typename T>
constexpr Q8PoolSet<T> pool_set() {
  return {vmax<S, T>, vsum<S, T>, gavg<S, T>};
}

template <class S>
constexpr Q8PoolKernels pool_kernels(const char* name) {
  return {name, even<S>, pool_set<S, uint8_t>(), pool_set<S, int8_t>()};
}

}  // namespace i8k::q8simd
