#include "storage-node/server/node_services.h"

#include <atomic>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/base/mutex.h"
#include "common/log/log.h"
#include "common/model/key_codec.h"
#include "common/rpc/rpc.h"

namespace tern::node {
namespace {

constexpr uint32_t kMaxInjectedDelayMs = 1000;

// Threads that hand writes to their groups. One write per group at a time
// persists (the others queue at once), so these mostly wait on the disk;
// several let RocksDB sync the logs of several groups together.
constexpr size_t kWriteThreads = 4;

// Ops one Batch call may carry (the router sends at most 64).
constexpr int kMaxBatchOps = 1024;

// How long a split waits to be applied before SplitPartition gives up.
constexpr absl::Duration kReplicationWait = absl::Seconds(5);

template <typename T>
grpc::Status Answer(absl::StatusOr<T> result, T* out) {
  if (!result.ok()) return rpc::ToGrpcStatus(result.status());
  *out = *std::move(result);
  return grpc::Status::OK;
}

absl::Status NoGroup(uint64_t partition_id) {
  return absl::NotFoundError(absl::StrCat("partition ", partition_id, " is not hosted here"));
}

// request as a callback that may run after the call ended needs it: a copy
// when the read waits for its leader's confirmation, else (the callback runs
// before the handler returns) the call's own.
template <typename Request>
std::shared_ptr<const Request> KeptFor(const Request* request) {
  if (request->consistent_read()) return std::make_shared<const Request>(*request);
  return std::shared_ptr<const Request>(std::shared_ptr<const Request>(), request);
}

// A result delivered by a callback on another thread.
template <typename T>
struct Awaited {
  base::Notification done;
  T result;
};

absl::StatusOr<tern::v1::GetItemResponse> StoreGetItem(partition::PartitionStore* store,
                                                       const tern::v1::GetItemRequest& request) {
  return store->GetItem(request);
}
const std::string& GetItemKey(const tern::v1::GetItemRequest& request) {
  return request.storage_key();
}
absl::StatusOr<tern::v1::RangeReadResponse> StoreRangeRead(
    partition::PartitionStore* store, const tern::v1::RangeReadRequest& request) {
  return store->RangeRead(request);
}
const std::string& RangeReadKey(const tern::v1::RangeReadRequest& request) {
  return request.start_key();
}

}  // namespace

NodeAdminService::NodeAdminService(tern::v1::NodeInfo self,
                                   partition::PartitionStore* store,
                                   replica::ReplicaHost* host,
                                   load::LoadSampler* load,
                                   time::SkewedClock* fault_clock)
    : self_(std::move(self)), store_(store), host_(host), load_(load), fault_clock_(fault_clock) {}

grpc::Status NodeAdminService::GetNodeInfo(grpc::ServerContext*,
                                           const tern::v1::GetNodeInfoRequest*,
                                           tern::v1::NodeInfo* response) {
  *response = self_;
  return grpc::Status::OK;
}

grpc::Status NodeAdminService::OpenPartition(grpc::ServerContext*,
                                             const tern::v1::PartitionRequest* request,
                                             tern::v1::PartitionResponse*) {
  absl::Status status = host_->FoundGroup(request->partition(), request->join());
  if (status.ok()) status = store_->Open(request->partition());
  if (status.ok()) status = host_->OpenGroup(request->partition(), request->join());
  if (status.ok()) {
    TERN_LOG(Info, "partition opened")
        .With("partition_id", request->partition().partition_id())
        .With("epoch", request->partition().epoch())
        .With("join", request->join());
  }
  return rpc::ToGrpcStatus(status);
}

grpc::Status NodeAdminService::DropPartition(grpc::ServerContext*,
                                             const tern::v1::PartitionRequest* request,
                                             tern::v1::PartitionResponse*) {
  // The replica's own record knows the key range to delete (a caller that
  // cleans up after a repair may know only the id).
  tern::v1::PartitionDescriptor partition = request->partition();
  for (const tern::v1::PartitionDescriptor& hosted : store_->Descriptors()) {
    if (hosted.partition_id() == partition.partition_id()) partition = hosted;
  }
  absl::Status status = host_->DropGroup(partition.partition_id());
  if (status.ok() && partition.table_id() != 0) status = store_->Drop(partition);
  if (status.ok()) load_->Forget(partition.partition_id());
  if (status.ok()) {
    TERN_LOG(Info, "partition dropped").With("partition_id", request->partition().partition_id());
  }
  return rpc::ToGrpcStatus(status);
}

grpc::Status NodeAdminService::GetPartitionStats(grpc::ServerContext*,
                                                 const tern::v1::PartitionRequest* request,
                                                 tern::v1::PartitionResponse* response) {
  const uint64_t partition_id = request->partition().partition_id();
  absl::StatusOr<tern::v1::PartitionResponse> stats = tern::v1::PartitionResponse();
  if (!request->skip_sizes()) {
    stats = store_->Stats(partition_id);
  } else if (std::optional<tern::v1::PartitionDescriptor> recorded =
                 store_->Descriptor(partition_id);
             !recorded.has_value()) {
    stats = NoGroup(partition_id);
  } else {
    stats->set_retired(recorded->retired());
  }
  if (!stats.ok()) return rpc::ToGrpcStatus(stats.status());
  if (std::shared_ptr<replica::ReplicaGroup> group =
          host_->Group(request->partition().partition_id());
      group != nullptr) {
    replica::GroupStatus status = group->Status();
    stats->set_role(replication::RoleName(status.role));
    stats->set_term(status.term);
    stats->set_leader_node_id(status.leader);
    stats->set_commit_index(status.commit);
    stats->set_applied_index(status.applied);
    stats->set_last_index(status.last);
    stats->set_requests_per_second(load_->RequestsPerSecond(partition_id));
    for (replication::NodeId voter : status.membership.voters) stats->add_voters(voter);
    for (replication::NodeId learner : status.membership.learners) stats->add_learners(learner);
    for (const replication::Progress& progress : status.progress) {
      tern::v1::ReplicaProgress* out = stats->add_progress();
      out->set_node_id(progress.id);
      out->set_match_index(progress.match);
      out->set_learner(progress.learner);
    }
  }
  *response = *std::move(stats);
  return grpc::Status::OK;
}

grpc::Status NodeAdminService::TransferLeadership(
    grpc::ServerContext*,
    const tern::v1::TransferLeadershipRequest* request,
    tern::v1::PartitionResponse*) {
  std::shared_ptr<replica::ReplicaGroup> group = host_->Group(request->partition().partition_id());
  if (group == nullptr) return rpc::ToGrpcStatus(NoGroup(request->partition().partition_id()));
  absl::Status status = group->TransferLeadership(request->target_node_id());
  if (status.ok()) {
    TERN_LOG(Info, "leadership transfer started")
        .With("partition_id", request->partition().partition_id())
        .With("target", request->target_node_id());
  }
  return rpc::ToGrpcStatus(status);
}

grpc::Status NodeAdminService::ChangeReplicas(grpc::ServerContext*,
                                              const tern::v1::ChangeReplicasRequest* request,
                                              tern::v1::PartitionResponse*) {
  const uint64_t partition_id = request->partition().partition_id();
  std::shared_ptr<replica::ReplicaGroup> group = host_->Group(partition_id);
  if (group == nullptr) return rpc::ToGrpcStatus(NoGroup(partition_id));
  replica::ReplicaGroup::Change change;
  switch (request->action()) {
    case tern::v1::ChangeReplicasRequest::ACTION_ADD_LEARNER:
      change = replica::ReplicaGroup::Change::kAddLearner;
      break;
    case tern::v1::ChangeReplicasRequest::ACTION_PROMOTE:
      change = replica::ReplicaGroup::Change::kPromote;
      break;
    case tern::v1::ChangeReplicasRequest::ACTION_REMOVE:
      change = replica::ReplicaGroup::Change::kRemove;
      break;
    default:
      return rpc::ToGrpcStatus(absl::InvalidArgumentError("unknown membership change"));
  }
  if (request->node_id() == 0) {
    return rpc::ToGrpcStatus(absl::InvalidArgumentError("node_id is required"));
  }
  // Learn the addresses of the replicas the change involves first: the
  // leader must reach a new learner as soon as it is added.
  if (absl::Status peers = host_->OpenGroup(request->partition()); !peers.ok()) {
    return rpc::ToGrpcStatus(peers);
  }
  absl::Status status = group->ChangeMembership(change, request->node_id());
  if (status.ok()) {
    TERN_LOG(Info, "replica change proposed")
        .With("partition_id", partition_id)
        .With("action", tern::v1::ChangeReplicasRequest::Action_Name(request->action()))
        .With("node", request->node_id());
  }
  return rpc::ToGrpcStatus(status);
}

grpc::Status NodeAdminService::SplitPartition(grpc::ServerContext*,
                                              const tern::v1::SplitRequest* request,
                                              tern::v1::PartitionResponse* response) {
  const uint64_t partition_id = request->partition().partition_id();
  std::shared_ptr<replica::ReplicaGroup> group = host_->Group(partition_id);
  if (group == nullptr) return rpc::ToGrpcStatus(NoGroup(partition_id));
  if (std::optional<tern::v1::PartitionDescriptor> recorded = store_->Descriptor(partition_id);
      recorded.has_value() && recorded->retired()) {
    // Split already (a retry after a lost answer): the same plan is done.
    const bool same = recorded->split_key() == request->plan().split_key() &&
                      recorded->child_ids_size() == 2 &&
                      recorded->child_ids(0) == request->plan().left().partition_id() &&
                      recorded->child_ids(1) == request->plan().right().partition_id();
    if (!same) {
      return rpc::ToGrpcStatus(
          absl::FailedPreconditionError("the partition was split differently"));
    }
    response->set_retired(true);
    return grpc::Status::OK;
  }
  tern::v1::WriteItemRequest split;
  split.mutable_partition()->set_partition_id(partition_id);
  split.mutable_partition()->set_epoch(request->partition().epoch());
  split.set_kind(tern::v1::WriteItemRequest::KIND_SPLIT);
  *split.mutable_split() = request->plan();
  auto awaited = std::make_shared<Awaited<absl::StatusOr<std::string>>>();
  group->Propose(split.SerializeAsString(), [awaited](absl::StatusOr<std::string> result) {
    awaited->result = std::move(result);
    awaited->done.Notify();
  });
  if (!awaited->done.WaitForNotificationWithTimeout(kReplicationWait)) {
    return rpc::ToGrpcStatus(absl::DeadlineExceededError("the split was not applied in time"));
  }
  if (!awaited->result.ok()) return rpc::ToGrpcStatus(awaited->result.status());
  TERN_LOG(Info, "partition split")
      .With("partition_id", partition_id)
      .With("left", request->plan().left().partition_id())
      .With("right", request->plan().right().partition_id());
  response->set_retired(true);
  return grpc::Status::OK;
}

grpc::Status NodeAdminService::FindSplitKey(grpc::ServerContext*,
                                            const tern::v1::PartitionRequest* request,
                                            tern::v1::PartitionResponse* response) {
  const uint64_t partition_id = request->partition().partition_id();
  absl::StatusOr<std::string> key = absl::NotFoundError("partition is not hosted here");
  if (!request->by_load()) {
    key = store_->FindSplitKey(partition_id);
  } else if (std::optional<tern::v1::PartitionDescriptor> recorded =
                 store_->Descriptor(partition_id);
             recorded.has_value() && !recorded->retired()) {
    const std::string start = recorded->start_key().empty()
                                  ? model::TablePrefix(recorded->table_id())
                                  : recorded->start_key();
    key = load::ChooseLoadSplit(load_->Sample(partition_id), start);
    if (key.ok() && !recorded->end_key().empty() && *key >= recorded->end_key()) {
      key = absl::FailedPreconditionError("the sampled load lies outside the partition");
    }
  }
  if (!key.ok()) return rpc::ToGrpcStatus(key.status());
  response->set_split_key(*std::move(key));
  return grpc::Status::OK;
}

grpc::Status NodeAdminService::InjectFaults(grpc::ServerContext*,
                                            const tern::v1::InjectFaultsRequest* request,
                                            tern::v1::FaultState* response) {
  if (fault_clock_ == nullptr) {
    return rpc::ToGrpcStatus(absl::FailedPreconditionError(
        "fault injection is off on this node (start it with --fault_injection)"));
  }
  // Check everything before changing anything.
  const auto probability = [](double p) { return p >= 0 && p <= 1; };
  for (const tern::v1::LinkFault& link : request->links()) {
    if (!probability(link.drop_out()) || !probability(link.drop_in())) {
      return rpc::ToGrpcStatus(absl::InvalidArgumentError("drop probabilities must lie in [0, 1]"));
    }
  }
  for (const tern::v1::LinkFault& link : request->links()) {
    // Held batches block a handler thread, and a sender gives up after 2 s.
    if (link.delay_in_ms() > kMaxInjectedDelayMs) {
      return rpc::ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("delay_in_ms must be at most ", kMaxInjectedDelayMs)));
    }
  }
  if (request->set_clock() && !(request->clock_rate() > 0 && request->clock_rate() <= 100)) {
    return rpc::ToGrpcStatus(absl::InvalidArgumentError("clock_rate must lie in (0, 100]"));
  }
  replica::LinkFaults& faults = host_->faults();
  if (request->clear()) {
    faults.Clear();
    fault_clock_->SetSkew(1.0, absl::ZeroDuration());
  }
  for (const tern::v1::LinkFault& link : request->links()) {
    faults.Set(link.peer_node_id(),
               replica::LinkRule{
                   link.drop_out(), link.drop_in(), std::chrono::milliseconds(link.delay_in_ms())});
  }
  if (request->set_clock()) {
    fault_clock_->SetSkew(request->clock_rate(), absl::Milliseconds(request->clock_offset_ms()));
  }
  for (const auto& [peer, rule] : faults.Rules()) {
    tern::v1::LinkFault* link = response->add_links();
    link->set_peer_node_id(peer);
    link->set_drop_out(rule.drop_out);
    link->set_drop_in(rule.drop_in);
    link->set_delay_in_ms(static_cast<uint32_t>(rule.delay_in.count()));
  }
  response->set_clock_rate(fault_clock_->rate());
  response->set_clock_offset_ms(absl::ToInt64Milliseconds(fault_clock_->wall_offset()));
  TERN_LOG(Warning, "injected faults changed")
      .With("links", static_cast<int64_t>(response->links_size()))
      .With("clock_rate", response->clock_rate())
      .With("clock_offset_ms", response->clock_offset_ms());
  return grpc::Status::OK;
}

