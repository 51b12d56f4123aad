// INT8 convolution operator (ONNX QLinearConv semantics): NCHW u8 or s8 in, NCHW u8 or s8 out,
// per-tensor or per-output-channel weight scales and zero points, int32 bias, and an output clamp
// (RequantParams y_min / y_max) a runtime lowering can use for a fused ReLU / ReLU6.
//
// Inside it runs NHWC: the input is converted at the boundary into the op's workspace (an s8 input
// is shifted to u8 on the way, +128), the chosen path computes NHWC output there, and that is
// converted back (s8 outputs shifted by -128). Depthwise convs the planar kernels suit skip the
// conversions: they run on NCHW planes directly (qconv-dwplanar.h). Paths: depthwise (group == cin == cout) on the u8
// depthwise rows, everything else on per-group u8 x s8 GEMMs (qconv-gemm.h). Weights are prepared
// and packed once at construction; run() may be called from several threads at once.
#pragma once
#include <memory>
#include <string>
#include "../config/kernel-config.h"
#include "../config/qconv-config.h"
#include "qconv-dw.h"
#include "qconv-dwplanar.h"
#include "qconv-gemm.h"

namespace i8k {

struct QConvIo {
  bool x_signed, y_signed;
};

class QConv {
 public:
  // q is in the u8 domain (see QConvParams). Null with *why set when the op cannot be exact.
  static std::unique_ptr<QConv> create(const KernelConfig& cfg, const QConvConfig& qcfg, const QConvShape& s,
                                       const QConvRawWeights& w, const int32_t* bias, const QConvParams& q,
                                       QConvIo io, std::string* why);
  size_t workspace_bytes() const;
  // workspace: workspace_bytes(), 64-byte aligned.
  void run(const void* x, void* y, void* workspace, const RunContext& ctx) const;
  // "depthwise-planar", "depthwise", "gemm-1x1", "direct-small" or "gemm-im2col" (tests and benchmarks name the path they measure).
  const char* path() const;
  // The NHWC core without the boundary conversions, for a runtime that keeps activations NHWC:
  // x holds N*H*W pixels of cin bytes in the u8 domain (s8 data shifted by +128), readable for
  // nhwc_input_slack() bytes past its end; y gets N*OH*OW pixels of cout bytes in the u8 domain.
  size_t nhwc_input_slack() const;
  void run_nhwc(const uint8_t* x, uint8_t* y, const RunContext& ctx) const;
  // The plan op's channels_last mode (qconv-nhwc.cc): x is N*H*W pixels of cin bytes in the op's
  // own dtype (s8 or u8) with nothing readable past its end, y gets N*OH*OW pixels of cout bytes.
  // No layout conversion; s8 data crosses into the u8 domain only where a path needs it.
  size_t channels_last_workspace_bytes() const;
  void run_channels_last(const void* x, void* y, void* workspace, const RunContext& ctx) const;

 private:
  QConv(const QConvShape& s, QConvIo io) : s_(s), io_(io) {}
  size_t x_bytes() const;
  size_t slot_bytes() const;
  void run_gemm(const uint8_t* x, uint8_t* y, uint8_t* workspace, const RunContext& ctx) const;
  // channels_last on images of few pixel blocks: whole-image im2col, tasks split by weight panel.
  bool whole_image_im2col() const;
  void run_small_image(const uint8_t* x, uint8_t* y, uint8_t* rows, const RunContext& ctx) const;

  QConvShape s_;
  QConvIo io_;
  std::unique_ptr<QConvDw> dw_;
  std::unique_ptr<QConvDwPlanar> planar_;  // run()'s depthwise where it applies (dw_ serves run_nhwc)
  std::unique_ptr<QConvGemm> gemm_;
  size_t slots_ = 0;  // GEMM path: workspace slots (one per concurrent task) of slot_bytes()
};

}  // namespace i8k
