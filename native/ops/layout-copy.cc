#include "layout-copy.h"
#include "qconv-layout.h"
#include <algorithm>
#include <cstring>

namespace i8k {

namespace {

// Below this many bytes per task, splitting a copy costs more than it saves.
constexpr size_t kTaskBytes = size_t{1} << 16;

template <typename T>
void copy_elements(const uint8_t* src, int64_t src_stride, uint8_t* dst, int64_t dst_stride, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    std::memcpy(dst + i * dst_stride, src + i * src_stride, sizeof(T));
}

void copy_elements_any(size_t esize, const uint8_t* src, int64_t ss, uint8_t* dst, int64_t ds, int64_t n) {
  switch (esize) {
    case 1: return copy_elements<uint8_t>(src, ss, dst, ds, n);
    case 4: return copy_elements<uint32_t>(src, ss, dst, ds, n);
    case 8: return copy_elements<uint64_t>(src, ss, dst, ds, n);
    default:
      for (int64_t i = 0; i < n; i++) std::memcpy(dst + i * ds, src + i * ss, esize);
  }
}

// dst[r][c] = src[c][r] over rows x cols, one 64-byte-wide tile at a time. The tile goes through a
// local buffer so each pass touches one cache line at a time: with power-of-two strides (1024
// floats) the lines of a tile share one L1 set, and reading or writing them interleaved thrashes.
template <typename T>
void transpose_tile(const uint8_t* src, int64_t src_col, uint8_t* dst, int64_t dst_row,
                    int64_t rows, int64_t cols) {
  constexpr int64_t kTile = 64 / sizeof(T) < 8 ? 8 : 64 / sizeof(T);
  T buf[kTile][kTile];
  for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
    const int64_t nr = std::min(kTile, rows - r0);
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t nc = std::min(kTile, cols - c0);
      for (int64_t c = 0; c < nc; c++)
        std::memcpy(buf[c], src + (c0 + c) * src_col + r0 * int64_t(sizeof(T)), size_t(nr) * sizeof(T));
      for (int64_t r = 0; r < nr; r++) {
        T* d = reinterpret_cast<T*>(dst + (r0 + r) * dst_row) + c0;
        if (nc == kTile)
          for (int64_t c = 0; c < kTile; c++) d[c] = buf[c][r];
        else
          for (int64_t c = 0; c < nc; c++) d[c] = buf[c][r];
      }
    }
  }
}

}  // namespace

std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size());
  int64_t acc = 1;
  for (size_t i = dims.size(); i-- > 0;) s[i] = acc, acc *= dims[i];
  return s;
}

void parallel_memcpy(void* dst, const void* src, size_t bytes, const RunContext& ctx) {
  if (!bytes) return;
  constexpr size_t kBlock = 4096;
  const size_t blocks = (bytes + kBlock - 1) / kBlock;
  ctx.parallel_for(blocks, kTaskBytes / kBlock * 4, [&](size_t b, size_t e) {
    const size_t lo = b * kBlock, hi = std::min(bytes, e * kBlock);
    std::memcpy(static_cast<uint8_t*>(dst) + lo, static_cast<const uint8_t*>(src) + lo, hi - lo);
  });
}

StridedCopy::StridedCopy(X32TransposeFn x32, const std::vector<int64_t>& dims, const std::vector<int64_t>& src_strides,
                         const std::vector<int64_t>& dst_strides, size_t elem_size,
                         int64_t src_offset, int64_t dst_offset)
    : x32_(x32), esize_(elem_size), src_offset_(src_offset * int64_t(elem_size)),
      dst_offset_(dst_offset * int64_t(elem_size)) {
  const int64_t es = int64_t(elem_size);
  std::vector<Dim> d;
  for (size_t i = 0; i < dims.size(); i++) {
    if (dims[i] == 0) return;  // nothing to copy: mode_ stays empty
    if (dims[i] == 1) continue;
    const Dim cur{dims[i], src_strides[i] * es, dst_strides[i] * es};
    if (!d.empty() && d.back().src == cur.n * cur.src && d.back().dst == cur.n * cur.dst)
      d.back() = {d.back().n * cur.n, cur.src, cur.dst};
    else
      d.push_back(cur);
  }
  if (d.empty()) d.push_back({1, es, es});
  inner_ = d.back();
  d.pop_back();
  if (inner_.src == es && inner_.dst == es) {
    mode_ = d.empty() ? Mode::memcpy : Mode::rows;
  } else {
    mode_ = Mode::elements;
    // A dim read contiguously but written with a stride, under columns written contiguously: a
    // transpose, done in cache-sized tiles instead of one strided element at a time.
    if (inner_.dst == es)
      for (size_t k = d.size(); k-- > 0;)
        if (d[k].src == es && d[k].n >= 4) {
          mode_ = Mode::transpose;
          tile_rows_ = d[k];
          d.erase(d.begin() + k);
          break;
        }
  }
  outer_ = d;
  for (const Dim& o : outer_) outer_count_ *= size_t(o.n);
  if (mode_ == Mode::transpose) {
    row_blocks_ = size_t((tile_rows_.n + kTaskRows - 1) / kTaskRows);
    col_blocks_ = size_t((inner_.n + kTaskCols - 1) / kTaskCols);
  }
}

