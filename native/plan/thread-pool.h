// A persistent pool of worker threads for intra-op parallelism: ops split their work with
// RunContext::parallel_for and the calling thread works too. One pool per plan (its `threads`
// option); concurrent runs of the plan take turns per parallel_for.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace i8k {

struct Error;

class ThreadPool {
 public:
  explicit ThreadPool(size_t threads);  // threads >= 1, including the caller
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t threads() const { return workers_.size() + 1; }
  // fn(task) for task in [0, tasks), spread over the pool; returns when all are done.
  void run(size_t tasks, const std::function<void(size_t)>& fn);
  // The end of a plan run: workers stop polling for the next job and sleep until one comes (they
  // poll between the ops of a run, not between runs, where they would take a core from others).
  void park() { parked_.store(true, std::memory_order_relaxed); }

 private:
  // One parallel job; lives on the stack of run(), which waits until no worker holds it.
  struct Job {
    const std::function<void(size_t)>* fn;
    size_t tasks;
    std::atomic<size_t> next{0};
    std::atomic<size_t> active{0};  // workers inside this job (they join under mutex_)
  };
  void work();
  static void take_tasks(Job* job);

  std::vector<std::thread> workers_;
  std::mutex submit_;  // one job at a time
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  Job* job_ = nullptr;
  // Bumped under mutex_ for each job; read without it by workers that spin before sleeping.
  std::atomic<size_t> generation_{0};
  std::atomic<bool> parked_{false};
  bool stop_ = false;
};

// What an op gets besides its buffers.
struct RunContext {
  ThreadPool* pool = nullptr;  // null: run on the calling thread
  // Where an op reports a failure that only its inputs' contents reveal (an out-of-range Gather
  // index): the op calls fail() on the calling thread and returns; Plan::run stops after that op.
  Error* error = nullptr;
  // The op's scratch memory for this run (Op::workspace_bytes), 64-byte aligned.
  void* workspace = nullptr;

  void fail(const std::string& rule) const;

  size_t threads() const { return pool ? pool->threads() : 1; }
  // fn(begin, end) over [0, n) in chunks of at least `grain` items.
  template <typename F>
  void parallel_for(size_t n, size_t grain, F&& fn) const {
    const size_t chunks = pool && n > grain ? std::min(n / grain, threads() * 4) : 1;
    if (chunks <= 1) {
      if (n) fn(size_t{0}, n);
      return;
    }
    pool->run(chunks, [&](size_t c) { fn(n * c / chunks, n * (c + 1) / chunks); });
  }
};

}  // namespace i8k
