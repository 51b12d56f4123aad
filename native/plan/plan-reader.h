// Decoding of the binary plan format with bounds checks on every read: any byte string yields a
// PlanDesc or an error, never a read outside the buffer.
#pragma once
#include <map>
#include <string>
#include <vector>
#include "plan.h"

namespace i8k {

struct Attr {
  bool is_float = false;
  bool is_list = false;
  bool is_string = false;
  std::string str;
  std::vector<int64_t> ints;
  std::vector<float> floats;
};

struct OpDesc {
  std::string type;
  std::vector<int32_t> inputs, outputs;
  std::map<std::string, Attr> attrs;
};

struct PlanDesc {
  std::vector<ValueInfo> values;
  std::vector<OpDesc> ops;
  std::vector<int32_t> inputs, outputs;
};

bool read_plan(const uint8_t* bytes, size_t size, PlanDesc* out, Error* err);

}  // namespace i8k
