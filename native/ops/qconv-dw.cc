#include "qconv-dw.h"

namespace i8k {

QConvDw::QConvDw(const QConvConfig& cfg, const QConvShape& s, const QConvPrepared& w, const RequantParams& out,
                 uint8_t x_zero_point)
    : s_(s), out_(out), bias_(w.bias), scale_(w.scale), zp_row_(s.cin, x_zero_point) {
  const size_t taps = s.taps(), c = s.cin;
  kernel_ = taps == 9 ? cfg.dw9 : taps == 25 ? cfg.dw25 : cfg.dw_any;
  w_.resize(taps * c);
  for (size_t ch = 0; ch < c; ch++)
    for (size_t t = 0; t < taps; t++) w_[t * c + ch] = w.w[ch * taps + t];
}

void QConvDw::run(const uint8_t* x, uint8_t* y, const RunContext& ctx) const {
  const size_t taps = s_.taps(), c = s_.cin;
  const QU8DwWeights wt{c, bias_.data(), scale_.data(), w_.data()};
  ctx.parallel_for(s_.n * s_.oh, 1, [&](size_t begin, size_t end) {
    std::vector<const uint8_t*> ind(s_.ow * taps);
    for (size_t r = begin; r < end; r++) {
      const size_t n = r / s_.oh, oy = r % s_.oh;
      const uint8_t* image = x + n * s_.h * s_.w * c;
      const uint8_t** p = ind.data();
      for (size_t ox = 0; ox < s_.ow; ox++)
        for (size_t ky = 0; ky < s_.kh; ky++) {
          const long iy = long(oy * s_.sh + ky * s_.dh) - long(s_.pt);
          for (size_t kx = 0; kx < s_.kw; kx++) {
            const long ix = long(ox * s_.sw + kx * s_.dw) - long(s_.pl);
            const bool inside = iy >= 0 && iy < long(s_.h) && ix >= 0 && ix < long(s_.w);
            *p++ = inside ? image + (size_t(iy) * s_.w + size_t(ix)) * c : zp_row_.data();
          }
        }
      kernel_(s_.ow, taps, ind.data(), wt, y + r * s_.ow * c, c, out_);
    }
  });
}

}  // namespace i8k
