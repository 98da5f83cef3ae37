#include "control-plane/server/leader_balancer.h"

#include <algorithm>

#include "common/config/host_port.h"
#include "common/log/log.h"
#include "common/rpc/rpc.h"

namespace tern::control {
namespace {

constexpr std::chrono::seconds kCallTimeout(2);

void Deadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + kCallTimeout);
}

}  // namespace

std::optional<LeaderMove> ChooseLeaderMove(const std::vector<PartitionLeadership>& partitions) {
  std::map<uint64_t, int> leaders;  // every node holding a replica, by id
  for (const PartitionLeadership& p : partitions) {
    for (const tern::v1::ReplicaDescriptor& replica : p.partition.replicas()) {
      leaders.emplace(replica.node_id(), 0);
    }
  }
  for (const PartitionLeadership& p : partitions) {
    if (p.leader != 0 && leaders.count(p.leader) > 0) ++leaders[p.leader];
  }
  if (leaders.empty()) return std::nullopt;
  // The busiest node (lowest id among equals).
  uint64_t busiest = leaders.begin()->first;
  for (const auto& [node, count] : leaders) {
    if (count > leaders[busiest]) busiest = node;
  }
  std::optional<LeaderMove> best;
  int best_count = 0;
  for (size_t i = 0; i < partitions.size(); ++i) {
    if (partitions[i].leader != busiest) continue;
    for (const tern::v1::ReplicaDescriptor& replica : partitions[i].partition.replicas()) {
      const int count = leaders[replica.node_id()];
      if (count + 2 > leaders[busiest]) continue;  // would not even things out
      if (!best.has_value() || count < best_count ||
          (count == best_count && replica.node_id() < best->to)) {
        best = LeaderMove{i, busiest, replica.node_id()};
        best_count = count;
      }
    }
  }
  return best;
}

LeaderBalancer::LeaderBalancer(Catalog* catalog, std::chrono::milliseconds interval)
    : catalog_(catalog), task_("leader-balancer", interval, [this] { RunOnce(); }) {}

LeaderBalancer::~LeaderBalancer() { Stop(); }

void LeaderBalancer::Start() { task_.Start(); }

void LeaderBalancer::Stop() { task_.Stop(); }

std::optional<LeaderMove> LeaderBalancer::RunOnce() {
  if (!catalog_->IsLeader()) return std::nullopt;  // the catalog group's leader runs this
  std::vector<PartitionLeadership> observed;
  for (const tern::v1::CatalogEntry& entry : catalog_->InStatus("ACTIVE")) {
    for (const tern::v1::PartitionDescriptor& partition : entry.partitions()) {
      PartitionLeadership leadership{partition, 0};
      for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
        tern::v1::NodeAdmin::Stub* stub = nodes_.For(replica.address());
        if (stub == nullptr) continue;
        grpc::ClientContext context;
        Deadline(&context);
        tern::v1::PartitionRequest request;
        *request.mutable_partition() = partition;
        request.set_skip_sizes(true);
        tern::v1::PartitionResponse stats;
        if (stub->GetPartitionStats(&context, request, &stats).ok() && stats.role() == "Leader") {
          leadership.leader = replica.node_id();
        }
      }
      observed.push_back(std::move(leadership));
    }
  }
  std::optional<LeaderMove> move = ChooseLeaderMove(observed);
  if (!move.has_value()) return std::nullopt;
  const tern::v1::PartitionDescriptor& partition = observed[move->partition].partition;
  for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
    if (replica.node_id() != move->from) continue;
    tern::v1::NodeAdmin::Stub* stub = nodes_.For(replica.address());
    if (stub == nullptr) return std::nullopt;
    grpc::ClientContext context;
    Deadline(&context);
    tern::v1::TransferLeadershipRequest request;
    *request.mutable_partition() = partition;
    request.set_target_node_id(move->to);
    tern::v1::PartitionResponse response;
    grpc::Status status = stub->TransferLeadership(&context, request, &response);
    TERN_LOG(Info, "leader balancing")
        .With("partition_id", partition.partition_id())
        .With("from", move->from)
        .With("to", move->to)
        .With("result", status.ok() ? std::string("started") : status.error_message());
    if (!status.ok()) return std::nullopt;
  }
  return move;
}

}  // namespace tern::control
