// Mutex, MutexLock and Notification: Tern's locking primitives.
//
// Why not absl::Mutex: Debian's Abseil is a shared library built without
// ThreadSanitizer, so TSan cannot see the happens-before edges absl::Mutex
// creates and reports false races on every field it guards. These wrap the
// standard library's mutex and condition variable, which TSan intercepts, and
// carry Abseil's thread-safety annotations, so clang's -Wthread-safety checks
// ABSL_GUARDED_BY fields exactly as it would with absl::Mutex.
//
// All are thread-safe; none is copyable or movable.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"

namespace tern::base {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  // Wakes threads blocked in Await so that they re-check their conditions.
  // The notification happens before the unlock: a woken thread may destroy
  // the Mutex as soon as it owns it.
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    if (waiters_ > 0) cv_.notify_all();
    mu_.unlock();
  }

  // Releases the mutex until cond() is true, then returns holding it again.
  // cond is evaluated with the mutex held, after every Unlock by any thread.
  template <typename Condition>
  void Await(Condition cond) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    ++waiters_;
    cv_.wait(lock, cond);
    --waiters_;
    lock.release();
  }

  // As Await, but gives up after timeout; returns cond()'s final value.
  template <typename Condition>
  bool AwaitWithTimeout(Condition cond, absl::Duration timeout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    ++waiters_;
    bool met = cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), cond);
    --waiters_;
    lock.release();
    return met;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int waiters_ ABSL_GUARDED_BY(this) = 0;
};

// Holds a Mutex for its scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A one-shot event: Notify() once; waiters return once it has happened.
class Notification {
 public:
  Notification() = default;
  Notification(const Notification&) = delete;
  Notification& operator=(const Notification&) = delete;

  // Idempotent.
  void Notify() {
    MutexLock lock(&mu_);
    notified_ = true;
  }
  bool HasBeenNotified() const {
    MutexLock lock(&mu_);
    return notified_;
  }
  void WaitForNotification() const {
    MutexLock lock(&mu_);
    mu_.Await([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return notified_; });
  }
  // True when notified within timeout.
  bool WaitForNotificationWithTimeout(absl::Duration timeout) const {
    MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return notified_; },
                                timeout);
  }

 private:
  mutable Mutex mu_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace tern::base
