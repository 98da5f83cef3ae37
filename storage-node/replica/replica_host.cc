#include "storage-node/replica/replica_host.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "common/config/host_port.h"
#include "common/log/log.h"
#include "common/rpc/rpc.h"
#include "storage-node/replica/wire.h"

namespace tern::replica {
namespace {

constexpr std::chrono::milliseconds kSendTimeout{2000};
// Threads delivering received batches: one peer's batches come one at a
// time, so a few serve every peer; more let RocksDB sync several groups'
// logs together.
constexpr size_t kDeliveryThreads = 4;
// Threads for injected delays (RunAfter): each holds one batch received or
// one answer to a batch sent, and every peer link has at most one batch in
// flight.
constexpr size_t kDelayThreads = 16;

// Set while this thread delivers a batch whose answer carries the messages
// for its sender (ReplicaHost::Deliver with an ack).
struct AnswerCapture {
  const void* host = nullptr;
  replication::NodeId peer = 0;
  tern::v1::RaftBatchAck* ack = nullptr;
};
thread_local AnswerCapture answer_capture;
// The ticker looks at the clock twice per tick, so ticks are at most half
// a tick late.
std::chrono::milliseconds TickerInterval(std::chrono::milliseconds tick) {
  return std::max(std::chrono::milliseconds(1), tick / 2);
}

}  // namespace

ReplicaHost::ReplicaHost(HostOptions options,
                         engine::StorageEngine* engine,
                         partition::PartitionStore* store)
    : ReplicaHost(std::move(options),
                  engine,
                  [this, engine, store](const tern::v1::PartitionDescriptor& partition) {
                    return std::make_unique<PartitionMachine>(
                        engine,
                        store,
                        partition,
                        [this](const std::vector<tern::v1::PartitionDescriptor>& children) {
                          OpenChildren(children);
                        },
                        options_.node_id);
                  }) {}

void ReplicaHost::OpenChildren(const std::vector<tern::v1::PartitionDescriptor>& children) {
  for (const tern::v1::PartitionDescriptor& child : children) {
    if (absl::Status opened = OpenGroup(child); !opened.ok()) {
      TERN_LOG(Error, "cannot open a split's child group")
          .With("partition_id", child.partition_id())
          .With("error", opened.ToString());
    } else {
      TERN_LOG(Info, "split child group opened").With("partition_id", child.partition_id());
    }
  }
}

ReplicaHost::ReplicaHost(HostOptions options,
                         engine::StorageEngine* engine,
                         MachineFactory machines)
    : options_(std::move(options)),
      engine_(engine),
      machines_(std::move(machines)),
      clock_(options_.clock != nullptr ? options_.clock : time::RealClock()),
      faults_(options_.node_id),
      ticker_("replica-ticker", TickerInterval(options_.tick), [this] { TickAll(); }) {}

ReplicaHost::~ReplicaHost() { Stop(); }

void ReplicaHost::Start() {
  ticks_origin_ = clock_->Now();
  ticks_done_ = 0;
  ticker_.Start();
}

void ReplicaHost::Stop() {
  ticker_.Stop();
  {
    base::MutexLock lock(&peers_mu_);
    stopping_ = true;
    peers_mu_.Await([this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return calls_in_flight_ == 0; });
  }
  std::unique_ptr<exec::ThreadPool> delayed;
  {
    base::MutexLock lock(&delay_mu_);
    delay_stopped_ = true;
    delayed = std::move(delayed_);
  }
  if (delayed != nullptr) delayed->Shutdown();  // runs what it holds
  std::map<uint64_t, std::shared_ptr<ReplicaGroup>> groups;
  {
    base::MutexLock lock(&groups_mu_);
    groups.swap(groups_);
  }
  groups.clear();  // destroys groups no call holds, failing their pending writes
}

absl::Status ReplicaHost::FoundGroup(const tern::v1::PartitionDescriptor& partition, bool join) {
  return GroupStorage(engine_, partition.partition_id())
      .Found(join ? replication::Membership{} : ReplicaGroup::FoundingMembership(partition));
}

absl::Status ReplicaHost::OpenGroup(const tern::v1::PartitionDescriptor& partition, bool join) {
  {
    base::MutexLock lock(&peers_mu_);
    for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
      if (replica.node_id() == options_.node_id) continue;
      Peer& peer = peers_[replica.node_id()];
      if (peer.address != replica.address()) {
        absl::StatusOr<config::HostPort> address = config::ParseHostPort(replica.address());
        if (!address.ok()) return address.status();
        peer.address = replica.address();
        peer.stub = tern::v1::Replication::NewStub(rpc::MakeChannel(*address));
      }
    }
  }
  base::MutexLock lock(&groups_mu_);
  if (groups_.count(partition.partition_id()) > 0) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<ReplicaGroup>> group = ReplicaGroup::Open(partition,
                                                                           join,
                                                                           options_.node_id,
                                                                           options_.raft,
                                                                           options_.compact_after,
                                                                           engine_,
                                                                           machines_(partition),
                                                                           this);
  if (!group.ok()) return group.status();
  (*group)->SetTickClock(clock_, options_.max_tick_gap);
  if (options_.ack_before_commit_for_testing) (*group)->SetAckBeforeCommitForTesting(true);
  groups_[partition.partition_id()] = std::shared_ptr<ReplicaGroup>(*std::move(group));
  return absl::OkStatus();
}

