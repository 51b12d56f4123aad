// The scalar twin: the definitions of q8-pool.h element by element.
#include "q8-pool.h"

namespace i8k {

namespace {

template <typename T>
void vmax(size_t n, size_t k, const T* const* x, T* y) {
  for (size_t i = 0; i < n; i++) {
    T m = x[0][i];
    for (size_t j = 1; j < k; j++) m = x[j][i] > m ? x[j][i] : m;
    y[i] = m;
  }
}
template <typename T>
void vsum(size_t n, size_t k, const T* const* x, int32_t* y) {
  for (size_t i = 0; i < n; i++) {
    int32_t s = 0;
    for (size_t j = 0; j < k; j++) s += x[j][i];
    y[i] = s;
  }
}
template <typename T>
void gavg(size_t planes, size_t size, const T* x, T* y, const Q8GavgParams& p) {
  for (size_t c = 0; c < planes; c++, x += size) {
    int32_t s = 0;
    for (size_t i = 0; i < size; i++) s += x[i];
    y[c] = q8_gavg_result<T>(s, size, p);
  }
}

void even(size_t n, const void* x, void* y) {
  const uint8_t* a = static_cast<const uint8_t*>(x);
  uint8_t* b = static_cast<uint8_t*>(y);
  for (size_t i = 0; i < n; i++) b[i] = a[2 * i];
}

}  // namespace

const Q8PoolKernels q8_pool_scalar = {"scalar", even, {vmax<uint8_t>, vsum<uint8_t>, gavg<uint8_t>},
                                      {vmax<int8_t>, vsum<int8_t>, gavg<int8_t>}};

}  // namespace i8k
