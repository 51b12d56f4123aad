// The scalar twin of the small-window direct conv, and the dword weight layout it shares with the
// VNNI kernel.
#include <cstring>
#include <vector>
#include "qu8-smallconv.h"

namespace i8k {

namespace {
size_t groups_of(size_t span) { return (span + 3) / 4; }
}  // namespace

void qu8_smallconv_pack_c4(size_t cout, size_t kh, size_t span, const int8_t* w, int8_t* out) {
  const size_t groups = groups_of(span), tiles = qu8_smallconv_tiles(cout);
  std::memset(out, 0, tiles * kh * groups * kSmallConvTile * 4);
  for (size_t o = 0; o < cout; o++)
    for (size_t ky = 0; ky < kh; ky++)
      for (size_t j = 0; j < span; j++) {
        const size_t t = o / kSmallConvTile, lane = o % kSmallConvTile;
        out[(((t * kh + ky) * groups + j / 4) * kSmallConvTile + lane) * 4 + j % 4] = w[(o * kh + ky) * span + j];
      }
}

size_t qu8_smallconv_i16_packed_bytes(size_t cout, size_t kh, size_t groups) {
  return qu8_smallconv_tiles(cout) * kh * groups * kSmallConvTile * 4 * sizeof(int16_t);
}

void qu8_smallconv_pack_i16(size_t cout, size_t kh, size_t span, const int8_t* w, int16_t* out,
                            size_t (*slot)(size_t lane, size_t b)) {
  const size_t blocks = qu8_smallconv_tiles(cout) * kh * groups_of(span);
  std::vector<int8_t> c4(blocks * kSmallConvTile * 4);
  qu8_smallconv_pack_c4(cout, kh, span, w, c4.data());
  for (size_t blk = 0; blk < blocks; blk++)
    for (size_t lane = 0; lane < kSmallConvTile; lane++)
      for (size_t b = 0; b < 4; b++) out[blk * kSmallConvTile * 4 + slot(lane, b)] = c4[(blk * kSmallConvTile + lane) * 4 + b];
}

size_t qu8_smallconv_scalar_packed_bytes(size_t cout, size_t kh, size_t groups) {
  return qu8_smallconv_tiles(cout) * kh * groups * kSmallConvTile * 4;
}

void qu8_smallconv_scalar_pack(size_t cout, size_t kh, size_t span, const int8_t* w, void* out) {
  qu8_smallconv_pack_c4(cout, kh, span, w, static_cast<int8_t*>(out));
}

void qu8_smallconv_scalar(size_t n, const QU8SmallConvGeometry& g, const uint8_t* x, const void* wv,
                          const int32_t* bias, const float* scale, uint8_t* y, const RequantParams* p) {
  const int8_t* w = static_cast<const int8_t*>(wv);
  const size_t tiles = qu8_smallconv_tiles(g.cout), tile_bytes = g.kh * g.groups * kSmallConvTile * 4;
  for (size_t i = 0; i < n; i++) {
    const uint8_t* xi = x + i * g.x_pixel_stride;
    for (size_t t = 0; t < tiles; t++) {
      const int8_t* wt = w + t * tile_bytes;
      for (size_t lane = 0; lane < kSmallConvTile && t * kSmallConvTile + lane < g.cout; lane++) {
        const size_t o = t * kSmallConvTile + lane;
        int32_t acc = bias[o];
        for (size_t ky = 0; ky < g.kh; ky++)
          for (size_t q = 0; q < g.groups; q++) {
            const uint8_t* xa = xi + ky * g.x_row_stride + q * 4;
            const int8_t* wq = wt + ((ky * g.groups + q) * kSmallConvTile + lane) * 4;
            for (size_t b = 0; b < 4; b++) acc += int32_t(xa[b]) * int32_t(wq[b]);
          }
        y[i * g.cout + o] = requantize_u8(acc, scale[o], *p);
      }
    }
  }
}

}  // namespace i8k