void ReplicaHost::CloseGroup(uint64_t partition_id) {
  std::shared_ptr<ReplicaGroup> group;
  {
    base::MutexLock lock(&groups_mu_);
    auto it = groups_.find(partition_id);
    if (it == groups_.end()) return;
    group = std::move(it->second);
    groups_.erase(it);
  }
}

absl::Status ReplicaHost::DropGroup(uint64_t partition_id) {
  CloseGroup(partition_id);
  engine::WriteBatch batch;
  GroupStorage(engine_, partition_id).Drop(&batch);
  return engine_->Write(batch, /*sync=*/true);
}

std::string ReplicaHost::AddressOf(replication::NodeId node) {
  base::MutexLock lock(&peers_mu_);
  auto it = peers_.find(node);
  return it == peers_.end() ? "" : it->second.address;
}

std::shared_ptr<ReplicaGroup> ReplicaHost::Group(uint64_t partition_id) const {
  base::MutexLock lock(&groups_mu_);
  auto it = groups_.find(partition_id);
  return it == groups_.end() ? nullptr : it->second;
}

std::vector<GroupStatus> ReplicaHost::Statuses() const {
  std::vector<std::shared_ptr<ReplicaGroup>> groups;
  {
    base::MutexLock lock(&groups_mu_);
    for (const auto& [id, group] : groups_) groups.push_back(group);
  }
  std::vector<GroupStatus> statuses;
  for (const auto& group : groups) statuses.push_back(group->Status());
  return statuses;
}

void ReplicaHost::TickAll() {
  // One tick per tick interval passed on the clock, so a skewed clock's rate
  // becomes the tick rate. A ticker that fell a tick or more behind (a
  // paused process, a starved thread) does not replay what it owes: replayed
  // ticks would count time the groups did not see toward their timers (a
  // follower would vote again too early). The leaders are told instead, and
  // trust no lease until fresh heartbeats were acknowledged.
  const auto elapsed = clock_->Now() - ticks_origin_;
  const uint64_t due = static_cast<uint64_t>(elapsed / options_.tick);
  if (due <= ticks_done_) return;
  const bool stalled = due - ticks_done_ >= 2;
  ticks_done_ = due;
  std::vector<std::shared_ptr<ReplicaGroup>> groups;
  {
    base::MutexLock lock(&groups_mu_);
    for (const auto& [id, group] : groups_) groups.push_back(group);
  }
  if (stalled) {
    for (const auto& group : groups) group->NoteStall();
  }
  for (const auto& group : groups) group->Tick();
}

bool ReplicaHost::RunAfter(std::chrono::milliseconds delay, absl::AnyInvocable<void() &&> task) {
  base::MutexLock lock(&delay_mu_);
  if (delay_stopped_) return false;
  if (delayed_ == nullptr) {
    delayed_ = std::make_unique<exec::ThreadPool>("raft-delay", kDelayThreads);
  }
  delayed_->Post([delay, task = std::move(task)]() mutable {
    std::this_thread::sleep_for(delay);
    std::move(task)();
  });
  return true;
}

void ReplicaHost::Send(uint64_t group_id, replication::Message message) {
  const replication::NodeId to = message.to;
  if (answer_capture.host == this && answer_capture.peer == to &&
      message.type != replication::MessageType::kSnapshot) {
    *answer_capture.ack->add_messages() = ToProto(group_id, message);
    return;
  }
  {
    base::MutexLock lock(&peers_mu_);
    auto it = peers_.find(to);
    if (it == peers_.end()) return;  // unknown peer: the core will retry
    if (it->second.queued.size() >= options_.max_queued_messages_per_peer) return;
    tern::v1::RaftMessage proto = ToProto(group_id, message);
    const size_t total = proto.snapshot_data().size();
    if (message.type != replication::MessageType::kSnapshot ||
        total <= options_.snapshot_chunk_bytes) {
      it->second.queued.push_back(std::move(proto));
    } else {
      std::string data = std::move(*proto.mutable_snapshot_data());
      proto.set_snapshot_total_bytes(total);
      for (size_t offset = 0; offset < total; offset += options_.snapshot_chunk_bytes) {
        tern::v1::RaftMessage chunk = proto;
        chunk.set_snapshot_chunk_offset(offset);
        chunk.set_snapshot_data(data.substr(offset, options_.snapshot_chunk_bytes));
        it->second.queued.push_back(std::move(chunk));
      }
    }
  }
  Flush(to);
}

