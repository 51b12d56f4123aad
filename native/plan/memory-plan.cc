#include "memory-plan.h"
#include "plan-reader.h"
#include <algorithm>

namespace i8k {

namespace {
constexpr size_t kAlign = 64;  // cache line: no two values share one
}

MemoryPlan plan_memory(const PlanDesc& desc) {
  const size_t n = desc.values.size();
  MemoryPlan mp;
  mp.offset.assign(n, MemoryPlan::kNone);
  std::vector<bool> external(n, false);
  for (int32_t id : desc.inputs) external[id] = true;
  for (int32_t id : desc.outputs) external[id] = true;
  const size_t never = ~size_t{0};
  std::vector<size_t> first(n, never), last(n, 0);
  for (size_t o = 0; o < desc.ops.size(); o++) {
    for (int32_t id : desc.ops[o].outputs)
      if (id >= 0) first[id] = std::min(first[id], o), last[id] = std::max(last[id], o);
    for (int32_t id : desc.ops[o].inputs)
      if (id >= 0) last[id] = std::max(last[id], o);
  }
  std::vector<size_t> order;
  for (size_t id = 0; id < n; id++) {
    if (desc.values[id].constant || external[id]) continue;
    if (first[id] == never) first[id] = 0;  // read but never written: live from the start
    order.push_back(id);
  }
  // Largest first, each at the lowest offset free for its whole lifetime (greedy best fit).
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return desc.values[a].bytes > desc.values[b].bytes; });
  std::vector<size_t> placed;
  for (size_t id : order) {
    const size_t size = (desc.values[id].bytes + kAlign - 1) / kAlign * kAlign;
    std::vector<std::pair<size_t, size_t>> busy;  // [begin, end) of overlapping live values
    for (size_t p : placed)
      if (first[p] <= last[id] && first[id] <= last[p])
        busy.push_back({mp.offset[p], mp.offset[p] + (desc.values[p].bytes + kAlign - 1) / kAlign * kAlign});
    std::sort(busy.begin(), busy.end());
    size_t at = 0;
    for (const auto& [b, e] : busy) {
      if (b >= at + size) break;
      at = std::max(at, e);
    }
    mp.offset[id] = at;
    mp.bytes = std::max(mp.bytes, at + size);
    placed.push_back(id);
  }
  return mp;
}

}  // namespace i8k
