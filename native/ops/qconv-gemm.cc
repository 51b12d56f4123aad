#include "qconv-gemm.h"
#include <algorithm>
#include <cstring>

namespace i8k {

namespace {
// Output rows per task: enough to amortize the panel loop, few enough to split small images.
constexpr size_t kTaskTiles = 4;
}  // namespace

QConvGemm::QConvGemm(const U8S8GemmConfig& cfg, const QConvConfig& qcfg, const QConvShape& s, const QConvPrepared& w,
                     const RequantParams& out, uint8_t x_zero_point)
    : cfg_(cfg), s_(s), out_(out), x_zp_(x_zero_point) {
  // Parts needed so every weight is a sum of s8 values: the greedy split below takes 127 (or
  // -128) per part.
  parts_ = std::max<size_t>({1, size_t((w.w_max + 126) / 127), size_t((-w.w_min + 127) / 128)});
  k_ = s.k();
  const size_t ke = parts_ * k_, nr = cfg.nr, cout_g = s.cout_g();
  kp_ = (ke + cfg.kr - 1) / cfg.kr * cfg.kr;
  direct_ = s.kh == 1 && s.kw == 1 && s.sh == 1 && s.sw == 1 && s.pt == 0 && s.pl == 0 && s.oh == s.h &&
            s.ow == s.w && parts_ == 1;
  panels_ = (cout_g + nr - 1) / nr;
  if (!direct_ && QConvSmall::fits(qcfg, s, w)) {  // no packed GEMM weights needed
    small_ = std::make_unique<QConvSmall>(qcfg, s, w, out, x_zero_point);
    return;
  }
  panel_bytes_ = cfg.panel_bytes(ke);
  packed_.assign(s.group * panels_ * panel_bytes_, 0);
  bias_.assign(s.group * panels_ * nr, 0);
  scale_.assign(s.group * panels_ * nr, 0.0f);
  std::vector<int8_t> b(ke * cout_g);  // one group's [ke x cout_g] matrix
  for (size_t g = 0; g < s.group; g++) {
    for (size_t j = 0; j < cout_g; j++) {
      const size_t o = g * cout_g + j;
      for (size_t kk = 0; kk < k_; kk++) {
        int32_t r = w.w[o * k_ + kk];
        for (size_t p = 0; p < parts_; p++) {
          const int32_t a = std::min(127, std::max(-128, r));
          b[(p * k_ + kk) * cout_g + j] = int8_t(a);
          r -= a;
        }
      }
      bias_[g * panels_ * nr + j] = w.bias[o];
      scale_[g * panels_ * nr + j] = w.scale[o];
    }
    for (size_t p = 0; p < panels_; p++)
      cfg.pack(ke, std::min(nr, cout_g - p * nr), b.data() + p * nr, cout_g,
               packed_.data() + (g * panels_ + p) * panel_bytes_);
  }
}

// One im2col row (kh, kw, cin_g order, repeated parts_ times, zero padded to kp_) of output pixel
// `pixel` of image n, group g.
void QConvGemm::gather_row(const uint8_t* x, size_t n, size_t g, size_t pixel, uint8_t* dst) const {
  const size_t cin_g = s_.cin_g(), oy = pixel / s_.ow, ox = pixel % s_.ow, span = s_.kw * cin_g;
  // With one group and no horizontal dilation a kernel row's taps are one contiguous run of the NHWC
  // input: one copy per kernel row instead of one per tap (a 7x7 stem on 3 channels: 7 copies of
  // 21 bytes, not 49 of 3).
  const bool runs = s_.group == 1 && s_.dw == 1;
  const long ix0 = long(ox * s_.sw) - long(s_.pl), w = long(s_.w), kw = long(s_.kw);
  uint8_t* d = dst;
  for (size_t ky = 0; ky < s_.kh; ky++, d += span) {
    const long iy = long(oy * s_.sh + ky * s_.dh) - long(s_.pt);
    if (iy < 0 || iy >= long(s_.h)) {
      std::memset(d, x_zp_, span);
      continue;
    }
    const uint8_t* row = x + (n * s_.h + size_t(iy)) * s_.w * s_.cin + g * cin_g;
    if (runs) {
      const long lo = std::min(kw, std::max(0L, -ix0)), hi = std::max(lo, std::min(kw, w - ix0));  // taps [lo, hi) inside
      std::memset(d, x_zp_, size_t(lo) * cin_g);
      if (hi > lo) std::memcpy(d + size_t(lo) * cin_g, row + size_t(ix0 + lo) * s_.cin, size_t(hi - lo) * cin_g);
      std::memset(d + size_t(hi) * cin_g, x_zp_, size_t(kw - hi) * cin_g);
      continue;
    }
    for (size_t kx = 0; kx < s_.kw; kx++) {
      const long ix = ix0 + long(kx * s_.dw);
      if (ix < 0 || ix >= w)
        std::memset(d + kx * cin_g, x_zp_, cin_g);
      else
        std::memcpy(d + kx * cin_g, row + size_t(ix) * s_.cin, cin_g);
    }
  }
  for (size_t p = 1; p < parts_; p++) std::memcpy(dst + p * k_, dst, k_);
  std::memset(dst + parts_ * k_, 0, kp_ - parts_ * k_);
}

void QConvGemm::gather_rows(const uint8_t* x, size_t n, size_t g, size_t p0, size_t p1, uint8_t* dst) const {
  for (size_t p = p0; p < p1; p++) gather_row(x, n, g, p, dst + (p - p0) * kp_);
}

void QConvGemm::run_tile(const uint8_t* a, size_t g, size_t p0, size_t rows, size_t panel, uint8_t* y) const {
  const size_t nr = cfg_.nr, cout_g = s_.cout_g(), at = (g * panels_ + panel);
  cfg_.ukernel(rows, std::min(nr, cout_g - panel * nr), parts_ * k_, a + p0 * kp_, kp_, packed_.data() + at * panel_bytes_,
               bias_.data() + at * nr, scale_.data() + at * nr, y + p0 * s_.cout + g * cout_g + panel * nr, s_.cout, &out_);
}

void QConvGemm::run_pixels(const uint8_t* x, size_t n, size_t p0, size_t p1, uint8_t* y, uint8_t* buf) const {
  if (small_) return small_->run_pixels(x, n, p0, p1, y, buf);
  const size_t mr = cfg_.mr, nr = cfg_.nr, cout_g = s_.cout_g(), ke = parts_ * k_;
  for (size_t g = 0; g < s_.group; g++) {
    const uint8_t* w = packed_.data() + g * panels_ * panel_bytes_;
    const int32_t* bias = bias_.data() + g * panels_ * nr;
    const float* scale = scale_.data() + g * panels_ * nr;
    for (size_t i = p0; i < p1; i += mr) {
      const size_t rows = std::min(mr, p1 - i);
      const uint8_t* a;
      size_t a_stride;
      if (direct_) {
        a = x + (i - p0) * s_.cin + g * s_.cin_g();
        a_stride = s_.cin;
      } else {
        for (size_t r = 0; r < rows; r++) gather_row(x, n, g, i + r, buf + r * kp_);
        a = buf;
        a_stride = kp_;
      }
      uint8_t* yrow = y + (i - p0) * s_.cout + g * cout_g;
      for (size_t p = 0; p < panels_; p++)
        cfg_.ukernel(rows, std::min(nr, cout_g - p * nr), ke, a, a_stride, w + p * panel_bytes_, bias + p * nr,
                     scale + p * nr, yrow + p * nr, s_.cout, &out_);
    }
  }
}

void QConvGemm::run(const uint8_t* x, uint8_t* y, const RunContext& ctx) const {
  const size_t m = s_.oh * s_.ow, rows_per_task = cfg_.mr * kTaskTiles;
  const size_t blocks = (m + rows_per_task - 1) / rows_per_task;
  ctx.parallel_for(s_.n * blocks, 1, [&](size_t begin, size_t end) {
    std::vector<uint8_t> buf(scratch_bytes());
    for (size_t t = begin; t < end; t++) {
      const size_t n = t / blocks, p0 = t % blocks * rows_per_task, p1 = std::min(m, p0 + rows_per_task);
      run_pixels(direct_ ? x + (n * m + p0) * s_.cin : x, n, p0, p1, y + (n * m + p0) * s_.cout, buf.data());
    }
  });
}

}  // namespace i8k
