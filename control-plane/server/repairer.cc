#include "control-plane/server/repairer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/base/error_details.h"
#include "common/base/status_macros.h"
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
                                                            const std::string& address,
                                                            bool sizes) {
  tern::v1::NodeAdmin::Stub* stub = stubs_.For(address);
  if (stub == nullptr) return absl::InvalidArgumentError(absl::StrCat("bad address ", address));
  grpc::ClientContext context;
  Deadline(&context);
  tern::v1::PartitionRequest request;
  *request.mutable_partition() = partition;
  request.set_skip_sizes(!sizes);
  tern::v1::PartitionResponse stats;
  grpc::Status status = stub->GetPartitionStats(&context, request, &stats);
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  return stats;
}

Repairer::Observed Repairer::Observe(const PartitionDescriptor& partition,
                                     const std::map<uint64_t, NodeStatus>& nodes,
                                     bool sizes) {
  Observed observed;
  for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
    observed.desired.push_back(replica.node_id());
    observed.address[replica.node_id()] = replica.address();
  }
  observed.desired = Sorted(std::move(observed.desired));
  auto address_of = [&](uint64_t node) -> std::string {
    if (auto it = observed.address.find(node); it != observed.address.end()) return it->second;
    if (auto it = nodes.find(node); it != nodes.end()) return it->second.node().address();
    return "";
  };
  // What each reachable replica says, the leader's view foremost. A replica
  // leaving the group may lead it: ask whoever the others name as leader.
  std::set<uint64_t> asked;
  std::vector<uint64_t> to_ask = observed.desired;
  while (!to_ask.empty()) {
    const uint64_t node = to_ask.back();
    to_ask.pop_back();
    if (!asked.insert(node).second || Dead(nodes, node) || address_of(node).empty()) continue;
    observed.address[node] = address_of(node);
    absl::StatusOr<tern::v1::PartitionResponse> stats = Stats(partition, address_of(node), sizes);
    if (!stats.ok()) {
      if (stats.status().code() == absl::StatusCode::kNotFound) observed.absent.insert(node);
      continue;
    }
    if (stats->leader_node_id() != 0) to_ask.push_back(stats->leader_node_id());
    observed.seen[node] = *std::move(stats);
  }
  for (const auto& [node, stats] : observed.seen) {
    if (stats.role() == "Leader" &&
        (observed.leader == 0 || stats.term() > observed.seen[observed.leader].term())) {
      observed.leader = node;
    }
  }
  return observed;
}

