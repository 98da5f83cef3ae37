#include "control-plane/server/repairer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace tern::control {
namespace {

using tern::v1::ChangeReplicasRequest;
using tern::v1::NodeStatus;
using tern::v1::PartitionDescriptor;

void Deadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

bool Alive(const std::map<uint64_t, NodeStatus>& nodes, uint64_t id) {
  auto it = nodes.find(id);
  return it != nodes.end() && it->second.state() == NodeStatus::STATE_ALIVE;
}

bool Dead(const std::map<uint64_t, NodeStatus>& nodes, uint64_t id) {
  auto it = nodes.find(id);
  return it == nodes.end() || it->second.state() == NodeStatus::STATE_DEAD;
}

std::vector<uint64_t> Sorted(std::vector<uint64_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

Repairer::Repairer(Catalog* catalog, NodeRegistry* registry, RepairOptions options)
    : catalog_(catalog),
      registry_(registry),
      options_(options),
      task_("repairer", options.interval, [this] { RunOnce(); }) {}

Repairer::~Repairer() { Stop(); }

void Repairer::Start() { task_.Start(); }

void Repairer::Stop() { task_.Stop(); }

absl::StatusOr<tern::v1::PartitionResponse> Repairer::Stats(const PartitionDescriptor& partition,
                                                            const std::string& address) {
  tern::v1::NodeAdmin::Stub* stub = stubs_.For(address);
  if (stub == nullptr) return absl::InvalidArgumentError(absl::StrCat("bad address ", address));
  grpc::ClientContext context;
  Deadline(&context);
  tern::v1::PartitionRequest request;
  *request.mutable_partition() = partition;
  tern::v1::PartitionResponse stats;
  grpc::Status status = stub->GetPartitionStats(&context, request, &stats);
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  return stats;
}

bool Repairer::Reconcile(const PartitionDescriptor& partition,
                         const std::map<uint64_t, NodeStatus>& nodes) {
  const uint64_t id = partition.partition_id();
  std::vector<uint64_t> desired;
  std::map<uint64_t, std::string> address;
  for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
    desired.push_back(replica.node_id());
    address[replica.node_id()] = replica.address();
  }
  desired = Sorted(std::move(desired));
  auto address_of = [&](uint64_t node) -> std::string {
    if (auto it = address.find(node); it != address.end()) return it->second;
    if (auto it = nodes.find(node); it != nodes.end()) return it->second.node().address();
    return "";
  };

  // What each reachable replica says, the leader's view foremost. A replica
  // leaving the group may lead it: ask whoever the others name as leader.
  std::map<uint64_t, tern::v1::PartitionResponse> seen;
  std::set<uint64_t> asked;
  std::vector<uint64_t> to_ask = desired;
  while (!to_ask.empty()) {
    const uint64_t node = to_ask.back();
    to_ask.pop_back();
    if (!asked.insert(node).second || Dead(nodes, node) || address_of(node).empty()) continue;
    absl::StatusOr<tern::v1::PartitionResponse> stats = Stats(partition, address_of(node));
    if (!stats.ok()) continue;
    if (stats->leader_node_id() != 0) to_ask.push_back(stats->leader_node_id());
    seen[node] = *std::move(stats);
  }

  // The descriptor the replicas are told: the catalog's replicas plus any
  // current member on its way out, so that every member knows every other
  // member's address (a joining learner must answer a leaving leader; after
  // a promotion an election must reach the new voter).
  PartitionDescriptor wide = partition;
  for (const auto& [node, stats] : seen) {
    for (const auto* members : {&stats.voters(), &stats.learners()}) {
      for (uint64_t member : *members) {
        if (address.count(member) > 0) continue;
        auto known = nodes.find(member);
        if (known == nodes.end()) continue;
        tern::v1::ReplicaDescriptor* extra = wide.add_replicas();
        extra->set_node_id(member);
        extra->set_az(known->second.node().az());
        extra->set_address(known->second.node().address());
        address[member] = known->second.node().address();
      }
    }
  }

  // Every replica that hosts the group learns it, once per epoch (and
  // again while some catalog replica does not host the group yet).
  bool announced;
  {
    base::MutexLock lock(&mu_);
    announced = announced_epoch_[id] == partition.epoch();
  }
  if (!announced) {
    bool all = true;
    for (uint64_t node : desired) all = all && seen.count(node) > 0;
    for (const auto& [node, stats] : seen) {
      tern::v1::NodeAdmin::Stub* stub = stubs_.For(address_of(node));
      grpc::ClientContext context;
      Deadline(&context);
      tern::v1::PartitionRequest request;
      *request.mutable_partition() = wide;
      tern::v1::PartitionResponse response;
      if (stub == nullptr || !stub->OpenPartition(&context, request, &response).ok()) all = false;
    }
    if (all) {
      base::MutexLock lock(&mu_);
      announced_epoch_[id] = partition.epoch();
    }
  }

  const tern::v1::PartitionResponse* leader = nullptr;
  uint64_t leader_id = 0;
  for (const auto& [node, stats] : seen) {
    if (stats.role() == "Leader" && (leader == nullptr || stats.term() > leader->term())) {
      leader = &stats;
      leader_id = node;
    }
  }
  if (leader == nullptr) return false;

  GroupView view;
  view.voters.assign(leader->voters().begin(), leader->voters().end());
  view.learners.assign(leader->learners().begin(), leader->learners().end());
  view.leader = leader_id;
  view.commit = leader->commit_index();
  for (const tern::v1::ReplicaProgress& progress : leader->progress()) {
    view.match[progress.node_id()] = progress.match_index();
  }
  view.match[leader_id] = std::max(view.match[leader_id], leader->last_index());
  const MembershipStep step = NextMembershipStep(desired, view, options_.catch_up_slack);

  if (step.kind == StepKind::kNone) {
    const bool settled = Sorted(view.voters) == desired && view.learners.empty();
    if (settled) {
      base::MutexLock lock(&mu_);
      settled_epoch_[id] = partition.epoch();
    }
    return settled;
  }

  grpc::Status status;
  tern::v1::NodeAdmin::Stub* leader_stub = stubs_.For(address_of(leader_id));
  if (leader_stub == nullptr) return false;
  tern::v1::PartitionResponse response;
  if (step.kind == StepKind::kTransferLeader) {
    grpc::ClientContext context;
    Deadline(&context);
    tern::v1::TransferLeadershipRequest request;
    *request.mutable_partition() = partition;
    request.set_target_node_id(step.node);
    status = leader_stub->TransferLeadership(&context, request, &response);
  } else {
    if (step.kind == StepKind::kAddLearner) {
      // The new replica founds nothing: it waits, with no membership, for
      // the leader to add it.
      tern::v1::NodeAdmin::Stub* joining = stubs_.For(address_of(step.node));
      if (joining == nullptr || !Alive(nodes, step.node)) return false;
      grpc::ClientContext context;
      Deadline(&context);
      tern::v1::PartitionRequest request;
      *request.mutable_partition() = wide;
      request.set_join(true);
      status = joining->OpenPartition(&context, request, &response);
    }
    if (status.ok()) {
      grpc::ClientContext context;
      Deadline(&context);
      ChangeReplicasRequest request;
      *request.mutable_partition() = wide;
      request.set_node_id(step.node);
      request.set_action(step.kind == StepKind::kAddLearner
                             ? ChangeReplicasRequest::ACTION_ADD_LEARNER
                         : step.kind == StepKind::kPromote ? ChangeReplicasRequest::ACTION_PROMOTE
                                                           : ChangeReplicasRequest::ACTION_REMOVE);
      status = leader_stub->ChangeReplicas(&context, request, &response);
    }
  }
  TERN_LOG(Info, "replica repair step")
      .With("partition_id", id)
      .With("epoch", partition.epoch())
      .With("step", StepKindName(step.kind))
      .With("node", step.node)
      .With("leader", leader_id)
      .With("result", status.ok() ? std::string("ok") : status.error_message());
  return false;
}

void Repairer::CollectGarbage(const std::map<uint64_t, NodeStatus>& nodes) {
  for (const auto& [node, hosted] : registry_->HostedByAliveNodes()) {
    for (uint64_t partition_id : hosted) {
      std::optional<tern::v1::CatalogEntry> entry = catalog_->TableOfPartition(partition_id);
      bool drop = false;
      if (!entry.has_value()) {
        // Its table is gone, if this catalog ever had it.
        drop = catalog_->Assigned(partition_id >> kPartitionIdBits);
      } else if (entry->table().status() == "ACTIVE" || entry->table().status() == "UPDATING") {
        const PartitionDescriptor* partition = nullptr;
        for (const PartitionDescriptor& candidate : entry->partitions()) {
          if (candidate.partition_id() == partition_id) partition = &candidate;
        }
        if (partition == nullptr) {
          drop = true;
        } else {
          bool placed = false;
          for (const tern::v1::ReplicaDescriptor& replica : partition->replicas()) {
            placed = placed || replica.node_id() == node;
          }
          base::MutexLock lock(&mu_);
          // Only once the group settled without it: until then it may still
          // be a voter the group needs.
          auto settled = settled_epoch_.find(partition_id);
          drop =
              !placed && settled != settled_epoch_.end() && settled->second == partition->epoch();
        }
      }
      if (!drop) continue;
      auto it = nodes.find(node);
      if (it == nodes.end()) continue;
      tern::v1::NodeAdmin::Stub* stub = stubs_.For(it->second.node().address());
      if (stub == nullptr) continue;
      grpc::ClientContext context;
      Deadline(&context);
      tern::v1::PartitionRequest request;
      request.mutable_partition()->set_partition_id(partition_id);
      tern::v1::PartitionResponse response;
      grpc::Status status = stub->DropPartition(&context, request, &response);
      TERN_LOG(Info, "dropped a replica the catalog no longer places")
          .With("partition_id", partition_id)
          .With("node", node)
          .With("result", status.ok() ? std::string("ok") : status.error_message());
    }
  }
}

void Repairer::PlanAndRecord(const std::vector<PartitionDescriptor>& partitions,
                             const std::map<uint64_t, NodeStatus>& nodes) {
  // Right after a control-plane start no node has been heard yet: wait a
  // whole grace period before calling anyone dead.
  if (!registry_->Settled()) return;
  std::set<uint64_t> busy;
  {
    base::MutexLock lock(&mu_);
    for (const PartitionDescriptor& partition : partitions) {
      auto settled = settled_epoch_.find(partition.partition_id());
      if (settled == settled_epoch_.end() || settled->second != partition.epoch()) {
        busy.insert(partition.partition_id());
      }
    }
  }
  if (busy.size() >= options_.max_moves) return;
  const std::set<uint64_t> draining = catalog_->Draining();
  std::vector<NodeView> views;
  for (const auto& [id, status] : nodes) {
    NodeView& view = views.emplace_back();
    view.node_id = id;
    view.az = status.node().az();
    view.address = status.node().address();
    view.alive = status.state() == NodeStatus::STATE_ALIVE;
    view.dead = status.state() == NodeStatus::STATE_DEAD;
    view.draining = draining.count(id) > 0;
  }
  std::vector<ReplicaMove> moves =
      PlanMoves(partitions, views, busy, options_.max_moves - busy.size());
  for (const ReplicaMove& move : moves) {
    if (!options_.rebalance && move.reason == "rebalance") continue;
    auto to = nodes.find(move.to);
    if (to == nodes.end()) continue;
    absl::StatusOr<PartitionDescriptor> moved =
        catalog_->MoveReplica(move.partition_id, move.from, to->second.node());
    TERN_LOG(Info, "replica move planned")
        .With("partition_id", move.partition_id)
        .With("from", move.from)
        .With("to", move.to)
        .With("reason", move.reason)
        .With("result",
              moved.ok() ? absl::StrCat("epoch ", moved->epoch()) : moved.status().ToString());
  }
}

void Repairer::RunOnce() {
  if (!catalog_->IsLeader()) return;  // the catalog group's leader runs this
  base::MutexLock round(&round_mu_);
  std::map<uint64_t, NodeStatus> nodes;
  for (NodeStatus& status : registry_->List()) nodes[status.node().node_id()] = std::move(status);
  std::vector<PartitionDescriptor> partitions;
  for (const tern::v1::CatalogEntry& entry : catalog_->InStatus("ACTIVE")) {
    for (const PartitionDescriptor& partition : entry.partitions()) {
      partitions.push_back(partition);
    }
  }
  for (const PartitionDescriptor& partition : partitions) Reconcile(partition, nodes);
  CollectGarbage(nodes);
  PlanAndRecord(partitions, nodes);
}

absl::StatusOr<PartitionDescriptor> Repairer::Move(uint64_t partition_id,
                                                   uint64_t from,
                                                   uint64_t to) {
  std::optional<tern::v1::CatalogEntry> entry = catalog_->TableOfPartition(partition_id);
  if (!entry.has_value()) {
    return absl::NotFoundError(absl::StrCat("partition ", partition_id, " not found"));
  }
  for (const PartitionDescriptor& partition : entry->partitions()) {
    if (partition.partition_id() != partition_id) continue;
    {
      base::MutexLock lock(&mu_);
      auto settled = settled_epoch_.find(partition_id);
      if (settled == settled_epoch_.end() || settled->second != partition.epoch()) {
        return absl::FailedPreconditionError(
            absl::StrCat("partition ", partition_id, " is still settling an earlier change"));
      }
    }
    for (const NodeStatus& status : registry_->List()) {
      if (status.node().node_id() != to) continue;
      if (status.state() != NodeStatus::STATE_ALIVE) {
        return absl::FailedPreconditionError(absl::StrCat("node ", to, " is not alive"));
      }
      return catalog_->MoveReplica(partition_id, from, status.node());
    }
    return absl::FailedPreconditionError(absl::StrCat("node ", to, " is not registered"));
  }
  return absl::NotFoundError(absl::StrCat("partition ", partition_id, " not found"));
}

}  // namespace tern::control
