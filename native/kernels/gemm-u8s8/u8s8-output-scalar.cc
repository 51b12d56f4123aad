// The output stages of u8s8-output.h. Built with -ffp-contract=off (a -scalar.cc file), which is
// what keeps float(acc) * scale + bias two roundings on every compiler and ISA.
#include "u8s8-output.h"

namespace i8k {

namespace {
template <typename Store>
void for_tile(const U8S8Output& o, size_t m0, size_t mr, size_t n0, size_t nr, const int32_t* tile,
              size_t tile_stride, Store store) {
  for (size_t i = 0; i < mr; i++) {
    // Unsigned arithmetic: the sums wrap like the kernels' int32 lanes instead of being undefined.
    const uint32_t rs = o.col_mult ? uint32_t(o.row_sum[m0 + i]) : 0;
    for (size_t j = 0; j < nr; j++) {
      uint32_t acc = uint32_t(tile[i * tile_stride + j]) + uint32_t(o.col_off[n0 + j]);
      if (o.col_mult) acc += rs * uint32_t(o.col_mult[n0 + j]);
      store(i, j, int32_t(acc));
    }
  }
}
}  // namespace

void u8s8_output_tile(const U8S8Output& o, size_t m0, size_t mr, size_t n0, size_t nr,
                      const int32_t* tile, size_t tile_stride, void* y, size_t y_stride) {
  switch (o.kind) {
    case U8S8OutputKind::s32: {
      int32_t* out = static_cast<int32_t*>(y) + m0 * y_stride + n0;
      for_tile(o, m0, mr, n0, nr, tile, tile_stride,
               [&](size_t i, size_t j, int32_t acc) { out[i * y_stride + j] = acc; });
      break;
    }
    case U8S8OutputKind::f32: {
      float* out = static_cast<float*>(y) + m0 * y_stride + n0;
      const float* s = o.scale + n0;
      if (o.bias) {
        const float* b = o.bias + n0;
        for_tile(o, m0, mr, n0, nr, tile, tile_stride, [&](size_t i, size_t j, int32_t acc) {
          const float v = static_cast<float>(acc) * s[j];
          out[i * y_stride + j] = v + b[j];
        });
      } else {
        for_tile(o, m0, mr, n0, nr, tile, tile_stride, [&](size_t i, size_t j, int32_t acc) {
          out[i * y_stride + j] = static_cast<float>(acc) * s[j];
        });
      }
      break;
    }
    case U8S8OutputKind::u8:
    case U8S8OutputKind::s8: {
      uint8_t* out = static_cast<uint8_t*>(y) + m0 * y_stride + n0;
      const uint8_t flip = o.kind == U8S8OutputKind::s8 ? 0x80 : 0;
      const float* s = o.scale + n0;
      for_tile(o, m0, mr, n0, nr, tile, tile_stride, [&](size_t i, size_t j, int32_t acc) {
        out[i * y_stride + j] = uint8_t(requantize_u8(acc, s[j], o.rq) ^ flip);
      });
      break;
    }
  }
}

}  // namespace i8k