void ReplicaHost::SendOn(grpc::CompletionQueue* queue) {
  std::unique_ptr<rpc::ClientQueue> own;
  {
    base::MutexLock lock(&peers_mu_);
    if (calls_in_flight_ > 0) return;  // keeps the queue it has
    send_queue_ = queue;
    own = std::move(own_sends_);
  }
  // Joins its thread, which may still be ending the last call (it counted
  // the call done before it let go of the call).
  own.reset();
}

void ReplicaHost::Flush(replication::NodeId peer_id) {
  tern::v1::RaftBatch batch;
  tern::v1::Replication::Stub* stub = nullptr;
  grpc::CompletionQueue* queue = nullptr;
  {
    base::MutexLock lock(&peers_mu_);
    auto it = peers_.find(peer_id);
    if (stopping_ || it == peers_.end() || it->second.in_flight || it->second.queued.empty()) {
      return;
    }
    Peer& peer = it->second;
    peer.in_flight = true;
    ++calls_in_flight_;
    batch.set_from_node(options_.node_id);
    batch.set_to_node(peer_id);
    size_t bytes = 0;
    size_t taken = 0;
    for (; taken < peer.queued.size(); ++taken) {
      const size_t size = peer.queued[taken].ByteSizeLong();
      if (taken > 0 && bytes + size > options_.max_batch_bytes) break;
      bytes += size;
      *batch.add_messages() = std::move(peer.queued[taken]);
    }
    peer.queued.erase(peer.queued.begin(),
                      peer.queued.begin() + static_cast<std::ptrdiff_t>(taken));
    if (faults_.DropOutgoing(peer_id)) {
      // An injected loss: the batch vanishes as if the network ate it.
      peer.in_flight = false;
      --calls_in_flight_;
      return;
    }
    stub = peer.stub.get();
    if (send_queue_ == nullptr) {
      own_sends_ = std::make_unique<rpc::ClientQueue>("raft-send");
      send_queue_ = own_sends_->queue();
    }
    queue = send_queue_;
  }
  rpc::QueuedUnary<tern::v1::RaftBatchAck>(
      queue,
      std::move(batch),
      kSendTimeout,
      [stub](auto* context, const auto& request, auto* on) {
        return stub->PrepareAsyncSend(context, request, on);
      },
      [this, peer_id](absl::StatusOr<tern::v1::RaftBatchAck> ack) {
        // Frees the link, sends what queued meanwhile and ends the call.
        const auto finish = [this, peer_id] {
          bool more = false;
          {
            base::MutexLock lock(&peers_mu_);
            auto it = peers_.find(peer_id);
            if (it != peers_.end()) it->second.in_flight = false;
            more = !stopping_;
          }
          if (more) Flush(peer_id);
          // Last: once the count drops, Stop() may return and the host go
          // away, so nothing after this touches it.
          base::MutexLock lock(&peers_mu_);
          --calls_in_flight_;
        };
        // Lost batches are not resent: the core retries what matters. The
        // answer's messages come from the peer, under the link's faults.
        if (ack.ok() && ack->messages_size() > 0) {
          const std::optional<std::chrono::milliseconds> delay = faults_.Incoming(peer_id);
          if (delay.has_value()) {
            tern::v1::RaftBatch answer;
            answer.set_from_node(peer_id);
            answer.set_to_node(options_.node_id);
            answer.mutable_messages()->Swap(ack->mutable_messages());
            messages_in_answers_ += static_cast<uint64_t>(answer.messages_size());
            if (delay->count() == 0) {
              Deliver(answer);
            } else if (RunAfter(*delay, [this, answer = std::move(answer), finish] {
                         Deliver(answer);
                         finish();
                       })) {
              // A delayed answer holds its link until delivered, as a
              // delayed batch does: one in flight per link (the delay
              // pool's size counts on it).
              return;
            }
          }
        }
        finish();
      });
}

