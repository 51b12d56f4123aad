// QConv's channels_last mode: the NHWC core (run_nhwc) fed straight from the plan's buffers.
// Two things stand between a plan value and run_nhwc:
//   - s8 data: the kernels work in the u8 domain, so an s8 input is XOR-copied (+128) into the
//     workspace and an s8 output is flipped back in place, block by block while it is in cache;
//   - slack: the direct 1x1 GEMM reads whole KR groups of its last row past the input's end
//     (nhwc_input_slack()), which a plan value does not guarantee to be readable. Only the
//     final pixel block can reach past the end, so that block alone runs from a padded copy.
// Depthwise and im2col read exactly the input's bytes, so a u8 input is used in place; the GEMM
// paths run in workspace slots (one per task), without heap allocation, like QConv::run.
#include <algorithm>
#include <cstring>
#include "qconv-op.h"

namespace i8k {

namespace {

constexpr size_t kAlign = 64;
size_t align_up(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }
// Output pixels per task of the direct GEMM (as run_gemm's blocks); bytes per task of the flips.
constexpr size_t kPixelBlock = 64;
constexpr size_t kFlipGrain = size_t(1) << 15;

// dst[i] = src[i] ^ flip, eight bytes at a time (the compiler vectorises the word loop).
void xor_bytes(const uint8_t* src, uint8_t* dst, size_t n, uint8_t flip) {
  const uint64_t f = 0x0101010101010101ull * flip;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, src + i, 8);
    v ^= f;
    std::memcpy(dst + i, &v, 8);
  }
  for (; i < n; i++) dst[i] = src[i] ^ flip;
}

void xor_parallel(const uint8_t* src, uint8_t* dst, size_t n, uint8_t flip, const RunContext& ctx) {
  ctx.parallel_for(n, kFlipGrain, [&](size_t begin, size_t end) { xor_bytes(src + begin, dst + begin, end - begin, flip); });
}

}  // namespace

// Below this many pixel blocks per image an im2col conv gathers the whole image once and splits
// the work by weight panels too (a 7x7 image is one block: otherwise one thread does it all).
constexpr size_t kMinBlocks = 8;

bool QConv::whole_image_im2col() const {
  return gemm_ && !gemm_->direct() && !gemm_->small() && (s_.oh * s_.ow + kPixelBlock - 1) / kPixelBlock < kMinBlocks;
}

size_t QConv::channels_last_workspace_bytes() const {
  const size_t x_copy = io_.x_signed ? align_up(s_.n * s_.h * s_.w * s_.cin) : 0;
  if (!gemm_) return x_copy;
  if (gemm_->direct()) return slots_ * align_up(kPixelBlock * s_.cin + gemm_->input_slack());
  if (whole_image_im2col()) return x_copy + align_up(s_.oh * s_.ow * gemm_->row_bytes());
  return x_copy + slots_ * align_up(gemm_->scratch_bytes());
}

// The whole-image path: per image and group, gather every im2col row (in parallel), then run
// (row tile x weight panel) tasks.
void QConv::run_small_image(const uint8_t* x, uint8_t* y, uint8_t* rows, const RunContext& ctx) const {
  const size_t m = s_.oh * s_.ow, mr = gemm_->mr(), tiles = (m + mr - 1) / mr, panels = gemm_->panels();
  for (size_t img = 0; img < s_.n; img++)
    for (size_t g = 0; g < s_.group; g++) {
      ctx.parallel_for(m, 8, [&](size_t begin, size_t end) { gemm_->gather_rows(x, img, g, begin, end, rows + begin * gemm_->row_bytes()); });
      uint8_t* yi = y + img * m * s_.cout;
      ctx.parallel_for(tiles * panels, 1, [&](size_t begin, size_t end) {
        for (size_t t = begin; t < end; t++) {
          const size_t tile = t / panels, panel = t % panels, p0 = tile * mr;
          gemm_->run_tile(rows, g, p0, std::min(mr, m - p0), panel, yi);
        }
      });
    }
}

void QConv::run_channels_last(const void* xv, void* yv, void* workspace, const RunContext& ctx) const {
  const uint8_t* x = static_cast<const uint8_t*>(xv);
  uint8_t* y = static_cast<uint8_t*>(yv);
  uint8_t* ws = static_cast<uint8_t*>(workspace);
  const uint8_t x_flip = io_.x_signed ? 0x80 : 0, y_flip = io_.y_signed ? 0x80 : 0;
  const size_t x_len = s_.n * s_.h * s_.w * s_.cin;
  if (!gemm_) {  // depthwise
    const uint8_t* xin = x;
    if (x_flip) xor_parallel(x, ws, x_len, x_flip, ctx), xin = ws;
    run_nhwc(xin, y, ctx);
    if (y_flip) xor_parallel(y, y, s_.n * s_.oh * s_.ow * s_.cout, y_flip, ctx);
    return;
  }
  // GEMM: tasks take contiguous pixel blocks; slot `begin` of the workspace is a task's own (the
  // direct path's padded input copy, or the im2col rows), so a run allocates nothing. The windows
  // of an im2col block read other blocks' pixels: an s8 input is flipped whole first.
  const bool direct = gemm_->direct();
  const uint8_t* x_all = x;
  uint8_t* slots = ws;
  if (!direct && x_flip) {
    xor_parallel(x, ws, x_len, x_flip, ctx);
    x_all = ws;
    slots += align_up(x_len);
  }
  if (whole_image_im2col()) {
    run_small_image(x_all, y, slots, ctx);
    if (y_flip) xor_parallel(y, y, s_.n * s_.oh * s_.ow * s_.cout, y_flip, ctx);
    return;
  }
  const size_t m = s_.oh * s_.ow, blocks = (m + kPixelBlock - 1) / kPixelBlock, total = s_.n * blocks;
  const size_t slack = gemm_->input_slack();
  const size_t slot = direct ? align_up(kPixelBlock * s_.cin + slack) : align_up(gemm_->scratch_bytes());
  ctx.parallel_for(slots_, 1, [&](size_t begin, size_t end) {
    uint8_t* sb = slots + begin * slot;
    for (size_t t = begin * total / slots_; t < end * total / slots_; t++) {
      const size_t img = t / blocks, p0 = t % blocks * kPixelBlock, np = std::min(kPixelBlock, m - p0);
      const uint8_t* xin = x_all;
      if (direct) {  // output pixel p reads input pixel p
        xin = x + (img * m + p0) * s_.cin;
        if (x_flip || t + 1 == total) {
          xor_bytes(xin, sb, np * s_.cin, x_flip);
          std::memset(sb + np * s_.cin, 0, slack);  // the slack meets zero weights
          xin = sb;
        }
      }
      uint8_t* yb = y + (img * m + p0) * s_.cout;
      gemm_->run_pixels(xin, img, p0, p0 + np, yb, direct ? nullptr : sb);
      if (y_flip) xor_bytes(yb, yb, np * s_.cout, y_flip);
    }
  });
}

}  // namespace i8k
