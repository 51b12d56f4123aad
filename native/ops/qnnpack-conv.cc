#include "qnnpack-conv.h"
#include <cstring>

namespace i8k {

namespace {
constexpr size_t kZeroRow = ~size_t(0);
constexpr size_t kAlign = 64;
size_t aligned(size_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }
}  // namespace

U8U8Conv::U8U8Conv(const U8U8GemmConfig& cfg, const U8U8ConvShape& s, const uint8_t* w, const int32_t* bias,
                   const float* scale, const U8U8Params& p)
    : s_(s), zero_(s.channels / s.groups, uint8_t(p.a_zero_point)), rows_(s.batch * s.out_h * s.out_w) {
  const size_t cpg = s.channels / s.groups, opg = s.out_channels / s.groups, ks = s.kernel_h * s.kernel_w;
  // ONNX weights [o][c][kh][kw] -> per group [o][tap][c], the kernels' n x ks x kc.
  std::vector<uint8_t> wt(opg * ks * cpg);
  for (size_t g = 0; g < s.groups; g++) {
    for (size_t o = 0; o < opg; o++)
      for (size_t c = 0; c < cpg; c++)
        for (size_t t = 0; t < ks; t++) wt[(o * ks + t) * cpg + c] = w[((g * opg + o) * cpg + c) * ks + t];
    groups_.push_back(std::make_unique<U8U8Gemm>(cfg, cpg, ks, opg, wt.data(), bias ? bias + g * opg : nullptr,
                                                 scale + g * opg, p));
  }
  // Block of MR output pixels, tap, pixel in the block (U8U8GemmUkernel's layout); padding rows of
  // the last block read the zero row.
  const size_t mr = cfg.mr;
  offsets_.assign(groups_[0]->indirection_size(rows_), kZeroRow);
  for (size_t r = 0; r < rows_; r++) {
    const size_t b = r / (s.out_h * s.out_w), oy = r / s.out_w % s.out_h, ox = r % s.out_w;
    for (size_t ky = 0; ky < s.kernel_h; ky++)
      for (size_t kx = 0; kx < s.kernel_w; kx++) {
        // Unsigned wrap-around makes taps left of or above the image huge, so one compare each.
        const size_t iy = oy * s.stride_h + ky * s.dilation_h - s.pad_top;
        const size_t ix = ox * s.stride_w + kx * s.dilation_w - s.pad_left;
        const size_t t = ky * s.kernel_w + kx;
        if (iy < s.height && ix < s.width)
          offsets_[(r / mr) * mr * ks + t * mr + r % mr] = ((b * s.height + iy) * s.width + ix) * s.channels;
      }
  }
}

size_t U8U8Conv::workspace_bytes() const {
  return aligned(offsets_.size() * sizeof(const uint8_t*)) + aligned(s_.batch * s_.height * s_.width * s_.channels) +
         aligned(rows_ * s_.out_channels);
}

void U8U8Conv::run(const uint8_t* x, uint8_t* y, void* workspace, const RunContext& ctx) const {
  uint8_t* ws = static_cast<uint8_t*>(workspace);
  const uint8_t** ind = reinterpret_cast<const uint8_t**>(ws);
  uint8_t* image = ws + aligned(offsets_.size() * sizeof(const uint8_t*));
  uint8_t* out = image + aligned(s_.batch * s_.height * s_.width * s_.channels);
  const size_t hw = s_.height * s_.width, c = s_.channels;
  ctx.parallel_for(s_.batch * hw, 1024, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      const uint8_t* src = x + (i / hw) * c * hw + i % hw;
      for (size_t ch = 0; ch < c; ch++) image[i * c + ch] = src[ch * hw];
    }
  });
  for (size_t i = 0; i < offsets_.size(); i++) ind[i] = offsets_[i] == kZeroRow ? zero_.data() : image + offsets_[i];
  const size_t cpg = c / s_.groups, opg = s_.out_channels / s_.groups;
  for (size_t g = 0; g < s_.groups; g++)
    groups_[g]->run(rows_, ind, g * cpg, zero_.data(), out + g * opg, s_.out_channels, ctx);
  const size_t ohw = s_.out_h * s_.out_w, oc = s_.out_channels;
  ctx.parallel_for(s_.batch * oc, 16, [&](size_t begin, size_t end) {
    for (size_t j = begin; j < end; j++) {
      const uint8_t* src = out + (j / oc) * ohw * oc + j % oc;
      uint8_t* dst = y + j * ohw;
      for (size_t p = 0; p < ohw; p++) dst[p] = src[p * oc];
    }
  });
}

}  // namespace i8k