void StridedCopy::run(const void* src_v, void* dst_v, const RunContext& ctx) const {
  const uint8_t* src = static_cast<const uint8_t*>(src_v) + src_offset_;
  uint8_t* dst = static_cast<uint8_t*>(dst_v) + dst_offset_;
  const size_t row_bytes = size_t(inner_.n) * esize_;
  switch (mode_) {
    case Mode::empty:
      return;
    case Mode::memcpy:
      return parallel_memcpy(dst, src, row_bytes, ctx);
    case Mode::rows:
    case Mode::elements:
      return ctx.parallel_for(outer_count_, std::max<size_t>(1, kTaskBytes / row_bytes),
                              [&](size_t b, size_t e) {
                                if (mode_ == Mode::rows) run_rows(src, dst, b, e);
                                else run_elements(src, dst, b, e);
                              });
    case Mode::transpose: {
      const size_t task_bytes = size_t(std::min(inner_.n, kTaskCols) * std::min(tile_rows_.n, kTaskRows)) * esize_;
      return ctx.parallel_for(outer_count_ * row_blocks_ * col_blocks_, std::max<size_t>(1, kTaskBytes / task_bytes),
                              [&](size_t b, size_t e) { run_transpose(src, dst, b, e); });
    }
  }
}

namespace {
// Offsets of outer index i (dims outermost first).
template <typename D>
void offsets_of(const std::vector<D>& dims, size_t i, int64_t* src, int64_t* dst) {
  *src = *dst = 0;
  for (size_t k = dims.size(); k-- > 0;) {
    const int64_t idx = int64_t(i % size_t(dims[k].n));
    i /= size_t(dims[k].n);
    *src += idx * dims[k].src, *dst += idx * dims[k].dst;
  }
}
// Advances an odometer over dims; keeps the offsets in step.
template <typename D>
void advance(const std::vector<D>& dims, std::vector<int64_t>& idx, int64_t* src, int64_t* dst) {
  for (size_t k = dims.size(); k-- > 0;) {
    *src += dims[k].src, *dst += dims[k].dst;
    if (++idx[k] < dims[k].n) return;
    *src -= dims[k].n * dims[k].src, *dst -= dims[k].n * dims[k].dst;
    idx[k] = 0;
  }
}
template <typename D>
std::vector<int64_t> index_of(const std::vector<D>& dims, size_t i) {
  std::vector<int64_t> idx(dims.size());
  for (size_t k = dims.size(); k-- > 0;) idx[k] = int64_t(i % size_t(dims[k].n)), i /= size_t(dims[k].n);
  return idx;
}
}  // namespace

void StridedCopy::run_rows(const uint8_t* src, uint8_t* dst, size_t begin, size_t end) const {
  int64_t so, dof;
  offsets_of(outer_, begin, &so, &dof);
  std::vector<int64_t> idx = index_of(outer_, begin);
  const size_t row_bytes = size_t(inner_.n) * esize_;
  for (size_t i = begin; i < end; i++) {
    std::memcpy(dst + dof, src + so, row_bytes);
    advance(outer_, idx, &so, &dof);
  }
}

void StridedCopy::run_elements(const uint8_t* src, uint8_t* dst, size_t begin, size_t end) const {
  int64_t so, dof;
  offsets_of(outer_, begin, &so, &dof);
  std::vector<int64_t> idx = index_of(outer_, begin);
  for (size_t i = begin; i < end; i++) {
    copy_elements_any(esize_, src + so, inner_.src, dst + dof, inner_.dst, inner_.n);
    advance(outer_, idx, &so, &dof);
  }
}

void StridedCopy::run_transpose(const uint8_t* src, uint8_t* dst, size_t begin, size_t end) const {
  for (size_t t = begin; t < end; t++) {
    const size_t o = t / (row_blocks_ * col_blocks_), rc = t % (row_blocks_ * col_blocks_);
    const int64_t r0 = int64_t(rc / col_blocks_) * kTaskRows, c0 = int64_t(rc % col_blocks_) * kTaskCols;
    const int64_t rows = std::min(kTaskRows, tile_rows_.n - r0), cols = std::min(kTaskCols, inner_.n - c0);
    int64_t so, dof;
    offsets_of(outer_, o, &so, &dof);
    const uint8_t* s = src + so + r0 * tile_rows_.src + c0 * inner_.src;
    uint8_t* d = dst + dof + r0 * tile_rows_.dst + c0 * inner_.dst;
    switch (esize_) {
      // Bytes (the u8 / s8 NCHW <-> NHWC edges of a quantized graph): 16x16 register tiles
      // (qconv-layout.h) instead of a byte loop, 3-4x faster on 1x64x112x112.
      case 1:
        if (inner_.src >= 0 && tile_rows_.dst >= 0) transpose_u8(s, size_t(inner_.src), d, size_t(tile_rows_.dst), size_t(cols), size_t(rows), 0);
        else transpose_tile<uint8_t>(s, inner_.src, d, tile_rows_.dst, rows, cols);  // a reversing Slice
        break;
      case 4: x32_(s, inner_.src, d, tile_rows_.dst, rows, cols); break;
      default: transpose_tile<uint64_t>(s, inner_.src, d, tile_rows_.dst, rows, cols); break;
    }
  }
}

}  // namespace i8k
