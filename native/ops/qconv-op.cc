#include "qconv-op.h"
#include <algorithm>
#include "qconv-layout.h"

namespace i8k {

namespace {

constexpr size_t kAlign = 64;
size_t align_up(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// Pixels per task of the layout conversions.
constexpr size_t kLayoutBlock = 256;
// GEMM path: output pixels per task (a multiple of the 16x16 transpose tile), and the most
// workspace slots (tasks running at once: 4 per thread on 8 threads).
constexpr size_t kPixelBlock = 64;
constexpr size_t kMaxSlots = 32;

// NCHW planes -> NHWC pixels of one op (XOR flip: 0x80 turns s8 into u8 + 128), or back.
void convert(const uint8_t* in, uint8_t* out, size_t n, size_t c, size_t pixels, bool to_nhwc, uint8_t flip,
             const RunContext& ctx) {
  const size_t blocks = (pixels + kLayoutBlock - 1) / kLayoutBlock;
  ctx.parallel_for(n * blocks, 1, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; t++) {
      const size_t img = t / blocks, p0 = t % blocks * kLayoutBlock, np = std::min(kLayoutBlock, pixels - p0);
      const size_t base = img * c * pixels;
      if (to_nhwc) transpose_u8(in + base + p0, pixels, out + base + p0 * c, c, c, np, flip);
      else transpose_u8(in + base + p0 * c, c, out + base + p0, pixels, np, c, flip);
    }
  });
}

}  // namespace

std::unique_ptr<QConv> QConv::create(const KernelConfig& cfg, const QConvConfig& qcfg, const QConvShape& s,
                                     const QConvRawWeights& w, const int32_t* bias, const QConvParams& q,
                                     QConvIo io, std::string* why) {
  QConvPrepared prepared;
  *why = prepare_qconv_weights(s, w, bias, q, &prepared);
  if (!why->empty()) return nullptr;
  std::unique_ptr<QConv> op(new QConv(s, io));
  const uint8_t x_zp = uint8_t(q.x_zero_point);
  if (s.group == s.cin && s.cout == s.cin) {
    op->dw_ = std::make_unique<QConvDw>(qcfg, s, prepared, q.out, x_zp);
    op->planar_ = QConvDwPlanar::create(qcfg.dw_planar, s, prepared, q.out, x_zp, io.x_signed ? 0x80 : 0,
                                        io.y_signed ? 0x80 : 0);
  }
  else {
    op->gemm_ = std::make_unique<QConvGemm>(cfg.u8s8_gemm, qcfg, s, prepared, q.out, x_zp);
    op->slots_ = std::min(s.n * ((s.oh * s.ow + kPixelBlock - 1) / kPixelBlock), kMaxSlots);
  }
  return op;
}

size_t QConv::nhwc_input_slack() const { return gemm_ ? gemm_->input_slack() : 0; }

size_t QConv::x_bytes() const { return align_up(s_.n * s_.h * s_.w * s_.cin + nhwc_input_slack()); }

void QConv::run_nhwc(const uint8_t* x, uint8_t* y, const RunContext& ctx) const {
  if (dw_) dw_->run(x, y, ctx);
  else gemm_->run(x, y, ctx);
}

// A GEMM task's slot: its input pixels (1x1: transposed from NCHW, with the kernel's slack), its
// NHWC output pixels, and the im2col rows.
size_t QConv::slot_bytes() const {
  return align_up(kPixelBlock * s_.cin + gemm_->input_slack()) + align_up(kPixelBlock * s_.cout) +
         align_up(gemm_->scratch_bytes());
}

size_t QConv::workspace_bytes() const {
  if (planar_) return planar_->workspace_bytes();
  if (gemm_) return (gemm_->direct() ? 0 : x_bytes()) + slots_ * slot_bytes();
  return x_bytes() + align_up(s_.n * s_.oh * s_.ow * s_.cout); }

