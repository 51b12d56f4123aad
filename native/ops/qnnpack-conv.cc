#include "qnnpack-conv.h"
#include <algorithm>
#include <cstring>

namespace i8k {

namespace {
constexpr size_t kZeroRow = ~size_t(0);
constexpr size_t kAlign = 64;
size_t aligned(size_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

// 8 x 8 bytes: d[c * dst_stride + r] = s[r * src_stride + c], as eight 64-bit rows in three
// rounds of swapping blocks across the diagonal (1x1, 2x2, then 4x4 bytes); little endian, as every
// target is.
void transpose_8x8(const uint8_t* s, size_t src_stride, uint8_t* d, size_t dst_stride) {
  uint64_t a[8];
  for (size_t i = 0; i < 8; i++) std::memcpy(&a[i], s + i * src_stride, 8);
  const uint64_t masks[3] = {0x00FF00FF00FF00FFull, 0x0000FFFF0000FFFFull, 0x00000000FFFFFFFFull};
  for (size_t level = 0; level < 3; level++) {
    const size_t step = size_t(1) << level, bits = 8 * step;
    for (size_t i = 0; i < 8; i++)
      if (!(i & step)) {
        const uint64_t t = ((a[i] >> bits) ^ a[i + step]) & masks[level];
        a[i + step] ^= t;
        a[i] ^= t << bits;
      }
  }
  for (size_t i = 0; i < 8; i++) std::memcpy(d + i * dst_stride, &a[i], 8);
}

// dst[c * rows + r] = src[r * cols + c] for `batch` matrices, by 32 x 32 tiles of 8 x 8 blocks (a
// plain loop reads one side with a large stride and took as long as the convolution itself).
void transpose_u8(const uint8_t* src, uint8_t* dst, size_t batch, size_t rows, size_t cols, const RunContext& ctx) {
  constexpr size_t T = 32;
  const size_t tr = (rows + T - 1) / T, tc = (cols + T - 1) / T;
  ctx.parallel_for(batch * tr * tc, 16, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; t++) {
      const size_t b = t / (tr * tc), r0 = t / tc % tr * T, c0 = t % tc * T;
      const uint8_t* s = src + b * rows * cols;
      uint8_t* d = dst + b * rows * cols;
      const size_t r1 = std::min(rows, r0 + T), c1 = std::min(cols, c0 + T);
      for (size_t r = r0; r < r1; r += 8)
        for (size_t c = c0; c < c1; c += 8) {
          if (r + 8 <= r1 && c + 8 <= c1) {
            transpose_8x8(s + r * cols + c, cols, d + c * rows + r, rows);
            continue;
          }
          for (size_t cc = c; cc < std::min(c1, c + 8); cc++)
            for (size_t rr = r; rr < std::min(r1, r + 8); rr++) d[cc * rows + rr] = s[rr * cols + cc];
        }
    }
  });
}
}  // namespace

U8U8Conv::U8U8Conv(const U8U8GemmConfig& cfg, const U8U8ConvShape& s, const uint8_t* w, const int32_t* w_zero_point,
                   const int32_t* bias, const float* scale, const U8U8Params& p)
    : s_(s), zero_(s.channels / s.groups, uint8_t(p.a_zero_point)), rows_(s.batch * s.out_h * s.out_w) {
  const size_t cpg = s.channels / s.groups, opg = s.out_channels / s.groups, ks = s.kernel_h * s.kernel_w;
  // ONNX weights [o][c][kh][kw] -> per group [o][tap][c], the kernels' n x ks x kc.
  std::vector<uint8_t> wt(opg * ks * cpg);
  for (size_t g = 0; g < s.groups; g++) {
    for (size_t o = 0; o < opg; o++)
      for (size_t c = 0; c < cpg; c++)
        for (size_t t = 0; t < ks; t++) wt[(o * ks + t) * cpg + c] = w[((g * opg + o) * cpg + c) * ks + t];
    groups_.push_back(std::make_unique<U8U8Gemm>(cfg, cpg, ks, opg, wt.data(), w_zero_point + g * opg,
                                                 bias ? bias + g * opg : nullptr, scale + g * opg, p));
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
  return aligned(nhwc_workspace_bytes()) + aligned(s_.batch * s_.height * s_.width * s_.channels) +
         aligned(rows_ * s_.out_channels);
}

size_t U8U8Conv::nhwc_workspace_bytes() const { return offsets_.size() * sizeof(const uint8_t*); }

void U8U8Conv::run_nhwc(const uint8_t* x, uint8_t* y, void* workspace, const RunContext& ctx) const {
  const uint8_t** ind = static_cast<const uint8_t**>(workspace);
  for (size_t i = 0; i < offsets_.size(); i++) ind[i] = offsets_[i] == kZeroRow ? zero_.data() : x + offsets_[i];
  const size_t cpg = s_.channels / s_.groups, opg = s_.out_channels / s_.groups;
  for (size_t g = 0; g < s_.groups; g++)
    groups_[g]->run(rows_, ind, g * cpg, zero_.data(), y + g * opg, s_.out_channels, ctx);
}

void U8U8Conv::run(const uint8_t* x, uint8_t* y, void* workspace, const RunContext& ctx) const {
  uint8_t* ws = static_cast<uint8_t*>(workspace);
  uint8_t* image = ws + aligned(nhwc_workspace_bytes());
  uint8_t* out = image + aligned(s_.batch * s_.height * s_.width * s_.channels);
  transpose_u8(x, image, s_.batch, s_.channels, s_.height * s_.width, ctx);  // NCHW -> NHWC
  run_nhwc(image, out, ws, ctx);
  transpose_u8(out, y, s_.batch, rows_ / s_.batch, s_.out_channels, ctx);  // NHWC -> NCHW
}

}  // namespace i8k
