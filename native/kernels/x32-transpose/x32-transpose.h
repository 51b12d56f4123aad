// 32-bit element transposes of one block: dst[r][c] = src[c][r] for r < rows, c < cols. src rows
// (index c) are src_col bytes apart and contiguous in r; dst rows (index r) are dst_row bytes apart
// and contiguous in c. Bit patterns are moved, never interpreted (float32 and int32 alike).
#pragma once
#include <cstdint>

namespace i8k {

using X32TransposeFn = void (*)(const uint8_t* src, int64_t src_col, uint8_t* dst, int64_t dst_row,
                                int64_t rows, int64_t cols);

void x32_transpose_16x16_scalar(const uint8_t* src, int64_t src_col, uint8_t* dst, int64_t dst_row,
                                int64_t rows, int64_t cols);
#if defined(__x86_64__) || defined(__i386__)
void x32_transpose_8x8_avx2(const uint8_t* src, int64_t src_col, uint8_t* dst, int64_t dst_row,
                            int64_t rows, int64_t cols);
#endif

}  // namespace i8k
