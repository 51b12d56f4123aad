#include "thread-pool.h"

namespace i8k {

namespace {

// How long a worker polls for the next job, and the caller for the end of its job, before
// sleeping on a condition variable. A model's ops follow each other within microseconds, and a
// futex wake-up costs tens of microseconds on a busy VM: polling keeps the workers on the job
// stream during a run; park() at the end of a run sends them to sleep at once. Up to a few hundred
// microseconds of pause instructions.
constexpr int kSpins = 20000;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

ThreadPool::ThreadPool(size_t threads) {
  for (size_t i = 1; i < threads; i++) workers_.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::take_tasks(Job* job) {
  for (size_t t; (t = job->next.fetch_add(1)) < job->tasks;) (*job->fn)(t);
}

void ThreadPool::work() {
  size_t seen = 0;
  for (;;) {
    for (int i = 0; i < kSpins && generation_.load(std::memory_order_acquire) == seen && !parked_.load(std::memory_order_relaxed); i++)
      cpu_relax();
    Job* job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_relaxed) != seen; });
      if (stop_) return;
      seen = generation_.load(std::memory_order_relaxed);
      job = job_;
      if (!job) continue;  // woke after that job was over
      job->active.fetch_add(1, std::memory_order_relaxed);
    }
    take_tasks(job);
    // The last access to the job: after it the caller may return and the job is gone.
    if (job->active.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_all();
    }
  }
}

void ThreadPool::run(size_t tasks, const std::function<void(size_t)>& fn) {
  if (workers_.empty() || tasks <= 1) {
    for (size_t t = 0; t < tasks; t++) fn(t);
    return;
  }
  std::lock_guard<std::mutex> one_job(submit_);
  Job job{&fn, tasks};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &job;
    parked_.store(false, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  take_tasks(&job);
  // Every task is claimed; the ones workers claimed are done once no worker is inside the job.
  // Workers join only under mutex_ while job_ points here, so once job_ is cleared under the
  // lock with active == 0, none can enter.
  for (int i = 0; i < kSpins && job.active.load(std::memory_order_acquire) != 0; i++) cpu_relax();
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return job.active.load(std::memory_order_acquire) == 0; });
  job_ = nullptr;
}

}  // namespace i8k
