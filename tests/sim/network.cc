#include "tests/sim/network.h"

#include <algorithm>
#include <utility>

namespace tern::sim {

SimNetwork::SimNetwork(
    EventQueue* queue, Rng rng, int nodes, Time min_delay, Time max_delay, Deliver deliver)
    : queue_(queue), rng_(rng), nodes_(nodes), deliver_(std::move(deliver)) {
  size_t links = static_cast<size_t>(nodes + 1) * (nodes + 1);
  blocked_.assign(links, false);
  link_min_.assign(links, min_delay);
  link_max_.assign(links, max_delay);
  for (int from = 1; from <= nodes; ++from) {
    for (int to = 1; to <= nodes; ++to) {
      Time a = rng_.Range(min_delay, max_delay);
      Time b = rng_.Range(min_delay, max_delay);
      link_min_[Link(from, to)] = std::min(a, b);
      link_max_[Link(from, to)] = std::max(a, b);
    }
  }
}

void SimNetwork::Isolate(const std::vector<NodeId>& side) {
  std::vector<bool> in(nodes_ + 1, false);
  for (NodeId n : side) {
    if (n >= 1 && n <= static_cast<NodeId>(nodes_)) in[n] = true;
  }
  for (int a = 1; a <= nodes_; ++a) {
    for (int b = 1; b <= nodes_; ++b) {
      if (in[a] != in[b]) blocked_[Link(a, b)] = true;
    }
  }
}

void SimNetwork::HealAll() { std::fill(blocked_.begin(), blocked_.end(), false); }

void SimNetwork::Send(const Message& message) {
  ++stats_.sent;
  if (message.to < 1 || message.to > static_cast<NodeId>(nodes_) || message.from < 1 ||
      message.from > static_cast<NodeId>(nodes_)) {
    ++stats_.dropped;
    return;
  }
  if (Blocked(message.from, message.to)) {
    ++stats_.cut;
    return;
  }
  if (drop_ > 0 && rng_.Chance(drop_)) {
    ++stats_.dropped;
    return;
  }
  Schedule(message);
  if (duplicate_ > 0 && rng_.Chance(duplicate_)) {
    ++stats_.duplicated;
    Schedule(message);
  }
}

void SimNetwork::Schedule(const Message& message) {
  size_t link = Link(message.from, message.to);
  Time delay = rng_.Range(link_min_[link], link_max_[link]);
  if (max_extra_ > 0) delay += rng_.Uniform(max_extra_ + 1);
  queue_->After(delay, [this, message] {
    if (Blocked(message.from, message.to)) {
      ++stats_.cut;
      return;
    }
    ++stats_.delivered;
    deliver_(message);
  });
}

}  // namespace tern::sim
