// Elementwise operators: FP32 unary and binary through the kernel tables, typed (integer, bool,
// comparison, Where) through scalar templates. Shapes and dtypes are checked by the factories
// (native/plan/op-elementwise.cc); run() trusts them.
#pragma once
#include <cstring>
#include <vector>
#include "../config/elementwise-config.h"
#include "../plan/plan.h"
#include "broadcast.h"

namespace i8k {

// Elements per parallel task: large enough that the pool's hand-off cost is noise.
constexpr size_t kElementGrain = 16384;

// An op input: a run-time buffer, or a constant copied at creation (plans free constant data once
// ops are built, and run() gives constants no buffer).
struct InputRef {
  int32_t id = -1;
  std::vector<uint8_t> data;
  bool constant = false;
  const void* get(void* const* buffers) const { return constant ? data.data() : buffers[id]; }
  bool absent() const { return id < 0; }
};
InputRef input_ref(const std::vector<ValueInfo>& values, int32_t id);

class F32UnaryOp : public Op {
 public:
  F32UnaryOp(F32VUnaryFn fn, UnaryParams p, size_t n, InputRef x, int32_t y)
      : fn_(fn), p_(p), n_(n), x_(std::move(x)), y_(y) {}
  void run(void* const* buffers, const RunContext& ctx) const override;

 private:
  F32VUnaryFn fn_;
  UnaryParams p_;
  size_t n_;
  InputRef x_;
  int32_t y_;
};

// y = op(op(in0, in1), in2)...: variadic Max/Min fold left; two inputs otherwise.
class F32BinaryOp : public Op {
 public:
  F32BinaryOp(const F32VBinaryKernels& k, BinaryKind kind, const std::vector<int64_t>& out,
              const std::vector<std::vector<int64_t>>& shapes, std::vector<InputRef> inputs, int32_t y);
  void run(void* const* buffers, const RunContext& ctx) const override;

 private:
  F32VBinaryFn vv_, vs_, sv_;
  std::vector<Broadcast> steps_;  // steps_[0]: in0 op in1; steps_[i]: y op in(i+1)
  std::vector<InputRef> inputs_;
  int32_t y_;
};

// y[i] = f(a[i], b[i]) (or f(c, a, b) with three inputs) with broadcasting, element by element.
template <int N, typename R, typename F, typename... T>
class TypedOp : public Op {
 public:
  TypedOp(F f, const std::vector<int64_t>& out, const std::vector<std::vector<int64_t>>& shapes,
          std::vector<InputRef> inputs, int32_t y)
      : f_(f), b_(out, shapes), inputs_(std::move(inputs)), y_(y) {}
  void run(void* const* buffers, const RunContext& ctx) const override {
    R* y = static_cast<R*>(buffers[y_]);
    const void* in[N];
    for (int j = 0; j < N; j++) in[j] = inputs_[j].get(buffers);
    const size_t inner = b_.inner();
    ctx.parallel_for(b_.outer(), std::max<size_t>(1, kElementGrain / std::max<size_t>(inner, 1)),
                     [&](size_t begin, size_t end) {
      size_t offs[N], step[N];
      for (int j = 0; j < N; j++) step[j] = b_.steps(j);
      for (size_t o = begin; o < end; o++) {
        b_.offsets(o, offs);
        R* yo = y + o * inner;
        apply(yo, inner, in, offs, step, std::index_sequence_for<T...>{});
      }
    });
  }

 private:
  template <size_t... J>
  void apply(R* y, size_t n, const void* const* in, const size_t* offs, const size_t* step,
             std::index_sequence<J...>) const {
    for (size_t i = 0; i < n; i++)
      y[i] = f_(static_cast<const T*>(in[J])[offs[J] + i * step[J]]...);
  }
  F f_;
  Broadcast b_;
  std::vector<InputRef> inputs_;
  int32_t y_;
};

template <typename R, typename... T, typename F>
std::unique_ptr<Op> make_typed_op(F f, const std::vector<int64_t>& out,
                                  const std::vector<std::vector<int64_t>>& shapes,
                                  std::vector<InputRef> inputs, int32_t y) {
  return std::make_unique<TypedOp<sizeof...(T), R, F, T...>>(f, out, shapes, std::move(inputs), y);
}

// Identity, Dropout at inference, and Reshape-like copies.
class CopyOp : public Op {
 public:
  CopyOp(size_t bytes, InputRef x, int32_t y) : bytes_(bytes), x_(std::move(x)), y_(y) {}
  void run(void* const* buffers, const RunContext&) const override {
    if (bytes_) std::memcpy(buffers[y_], x_.get(buffers), bytes_);
  }

 private:
  size_t bytes_;
  InputRef x_;
  int32_t y_;
};

}  // namespace i8k
