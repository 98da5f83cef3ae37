// The simulator's only scheduler: one priority queue of events ordered by
// (virtual time, sequence number). Single-threaded; time is virtual
// microseconds and advances only when an event runs.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace tern::sim {

using Time = uint64_t;  // virtual microseconds
constexpr Time kMs = 1000;

class EventQueue {
 public:
  using Fn = std::function<void()>;

  // Runs fn at virtual time max(t, now()). Events at the same time run in the
  // order they were scheduled.
  void At(Time t, Fn fn) {
    heap_.push_back(Event{std::max(t, now_), next_seq_++, std::move(fn)});
    std::push_heap(heap_.begin(), heap_.end(), Later());
  }
  void After(Time delay, Fn fn) { At(now_ + delay, std::move(fn)); }

  // Runs the earliest event; false when there is none.
  bool RunNext() {
    if (heap_.empty()) return false;
    std::pop_heap(heap_.begin(), heap_.end(), Later());
    Event event = std::move(heap_.back());
    heap_.pop_back();
    now_ = event.time;
    ++executed_;
    event.fn();
    return true;
  }

  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  Time now() const { return now_; }
  // Time of the next event; REQUIRES: !empty().
  Time next_time() const { return heap_.front().time; }
  uint64_t executed() const { return executed_; }

 private:
  struct Event {
    Time time;
    uint64_t seq;
    Fn fn;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.time != b.time ? a.time > b.time : a.seq > b.seq;
    }
  };

  std::vector<Event> heap_;
  Time now_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t executed_ = 0;
};

}  // namespace tern::sim
