#include "elementwise.h"
#include <algorithm>

namespace i8k {

InputRef input_ref(const std::vector<ValueInfo>& values, int32_t id) {
  InputRef r;
  r.id = id;
  if (id >= 0 && values[id].constant) {
    r.constant = true;
    r.data = values[id].data;
    if (r.data.empty()) r.data.resize(1);  // a valid pointer for empty constants
  }
  return r;
}

void F32UnaryOp::run(void* const* buffers, const RunContext& ctx) const {
  const float* x = static_cast<const float*>(x_.get(buffers));
  float* y = static_cast<float*>(buffers[y_]);
  ctx.parallel_for(n_, kElementGrain, [&](size_t b, size_t e) { fn_(e - b, x + b, y + b, p_); });
}

F32BinaryOp::F32BinaryOp(const F32VBinaryKernels& k, BinaryKind kind, const std::vector<int64_t>& out,
                         const std::vector<std::vector<int64_t>>& shapes, std::vector<InputRef> inputs,
                         int32_t y)
    : vv_(k.vv[int(kind)]), vs_(k.vs[int(kind)]), sv_(k.sv[int(kind)]), inputs_(std::move(inputs)), y_(y) {
  steps_.emplace_back(out, std::vector<std::vector<int64_t>>{shapes[0], shapes[1]});
  for (size_t i = 2; i < shapes.size(); i++)
    steps_.emplace_back(out, std::vector<std::vector<int64_t>>{out, shapes[i]});
}

void F32BinaryOp::run(void* const* buffers, const RunContext& ctx) const {
  float* y = static_cast<float*>(buffers[y_]);
  for (size_t s = 0; s < steps_.size(); s++) {
    const Broadcast& b = steps_[s];
    const float* a = s == 0 ? static_cast<const float*>(inputs_[0].get(buffers)) : y;
    const float* c = static_cast<const float*>(inputs_[s + 1].get(buffers));
    const size_t inner = b.inner();
    const bool sa = b.steps(0), sc = b.steps(1);
    auto runs = [&](size_t o, size_t begin, size_t end) {
      size_t offs[2];
      b.offsets(o, offs);
      const float* ap = a + offs[0] + (sa ? begin : 0);
      const float* cp = c + offs[1] + (sc ? begin : 0);
      float* yp = y + o * inner + begin;
      const size_t n = end - begin;
      if (sa && sc) vv_(n, ap, cp, yp);
      else if (sa) vs_(n, ap, cp, yp);
      else if (sc) sv_(n, ap, cp, yp);
      else {
        float v;
        vv_(1, ap, cp, &v);
        std::fill(yp, yp + n, v);
      }
    };
    if (b.outer() == 1) {
      // One long run (same shapes, or a scalar operand): split the run itself.
      ctx.parallel_for(inner, kElementGrain, [&](size_t begin, size_t end) { runs(0, begin, end); });
    } else {
      ctx.parallel_for(b.outer(), std::max<size_t>(1, kElementGrain / std::max<size_t>(inner, 1)),
                       [&](size_t begin, size_t end) {
                         for (size_t o = begin; o < end; o++) runs(o, 0, inner);
                       });
    }
  }
}

}  // namespace i8k
