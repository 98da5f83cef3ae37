// Heartbeater: announces this node (id, AZ, addresses) to every control-plane
// replica once per interval, on a PeriodicTask, until Stop(). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "common/config/host_port.h"
#include "common/exec/periodic.h"
#include "common/metrics/metrics.h"
#include "tern/v1/control.grpc.pb.h"

namespace tern::node {

class Heartbeater {
 public:
  // The partitions this node holds replicas of, reported in every heartbeat.
  using HostedPartitions = std::function<std::vector<uint64_t>()>;

  Heartbeater(tern::v1::NodeInfo self,
              const config::HostPortList& control_addresses,
              std::chrono::milliseconds interval,
              metrics::Registry* metrics,
              HostedPartitions hosted = nullptr);
  // Calls Stop().
  ~Heartbeater();

  void Start();
  // Idempotent; returns once the loop has exited.
  void Stop();

  // How many control replicas acknowledged the most recent round.
  int reachable_controls() const { return reachable_.load(); }
  int control_count() const { return static_cast<int>(stubs_.size()); }

 private:
  void Round();

  const tern::v1::NodeInfo self_;
  const std::chrono::milliseconds interval_;
  const HostedPartitions hosted_;
  std::vector<std::unique_ptr<tern::v1::Control::Stub>> stubs_;
  metrics::Counter& sent_ok_;
  metrics::Counter& sent_failed_;
  std::atomic<int> reachable_{0};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool was_reachable_ = true;  // touched only by Round()
  exec::PeriodicTask task_;
};

}  // namespace tern::node
