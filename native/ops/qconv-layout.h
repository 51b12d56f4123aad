// Byte matrix transposes for the INT8 conv boundary (NCHW planes <-> NHWC pixels), with an XOR
// that shifts s8 to u8 (0x80) on the way. 16x16 tiles go through the architecture's baseline SIMD
// (SSE2 on x86-64, NEON on AArch64, SIMD128 in the WebAssembly build): compile-time baselines,
// not CPU features, so no kernel config is involved. Edges are copied byte by byte.
#pragma once
#include <cstddef>
#include <cstdint>

namespace i8k {

// dst[j * dst_stride + i] = src[i * src_stride + j] ^ flip for i < rows, j < cols.
void transpose_u8(const uint8_t* src, size_t src_stride, uint8_t* dst, size_t dst_stride, size_t rows,
                  size_t cols, uint8_t flip);

}  // namespace i8k
