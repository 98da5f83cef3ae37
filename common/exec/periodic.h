// PeriodicTask: runs a function now and then once per interval on a thread of
// its own, until Stop(). Used for heartbeats and polling loops in the
// daemons. Start and Stop must be called from one thread; Stop waits for the
// run in progress to finish.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/base/mutex.h"
#include "common/exec/executor.h"

namespace tern::exec {

class PeriodicTask {
 public:
  // REQUIRES: interval > 0.
  PeriodicTask(std::string name, std::chrono::milliseconds interval, std::function<void()> fn);
  // Calls Stop().
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start();
  // Idempotent.
  void Stop();

 private:
  const std::chrono::milliseconds interval_;
  const std::function<void()> fn_;
  base::Notification stop_;
  ThreadPool thread_;
};

}  // namespace tern::exec
