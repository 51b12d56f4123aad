#include "qconv-small.h"
#include <algorithm>
#include <cstring>

namespace i8k {

namespace {
// Output pixels per kernel pass over the padded rows: bounds the scratch whatever block a caller
// hands run_pixels.
constexpr size_t kChunk = 64;
// The kernel reads whole 4-byte groups: up to 3 bytes past the last span of a padded row.
constexpr size_t kSlack = 4;
size_t groups_of(size_t bytes) { return (bytes + 3) / 4; }
}  // namespace

bool QConvSmall::fits(const QConvConfig& qcfg, const QConvShape& s, const QConvPrepared& w) {
  return qcfg.small && s.group == 1 && s.dw == 1 && w.w_min >= -128 && w.w_max <= 127 &&
         s.kh * groups_of(s.kw * s.cin) * 4 <= kMaxBytes;
}

QConvSmall::QConvSmall(const QConvConfig& qcfg, const QConvShape& s, const QConvPrepared& w,
                       const RequantParams& out, uint8_t x_zero_point)
    : kernel_(qcfg.small), s_(s), out_(out), x_zp_(x_zero_point) {
  span_ = s.kw * s.cin;
  groups_ = groups_of(span_);
  wp_ = (s.ow - 1) * s.sw + s.kw;
  // The prepared weights are [cout][kh][kw][cin] = [cout][kh][span]: the kernel's input order.
  std::vector<int8_t> w8(w.w.size());
  for (size_t i = 0; i < w8.size(); i++) w8[i] = int8_t(w.w[i]);
  packed_.resize(qcfg.small_packed_bytes(s.cout, s.kh, groups_));
  qcfg.small_pack(s.cout, s.kh, span_, w8.data(), packed_.data());
  const size_t padded = qu8_smallconv_tiles(s.cout) * kSmallConvTile;
  bias_.assign(padded, 0);
  scale_.assign(padded, 0.0f);
  std::copy(w.bias.begin(), w.bias.end(), bias_.begin());
  std::copy(w.scale.begin(), w.scale.end(), scale_.begin());
}

size_t QConvSmall::scratch_bytes() const {
  // A chunk spans at most this many output rows, which read this many padded input rows.
  const size_t out_rows = (kChunk - 1) / s_.ow + 2;
  return ((out_rows - 1) * s_.sh + (s_.kh - 1) * s_.dh + 1) * wp_ * s_.cin + kSlack;
}

void QConvSmall::pad_rows(const uint8_t* x, size_t n, size_t r0, size_t r1, uint8_t* buf) const {
  const size_t row_bytes = wp_ * s_.cin, left = std::min(s_.pl, wp_);
  // Input columns [0, w) land at padded columns [pl, pl + w); padded columns past w + pl are zero point.
  const size_t cols = s_.pl < wp_ ? std::min(s_.w, wp_ - s_.pl) : 0;
  for (size_t r = r0; r < r1; r++, buf += row_bytes) {
    const long iy = long(r) - long(s_.pt);
    if (iy < 0 || iy >= long(s_.h)) {
      std::memset(buf, x_zp_, row_bytes);
      continue;
    }
    std::memset(buf, x_zp_, left * s_.cin);
    std::memcpy(buf + left * s_.cin, x + ((n * s_.h + size_t(iy)) * s_.w) * s_.cin, cols * s_.cin);
    std::memset(buf + (left + cols) * s_.cin, x_zp_, (wp_ - left - cols) * s_.cin);
  }
  std::memset(buf, 0, kSlack);  // the groups' bytes past the last span (they meet zero weights)
}

void QConvSmall::run_pixels(const uint8_t* x, size_t n, size_t p0, size_t p1, uint8_t* y, uint8_t* buf) const {
  const QU8SmallConvGeometry g{s_.cout, s_.kh, groups_, s_.sw * s_.cin, s_.dh * wp_ * s_.cin};
  for (size_t c0 = p0; c0 < p1; c0 += kChunk) {
    const size_t c1 = std::min(p1, c0 + kChunk), oy0 = c0 / s_.ow, oy1 = (c1 - 1) / s_.ow;
    const size_t r0 = oy0 * s_.sh;
    pad_rows(x, n, r0, oy1 * s_.sh + (s_.kh - 1) * s_.dh + 1, buf);
    for (size_t oy = oy0; oy <= oy1; oy++) {
      const size_t a = std::max(c0, oy * s_.ow), b = std::min(c1, (oy + 1) * s_.ow), ox = a - oy * s_.ow;
      kernel_(b - a, g, buf + ((oy * s_.sh - r0) * wp_ + ox * s_.sw) * s_.cin, packed_.data(), bias_.data(),
              scale_.data(), y + (a - p0) * s_.cout, &out_);
    }
  }
}

}  // namespace i8k
