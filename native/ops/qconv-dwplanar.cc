#include "qconv-dwplanar.h"
#include <algorithm>
#include <cstring>

namespace i8k {

namespace {
size_t align64(size_t n) { return (n + 63) / 64 * 64; }
// Workspace slots: enough tasks for 4 per thread on 8 threads, few enough that the slots stay small.
constexpr size_t kMaxSlots = 32;
// Narrower outputs stay on the NHWC depthwise: a 64-output block then spans several output rows,
// one masked store each, and bench-qconv (Zen 4, 1 thread, --planar 0/1 interleaved) measured the
// planar op slower at 14x14 (38 vs 47 GOPS) and 7x7 (17 vs 45), faster at 28x28 (56 vs 50),
// 56x56 (77 vs 43) and 112x112 (82-85 vs 44).
constexpr size_t kMinWidth = 24;
}  // namespace

std::unique_ptr<QConvDwPlanar> QConvDwPlanar::create(QU8DwPlanarUkernel kernel, const QConvShape& s,
                                                     const QConvPrepared& w, const RequantParams& out,
                                                     uint8_t x_zero_point, uint8_t x_flip, uint8_t y_flip) {
  if (!kernel || !qu8_dwplanar_supports(s.sw, s.dw) || w.w_min < -128 || w.w_max > 127) return nullptr;
  if (s.ow < kMinWidth) return nullptr;
  std::unique_ptr<QConvDwPlanar> op(new QConvDwPlanar());
  op->s_ = s;
  op->plane_w_ = (s.ow - 1) * s.sw + s.kw;
  op->plane_h_ = (s.oh - 1) * s.sh + (s.kh - 1) * s.dh + 1;
  op->flat_ = s.sh == 1 && s.sw == 1;
  op->kernel_ = kernel, op->out_ = out, op->x_zp_ = x_zero_point, op->x_flip_ = x_flip, op->y_flip_ = y_flip;
  const size_t quads = (s.kw + 3) / 4, row = 4 * quads, taps = s.taps();
  // Slack past the plane: the kernel's last vector block may reach this far past the last window
  // (its loads stay unmasked; the bytes feed only outputs that are dropped).
  op->in_bytes_ = align64(op->plane_h_ * op->plane_w_ + 64 * s.sw + row + 64);
  op->slot_bytes_ = op->in_bytes_;
  op->slots_ = std::min(s.n * s.cin, kMaxSlots);
  op->w_.assign(s.cin * s.kh * row, 0);
  for (size_t ch = 0; ch < s.cin; ch++)
    for (size_t ky = 0; ky < s.kh; ky++)
      for (size_t kx = 0; kx < s.kw; kx++)
        op->w_[(ch * s.kh + ky) * row + kx] = int8_t(w.w[ch * taps + ky * s.kw + kx]);
  op->bias_ = w.bias, op->scale_ = w.scale;
  return op;
}

// n bytes (any count: rows are often 7 to 112) XOR flip, in 8-byte steps (the last one overlapping).
inline void copy_row(uint8_t* d, const uint8_t* src, size_t n, uint8_t flip) {
  if (n < 8) {
    for (size_t i = 0; i < n; i++) d[i] = src[i] ^ flip;
    return;
  }
  const uint64_t f = 0x0101010101010101ull * flip;
  auto step = [&](size_t i) {
    uint64_t v;
    std::memcpy(&v, src + i, 8);
    v ^= f;
    std::memcpy(d + i, &v, 8);
  };
  for (size_t i = 0; i + 8 <= n; i += 8) step(i);
  if (n % 8) step(n - 8);
}

// Input row iy sits at plane row iy + pt, column ix at ix + pl; the rest of the slot (padding
// and slack) is the zero point, written once per task (every plane leaves it untouched).
void QConvDwPlanar::fill_slot(uint8_t* slot) const { std::memset(slot, x_zp_, in_bytes_); }

void QConvDwPlanar::pad_plane(const uint8_t* x, uint8_t* plane) const {
  // Plane columns [pl, c1) come from the input.
  const size_t c1 = std::min(s_.w + s_.pl, plane_w_);
  if (c1 <= s_.pl) return;
  const size_t r0 = std::min(s_.pt, plane_h_), r1 = std::min(s_.h + s_.pt, plane_h_);
  for (size_t r = r0; r < r1; r++) copy_row(plane + r * plane_w_ + s_.pl, x + (r - s_.pt) * s_.w, c1 - s_.pl, x_flip_);
}

// Plane i of the n * c (image-major) planes.
void QConvDwPlanar::run_plane(size_t i, const uint8_t* x, uint8_t* y, uint8_t* slot) const {
  const size_t ch = i % s_.cin, row = 4 * ((s_.kw + 3) / 4);
  pad_plane(x + i * s_.h * s_.w, slot);
  const int8_t* w = w_.data() + ch * s_.kh * row;
  uint8_t* out = y + i * s_.oh * s_.ow;
  if (flat_) {
    // Output (oy, ox) is long-row output oy * plane_w + ox; the columns past ow wrap and are dropped.
    const size_t count = (s_.oh - 1) * plane_w_ + s_.ow;
    const QU8DwPlanarShape ks{count, 1, s_.kh, s_.kw, s_.dh * plane_w_, in_bytes_, plane_w_, s_.ow};
    kernel_(ks, slot, w, bias_[ch], scale_[ch], out, y_flip_, out_);
    return;
  }
  for (size_t oy = 0; oy < s_.oh; oy++) {
    const size_t start = oy * s_.sh * plane_w_;
    const QU8DwPlanarShape ks{s_.ow, s_.sw, s_.kh, s_.kw, s_.dh * plane_w_, in_bytes_ - start, s_.ow, s_.ow};
    kernel_(ks, slot + start, w, bias_[ch], scale_[ch], out + oy * s_.ow, y_flip_, out_);
  }
}

void QConvDwPlanar::run(const uint8_t* x, uint8_t* y, uint8_t* workspace, const RunContext& ctx) const {
  const size_t planes = s_.n * s_.cin;
  ctx.parallel_for(slots_, 1, [&](size_t begin, size_t end) {
    // Slot `begin` is this task's alone; the slots' planes are contiguous shares.
    uint8_t* slot = workspace + begin * slot_bytes_;
    fill_slot(slot);
    for (size_t i = begin * planes / slots_; i < end * planes / slots_; i++) run_plane(i, x, y, slot);
  });
}

}  // namespace i8k
