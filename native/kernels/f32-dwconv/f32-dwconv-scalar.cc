// Scalar reference twin of the depthwise kernels: the generic plane loop only.
#include "f32-dwconv-impl.h"

namespace i8k {

void f32_dwconv_scalar(const DwConvShape& s, const float* in, const float* w, float bias, float* out,
                     float min, float max) {
  dwconv_impl::plane(s, in, w, bias, out, min, max);
}

}  // namespace i8k
