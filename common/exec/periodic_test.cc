#include "common/exec/periodic.h"

#include <atomic>

#include "common/base/mutex.h"
#include "gtest/gtest.h"

namespace tern::exec {
namespace {

TEST(PeriodicTaskTest, RunsImmediatelyAndRepeatsUntilStopped) {
  std::atomic<int> runs{0};
  base::Notification ran_twice;
  PeriodicTask task("tick", std::chrono::milliseconds(1), [&] {
    if (++runs == 2) ran_twice.Notify();
  });
  task.Start();
  ran_twice.WaitForNotification();
  task.Stop();
  int after_stop = runs.load();
  EXPECT_GE(after_stop, 2);
  task.Stop();
  EXPECT_EQ(runs.load(), after_stop);
}

TEST(PeriodicTaskTest, StopWithoutStartIsFine) {
  PeriodicTask task("idle", std::chrono::milliseconds(10), [] {});
  task.Stop();
}

}  // namespace
}  // namespace tern::exec