DataPlaneService::DataPlaneService(partition::PartitionStore* store,
                                   replica::ReplicaHost* host,
                                   load::LoadSampler* load)
    : store_(store),
      host_(host),
      load_(load),
      writes_(std::make_unique<exec::ThreadPool>("data-write", kWriteThreads)) {}

DataPlaneService::~DataPlaneService() { Drain(); }

void DataPlaneService::Drain() { writes_->Shutdown(); }

void DataPlaneService::WhenReadable(uint64_t partition_id,
                                    bool consistent,
                                    absl::AnyInvocable<void(absl::Status) &&> read) {
  std::shared_ptr<replica::ReplicaGroup> group = host_->Group(partition_id);
  // No group, no reads: a partition recorded here whose group is not open
  // (yet) may hold items older than its group's.
  if (group == nullptr) return std::move(read)(NoGroup(partition_id));
  if (!consistent) {
    if (!group->ServesEventualReads()) {
      return std::move(read)(
          absl::UnavailableError("this replica is joining or leaving its group; try another"));
    }
    return std::move(read)(absl::OkStatus());
  }
  // The leader answers once the read is confirmed, or fails it when it
  // loses leadership or closes.
  group->AwaitConsistentRead(std::move(read));
}

template <typename Request, typename Response>
void DataPlaneService::Read(const Request* request,
                            StoreRead<Request, Response> read,
                            LoadKey<Request> key,
                            Done<Response> done) {
  WhenReadable(request->partition().partition_id(),
               request->consistent_read(),
               [this, read, key, request = KeptFor(request), done = std::move(done)](
                   absl::Status readable) mutable {
                 if (!readable.ok()) return std::move(done)(readable);
                 absl::StatusOr<Response> result = read(store_, *request);
                 if (result.ok()) {
                   load_->Record(request->partition().partition_id(),
                                 load::Boundary(key(*request)));
                 }
                 std::move(done)(std::move(result));
               });
}

