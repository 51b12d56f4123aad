// Packing of the u8 depthwise weights (layout in qu8-dwconv.h), shared by every ISA. A -scalar.cc
// file so every build compiles it.
#include <cstring>
#include "qu8-dwconv.h"

namespace i8k {

void qu8_dwconv_pack(size_t block, size_t taps, size_t channels, const int16_t* w, const int32_t* bias,
                     const float* scale, void* out) {
  const size_t blocks = (channels + block - 1) / block, pairs = (taps + 1) / 2;
  std::memset(out, 0, qu8_dwconv_packed_bytes(block, taps, channels));
  auto* p = static_cast<uint8_t*>(out);
  for (size_t b = 0; b < blocks; b++) {
    int32_t* pb = reinterpret_cast<int32_t*>(p);
    float* ps = reinterpret_cast<float*>(p + block * sizeof(int32_t));
    int16_t* pw = reinterpret_cast<int16_t*>(p + 2 * block * sizeof(int32_t));
    for (size_t j = 0; j < block; j++) {
      const size_t c = b * block + qu8_dwconv_channel(block, j);
      if (c >= channels) continue;
      pb[j] = bias[c];
      ps[j] = scale[c];
      for (size_t q = 0; q < pairs; q++) {
        pw[(q * block + j) * 2] = w[(2 * q) * channels + c];
        pw[(q * block + j) * 2 + 1] = 2 * q + 1 < taps ? w[(2 * q + 1) * channels + c] : int16_t(0);
      }
    }
    p += block * (2 * sizeof(int32_t) + pairs * 2 * sizeof(int16_t));
  }
}

}  // namespace i8k