std::optional<tern::v1::RaftMessage> ReplicaHost::Reassemble(const tern::v1::RaftMessage& proto) {
  base::MutexLock lock(&assembly_mu_);
  Assembly& assembly = assemblies_[proto.group_id()];
  if (proto.snapshot_chunk_offset() == 0) {
    assembly = Assembly{proto.from(),
                        proto.term(),
                        proto.snapshot_index(),
                        proto.snapshot_total_bytes(),
                        std::string()};
    assembly.data.reserve(static_cast<size_t>(proto.snapshot_total_bytes()));
  }
  const bool continues = assembly.from == proto.from() && assembly.term == proto.term() &&
                         assembly.index == proto.snapshot_index() &&
                         assembly.total == proto.snapshot_total_bytes() &&
                         assembly.data.size() == proto.snapshot_chunk_offset();
  if (!continues) {
    assemblies_.erase(proto.group_id());
    return std::nullopt;
  }
  assembly.data.append(proto.snapshot_data());
  if (assembly.data.size() < assembly.total) return std::nullopt;
  tern::v1::RaftMessage whole = proto;
  whole.set_snapshot_data(std::move(assembly.data));
  whole.clear_snapshot_chunk_offset();
  whole.clear_snapshot_total_bytes();
  assemblies_.erase(proto.group_id());
  ++snapshots_assembled_;
  return whole;
}

uint64_t ReplicaHost::snapshots_assembled() {
  base::MutexLock lock(&assembly_mu_);
  return snapshots_assembled_;
}

void ReplicaHost::Deliver(const tern::v1::RaftBatch& batch, tern::v1::RaftBatchAck* ack) {
  // Each group's messages, in the batch's order, go to it together: one
  // log write and sync for all the appends the batch holds for it.
  std::vector<std::pair<uint64_t, std::vector<replication::Message>>> by_group;
  for (const tern::v1::RaftMessage& chunk : batch.messages()) {
    std::optional<tern::v1::RaftMessage> whole;
    if (chunk.snapshot_total_bytes() > 0) {
      whole = Reassemble(chunk);
      if (!whole.has_value()) continue;
    }
    const tern::v1::RaftMessage& proto = whole.has_value() ? *whole : chunk;
    absl::StatusOr<replication::Message> message = FromProto(proto);
    if (!message.ok() || message->to != options_.node_id) continue;
    auto it = std::find_if(by_group.begin(), by_group.end(), [&](const auto& entry) {
      return entry.first == proto.group_id();
    });
    if (it == by_group.end()) it = by_group.insert(by_group.end(), {proto.group_id(), {}});
    it->second.push_back(*std::move(message));
  }
  const AnswerCapture outer = answer_capture;
  if (ack != nullptr) answer_capture = AnswerCapture{this, batch.from_node(), ack};
  for (const auto& [group_id, messages] : by_group) {
    std::shared_ptr<ReplicaGroup> group = Group(group_id);
    if (group == nullptr) continue;  // not (yet) hosted here
    group->ReceiveAll(messages);
  }
  answer_capture = outer;
}

ReplicationService::ReplicationService(ReplicaHost* host)
    : host_(host),
      deliveries_(std::make_unique<exec::ThreadPool>("raft-deliver", kDeliveryThreads)) {}

ReplicationService::~ReplicationService() { Drain(); }

void ReplicationService::Drain() { deliveries_->Shutdown(); }

void ReplicationService::Serve(rpc::ServerQueues* queues) {
  send_ = std::make_unique<rpc::UnaryMethod<tern::v1::RaftBatch, tern::v1::RaftBatchAck>>(
      queues,
      [this](auto* context, auto* request, auto* writer, auto* queue, void* tag) {
        RequestSend(context, request, writer, queue, queue, tag);
      },
      [this](const tern::v1::RaftBatch& batch, Reply reply) { Send(batch, std::move(reply)); });
}

void ReplicationService::Close() {
  if (send_ != nullptr) send_->Close();
}

void ReplicationService::Send(const tern::v1::RaftBatch& batch, Reply reply) {
  const std::optional<std::chrono::milliseconds> delay =
      host_->faults().Incoming(batch.from_node());
  if (!delay.has_value()) return reply->SendStatus(absl::UnavailableError("injected loss"));
  // A copy: the call's request goes with the call.
  auto deliver = [this, batch, reply] {
    tern::v1::RaftBatchAck answer;
    host_->Deliver(batch, &answer);
    // The answer's messages go to the sender, under this link's faults.
    if (answer.messages_size() > 0 && host_->faults().DropOutgoing(batch.from_node())) {
      answer.clear_messages();
    }
    reply->Send(std::move(answer));
  };
  // The sender keeps one batch in flight per peer, so holding a batch
  // delays the whole link, as a slow network would.
  if (delay->count() == 0) {
    deliveries_->Post(std::move(deliver));
  } else if (!host_->RunAfter(*delay, std::move(deliver))) {
    reply->SendStatus(absl::UnavailableError("replica host stopped"));
  }
}

}  // namespace tern::replica