bool Repairer::Reconcile(const PartitionDescriptor& partition,
                         const std::map<uint64_t, NodeStatus>& nodes,
                         bool sizes) {
  const uint64_t id = partition.partition_id();
  Observed observed = Observe(partition, nodes, sizes);
  const std::vector<uint64_t>& desired = observed.desired;
  std::map<uint64_t, tern::v1::PartitionResponse>& seen = observed.seen;
  std::map<uint64_t, std::string>& address = observed.address;
  auto address_of = [&](uint64_t node) -> std::string {
    if (auto it = address.find(node); it != address.end()) return it->second;
    if (auto it = nodes.find(node); it != nodes.end()) return it->second.node().address();
    return "";
  };
  if (observed.leader != 0) {
    base::MutexLock lock(&mu_);
    if (sizes) sizes_[id] = seen[observed.leader].size_bytes();
    loads_[id] = seen[observed.leader].requests_per_second();
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
  // A partition being split is not re-announced: its replicas may have
  // retired it already.
  if (!announced && !partition.has_pending_split()) {
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

  if (observed.leader == 0) return false;
  const uint64_t leader_id = observed.leader;
  const tern::v1::PartitionResponse* leader = &seen[leader_id];

  // A voter that does not host the group (a split's child on a replica
  // that never applied the split, or a node that lost its data) leaves the
  // group after a while and comes back as a learner: it must not vote with
  // a state it never had.
  {
    std::vector<uint64_t> gone;
    {
      base::MutexLock lock(&mu_);
      for (uint64_t node : desired) {
        uint64_t& rounds = absent_rounds_[{id, node}];
        const bool voter = std::find(leader->voters().begin(), leader->voters().end(), node) !=
                           leader->voters().end();
        rounds = observed.absent.count(node) > 0 && voter && Alive(nodes, node) ? rounds + 1 : 0;
        if (rounds >= kAbsentRounds) gone.push_back(node);
      }
    }
    if (!gone.empty() && leader->voters_size() > 1) {
      tern::v1::NodeAdmin::Stub* stub = stubs_.For(address_of(leader_id));
      if (stub == nullptr) return false;
      grpc::ClientContext context;
      Deadline(&context);
      ChangeReplicasRequest request;
      *request.mutable_partition() = partition;
      request.set_node_id(gone.front());
      request.set_action(ChangeReplicasRequest::ACTION_REMOVE);
      tern::v1::PartitionResponse response;
      grpc::Status status = stub->ChangeReplicas(&context, request, &response);
      TERN_LOG(Info, "replica repair step")
          .With("partition_id", id)
          .With("step", "remove-absent")
          .With("node", gone.front())
          .With("result", status.ok() ? std::string("ok") : status.error_message());
      return false;
    }
  }

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
          // Retired by a split: dropped once the node hosts each child the
          // catalog places on it (until then the parent's group may still
          // carry the split there). The drop keeps the children's items.
          drop = true;
          auto placed_on_node = [&](uint64_t child) {
            for (const auto* list : {&entry->partitions(), &entry->retired()}) {
              for (const PartitionDescriptor& candidate : *list) {
                if (candidate.partition_id() != child) continue;
                for (const tern::v1::ReplicaDescriptor& replica : candidate.replicas()) {
                  if (replica.node_id() == node) return true;
                }
              }
            }
            return false;
          };
          for (const PartitionDescriptor& retired : entry->retired()) {
            if (retired.partition_id() != partition_id) continue;
            for (uint64_t child : retired.child_ids()) {
              const bool hosts = std::find(hosted.begin(), hosted.end(), child) != hosted.end();
              drop = drop && (hosts || !placed_on_node(child));
            }
          }
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
      // Destructive: only while this replica surely leads the catalog group
      // (its lease), so no newer leader can have placed the replica since.
      if (!catalog_->IsLeader()) return;
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
      // A move toward a node that died since can never settle: such a
      // partition is planned again (its dead replica replaced) and does not
      // hold up the others.
      bool toward_dead = false;
      for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
        toward_dead = toward_dead || Dead(nodes, replica.node_id());
      }
      if (partition.has_pending_split() ||
          ((settled == settled_epoch_.end() || settled->second != partition.epoch()) &&
           !toward_dead)) {
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
  // Partition sizes cost a scan of each replica: every kSizeRounds rounds.
  const bool sizes = options_.split_size_bytes > 0 && ++rounds_ % kSizeRounds == 0;
  std::map<uint64_t, NodeStatus> nodes;
  for (NodeStatus& status : registry_->List()) nodes[status.node().node_id()] = std::move(status);
  std::vector<PartitionDescriptor> partitions;
  for (const tern::v1::CatalogEntry& entry : catalog_->InStatus("ACTIVE")) {
    for (const PartitionDescriptor& partition : entry.partitions()) {
      partitions.push_back(partition);
    }
  }
  for (const PartitionDescriptor& partition : partitions) {
    Reconcile(partition, nodes, sizes);
    // A split decided but not recorded as done (the control plane's leader
    // changed, or the group's answer was lost): carry it through.
    if (partition.has_pending_split()) {
      absl::StatusOr<tern::v1::CatalogEntry> done = DriveSplit(partition, nodes, /*attempts=*/1);
      if (!done.ok()) {
        TERN_LOG(Warning, "split not finished yet")
            .With("partition_id", partition.partition_id())
            .With("error", done.status().ToString());
      }
    }
  }
  CollectGarbage(nodes);
  PlanAndRecord(partitions, nodes);
  if (sizes) SplitLargest(partitions);
  if (options_.split_load_qps > 0) SplitHottest(partitions);
}

void Repairer::SplitHottest(const std::vector<PartitionDescriptor>& partitions) {
  const auto now = std::chrono::steady_clock::now();
  uint64_t hottest = 0;
  double hottest_load = 0;
  {
    base::MutexLock lock(&mu_);
    for (const PartitionDescriptor& partition : partitions) {
      auto load = loads_.find(partition.partition_id());
      auto refused = load_refused_.find(partition.partition_id());
      if (load == loads_.end() || load->second <= options_.split_load_qps ||
          load->second <= hottest_load || partition.has_pending_split() ||
          (refused != load_refused_.end() && refused->second > now)) {
        continue;
      }
      hottest = partition.partition_id();
      hottest_load = load->second;
    }
  }
  if (hottest == 0) return;
  absl::StatusOr<tern::v1::CatalogEntry> split = Split(hottest, "", /*by_load=*/true);
  if (!split.ok()) {
    // A hot key or sequential access: a split would not help; look again
    // later, when the load may have changed shape.
    // Too few samples yet: soon.
    const bool early = absl::StrContains(split.status().message(), "too few");
    base::MutexLock lock(&mu_);
    load_refused_[hottest] = now + (early ? std::chrono::seconds(2) : std::chrono::seconds(30));
  }
  TERN_LOG(Info, "load split")
      .With("partition_id", hottest)
      .With("requests_per_second", hottest_load)
      .With("threshold", options_.split_load_qps)
      .With("result", split.ok() ? std::string("ok") : split.status().ToString());
}

void Repairer::SplitLargest(const std::vector<PartitionDescriptor>& partitions) {
  uint64_t largest = 0;
  uint64_t largest_size = 0;
  {
    base::MutexLock lock(&mu_);
    for (const PartitionDescriptor& partition : partitions) {
      auto size = sizes_.find(partition.partition_id());
      if (size == sizes_.end() || size->second <= options_.split_size_bytes ||
          size->second <= largest_size || partition.has_pending_split()) {
        continue;
      }
      largest = partition.partition_id();
      largest_size = size->second;
    }
  }
  if (largest == 0) return;
  absl::StatusOr<tern::v1::CatalogEntry> split = Split(largest, "");
  TERN_LOG(Info, "size split")
      .With("partition_id", largest)
      .With("size_bytes", largest_size)
      .With("threshold", options_.split_size_bytes)
      .With("result", split.ok() ? std::string("ok") : split.status().ToString());
}

absl::StatusOr<tern::v1::CatalogEntry> Repairer::Split(uint64_t partition_id,
                                                       const std::string& split_key,
                                                       bool by_load) {
  std::optional<tern::v1::CatalogEntry> entry = catalog_->TableOfPartition(partition_id);
  if (!entry.has_value()) {
    return absl::NotFoundError(absl::StrCat("partition ", partition_id, " not found"));
  }
  for (const PartitionDescriptor& retired : entry->retired()) {
    if (retired.partition_id() == partition_id) return *entry;  // split already
  }
  const PartitionDescriptor* found = nullptr;
  for (const PartitionDescriptor& partition : entry->partitions()) {
    if (partition.partition_id() == partition_id) found = &partition;
  }
  if (found == nullptr) {
    return absl::NotFoundError(absl::StrCat("partition ", partition_id, " not found"));
  }
  PartitionDescriptor partition = *found;
  std::map<uint64_t, NodeStatus> nodes;
  for (NodeStatus& status : registry_->List()) nodes[status.node().node_id()] = std::move(status);
  if (!partition.has_pending_split()) {
    {
      base::MutexLock lock(&mu_);
      auto settled = settled_epoch_.find(partition_id);
      if (settled == settled_epoch_.end() || settled->second != partition.epoch()) {
        return absl::FailedPreconditionError(
            absl::StrCat("partition ", partition_id, " is settling a replica change"));
      }
    }
    std::string key = split_key;
    if (key.empty()) {
      Observed observed = Observe(partition, nodes, /*sizes=*/false);
      if (observed.leader == 0) {
        return absl::UnavailableError(absl::StrCat("partition ", partition_id, " has no leader"));
      }
      tern::v1::NodeAdmin::Stub* stub = stubs_.For(observed.address[observed.leader]);
      if (stub == nullptr) return absl::UnavailableError("bad leader address");
      grpc::ClientContext context;
      Deadline(&context);
      tern::v1::PartitionRequest request;
      *request.mutable_partition() = partition;
      request.set_by_load(by_load);
      tern::v1::PartitionResponse response;
      grpc::Status status = stub->FindSplitKey(&context, request, &response);
      if (!status.ok()) return rpc::FromGrpcStatus(status);
      key = response.split_key();
    }
    TERN_ASSIGN_OR_RETURN(partition, catalog_->PlanSplit(partition_id, key));
  }
  return DriveSplit(partition, nodes, /*attempts=*/20);
}

absl::StatusOr<tern::v1::CatalogEntry> Repairer::DriveSplit(
    const PartitionDescriptor& partition,
    const std::map<uint64_t, NodeStatus>& nodes,
    int attempts) {
  // The group applies the split in its log (retried on whoever leads).
  absl::Status applied = absl::UnavailableError("no leader");
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) absl::SleepFor(absl::Milliseconds(100));
    Observed observed = Observe(partition, nodes, /*sizes=*/false);
    bool retired = false;
    for (const auto& [node, stats] : observed.seen) retired = retired || stats.retired();
    if (observed.leader != 0 || retired) {
      const uint64_t target = observed.leader != 0 ? observed.leader : observed.seen.begin()->first;
      tern::v1::NodeAdmin::Stub* stub = stubs_.For(observed.address[target]);
      if (stub == nullptr) return absl::UnavailableError("bad leader address");
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      tern::v1::SplitRequest request;
      *request.mutable_partition() = partition;
      *request.mutable_plan() = partition.pending_split();
      tern::v1::PartitionResponse response;
      applied = rpc::FromGrpcStatus(stub->SplitPartition(&context, request, &response));
      if (applied.ok()) break;
      if (!base::NotLeaderHint(applied).has_value() &&
          applied.code() != absl::StatusCode::kUnavailable) {
        return applied;
      }
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  TERN_RETURN_IF_ERROR(applied);
  TERN_ASSIGN_OR_RETURN(tern::v1::CatalogEntry entry,
                        catalog_->FinishSplit(partition.partition_id()));
  TERN_LOG(Info, "partition split")
      .With("partition_id", partition.partition_id())
      .With("left", partition.pending_split().left().partition_id())
      .With("right", partition.pending_split().right().partition_id());
  return entry;
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
