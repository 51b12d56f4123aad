#include "conv-integer.h"

namespace i8k {

std::vector<QPackedB> ConvInteger::pack(const void* wv) const {
  const size_t mg = s_.m / s_.group, kc = s_.ch / s_.group * s_.kh * s_.kw;
  std::vector<QPackedB> out(s_.group);
  std::vector<uint8_t> bt(kc * mg);
  for (size_t g = 0; g < s_.group; g++) {
    const uint8_t* wg = static_cast<const uint8_t*>(wv) + g * mg * kc;
    for (size_t j = 0; j < mg; j++)
      for (size_t kk = 0; kk < kc; kk++) bt[kk * mg + j] = wg[j * kc + kk];
    qpack_b(cfg_, kc, mg, bt.data(), w_signed_, mg, &out[g]);
  }
  return out;
}

void ConvInteger::run(const std::vector<QPackedB>& packed, const void* xv, int32_t x_zp, const int32_t* w_zp,
                      size_t w_zp_count, int32_t* y, const RunContext& ctx) const {
  const ConvIntegerShape& s = s_;
  const size_t cg = s.ch / s.group, mg = s.m / s.group, kc = cg * s.kh * s.kw, p = s.oh * s.ow;
  const uint8_t* x = static_cast<const uint8_t*>(xv);
  std::vector<uint8_t> cols(p * kc);
  std::vector<int32_t> yt(p * mg);
  const U8S8Output o{U8S8OutputKind::s32, nullptr, nullptr, nullptr, nullptr, nullptr, RequantParams{}};
  const uint8_t pad = uint8_t(x_zp);  // the zero point's byte in X's type
  for (size_t n = 0; n < s.batch; n++)
    for (size_t g = 0; g < s.group; g++) {
      const uint8_t* img = x + (n * s.ch + g * cg) * s.h * s.w;
      for (size_t oy = 0; oy < s.oh; oy++)
        for (size_t ox = 0; ox < s.ow; ox++) {
          uint8_t* row = cols.data() + (oy * s.ow + ox) * kc;
          for (size_t ci = 0; ci < cg; ci++)
            for (size_t ky = 0; ky < s.kh; ky++)
              for (size_t kx = 0; kx < s.kw; kx++) {
                // Unsigned wrap-around makes "before the start" a large index, so one compare per
                // axis checks both ends.
                const size_t iy = oy * s.sh + ky * s.dh - s.ph, ix = ox * s.sw + kx * s.dw - s.pw;
                *row++ = iy < s.h && ix < s.w ? img[(ci * s.h + iy) * s.w + ix] : pad;
              }
        }
      QGemmZeroPoints zp;
      zp.a_signed = x_signed_;
      zp.a_zp = x_zp;
      if (w_zp) zp.b_zp = w_zp + (w_zp_count == 1 ? 0 : g * mg), zp.b_zp_count = w_zp_count == 1 ? 1 : mg;
      qgemm(cfg_, packed[g], p, cols.data(), kc, zp, o, yt.data(), mg, ctx);
      int32_t* out = y + (n * s.m + g * mg) * p;
      for (size_t j = 0; j < mg; j++)
        for (size_t i = 0; i < p; i++) out[j * p + i] = yt[i * mg + j];
    }
}

}  // namespace i8k