template <typename Request, typename Response>
void DataPlaneService::ServeRead(const Request& request,
                                 Reply<Response> reply,
                                 StoreRead<Request, Response> read,
                                 LoadKey<Request> key) {
  Read<Request, Response>(&request, read, key, [reply](absl::StatusOr<Response> result) {
    reply->Send(std::move(result));
  });
}

absl::StatusOr<std::shared_ptr<replica::ReplicaGroup>> DataPlaneService::GroupFor(
    const tern::v1::WriteItemRequest& request) {
  if (request.kind() == tern::v1::WriteItemRequest::KIND_SPLIT) {
    // Splits are the control plane's (NodeAdmin.SplitPartition).
    return absl::InvalidArgumentError("not an item write");
  }
  std::shared_ptr<replica::ReplicaGroup> group = host_->Group(request.partition().partition_id());
  if (group == nullptr) return NoGroup(request.partition().partition_id());
  load_->Record(request.partition().partition_id(), load::Boundary(request.storage_key()));
  return group;
}

void DataPlaneService::Write(const tern::v1::WriteItemRequest& request,
                             Done<tern::v1::WriteItemResponse> done) {
  absl::StatusOr<std::shared_ptr<replica::ReplicaGroup>> group = GroupFor(request);
  if (!group.ok()) return std::move(done)(group.status());
  // A copy: the call may end (its caller gave up) before the pool gets to
  // it. A write whose outcome is unknown then may still commit.
  writes_->Post([group = *std::move(group), request, done = std::move(done)]() mutable {
    group->Write(request, std::move(done));
  });
}

