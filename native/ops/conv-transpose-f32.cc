#include "conv-transpose-f32.h"
#include <algorithm>

namespace i8k {

F32ConvTranspose::F32ConvTranspose(const ConvTranspose2DShape& s, const float* w, const float* bias)
    : s_(s), w_(w, w + s.cin * (s.cout / s.group) * s.kh * s.kw), bias_(s.cout, 0.0f) {
  if (bias) std::copy(bias, bias + s.cout, bias_.begin());
}

void F32ConvTranspose::run(const float* x, float* y, const RunContext& ctx) const {
  const size_t cin_g = s_.cin / s_.group, cout_g = s_.cout / s_.group, taps = s_.kh * s_.kw;
  const size_t in_plane = s_.h * s_.w, out_plane = s_.oh * s_.ow;
  ctx.parallel_for(s_.n * s_.cout, 1, [&](size_t begin, size_t end) {
    for (size_t p = begin; p < end; p++) {
      const size_t b = p / s_.cout, oc = p % s_.cout, g = oc / cout_g, ocg = oc % cout_g;
      float* out = y + p * out_plane;
      std::fill(out, out + out_plane, bias_[oc]);
      for (size_t icg = 0; icg < cin_g; icg++) {
        const size_t ic = g * cin_g + icg;
        const float* in = x + (b * s_.cin + ic) * in_plane;
        const float* w = w_.data() + (ic * cout_g + ocg) * taps;
        for (size_t iy = 0; iy < s_.h; iy++) {
          for (size_t ky = 0; ky < s_.kh; ky++) {
            const long oy = long(iy * s_.sh + ky * s_.dh) - long(s_.pt);
            if (oy < 0 || oy >= long(s_.oh)) continue;
            float* orow = out + size_t(oy) * s_.ow;
            for (size_t kx = 0; kx < s_.kw; kx++) {
              const float wv = w[ky * s_.kw + kx];
              const long off = long(kx * s_.dw) - long(s_.pl);
              for (size_t ix = 0; ix < s_.w; ix++) {
                const long ox = long(ix * s_.sw) + off;
                if (ox >= 0 && ox < long(s_.ow)) orow[ox] += wv * in[iy * s_.w + ix];
              }
            }
          }
        }
      }
    }
  });
}

}  // namespace i8k
