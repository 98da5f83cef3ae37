#include "common/base/mutex.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace tern::base {
namespace {

TEST(MutexTest, GuardsACounterAcrossThreads) {
  Mutex mu;
  int counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        MutexLock lock(&mu);
        ++counter;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  MutexLock lock(&mu);
  EXPECT_EQ(counter, 40000);
}

TEST(MutexTest, AwaitWakesWhenConditionBecomesTrue) {
  Mutex mu;
  int stage = 0;
  std::thread other([&] {
    MutexLock lock(&mu);
    mu.Await([&] { return stage == 1; });
    stage = 2;
  });
  {
    MutexLock lock(&mu);
    stage = 1;
  }
  {
    MutexLock lock(&mu);
    mu.Await([&] { return stage == 2; });
  }
  other.join();
}

TEST(MutexTest, AwaitWithTimeoutGivesUp) {
  Mutex mu;
  MutexLock lock(&mu);
  EXPECT_FALSE(mu.AwaitWithTimeout([] { return false; }, absl::Milliseconds(10)));
  EXPECT_TRUE(mu.AwaitWithTimeout([] { return true; }, absl::Milliseconds(10)));
}

TEST(NotificationTest, PublishesDataToWaiters) {
  Notification ready;
  int payload = 0;  // written before Notify, read after the wait: no race
  std::thread producer([&] {
    payload = 42;
    ready.Notify();
  });
  ready.WaitForNotification();
  EXPECT_EQ(payload, 42);
  EXPECT_TRUE(ready.HasBeenNotified());
  producer.join();
}

TEST(NotificationTest, TimesOutWhenNeverNotified) {
  Notification never;
  EXPECT_FALSE(never.WaitForNotificationWithTimeout(absl::Milliseconds(10)));
  never.Notify();
  never.Notify();
  EXPECT_TRUE(never.WaitForNotificationWithTimeout(absl::Milliseconds(10)));
}

}  // namespace
}  // namespace tern::base
