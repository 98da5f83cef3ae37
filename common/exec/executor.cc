#include "common/exec/executor.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <utility>

#include "common/base/check.h"

namespace tern::exec {

ThreadPool::ThreadPool(std::string name, size_t num_threads) : name_(std::move(name)) {
  TERN_CHECK(num_threads > 0) << name_;
  states_.reserve(num_threads);
  workers_.reserve(num_threads);
  for (size_t i = 0; i < num_threads; ++i) {
    states_.push_back(std::make_unique<Worker>());
    workers_.emplace_back([this, self = states_.back().get()] { WorkerLoop(self); });
    // Linux limits thread names to 15 characters.
    std::string thread_name = (name_ + "-" + std::to_string(i)).substr(0, 15);
    pthread_setname_np(workers_.back().native_handle(), thread_name.c_str());
  }
}

ThreadPool::~ThreadPool() { Shutdown(); }

void ThreadPool::Wake(Worker* worker) {
  worker->wake.store(1, std::memory_order_release);
  syscall(SYS_futex, &worker->wake, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

void ThreadPool::Post(Task task) {
  Worker* idle = nullptr;
  {
    base::MutexLock lock(&mu_);
    if (stopping_) return;
    queue_.push_back(std::move(task));
    if (!idle_.empty()) {
      idle = idle_.back();
      idle_.pop_back();
    }
  }
  if (idle != nullptr) Wake(idle);
}

void ThreadPool::Shutdown() {
  std::vector<Worker*> idle;
  {
    base::MutexLock lock(&mu_);
    stopping_ = true;
    idle.swap(idle_);
  }
  for (Worker* worker : idle) Wake(worker);
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

void ThreadPool::WorkerLoop(Worker* self) {
  for (;;) {
    Task task;
    {
      base::MutexLock lock(&mu_);
      while (!stopping_ && queue_.empty()) {
        // Sleep until a Post or Shutdown takes this worker off the idle list
        // and sets its word (it may do so before the wait starts: the wait
        // then returns at once).
        self->wake.store(0, std::memory_order_relaxed);
        idle_.push_back(self);
        mu_.Unlock();
        while (self->wake.load(std::memory_order_acquire) == 0) {
          syscall(SYS_futex, &self->wake, FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
        }
        mu_.Lock();
      }
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    std::move(task)();
  }
}

SerialExecutor::SerialExecutor(Executor* base) : base_(base) {}

void SerialExecutor::Post(Task task) {
  {
    base::MutexLock lock(&mu_);
    queue_.push_back(std::move(task));
    if (scheduled_) return;
    scheduled_ = true;
  }
  base_->Post([this]() { Drain(); });
}

void SerialExecutor::Drain() {
  // Runs a bounded batch, then yields the base thread back so that one busy
  // strand cannot starve the others sharing the pool.
  constexpr int kBatch = 64;
  for (int i = 0; i < kBatch; ++i) {
    Task task;
    {
      base::MutexLock lock(&mu_);
      if (queue_.empty()) {
        scheduled_ = false;
        return;
      }
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    std::move(task)();
  }
  base_->Post([this]() { Drain(); });
}

void ManualExecutor::Post(Task task) {
  base::MutexLock lock(&mu_);
  queue_.push_back(std::move(task));
}

bool ManualExecutor::RunOne() {
  Task task;
  {
    base::MutexLock lock(&mu_);
    if (queue_.empty()) return false;
    task = std::move(queue_.front());
    queue_.pop_front();
  }
  std::move(task)();
  return true;
}

size_t ManualExecutor::RunAll() {
  size_t ran = 0;
  while (RunOne()) ++ran;
  return ran;
}

size_t ManualExecutor::pending() const {
  base::MutexLock lock(&mu_);
  return queue_.size();
}

}  // namespace tern::exec
