// Building blocks of the quantized pools (NCHW planes; the ops in native/ops/pool-q8.cc arrange
// windows into rows of pointers):
//   vmax: y[i] = max over j < k of x[j][i]                  (u8 or s8)
//   vsum: y[i] = sum over j < k of x[j][i], in int32         (u8 or s8)
//   even: y[i] = x[2 * i] for i < n; x holds 2n bytes         (stride-2 pooling picks its windows)
//   gavg: per plane p of `size` elements, with s = sum of the plane in int32,
//         y[p] = saturate(nearbyint(float(s - size * x_zp) * multiplier) + y_zp)
//         multiplier = x_scale / y_scale / size, computed by the op in float32.
// k >= 1. The scalar functions are the definition; every ISA matches them bit for bit.
#pragma once
#include <cstddef>
#include <cstdint>
#include "../q8-simd/q8-scalar-math.h"

namespace i8k {

struct Q8GavgParams {
  int32_t x_zero_point;
  float multiplier, y_zero_point;
};

template <typename T>
inline T q8_gavg_result(int32_t sum, size_t size, const Q8GavgParams& p) {
  return q8_round_store<T>(float(sum - int32_t(size) * p.x_zero_point) * p.multiplier, p.y_zero_point);
}

template <typename T>
using Q8VMaxFn = void (*)(size_t n, size_t k, const T* const* x, T* y);
template <typename T>
using Q8VSumFn = void (*)(size_t n, size_t k, const T* const* x, int32_t* y);
using Q8EvenFn = void (*)(size_t n, const void* x, void* y);
template <typename T>
using Q8GavgFn = void (*)(size_t planes, size_t size, const T* x, T* y, const Q8GavgParams& p);

template <typename T>
struct Q8PoolSet {
  Q8VMaxFn<T> vmax;
  Q8VSumFn<T> vsum;
  Q8GavgFn<T> gavg;
};

struct Q8PoolKernels {
  const char* name;
  Q8EvenFn even;
  Q8PoolSet<uint8_t> u8;
  Q8PoolSet<int8_t> s8;
};

// The largest plane gavg takes: size * 255 must fit in int32.
constexpr size_t kQ8GavgMaxSize = size_t(1) << 23;

extern const Q8PoolKernels q8_pool_scalar;
extern const Q8PoolKernels q8_pool_avx2;
extern const Q8PoolKernels q8_pool_avx512;
extern const Q8PoolKernels q8_pool_wasmsimd;
extern const Q8PoolKernels q8_pool_neon;

}  // namespace i8k
