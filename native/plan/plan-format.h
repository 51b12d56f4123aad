// The binary plan format TypeScript hands to a backend (written by src/plan/encode.ts).
// Little endian throughout.
//
//   plan   := "I8KP" u32:version  u32:nValues value*  u32:nOps op*  u32:nIn i32*  u32:nOut i32*
//   value  := u8:dtype (ONNX TensorProto code)  u8:flags (bit 0: constant)  u16:rank  i64:dim*rank
//             [constant: u64:byteLength  bytes]
//   op     := str:type  u16:nIn  u16:nOut  i32:valueId*nIn (-1 = absent)  i32:valueId*nOut
//             u16:nAttrs  attr*
//   attr   := str:name  u8:kind  payload      kind 0: i64   1: f32   2: u32 n, i64*n   3: u32 n, f32*n
//                                             4: str
//   str    := u16:length  bytes
#pragma once
#include <cstdint>

namespace i8k {

constexpr uint32_t kPlanMagic = 0x504B3849;  // "I8KP"
constexpr uint32_t kPlanVersion = 2;
constexpr uint32_t kMaxRank = 8;

// ONNX TensorProto.DataType codes.
enum class DType : uint8_t { f32 = 1, u8 = 2, s8 = 3, s32 = 6, s64 = 7, boolean = 9 };

inline int dtype_size(DType t) {
  switch (t) {
    case DType::f32:
    case DType::s32:
      return 4;
    case DType::s64:
      return 8;
    case DType::u8:
    case DType::s8:
    case DType::boolean:
      return 1;
  }
  return 0;
}

inline bool dtype_valid(uint8_t code) {
  return code == 1 || code == 2 || code == 3 || code == 6 || code == 7 || code == 9;
}

const char* dtype_name(DType t);

}  // namespace i8k
