// A plan: values and ops decoded from the binary format, weights packed for one KernelConfig.
// Immutable once created; run() is safe to call from several threads at once.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <atomic>
#include <mutex>
#include <string>
#include <vector>
#include "../config/kernel-config.h"
#include "memory-plan.h"
#include "plan-format.h"
#include "thread-pool.h"

namespace i8k {

// Errors carry a stable code (the TypeScript side maps it to an error class) and a message that
// names the op, the value and the rule broken.
struct Error {
  std::string code;  // "INVALID_PLAN", "INVALID_ARGUMENT", "OUT_OF_MEMORY"
  std::string message;
};

struct ValueInfo {
  DType dtype;
  std::vector<int64_t> dims;
  size_t bytes;
  bool constant;
  std::vector<uint8_t> data;  // constants only (kept until ops have packed them)
};

struct ConstBuffer {
  const void* data;
  size_t bytes;
};
struct MutBuffer {
  void* data;
  size_t bytes;
};

class Op {
 public:
  virtual ~Op() = default;
  // buffers[id] points at value id's memory for this run (null for constants: an op keeps what it
  // needs of them at creation); ctx spreads work over the plan's pool and takes run-time failures.
  virtual void run(void* const* buffers, const RunContext& ctx) const = 0;
  // Scratch memory one run of the op needs (ctx.workspace), shared by the run's threads; every
  // op of a run gets the same block, so its contents do not survive the op.
  virtual size_t workspace_bytes() const { return 0; }
  // Bytes the op keeps from its constant inputs (packed weights, folded biases), for memory
  // reports. An op that does not override this is charged the bytes of its constant inputs, which
  // is what it copies or packs within a few percent of padding.
  static constexpr size_t kWeightsUnreported = ~size_t{0};
  virtual size_t weight_bytes() const { return kWeightsUnreported; }
};

// What a plan holds in memory (int8kit bench, PlanSession.memory()). The arena and the workspace
// are per run: each run in flight at once leases its own set.
struct PlanMemory {
  size_t arena_bytes;      // intermediate values (memory-plan.h)
  size_t workspace_bytes;  // the largest op scratch
  size_t weight_bytes;     // constants kept by the ops, packed
};

class Plan {
 public:
  // threads: intra-op threads for run() (1 = the calling thread only).
  static std::unique_ptr<Plan> create(const uint8_t* bytes, size_t size, const KernelConfig& cfg,
                                      size_t threads, Error* err);

  const std::vector<int32_t>& inputs() const { return inputs_; }
  const std::vector<int32_t>& outputs() const { return outputs_; }
  const ValueInfo& value(int32_t id) const { return values_[id]; }
  const KernelConfig& config() const { return *cfg_; }
  PlanMemory memory() const { return {memory_.bytes, workspace_bytes_, weight_bytes_}; }

  bool run(const ConstBuffer* in, size_t n_in, const MutBuffer* out, size_t n_out,
           Error* err) const;

 private:
  const KernelConfig* cfg_ = nullptr;
  std::vector<ValueInfo> values_;
  std::vector<std::unique_ptr<Op>> ops_;
  std::vector<std::string> op_names_;  // "op 3 (Gather)", for run-time messages
  // INT8KIT_PROFILE=1: nanoseconds spent per op, printed to stderr when the plan is destroyed.
  std::unique_ptr<std::atomic<int64_t>[]> profile_;
  std::vector<std::pair<int32_t, int32_t>> op_io_;
  size_t workspace_bytes_ = 0;  // the largest op workspace
  size_t weight_bytes_ = 0;     // summed over ops (Op::weight_bytes)
  MemoryPlan memory_;  // first input and output of each op
  std::string op_detail(size_t o) const;

 public:
  ~Plan();
  std::vector<int32_t> inputs_, outputs_;
  std::unique_ptr<ThreadPool> pool_;
  class ScratchLease;
  mutable std::mutex scratch_mutex_;
  mutable std::vector<std::vector<std::unique_ptr<uint8_t[]>>> free_scratch_;
};

}  // namespace i8k