const char* QConv::path() const {
  if (planar_) return "depthwise-planar";
  return dw_ ? "depthwise" : gemm_->direct() ? "gemm-1x1" : gemm_->small() ? "direct-small" : "gemm-im2col"; }

void QConv::run(const void* x, void* y, void* workspace, const RunContext& ctx) const {
  if (planar_) {
    planar_->run(static_cast<const uint8_t*>(x), static_cast<uint8_t*>(y), static_cast<uint8_t*>(workspace), ctx);
    return;
  }
  if (gemm_) {
    run_gemm(static_cast<const uint8_t*>(x), static_cast<uint8_t*>(y), static_cast<uint8_t*>(workspace), ctx);
    return;
  }
  uint8_t* xn = static_cast<uint8_t*>(workspace);
  uint8_t* yn = xn + x_bytes();
  const size_t x_len = s_.n * s_.h * s_.w * s_.cin;
  convert(static_cast<const uint8_t*>(x), xn, s_.n, s_.cin, s_.h * s_.w, true, io_.x_signed ? 0x80 : 0, ctx);
  // The GEMM reads whole KR groups past a row's end: keep the slack defined (it meets zero weights).
  std::fill(xn + x_len, xn + x_bytes(), uint8_t(0));
  run_nhwc(xn, yn, ctx);
  convert(yn, static_cast<uint8_t*>(y), s_.n, s_.cout, s_.oh * s_.ow, false, io_.y_signed ? 0x80 : 0, ctx);
}

// One parallel section per run for a 1x1 conv, two otherwise (the windows of a block need other
// blocks' input rows, so the input conversion finishes first): each task takes contiguous pixel
// blocks and, per block, transposes its input pixels in (1x1), runs the GEMM into its slot and
// transposes the block out to the NCHW output while it is still in cache. No heap allocation.
void QConv::run_gemm(const uint8_t* x, uint8_t* y, uint8_t* workspace, const RunContext& ctx) const {
  const bool direct = gemm_->direct();
  const size_t m = s_.oh * s_.ow, blocks = (m + kPixelBlock - 1) / kPixelBlock, total = s_.n * blocks;
  const uint8_t x_flip = io_.x_signed ? 0x80 : 0, y_flip = io_.y_signed ? 0x80 : 0;
  uint8_t* slots = workspace;
  if (!direct) {
    const size_t x_len = s_.n * s_.h * s_.w * s_.cin;
    convert(x, workspace, s_.n, s_.cin, s_.h * s_.w, true, x_flip, ctx);
    // The GEMM reads whole KR groups past a row's end: keep the slack defined (it meets zero weights).
    std::fill(workspace + x_len, workspace + x_bytes(), uint8_t(0));
    slots += x_bytes();
  }
  const size_t xb_bytes = align_up(kPixelBlock * s_.cin + gemm_->input_slack());
  const size_t yb_bytes = align_up(kPixelBlock * s_.cout);
  ctx.parallel_for(slots_, 1, [&](size_t begin, size_t end) {
    // Slot `begin` is this task's alone; the slots' blocks are contiguous shares.
    uint8_t* xb = slots + begin * slot_bytes();
    uint8_t* yb = xb + xb_bytes;
    uint8_t* buf = yb + yb_bytes;
    for (size_t t = begin * total / slots_; t < end * total / slots_; t++) {
      const size_t img = t / blocks, p0 = t % blocks * kPixelBlock, np = std::min(kPixelBlock, m - p0);
      const uint8_t* xin = workspace;
      if (direct) {  // m == h * w: output pixel p reads input pixel p
        transpose_u8(x + img * s_.cin * m + p0, m, xb, s_.cin, s_.cin, np, x_flip);
        std::fill(xb + np * s_.cin, xb + np * s_.cin + gemm_->input_slack(), uint8_t(0));
        xin = xb;
      }
      gemm_->run_pixels(xin, img, p0, p0 + np, yb, buf);
      transpose_u8(yb, s_.cout, y + img * s_.cout * m + p0, m, np, s_.cout, y_flip);
    }
  });
}

}  // namespace i8k
