#include "common/exec/periodic.h"

#include "absl/time/time.h"
#include "common/base/check.h"

namespace tern::exec {

PeriodicTask::PeriodicTask(std::string name,
                           std::chrono::milliseconds interval,
                           std::function<void()> fn)
    : interval_(interval), fn_(std::move(fn)), thread_(std::move(name), 1) {
  TERN_CHECK(interval_.count() > 0);
}

PeriodicTask::~PeriodicTask() { Stop(); }

void PeriodicTask::Start() {
  thread_.Post([this] {
    do {
      fn_();
    } while (!stop_.WaitForNotificationWithTimeout(absl::FromChrono(interval_)));
  });
}

void PeriodicTask::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  thread_.Shutdown();
}

}  // namespace tern::exec