namespace {

// The answer of one Batch call, filled op by op from any thread (each op
// its own result), sent when the last op is done.
class BatchAnswer {
 public:
  BatchAnswer(std::shared_ptr<rpc::AsyncReply<tern::v1::DataBatchResult>> reply, int ops)
      : reply_(std::move(reply)), remaining_(ops + 1) {
    results_.mutable_results()->Reserve(ops);
    for (int i = 0; i < ops; ++i) results_.add_results();
  }

  // Records op i's result; call once per op.
  template <typename Response>
  void Set(int i,
           absl::StatusOr<Response> result,
           Response* (tern::v1::DataResult::*mutable_out)()) {
    tern::v1::DataResult* slot = results_.mutable_results(i);
    if (result.ok()) {
      *(slot->*mutable_out)() = *std::move(result);
    } else {
      SetStatus(slot, result.status());
    }
    Done();
  }
  void Fail(int i, const absl::Status& status) {
    SetStatus(results_.mutable_results(i), status);
    Done();
  }
  // Called once by the handler after it started every op.
  void Done() {
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) reply_->Send(std::move(results_));
  }

 private:
  static void SetStatus(tern::v1::DataResult* slot, const absl::Status& status) {
    slot->set_code(static_cast<int32_t>(status.code()));
    slot->set_message(std::string(status.message()));
  }

