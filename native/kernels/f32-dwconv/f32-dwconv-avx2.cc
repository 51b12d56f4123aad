// Depthwise plane kernel compiled for avx2 (see f32-dwconv-impl.h).
#include "f32-dwconv-impl.h"

namespace i8k {

void f32_dwconv_avx2(const DwConvShape& s, const float* in, const float* w, float bias, float* out,
                     float min, float max) {
  dwconv_impl::dispatch<8>(s, in, w, bias, out, min, max);
}

}  // namespace i8k
