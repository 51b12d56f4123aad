// Builds a runnable Op from its decoded description after checking it against the op's rules.
#pragma once
#include <memory>
#include <map>
#include <set>
#include <string>
#include "plan-reader.h"

namespace i8k {

// Elements of a shape (the plan reader has checked every dim: non-negative, product within size_t).
inline size_t element_count(const std::vector<int64_t>& dims) {
  size_t n = 1;
  for (int64_t d : dims) n *= size_t(d);
  return n;
}
inline size_t element_count(const ValueInfo& v) { return element_count(v.dims); }

// "[2, 3, 4]", for messages.
inline std::string dims_text(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); i++) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

struct OpContext {
  const OpDesc& op;
  const std::vector<ValueInfo>& values;
  const KernelConfig& cfg;
  std::string where;  // "op 3 (QGemm)", for messages
  Error* err;
  mutable std::set<std::string> used = {};  // attributes the factory asked for

  bool fail(const std::string& rule) const {
    *err = {"INVALID_PLAN", "Invalid plan: " + where + ": " + rule};
    return false;
  }
  const ValueInfo* input(size_t i) const {
    return i < op.inputs.size() && op.inputs[i] >= 0 ? &values[op.inputs[i]] : nullptr;
  }
  const ValueInfo& output(size_t i) const { return values[op.outputs[i]]; }
  const Attr* attr(const char* name) const {
    used.insert(name);
    auto it = op.attrs.find(name);
    return it == op.attrs.end() ? nullptr : &it->second;
  }
  // Checks dtype and rank; returns false (with the message set) when they differ.
  bool expect(const ValueInfo* v, const char* role, DType dtype, size_t rank) const;
  bool float_attr(const char* name, float def, float* out) const;
  bool int_attr(const char* name, int64_t def, int64_t* out) const;
  // Lists leave *out unchanged (the caller's default) when the attribute is absent.
  bool floats_attr(const char* name, std::vector<float>* out) const;
  bool ints_attr(const char* name, std::vector<int64_t>* out) const;
  bool string_attr(const char* name, const char* def, std::string* out) const;
};

using OpFactory = std::unique_ptr<Op> (*)(const OpContext& ctx);

// Op type name -> factory. Each op family registers its ops in its own file (op-<family>.cc), so
// families grow without touching each other.
class OpRegistry {
 public:
  void add(const char* type, OpFactory make) { ops_[type] = make; }
  OpFactory find(const std::string& type) const {
    auto it = ops_.find(type);
    return it == ops_.end() ? nullptr : it->second;
  }

 private:
  std::map<std::string, OpFactory> ops_;
};

void register_gemm_ops(OpRegistry& r);         // op-gemm.cc: Gemm (int8kit's), QGemm
void register_elementwise_ops(OpRegistry& r);  // op-elementwise.cc: unary, binary, activations, normalizations, reductions
void register_conv_ops(OpRegistry& r);         // op-conv.cc: Conv, ConvTranspose, MatMul, ONNX Gemm, pooling
void register_layout_ops(OpRegistry& r);       // op-layout.cc: data movement (Concat, Slice, Transpose, Gather, ...)
void register_quant_ops(OpRegistry& r);        // op-quant.cc: QuantizeLinear, DequantizeLinear
void register_qconv_ops(OpRegistry& r);        // op-qconv.cc: QLinearConv
void register_qnnpack_ops(OpRegistry& r);      // op-qnnpack.cc: QnnpackConv, QnnpackMatMul (u8 x u8)
void register_qsmall_ops(OpRegistry& r);       // op-qsmall.cc: QLinearAdd, QLinearMul, QLinear pools, QLinear lookups
void register_qmatmul_ops(OpRegistry& r);      // op-qmatmul.cc: QLinearMatMul, MatMulInteger(ToFloat), ConvInteger, DynamicQuantizeLinear
void register_qdynamic_ops(OpRegistry& r);     // op-qdynamic.cc: DynamicQuantizeMatMul (com.microsoft)

}  // namespace i8k
