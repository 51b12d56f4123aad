#include "thread-pool.h"

namespace i8k {

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
    Job* job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
      if (!job) continue;  // woke after that job was over
      job->active++;
    }
    take_tasks(job);
    std::lock_guard<std::mutex> lock(mutex_);
    job->active--;
    done_.notify_all();
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
    generation_++;
  }
  wake_.notify_all();
  take_tasks(&job);
  // Every task is claimed; the ones workers claimed are done once no worker is inside the job.
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return job.active == 0; });
  job_ = nullptr;
}

}  // namespace i8k