  const std::shared_ptr<rpc::AsyncReply<tern::v1::DataBatchResult>> reply_;
  std::atomic<int> remaining_;
  tern::v1::DataBatchResult results_;  // slots written by one op each
};

}  // namespace

void DataPlaneService::Serve(rpc::ServerQueues* queues) {
  get_ = std::make_unique<rpc::UnaryMethod<tern::v1::GetItemRequest, tern::v1::GetItemResponse>>(
      queues,
      [this](auto* context, auto* request, auto* writer, auto* queue, void* tag) {
        RequestGetItem(context, request, writer, queue, queue, tag);
      },
      [this](const tern::v1::GetItemRequest& request, Reply<tern::v1::GetItemResponse> reply) {
        ServeRead(request, std::move(reply), &StoreGetItem, &GetItemKey);
      });
  write_ =
      std::make_unique<rpc::UnaryMethod<tern::v1::WriteItemRequest, tern::v1::WriteItemResponse>>(
          queues,
          [this](auto* context, auto* request, auto* writer, auto* queue, void* tag) {
            RequestWriteItem(context, request, writer, queue, queue, tag);
          },
          [this](const tern::v1::WriteItemRequest& request,
                 Reply<tern::v1::WriteItemResponse> reply) {
            Write(request, [reply](absl::StatusOr<tern::v1::WriteItemResponse> written) {
              reply->Send(std::move(written));
            });
          });
  range_ =
      std::make_unique<rpc::UnaryMethod<tern::v1::RangeReadRequest, tern::v1::RangeReadResponse>>(
          queues,
          [this](auto* context, auto* request, auto* writer, auto* queue, void* tag) {
            RequestRangeRead(context, request, writer, queue, queue, tag);
          },
          [this](const tern::v1::RangeReadRequest& request,
                 Reply<tern::v1::RangeReadResponse> reply) {
            ServeRead(request, std::move(reply), &StoreRangeRead, &RangeReadKey);
          });
  batch_ = std::make_unique<rpc::UnaryMethod<tern::v1::DataBatch, tern::v1::DataBatchResult>>(
      queues,
      [this](auto* context, auto* request, auto* writer, auto* queue, void* tag) {
        RequestBatch(context, request, writer, queue, queue, tag);
      },
      [this](const tern::v1::DataBatch& request, BatchReply reply) {
        Batch(request, std::move(reply));
      });
}

