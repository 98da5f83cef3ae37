// ClusterWatcher: the router's view of the cluster, refreshed by polling the
// control plane (ListNodes) once per interval. The partition map joins this
// view when the control plane serves it. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/base/mutex.h"
#include "common/config/host_port.h"
#include "common/exec/periodic.h"
#include "common/metrics/metrics.h"
#include "tern/v1/control.grpc.pb.h"

namespace tern::router {

struct ClusterSnapshot {
  bool control_reachable = false;
  std::vector<tern::v1::NodeStatus> nodes;  // ordered by node id

  int CountInState(tern::v1::NodeStatus::State state) const;
};

class ClusterWatcher {
 public:
  ClusterWatcher(const config::HostPortList& control_addresses,
                 std::chrono::milliseconds interval,
                 metrics::Registry* metrics);
  ~ClusterWatcher();

  void Start();
  void Stop();

  ClusterSnapshot snapshot() const;

 private:
  void Refresh();

  std::vector<std::unique_ptr<tern::v1::Control::Stub>> stubs_;
  const std::chrono::milliseconds timeout_;
  metrics::Family<metrics::Gauge>& nodes_gauge_;
  mutable base::Mutex mu_;
  ClusterSnapshot snapshot_ ABSL_GUARDED_BY(mu_);
  size_t next_stub_ = 0;  // touched only by Refresh()
  exec::PeriodicTask task_;
};

}  // namespace tern::router
