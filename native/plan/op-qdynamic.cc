// Plan op DynamicQuantizeMatMul (onnxruntime's com.microsoft contrib op; see ops/qdynamic.h):
//   inputs   A float32 [..., K], B int8 or uint8 [K, N], b_scale float32 (1 or N entries),
//            b_zero_point (B's dtype, 1 or N entries; optional), bias float32 [N] (optional)
//   output   Y float32 [..., N] (A's batch dims kept, flattened into the GEMM's M)
// What the graph pass fuseDynamicQuantization (src/graph/fuse-dynamic.ts) makes of
// DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul(a_scale * b_scale) [-> Add(bias)]. A
// constant B is packed once when the plan is created; any input may also be a run-time value.
#include <string>
#include <vector>
#include "../ops/elementwise.h"
#include "../ops/qdynamic.h"
#include "op-factory.h"

namespace i8k {

namespace {

class DynamicQuantizeMatMulOp : public Op {
 public:
  DynamicQuantizeMatMulOp(const QDynamicMatMul& mm, bool b_signed, std::vector<InputRef> in, size_t b_scale_count,
                          size_t b_zp_count, int32_t y)
      : mm_(mm), b_signed_(b_signed), in_(std::move(in)), b_scale_count_(b_scale_count), b_zp_count_(b_zp_count), y_(y) {
    if (in_[1].constant) mm_.pack(in_[1].data.data(), &packed_);
  }
  size_t workspace_bytes() const override { return mm_.workspace_bytes(); }
  void run(void* const* buf, const RunContext& ctx) const override {
    QPackedB run_packed;
    if (!in_[1].constant) mm_.pack(in_[1].get(buf), &run_packed);
    std::vector<int32_t> b_zp;
    QDynamicParams p;
    p.b_scale = static_cast<const float*>(in_[2].get(buf));
    p.b_scale_count = b_scale_count_;
    if (!in_[3].absent()) {
      const void* z = in_[3].get(buf);
      b_zp.resize(b_zp_count_);
      for (size_t i = 0; i < b_zp_count_; i++)
        b_zp[i] = b_signed_ ? int32_t(static_cast<const int8_t*>(z)[i]) : int32_t(static_cast<const uint8_t*>(z)[i]);
      p.b_zp = b_zp.data(), p.b_zp_count = b_zp_count_;
    }
    if (!in_[4].absent()) p.bias = static_cast<const float*>(in_[4].get(buf));
    mm_.run(in_[1].constant ? packed_ : run_packed, static_cast<const float*>(in_[0].get(buf)), p,
            static_cast<float*>(buf[y_]), ctx.workspace, ctx);
  }

 private:
  QDynamicMatMul mm_;
  bool b_signed_;
  std::vector<InputRef> in_;  // A, B, b_scale, b_zero_point, bias (absent: id -1)
  size_t b_scale_count_, b_zp_count_;
  int32_t y_;
  QPackedB packed_;
};

// 1 (per tensor: shape [] or [1]) or N (per column: shape [N]) entries; false with the message set.
bool per_tensor_or_column(const OpContext& c, const ValueInfo& v, const char* role, DType dtype, size_t n, size_t* count) {
  const size_t e = element_count(v.dims);
  const bool scalar = v.dims.empty() || (v.dims.size() == 1 && v.dims[0] == 1);
  const bool column = v.dims.size() == 1 && size_t(v.dims[0]) == n;
  if (v.dtype != dtype || !(scalar || column))
    return c.fail(std::string("expected ") + role + " of dtype " + dtype_name(dtype) + " with shape [], [1] or [" +
                  std::to_string(n) + "] (per tensor or per column of B) but received " + dtype_name(v.dtype) + " " +
                  dims_text(v.dims));
  *count = e;
  return true;
}

std::unique_ptr<Op> make_dynamic_quantize_matmul(const OpContext& c) {
  const size_t ni = c.op.inputs.size();
  if (ni < 3 || ni > 5 || c.op.outputs.size() != 1 || !c.input(0) || !c.input(1) || !c.input(2))
    return c.fail("expected inputs (A, B, b_scale[, b_zero_point[, bias]]) and one output but received " +
                  std::to_string(ni) + " inputs and " + std::to_string(c.op.outputs.size()) + " outputs"), nullptr;
  const ValueInfo &a = *c.input(0), &b = *c.input(1), &y = c.output(0);
  if (a.dtype != DType::f32 || a.dims.empty())
    return c.fail(std::string("expected A of dtype float32 and rank >= 1 but received ") + dtype_name(a.dtype) + " " +
                  dims_text(a.dims)), nullptr;
  if ((b.dtype != DType::s8 && b.dtype != DType::u8) || b.dims.size() != 2)
    return c.fail(std::string("expected B of dtype int8 or uint8 and rank 2 but received ") + dtype_name(b.dtype) + " " +
                  dims_text(b.dims)), nullptr;
  const size_t k = size_t(a.dims.back()), n = size_t(b.dims[1]);
  if (b.dims[0] != a.dims.back())
    return c.fail("expected B with " + std::to_string(k) + " rows (A's last dim) but received B of shape " + dims_text(b.dims)), nullptr;
  if (k > 32768) return c.fail("expected K <= 32768 (int32 accumulators) but received " + std::to_string(k)), nullptr;
  std::vector<int64_t> want(a.dims.begin(), a.dims.end() - 1);
  want.push_back(int64_t(n));
  if (y.dtype != DType::f32 || y.dims != want)
    return c.fail("expected Y of dtype float32 and shape " + dims_text(want) + " but received " + dtype_name(y.dtype) + " " +
                  dims_text(y.dims)), nullptr;
  size_t scale_count = 0, zp_count = 0;
  if (!per_tensor_or_column(c, *c.input(2), "b_scale", DType::f32, n, &scale_count)) return nullptr;
  if (const ValueInfo* z = c.input(3))
    if (!per_tensor_or_column(c, *z, "b_zero_point", b.dtype, n, &zp_count)) return nullptr;
  if (const ValueInfo* bias = c.input(4))
    if (bias->dtype != DType::f32 || bias->dims != std::vector<int64_t>{int64_t(n)})
      return c.fail("expected bias of dtype float32 and shape [" + std::to_string(n) + "] but received " +
                    dtype_name(bias->dtype) + " " + dims_text(bias->dims)), nullptr;
  std::vector<InputRef> in(5);
  for (size_t i = 0; i < ni; i++) in[i] = c.op.inputs[i] >= 0 ? input_ref(c.values, c.op.inputs[i]) : InputRef{};
  const size_t m = element_count(std::vector<int64_t>(a.dims.begin(), a.dims.end() - 1));  // batch dims flattened
  const QDynamicMatMul mm(c.cfg.u8s8_gemm, dynquant_config(c.cfg.isa), m, k, n, b.dtype == DType::s8);
  return std::make_unique<DynamicQuantizeMatMulOp>(mm, b.dtype == DType::s8, std::move(in), scale_count, zp_count,
                                                   c.op.outputs[0]);
}

}  // namespace

void register_qdynamic_ops(OpRegistry& r) { r.add("DynamicQuantizeMatMul", make_dynamic_quantize_matmul); }

}  // namespace i8k