void DataPlaneService::Close() {
  if (get_ != nullptr) get_->Close();
  if (write_ != nullptr) write_->Close();
  if (range_ != nullptr) range_->Close();
  if (batch_ != nullptr) batch_->Close();
}

void DataPlaneService::Batch(const tern::v1::DataBatch& batch, BatchReply reply) {
  const tern::v1::DataBatch* request = &batch;
  if (request->ops_size() > kMaxBatchOps) {
    return reply->SendStatus(
        absl::InvalidArgumentError(absl::StrCat("a batch carries at most ", kMaxBatchOps, " ops")));
  }
  auto answer = std::make_shared<BatchAnswer>(std::move(reply), request->ops_size());
  // Writes go to their groups together: one pool task and one round of
  // group commit per group, not one per write. Copies: the call may end
  // (its caller gave up) before the pool gets to them.
  struct GroupWrites {
    std::shared_ptr<replica::ReplicaGroup> group;
    std::vector<tern::v1::WriteItemRequest> requests;
    std::vector<replica::ReplicaGroup::WriteDone> dones;
  };
  std::map<uint64_t, GroupWrites> writes;
  for (int i = 0; i < request->ops_size(); ++i) {
    const tern::v1::DataOp& op = request->ops(i);
    switch (op.op_case()) {
      case tern::v1::DataOp::kGet:
        Read<tern::v1::GetItemRequest, tern::v1::GetItemResponse>(
            &op.get(),
            &StoreGetItem,
            &GetItemKey,
            [answer, i](absl::StatusOr<tern::v1::GetItemResponse> got) {
              answer->Set(i, std::move(got), &tern::v1::DataResult::mutable_get);
            });
        break;
      case tern::v1::DataOp::kWrite: {
        absl::StatusOr<std::shared_ptr<replica::ReplicaGroup>> group = GroupFor(op.write());
        if (!group.ok()) {
          answer->Fail(i, group.status());
          break;
        }
        GroupWrites& to = writes[op.write().partition().partition_id()];
        to.group = *std::move(group);
        to.requests.push_back(op.write());
        to.dones.push_back([answer, i](absl::StatusOr<tern::v1::WriteItemResponse> written) {
          answer->Set(i, std::move(written), &tern::v1::DataResult::mutable_write);
        });
        break;
      }
      default:
        answer->Fail(i, absl::InvalidArgumentError("an op must be a get or a write"));
        break;
    }
  }
  for (auto& [partition_id, to] : writes) {
    writes_->Post([to = std::move(to)]() mutable {
      std::vector<const tern::v1::WriteItemRequest*> requests;
      requests.reserve(to.requests.size());
      for (const tern::v1::WriteItemRequest& write : to.requests) requests.push_back(&write);
      to.group->WriteAll(requests, std::move(to.dones));
    });
  }
  answer->Done();
}

}  // namespace tern::node
