#include "router/routing/cluster_watcher.h"

#include "common/log/log.h"
#include "common/rpc/rpc.h"

namespace tern::router {

using tern::v1::NodeStatus;

int ClusterSnapshot::CountInState(NodeStatus::State state) const {
  int count = 0;
  for (const NodeStatus& node : nodes) {
    if (node.state() == state) ++count;
  }
  return count;
}

ClusterWatcher::ClusterWatcher(const config::HostPortList& control_addresses,
                               std::chrono::milliseconds interval,
                               metrics::Registry* metrics)
    : timeout_(interval),
      nodes_gauge_(metrics->AddGauge("tern_router_cluster_nodes",
                                     "Storage nodes in the router's view, by state.")),
      task_("cluster-watch", interval, [this] { Refresh(); }) {
  for (const config::HostPort& address : control_addresses.addresses) {
    stubs_.push_back(tern::v1::Control::NewStub(rpc::MakeChannel(address)));
  }
}

ClusterWatcher::~ClusterWatcher() { Stop(); }

void ClusterWatcher::Start() { task_.Start(); }

void ClusterWatcher::Stop() { task_.Stop(); }

ClusterSnapshot ClusterWatcher::snapshot() const {
  base::MutexLock lock(&mu_);
  return snapshot_;
}

void ClusterWatcher::Refresh() {
  ClusterSnapshot fresh;
  // Ask the replicas in turn, starting with the last one that answered.
  for (size_t attempt = 0; attempt < stubs_.size(); ++attempt) {
    size_t index = (next_stub_ + attempt) % stubs_.size();
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout_);
    tern::v1::ListNodesResponse response;
    grpc::Status status = stubs_[index]->ListNodes(&context, {}, &response);
    if (!status.ok()) continue;
    next_stub_ = index;
    fresh.control_reachable = true;
    fresh.nodes.assign(response.nodes().begin(), response.nodes().end());
    break;
  }
  bool was_reachable;
  {
    base::MutexLock lock(&mu_);
    was_reachable = snapshot_.control_reachable;
    snapshot_ = fresh;
  }
  if (was_reachable != fresh.control_reachable) {
    TERN_LOG(Info,
             fresh.control_reachable ? "control plane reachable" : "control plane unreachable")
        .With("nodes", fresh.nodes.size());
  }
  nodes_gauge_.Add({{"state", "alive"}}).Set(fresh.CountInState(NodeStatus::STATE_ALIVE));
  nodes_gauge_.Add({{"state", "suspect"}}).Set(fresh.CountInState(NodeStatus::STATE_SUSPECT));
  nodes_gauge_.Add({{"state", "dead"}}).Set(fresh.CountInState(NodeStatus::STATE_DEAD));
}

}  // namespace tern::router
