#include "storage-node/server/heartbeater.h"

#include "common/log/log.h"
#include "common/rpc/rpc.h"

namespace tern::node {

Heartbeater::Heartbeater(tern::v1::NodeInfo self,
                         const config::HostPortList& control_addresses,
                         std::chrono::milliseconds interval,
                         metrics::Registry* metrics,
                         HostedPartitions hosted)
    : self_(std::move(self)),
      interval_(interval),
      hosted_(std::move(hosted)),
      sent_ok_(metrics
                   ->AddCounter("tern_node_heartbeats_total",
                                "Heartbeats sent to control-plane replicas, by result.")
                   .Add({{"result", "ok"}})),
      sent_failed_(metrics
                       ->AddCounter("tern_node_heartbeats_total",
                                    "Heartbeats sent to control-plane replicas, by result.")
                       .Add({{"result", "error"}})),
      task_("heartbeat", interval, [this] { Round(); }) {
  for (const config::HostPort& address : control_addresses.addresses) {
    stubs_.push_back(tern::v1::Control::NewStub(rpc::MakeChannel(address)));
  }
}

Heartbeater::~Heartbeater() { Stop(); }

void Heartbeater::Start() { task_.Start(); }

void Heartbeater::Stop() { task_.Stop(); }

void Heartbeater::Round() {
  tern::v1::HeartbeatRequest request;
  *request.mutable_node() = self_;
  request.set_uptime_ms(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::steady_clock::now() - started_)
                                                  .count()));
  if (hosted_) {
    for (uint64_t id : hosted_()) request.add_partition_ids(id);
    request.set_replica_count(static_cast<uint32_t>(request.partition_ids_size()));
  }
  int reachable = 0;
  for (const auto& stub : stubs_) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + interval_);
    tern::v1::HeartbeatResponse response;
    grpc::Status status = stub->Heartbeat(&context, request, &response);
    if (status.ok()) {
      ++reachable;
      sent_ok_.Increment();
    } else {
      sent_failed_.Increment();
      if (status.error_code() == grpc::StatusCode::ALREADY_EXISTS ||
          status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
        TERN_LOG(Error, "control plane rejected this node").With("error", status.error_message());
      }
    }
  }
  reachable_.store(reachable);
  bool any_reachable = stubs_.empty() || reachable > 0;
  if (any_reachable != was_reachable_) {
    TERN_LOG(Warning, any_reachable ? "control plane reachable again" : "control plane unreachable")
        .With("reachable", reachable)
        .With("controls", control_count());
    was_reachable_ = any_reachable;
  }
}

}  // namespace tern::node
