#include "qconv-dw.h"

namespace i8k {

QConvDw::QConvDw(const QConvConfig& cfg, const QConvShape& s, const QConvPrepared& w, const RequantParams& out,
                 uint8_t x_zero_point)
    : s_(s), out_(out), zp_row_(s.cin, x_zero_point) {
  const size_t taps = s.taps(), c = s.cin;
  // [o][ky][kx] -> [kx * kh + ky][c], the indirection's tap order.
  std::vector<int16_t> wt(taps * c);
  for (size_t ch = 0; ch < c; ch++)
    for (size_t ky = 0; ky < s.kh; ky++)
      for (size_t kx = 0; kx < s.kw; kx++) wt[(kx * s.kh + ky) * c + ch] = w.w[ch * taps + ky * s.kw + kx];
  if (cfg.dw_s8_pack && w.w_min >= -128 && w.w_max <= 127) {
    kernel_ = taps == 9 ? cfg.dw_s8_9 : taps == 25 ? cfg.dw_s8_25 : cfg.dw_s8_any;
    packed_.resize(cfg.dw_s8_packed_bytes(taps, c));
    cfg.dw_s8_pack(taps, c, wt.data(), w.bias.data(), w.scale.data(), packed_.data());
  } else {
    kernel_ = taps == 9 ? cfg.dw9 : taps == 25 ? cfg.dw25 : cfg.dw_any;
    packed_.resize(qu8_dwconv_packed_bytes(cfg.dw_block, taps, c));
    qu8_dwconv_pack(cfg.dw_block, taps, c, wt.data(), w.bias.data(), w.scale.data(), packed_.data());
  }

  // Input columns one output row reads (output pixel ox starts at column ox * sw). With dilation
  // the columns of one window are not adjacent: every window is listed separately then.
  const size_t cols = (s.ow - 1) * s.sw + (s.kw - 1) * s.dw + 1;
  const bool shared = s.dw == 1;
  entries_ = shared ? cols * s.kh : s.ow * taps;
  step_ = shared ? s.sw * s.kh : taps;
  offsets_.resize(s.oh * entries_);
  for (size_t oy = 0; oy < s.oh; oy++) {
    int64_t* p = offsets_.data() + oy * entries_;
    auto at = [&](size_t ky, long ix) -> int64_t {
      const long iy = long(oy * s.sh + ky * s.dh) - long(s.pt);
      const bool inside = iy >= 0 && iy < long(s.h) && ix >= 0 && ix < long(s.w);
      return inside ? int64_t((size_t(iy) * s.w + size_t(ix)) * c) : -1;
    };
    if (shared) {
      for (size_t col = 0; col < cols; col++)
        for (size_t ky = 0; ky < s.kh; ky++) *p++ = at(ky, long(col) - long(s.pl));
    } else {
      for (size_t ox = 0; ox < s.ow; ox++)
        for (size_t kx = 0; kx < s.kw; kx++)
          for (size_t ky = 0; ky < s.kh; ky++) *p++ = at(ky, long(ox * s.sw + kx * s.dw) - long(s.pl));
    }
  }
}

void QConvDw::run(const uint8_t* x, uint8_t* y, const RunContext& ctx) const {
  const size_t c = s_.cin;
  ctx.parallel_for(s_.n * s_.oh, 1, [&](size_t begin, size_t end) {
    std::vector<const uint8_t*> ind(entries_);
    for (size_t r = begin; r < end; r++) {
      const uint8_t* image = x + r / s_.oh * s_.h * s_.w * c;
      const int64_t* off = offsets_.data() + r % s_.oh * entries_;
      for (size_t i = 0; i < entries_; i++) ind[i] = off[i] < 0 ? zp_row_.data() : image + off[i];
      kernel_(s_.ow, c, s_.taps(), ind.data(), step_, packed_.data(), y + r * s_.ow * c, c, out_);
    }
  });
}

}  // namespace i8k
