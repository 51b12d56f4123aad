// Where a run keeps its intermediate values: one arena, with values whose lifetimes do not overlap
// sharing memory. A model's intermediates then stay within the caches instead of each value
// holding its own buffer (MobileNetV2's add up to more than a 32 MiB L3).
#pragma once
#include <cstddef>
#include <vector>

namespace i8k {

struct PlanDesc;

struct MemoryPlan {
  static constexpr size_t kNone = ~size_t{0};
  std::vector<size_t> offset;  // per value: byte offset in the arena, kNone if not in it
  size_t bytes = 0;            // arena size
};

// Values in the arena: not constant, not a plan input or output. A value lives from the first op
// that writes it to the last op that reads it; an op's outputs never share memory with its inputs.
MemoryPlan plan_memory(const PlanDesc& desc);

}  // namespace i8k
