#include "common/exec/executor.h"

#include <atomic>
#include <vector>

#include "common/base/mutex.h"
#include "gtest/gtest.h"

namespace tern::exec {
namespace {

// Lets a test wait until n tasks have finished.
class Countdown {
 public:
  explicit Countdown(int n) : remaining_(n) {}
  void Done() {
    base::MutexLock lock(&mu_);
    --remaining_;
  }
  void Wait() {
    base::MutexLock lock(&mu_);
    mu_.Await([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return remaining_ == 0; });
  }

 private:
  base::Mutex mu_;
  int remaining_ ABSL_GUARDED_BY(mu_);
};

TEST(ThreadPoolTest, RunsEveryTask) {
  std::atomic<int> sum{0};
  {
    ThreadPool pool("test", 2);
    Countdown done(100);
    for (int i = 1; i <= 100; ++i) {
      pool.Post([&sum, &done, i] {
        sum += i;
        done.Done();
      });
    }
    done.Wait();
  }
  EXPECT_EQ(sum.load(), 5050);
}

TEST(ThreadPoolTest, ShutdownDrainsQueuedTasksAndDropsLaterOnes) {
  std::atomic<int> ran{0};
  ThreadPool pool("drain", 1);
  for (int i = 0; i < 50; ++i) pool.Post([&ran] { ++ran; });
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 50);
  pool.Post([&ran] { ++ran; });
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 50);
}

TEST(SerialExecutorTest, RunsInOrderWithoutOverlap) {
  ThreadPool pool("serial", 2);
  SerialExecutor strand(&pool);
  std::vector<int> order;  // touched only by strand tasks
  std::atomic<int> running{0};
  std::atomic<bool> overlapped{false};
  Countdown done(1000);
  for (int i = 0; i < 1000; ++i) {
    strand.Post([&, i] {
      if (running.fetch_add(1) != 0) overlapped = true;
      order.push_back(i);
      running.fetch_sub(1);
      done.Done();
    });
  }
  done.Wait();
  pool.Shutdown();
  EXPECT_FALSE(overlapped.load());
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(order[i], i);
}

TEST(ManualExecutorTest, RunsOnlyWhenAsked) {
  ManualExecutor executor;
  int value = 0;
  executor.Post([&] {
    value = 1;
    executor.Post([&] { value = 2; });
  });
  EXPECT_EQ(value, 0);
  EXPECT_EQ(executor.pending(), 1u);
  EXPECT_TRUE(executor.RunOne());
  EXPECT_EQ(value, 1);
  EXPECT_EQ(executor.RunAll(), 1u);
  EXPECT_EQ(value, 2);
  EXPECT_FALSE(executor.RunOne());
}

TEST(ManualExecutorTest, SerialExecutorOverManualIsDeterministic) {
  ManualExecutor base;
  SerialExecutor strand(&base);
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) strand.Post([&order, i] { order.push_back(i); });
  EXPECT_TRUE(order.empty());
  base.RunAll();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

}  // namespace
}  // namespace tern::exec
