#include "qconv-op.h"
#include <algorithm>
#include "qconv-layout.h"

namespace i8k {

namespace {

constexpr size_t kAlign = 64;
size_t align_up(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// Pixels per task of the layout conversions.
constexpr size_t kLayoutBlock = 256;

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
  else
    op->gemm_ = std::make_unique<QConvGemm>(cfg.u8s8_gemm, s, prepared, q.out, x_zp);
  return op;
}

size_t QConv::nhwc_input_slack() const { return gemm_ ? gemm_->input_slack() : 0; }

size_t QConv::x_bytes() const { return align_up(s_.n * s_.h * s_.w * s_.cin + nhwc_input_slack()); }

void QConv::run_nhwc(const uint8_t* x, uint8_t* y, const RunContext& ctx) const {
  if (dw_) dw_->run(x, y, ctx);
  else gemm_->run(x, y, ctx);
}

size_t QConv::workspace_bytes() const {
  if (planar_) return planar_->workspace_bytes();
  return x_bytes() + align_up(s_.n * s_.oh * s_.ow * s_.cout); }

const char* QConv::path() const {
  if (planar_) return "depthwise-planar";
  return dw_ ? "depthwise" : gemm_->direct() ? "gemm-1x1" : "gemm-im2col"; }

void QConv::run(const void* x, void* y, void* workspace, const RunContext& ctx) const {
  if (planar_) {
    planar_->run(static_cast<const uint8_t*>(x), static_cast<uint8_t*>(y), static_cast<uint8_t*>(workspace), ctx);
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

}  // namespace i8k
