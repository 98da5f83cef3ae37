#include "common/exec/executor.h"

#include <atomic>
#include <chrono>
#include <iostream>
#include <random>
#include <thread>
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

// Posters that pause at random (so that workers keep going idle and being
// woken) from several threads: every task runs, each exactly once, and every
// task a waiting poster needs runs without another Post to push it.
TEST(ThreadPoolTest, WakesIdleWorkersForEveryTask) {
  const uint32_t seed = std::random_device{}();
  std::cout << "seed " << seed << std::endl;
  constexpr int kPosters = 3;
  constexpr int kTasksEach = 3000;
  std::atomic<int> ran{0};
  {
    ThreadPool pool("wake", 3);
    std::vector<std::thread> posters;
    for (int p = 0; p < kPosters; ++p) {
      posters.emplace_back([&pool, &ran, seed, p] {
        std::mt19937 rng(seed + p);
        for (int i = 0; i < kTasksEach; ++i) {
          if (rng() % 8 == 0) {
            // Wait for this task alone: a lost wake-up hangs here.
            Countdown done(1);
            pool.Post([&ran, &done] {
              ++ran;
              done.Done();
            });
            done.Wait();
          } else {
            pool.Post([&ran] { ++ran; });
          }
          if (rng() % 64 == 0) std::this_thread::sleep_for(std::chrono::microseconds(rng() % 300));
        }
      });
    }
    for (std::thread& poster : posters) poster.join();
  }
  EXPECT_EQ(ran.load(), kPosters * kTasksEach);
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
