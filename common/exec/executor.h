// Executors: the only place in Tern where threads are created.
//
// Executor::Post queues a task to run later on some thread owned by the
// executor. Implementations here:
//   ThreadPool     - N worker threads; Shutdown() drains and joins them.
//   SerialExecutor - a strand over another executor: tasks run one at a time,
//                    in Post order, never concurrently.
//   ManualExecutor - runs nothing until the test calls RunOne()/RunAll().
// All Post implementations are thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "common/base/mutex.h"

namespace tern::exec {

using Task = absl::AnyInvocable<void() &&>;

class Executor {
 public:
  virtual ~Executor() = default;
  // Queues task. Tasks posted after shutdown are dropped (destroyed unrun).
  virtual void Post(Task task) = 0;
};

class ThreadPool final : public Executor {
 public:
  // Starts num_threads workers named "<name>-<i>". REQUIRES: num_threads > 0.
  ThreadPool(std::string name, size_t num_threads);
  // Calls Shutdown().
  ~ThreadPool() override;

  void Post(Task task) override;

  // Runs every task already queued, then joins the workers. Idempotent.
  void Shutdown();

 private:
  // A worker's wake-up word: an idle worker sleeps on it (futex) until a
  // Post or Shutdown that took it off the idle list sets it. A condition
  // variable cost a third system call per task: its woken waiter re-takes
  // the mutex marked contended, so the unlock after each task woke nobody.
  struct Worker {
    std::atomic<uint32_t> wake{0};
  };

  void WorkerLoop(Worker* self);
  // Sets worker's word and wakes it.
  static void Wake(Worker* worker);

  const std::string name_;
  base::Mutex mu_;
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  // Workers asleep (or about to sleep) on their words, none of them woken.
  std::vector<Worker*> idle_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::unique_ptr<Worker>> states_;
  std::vector<std::thread> workers_;
};

class SerialExecutor final : public Executor {
 public:
  // base must outlive this executor and every task posted to it.
  explicit SerialExecutor(Executor* base);

  void Post(Task task) override;

 private:
  void Drain();

  Executor* const base_;
  base::Mutex mu_;
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  bool scheduled_ ABSL_GUARDED_BY(mu_) = false;
};

class ManualExecutor final : public Executor {
 public:
  void Post(Task task) override;

  // Runs the oldest queued task; false when there was none.
  bool RunOne();
  // Runs tasks until the queue is empty, including tasks they post.
  // Returns how many ran.
  size_t RunAll();
  size_t pending() const;

 private:
  mutable base::Mutex mu_;
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tern::exec
