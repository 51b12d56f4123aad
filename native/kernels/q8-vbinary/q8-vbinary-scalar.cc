// The scalar twin: the definitions of q8-vbinary.h applied element by element.
#include "q8-vbinary.h"

namespace i8k {

namespace {

template <typename T, bool B_VEC>
void add(size_t n, const T* a, const T* b, T* y, const Q8AddParams& p) {
  for (size_t i = 0; i < n; i++) y[i] = q8_add<T>(a[i], b[B_VEC ? i : 0], p);
}
template <typename T, bool B_VEC>
void mul(size_t n, const T* a, const T* b, T* y, const Q8MulParams& p) {
  for (size_t i = 0; i < n; i++) y[i] = q8_mul<T>(a[i], b[B_VEC ? i : 0], p);
}

}  // namespace

const Q8VBinaryKernels q8_vbinary_scalar = {"scalar",
                                            {add<uint8_t, true>, add<uint8_t, false>, mul<uint8_t, true>, mul<uint8_t, false>},
                                            {add<int8_t, true>, add<int8_t, false>, mul<int8_t, true>, mul<int8_t, false>}};

}  // namespace i8k
