#include "storage-node/replica/replica_group.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/base/check.h"
#include "common/base/error_details.h"
#include "common/base/status_macros.h"
#include "common/log/log.h"

namespace tern::replica {
namespace {

using replication::Entry;
using replication::EntryType;
using replication::Index;
using replication::Message;
using replication::MessageType;
using replication::Term;

// Committed entries applied in one write at most: a decision reads through
// the batch (WriteBatch::Find scans it), so a run is kept short.
constexpr size_t kMaxApplyRun = 64;

constexpr absl::string_view kLeadershipChanged = "leadership changed before the write committed";

}  // namespace

void ReplicaGroup::Answer(ProposeDone done,
                          absl::StatusOr<std::string> result,
                          std::vector<Callback>* callbacks) {
  // Callbacks are copyable; the answer is not.
  auto answer = std::make_shared<ProposeDone>(std::move(done));
  callbacks->push_back(
      [answer, result = std::move(result)]() mutable { std::move (*answer)(std::move(result)); });
}

replication::Membership ReplicaGroup::FoundingMembership(
    const tern::v1::PartitionDescriptor& partition) {
  replication::Membership membership;
  for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
    membership.voters.push_back(replica.node_id());
  }
  std::sort(membership.voters.begin(), membership.voters.end());
  return membership;
}

absl::StatusOr<std::unique_ptr<ReplicaGroup>> ReplicaGroup::Open(
    const tern::v1::PartitionDescriptor& partition,
    bool join,
    replication::NodeId self,
    const replication::Config& config,
    uint64_t compact_after,
    engine::StorageEngine* engine,
    std::unique_ptr<StateMachine> machine,
    Transport* transport) {
  std::unique_ptr<ReplicaGroup> group(
      new ReplicaGroup(partition, self, engine, std::move(machine), transport));
  group->compact_after_ = compact_after;
  group->lease_ticks_ = config.lease_ticks;
  base::MutexLock lock(&group->mu_);
  TERN_ASSIGN_OR_RETURN(
      replication::PersistedState state,
      group->storage_.Load(join ? replication::Membership{} : FoundingMembership(partition)));
  group->applied_term_ = state.snapshot.term;
  group->store_applied_ = std::max(state.applied, state.snapshot.index);
  for (const Entry& entry : state.entries) {
    if (entry.index == state.applied) group->applied_term_ = entry.term;
  }
  replication::Config group_config = config;
  group_config.id = self;
  group_config.random_seed =
      config.random_seed ^ (partition.partition_id() * 0x9e3779b97f4a7c15ULL);
  group->core_ = std::make_unique<replication::RaftCore>(group_config, std::move(state));
  group->PublishReadable();
  return group;
}

ReplicaGroup::ReplicaGroup(const tern::v1::PartitionDescriptor& partition,
                           replication::NodeId self,
                           engine::StorageEngine* engine,
                           std::unique_ptr<StateMachine> machine,
                           Transport* transport)
    : group_id_(partition.partition_id()),
      partition_(partition),
      self_(self),
      engine_(engine),
      machine_(std::move(machine)),
      transport_(transport),
      storage_(engine, partition.partition_id()) {}

ReplicaGroup::~ReplicaGroup() {
  std::vector<Callback> callbacks;
  {
    base::MutexLock lock(&mu_);
    for (auto& [index, pending] : pending_) {
      // Others may still commit the entry: the outcome is unknown.
      Answer(std::move(pending.done),
             absl::DeadlineExceededError("replica closed before the write's outcome was known"),
             &callbacks);
    }
    pending_.clear();
    FailReads(absl::UnavailableError("replica closed before the read was confirmed"), &callbacks);
  }
  {
    // Queued and never proposed (a caller still proposing would hold a
    // reference to the group): nothing was done.
    base::MutexLock lock(&queue_mu_);
    for (QueuedProposal& queued : queue_) {
      Answer(
          std::move(queued.done), base::NotApplied("replica closed before the write"), &callbacks);
    }
    queue_.clear();
  }
  Run(&callbacks);
}

void ReplicaGroup::FailReads(const absl::Status& status, std::vector<Callback>* callbacks) {
  for (auto& [id, read] : reads_) {
    callbacks->push_back([read = read, status] { std::move (*read)(status); });
  }
  for (auto& [index, read] : waiting_reads_) {
    callbacks->push_back([read = read, status] { std::move (*read)(status); });
  }
  reads_.clear();
  waiting_reads_.clear();
}

void ReplicaGroup::Run(std::vector<Callback>* callbacks) {
  for (Callback& callback : *callbacks) callback();
  callbacks->clear();
}

absl::Status ReplicaGroup::NotLeader() const {
  const replication::NodeId leader = core_->leader_hint();
  return base::NotLeader(leader, leader == 0 ? "" : transport_->AddressOf(leader));
}

void ReplicaGroup::SetTickClock(const time::Clock* clock, std::chrono::milliseconds max_tick_gap) {
  base::MutexLock lock(&mu_);
  tick_clock_ = clock;
  max_tick_gap_ = max_tick_gap;
  last_tick_ = clock->Now();
}

void ReplicaGroup::NoteStall() {
  base::MutexLock lock(&mu_);
  lease_blocked_ticks_ = lease_ticks_ + 1;
}

void ReplicaGroup::SetAckBeforeCommitForTesting(bool on) { ack_before_commit_ = on; }

bool ReplicaGroup::LeaseValid() const {
  if (lease_blocked_ticks_ > 0 || !core_->LeaseValid()) return false;
  // The lease counts this replica's ticks; if they stopped (a paused
  // process) while the peers' went on, the peers may have elected another
  // leader already.
  return tick_clock_ == nullptr || tick_clock_->Now() - last_tick_ <= max_tick_gap_;
}

void ReplicaGroup::Tick() {
  std::vector<Callback> callbacks;
  {
    base::MutexLock lock(&mu_);
    if (tick_clock_ != nullptr) last_tick_ = tick_clock_->Now();
    if (lease_blocked_ticks_ > 0) --lease_blocked_ticks_;
    core_->Tick();
    Drive(&callbacks);
  }
  Run(&callbacks);
}

void ReplicaGroup::Receive(const Message& message) {
  std::vector<Callback> callbacks;
  {
    base::MutexLock lock(&mu_);
    core_->Step(message);
    Drive(&callbacks);
  }
  Run(&callbacks);
}

void ReplicaGroup::ReceiveAll(const std::vector<Message>& messages) {
  std::vector<Callback> callbacks;
  {
    base::MutexLock lock(&mu_);
    for (const Message& message : messages) core_->Step(message);
    Drive(&callbacks);
  }
  Run(&callbacks);
}

absl::StatusOr<std::string> PartitionMachine::Apply(const std::string& command,
                                                    bool answered,
                                                    engine::WriteBatch* batch) {
  tern::v1::WriteItemRequest request;
  if (!request.ParseFromString(command)) return absl::DataLossError("unreadable log entry");
  if (request.kind() != tern::v1::WriteItemRequest::KIND_SPLIT) {
    TERN_ASSIGN_OR_RETURN(tern::v1::WriteItemResponse response,
                          store_->DecideWrite(request, answered, batch));
    return response.SerializeAsString();
  }
  if (request.partition().partition_id() != partition_.partition_id()) {
    return absl::InvalidArgumentError("a split of another partition");
  }
  TERN_ASSIGN_OR_RETURN(std::vector<tern::v1::PartitionDescriptor> children,
                        store_->DecideSplit(partition_.partition_id(), request.split(), batch));
  for (const tern::v1::PartitionDescriptor& child : children) {
    replication::SnapshotMeta born{
        kChildIndex, kChildTerm, ReplicaGroup::FoundingMembership(child)};
    GroupStorage(engine_, child.partition_id()).Initialize(born, batch);
  }
  if (!children.empty() && open_children_) {
    deferred_ = [open = open_children_, children] { open(children); };
  }
  return tern::v1::WriteItemResponse().SerializeAsString();
}

namespace {
// Snapshot data of a partition group: one tag byte, then the items
// (PartitionStore::ExportPartition) or, once retired by a split, the
// partition's descriptor (tag 2, before children were sent along) or the
// partition's and its children's descriptors (tag 3), each a 4-byte
// little-endian length and the serialized PartitionDescriptor.
constexpr char kLiveSnapshot = 1;
constexpr char kRetiredSnapshot = 2;
constexpr char kRetiredWithChildrenSnapshot = 3;

void AppendDescriptor(const tern::v1::PartitionDescriptor& descriptor, std::string* out) {
  const std::string bytes = descriptor.SerializeAsString();
  const uint32_t size = static_cast<uint32_t>(bytes.size());
  for (int shift = 0; shift < 32; shift += 8) out->push_back(static_cast<char>(size >> shift));
  out->append(bytes);
}

// The descriptor at *at in data, moving *at past it; false when malformed.
bool ReadDescriptor(absl::string_view data, size_t* at, tern::v1::PartitionDescriptor* out) {
  if (data.size() - *at < 4) return false;
  uint32_t size = 0;
  for (int i = 0; i < 4; ++i) {
    size |= static_cast<uint32_t>(static_cast<unsigned char>(data[*at + i])) << (8 * i);
  }
  *at += 4;
  if (data.size() - *at < size) return false;
  if (!out->ParseFromArray(data.data() + *at, static_cast<int>(size))) return false;
  *at += size;
  return true;
}
}  // namespace

absl::StatusOr<std::string> PartitionMachine::Export() {
  std::optional<tern::v1::PartitionDescriptor> recorded =
      store_->Descriptor(partition_.partition_id());
  if (recorded.has_value() && recorded->retired()) {
    // Its items belong to its children now, whose own groups move them.
    std::string data(1, kRetiredWithChildrenSnapshot);
    AppendDescriptor(*recorded, &data);
    for (uint64_t child_id : recorded->child_ids()) {
      std::optional<tern::v1::PartitionDescriptor> child = store_->Descriptor(child_id);
      if (child.has_value()) AppendDescriptor(*child, &data);
    }
    return data;
  }
  TERN_ASSIGN_OR_RETURN(std::string items, store_->ExportPartition(partition_));
  return std::string(1, kLiveSnapshot) + items;
}

absl::Status PartitionMachine::Import(const std::string& data, engine::WriteBatch* batch) {
  if (data.empty()) return absl::DataLossError("empty partition snapshot");
  if (data[0] == kRetiredSnapshot) {
    tern::v1::PartitionDescriptor retired;
    if (!retired.ParseFromString(data.substr(1)) || !retired.retired()) {
      return absl::DataLossError("unreadable retired-partition snapshot");
    }
    return store_->RecordRetired(retired, batch);
  }
  if (data[0] == kRetiredWithChildrenSnapshot) {
    // This replica missed the split (it caught up past it through this
    // snapshot). It founds the children's groups as a joining replica:
    // its own items in their ranges are as old as it fell behind, so the
    // children's leaders send it their snapshots (which replace the
    // ranges' items) before it counts in their groups.
    size_t at = 1;
    tern::v1::PartitionDescriptor parent;
    if (!ReadDescriptor(data, &at, &parent) || !parent.retired() ||
        parent.partition_id() != partition_.partition_id()) {
      return absl::DataLossError("unreadable retired-partition snapshot");
    }
    std::vector<tern::v1::PartitionDescriptor> children;
    while (at < data.size()) {
      tern::v1::PartitionDescriptor child;
      const auto& ids = parent.child_ids();
      if (!ReadDescriptor(data, &at, &child) || child.partition_id() == 0 ||
          std::find(ids.begin(), ids.end(), child.partition_id()) == ids.end()) {
        return absl::DataLossError("unreadable retired-partition snapshot");
      }
      // Only a child this node is a replica of (it may have moved away).
      const auto& replicas = child.replicas();
      if (self_ != 0 && std::none_of(replicas.begin(), replicas.end(), [this](const auto& replica) {
            return replica.node_id() == self_;
          })) {
        continue;
      }
      children.push_back(std::move(child));
    }
    TERN_RETURN_IF_ERROR(store_->RecordRetired(parent, batch));
    std::vector<tern::v1::PartitionDescriptor> founded = store_->RecordChildren(children, batch);
    for (const tern::v1::PartitionDescriptor& child : founded) {
      TERN_RETURN_IF_ERROR(GroupStorage(engine_, child.partition_id()).FoundJoining(batch));
    }
    if (!founded.empty() && open_children_) {
      deferred_ = [open = open_children_, founded] { open(founded); };
    }
    return absl::OkStatus();
  }
  if (data[0] != kLiveSnapshot) return absl::DataLossError("unknown partition snapshot");
  return store_->ImportPartition(partition_, data.substr(1), batch);
}

void ReplicaGroup::Write(const tern::v1::WriteItemRequest& request, WriteDone done) {
  std::vector<WriteDone> dones;
  dones.push_back(std::move(done));
  WriteAll({&request}, std::move(dones));
}

void ReplicaGroup::WriteAll(const std::vector<const tern::v1::WriteItemRequest*>& requests,
                            std::vector<WriteDone> dones) {
  TERN_CHECK(dones.size() == requests.size());
  const bool ack_early = ack_before_commit_;
  struct Answer {
    WriteDone done;
    std::atomic<bool> answered{false};
  };
  std::vector<std::shared_ptr<Answer>> answers;
  std::vector<QueuedProposal> proposals;
  answers.reserve(requests.size());
  proposals.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    // Answered once: by the decision, or (the injected bug) right after the
    // proposal is appended, whichever comes first.
    auto answer = std::make_shared<Answer>();
    answer->done = std::move(dones[i]);
    answers.push_back(answer);
    proposals.push_back(QueuedProposal{
        requests[i]->SerializeAsString(), [answer](absl::StatusOr<std::string> result) {
          if (answer->answered.exchange(true)) return;
          if (!result.ok()) return std::move(answer->done)(result.status());
          tern::v1::WriteItemResponse response;
          if (!response.ParseFromString(*result)) {
            return std::move(answer->done)(absl::InternalError("unreadable write decision"));
          }
          std::move(answer->done)(std::move(response));
        }});
  }
  ProposeQueued(std::move(proposals));
  if (!ack_early) return;
  for (const std::shared_ptr<Answer>& answer : answers) {
    if (!answer->answered.exchange(true)) std::move(answer->done)(tern::v1::WriteItemResponse());
  }
}

bool ReplicaGroup::IsLeader() const {
  base::MutexLock lock(&mu_);
  return core_->role() == replication::Role::kLeader;
}

absl::Status ReplicaGroup::Stopped() const {
  return base::NotApplied(
      absl::StrCat("this replica stopped after a storage error (", failure_.message(), ")"));
}

bool ReplicaGroup::AppliedOwnTerm() const {
  // Entries are applied in log order, and a leader's log holds every entry
  // committed in earlier terms before the first of its own (the no-op it
  // appends when elected).
  return applied_term_ == core_->term();
}

absl::Status ReplicaGroup::CheckServing() const {
  base::MutexLock lock(&mu_);
  if (!failure_.ok()) return Stopped();
  if (core_->role() != replication::Role::kLeader) return NotLeader();
  if (!AppliedOwnTerm()) {
    return absl::UnavailableError("the new leader is still applying its log; retry");
  }
  // Under its lease no other replica can have been elected: a deposed
  // leader that has not noticed yet answers nothing.
  if (!LeaseValid()) {
    return absl::UnavailableError("the leader's lease is not confirmed yet; retry");
  }
  return absl::OkStatus();
}

void ReplicaGroup::Propose(std::string command, ProposeDone done) {
  std::vector<QueuedProposal> proposals;
  proposals.push_back(QueuedProposal{std::move(command), std::move(done)});
  ProposeQueued(std::move(proposals));
}

void ReplicaGroup::ProposeQueued(std::vector<QueuedProposal> proposals) {
  {
    base::MutexLock lock(&queue_mu_);
    for (QueuedProposal& proposal : proposals) queue_.push_back(std::move(proposal));
    // Another caller is proposing: it takes ours before it stops.
    if (proposing_) return;
    proposing_ = true;
  }
  // This caller proposes until the queue is empty, each round everything
  // queued meanwhile (while it held mu_ persisting the previous round).
  for (;;) {
    std::vector<Callback> callbacks;
    {
      base::MutexLock lock(&mu_);
      std::vector<QueuedProposal> taken;
      {
        base::MutexLock queue_lock(&queue_mu_);
        taken.swap(queue_);
        if (taken.empty()) {
          proposing_ = false;
          return;
        }
      }
      ProposeTaken(&taken, &callbacks);
    }
    Run(&callbacks);
  }
}

void ReplicaGroup::ProposeTaken(std::vector<QueuedProposal>* taken,
                                std::vector<Callback>* callbacks) {
  absl::Status refused;
  std::vector<replication::RaftCore::Proposed> proposed;
  if (!failure_.ok()) {
    refused = Stopped();
  } else {
    std::vector<std::string> commands;
    commands.reserve(taken->size());
    for (QueuedProposal& queued : *taken) commands.push_back(std::move(queued.command));
    absl::StatusOr<std::vector<replication::RaftCore::Proposed>> appended =
        core_->ProposeAll(std::move(commands));
    if (appended.ok()) {
      proposed = *std::move(appended);
    } else {
      refused = core_->role() == replication::Role::kLeader
                    ? base::NotApplied(appended.status().message())
                    : NotLeader();
    }
  }
  for (size_t i = 0; i < taken->size(); ++i) {
    if (!refused.ok()) {
      Answer(std::move((*taken)[i].done), refused, callbacks);
    } else {
      auto [it, inserted] = pending_.try_emplace(proposed[i].index);
      if (!inserted) {
        // A write this replica proposed while it led an earlier term, whose
        // entry it lost as a follower (a later leader's took the index) and
        // which was not answered yet: its outcome is not known here.
        Answer(std::move(it->second.done),
               absl::DeadlineExceededError(
                   "another entry took the write's index before it was applied here; the "
                   "write's outcome is unknown"),
               callbacks);
      }
      it->second = PendingWrite{proposed[i].term, std::move((*taken)[i].done)};
    }
  }
  if (refused.ok()) Drive(callbacks);
}

size_t ReplicaGroup::QueuedProposalsForTesting() const {
  base::MutexLock lock(&queue_mu_);
  return queue_.size();
}

void ReplicaGroup::AwaitConsistentRead(ReadReady ready) {
  std::vector<Callback> callbacks;
  std::optional<absl::Status> answer;  // set when answered at once
  {
    base::MutexLock lock(&mu_);
    if (!failure_.ok()) {
      answer = Stopped();
    } else if (core_->role() != replication::Role::kLeader) {
      answer = NotLeader();
    } else if (LeaseValid() && AppliedOwnTerm()) {
      answer = absl::OkStatus();
    } else {
      const uint64_t id = next_read_id_++;
      absl::Status started = core_->ReadIndex(id);
      if (!started.ok()) {
        answer = absl::UnavailableError(started.message());
      } else {
        reads_[id] = std::make_shared<ReadReady>(std::move(ready));
        Drive(&callbacks);
      }
    }
  }
  if (answer.has_value()) return std::move(ready)(*answer);
  Run(&callbacks);
}

void ReplicaGroup::Drive(std::vector<Callback>* callbacks) {
  while (failure_.ok() && core_->HasReady()) {
    // Another thread is writing this leader's log: what needs that write
    // done waits, and that thread drives the group again once it is.
    if (writing_log_ && !MayHandleDuringLogWrite()) break;
    replication::Ready ready = core_->TakeReady();
    if (absl::Status handled = Handle(ready, callbacks); !handled.ok()) {
      // The disk refused a write: this replica can no longer promise
      // durability. Stop; the other replicas carry on without it. (Stopped
      // already when another thread's write failed during an unlocked one.)
      if (failure_.ok()) {
        failure_ = handled;
        TERN_LOG(Error, "replica stopped after a storage error")
            .With("group", group_id_)
            .With("error", handled.ToString());
      }
      // The entries may be on other replicas already and commit there.
      const absl::Status unknown = absl::DeadlineExceededError(
          absl::StrCat("replica stopped after a storage error; the write's outcome is unknown: ",
                       handled.message()));
      for (auto& [index, pending] : pending_) Answer(std::move(pending.done), unknown, callbacks);
      pending_.clear();
      // Reads waiting on this replica would wait forever: the reader asks
      // another.
      FailReads(Stopped(), callbacks);
      PublishReadable();
      return;
    }
    core_->Advance(ready);
    MaybeCompact();
  }
  // ReadIndex rounds a deposed leader started never finish (the core drops
  // them): the reader asks the new leader. Confirmed reads only wait for
  // the apply, which goes on.
  if (core_->role() != replication::Role::kLeader && !reads_.empty()) {
    const absl::Status not_leader = NotLeader();
    for (auto& [id, read] : reads_) {
      callbacks->push_back([read = read, not_leader] { std::move (*read)(not_leader); });
    }
    reads_.clear();
  }
  PublishReadable();
}

void ReplicaGroup::MaybeCompact() {
  // During an unlocked log write the store may be ahead of the core's
  // applied index (see Handle): the writer's thread compacts afterwards.
  if (writing_log_) return;
  const Index applied = core_->applied_index();
  if (applied < core_->first_index() + compact_after_) return;
  // The data the applied entries wrote is durable in the data column family
  // (their writes were atomic with the applied index), so the log up to
  // applied is no longer needed: followers behind it get a snapshot.
  replication::SnapshotMeta through{applied, applied_term_, core_->membership()};
  engine::WriteBatch batch;
  storage_.Compact(through, &batch);
  if (absl::Status written = engine_->Write(batch, /*sync=*/false); !written.ok()) return;
  (void)core_->Compact(applied);
}

bool ReplicaGroup::MayHandleDuringLogWrite() const {
  // See RaftCore::ReadyNeedsSync: a leader's committed entries that are
  // durable here, its messages and reads. A follower's answers would claim
  // entries of the write in progress, and an entry committed by the
  // followers alone is not durable here until that write is (the core
  // does not hold such an entry back: this check does).
  return core_->role() == replication::Role::kLeader && !core_->ReadyNeedsSync() &&
         core_->commit_index() <= core_->stable_index();
}

absl::Status ReplicaGroup::WriteLogUnlocked(const engine::WriteBatch& batch,
                                            std::vector<Callback>* callbacks)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  writing_log_ = true;
  mu_.Unlock();
  Run(callbacks);
  absl::Status written = engine_->Write(batch, /*sync=*/true);
  mu_.Lock();
  writing_log_ = false;
  // Another thread may have stopped the group meanwhile (a failed write).
  if (written.ok() && !failure_.ok()) return failure_;
  return written;
}

absl::Status ReplicaGroup::Handle(replication::Ready& ready, std::vector<Callback>* callbacks) {
  const Term applied_term_before = applied_term_;
  // 0. A leader sends its appends before its own log write, so that the
  //    followers write theirs meanwhile (Raft thesis 10.2.1): the leader
  //    counts itself toward a quorum only once its write is done (Advance),
  //    and its term and vote are durable already (else it waits: a leader
  //    that forgot its vote could vote again in its own term).
  const bool steady_leader = core_->role() == replication::Role::kLeader &&
                             !ready.snapshot.has_value() && !storage_.ChangesTermOrVote(ready);
  if (steady_leader) {
    std::vector<Message> later;
    for (Message& message : ready.messages) {
      if (message.type == MessageType::kAppend) {
        transport_->Send(group_id_, std::move(message));
      } else {
        later.push_back(std::move(message));
      }
    }
    ready.messages = std::move(later);
  }

  // 1. Persist the log and hard state (and an installed snapshot with its
  //    data) in one write, synced unless it only moves the commit index.
  engine::WriteBatch batch;
  const bool sync = storage_.Persist(ready, &batch);
  // Such a leader writes its log without holding the group's lock
  // (WriteLogUnlocked), after applying this Ready's committed entries when
  // they are all durable here already (WriteLogUnlocked answers them before
  // the sync): the followers' acknowledgements of earlier entries then
  // commit, apply and answer during the sync instead of after it (and after
  // the next round's: a proposer starts that one at once). Handled meanwhile
  // (Drive): Readys that need nothing of this write. Until this one's
  // Advance the store is ahead of the core's applied index: what it holds
  // is store_applied_. One of them may write a higher commit index before
  // this write lands with a lower one: the commit index on disk is a hint
  // (GroupStorage::Load).
  engine::WriteBatch log;
  const bool unlocked =
      sync && steady_leader &&
      (ready.committed.empty() || ready.committed.back().index <= core_->stable_index());
  if (unlocked) log.Append(std::move(batch));
  // Work the import leaves (a retired parent's children to open) runs once
  // everything below is written.
  std::function<void()> installed;
  if (ready.snapshot.has_value()) {
    TERN_RETURN_IF_ERROR(machine_->Import(ready.snapshot_data, &batch));
    installed = machine_->TakeDeferred();
    applied_term_ = ready.snapshot->term;
    store_applied_ = ready.snapshot->index;
  }
  // The first run of applied entries rides with the persisted part instead
  // of costing a write of its own: a batch that needs no sync (it only
  // moves the commit index), and a synced one without a snapshot (a
  // follower's appends usually come with the commit index of earlier ones;
  // the write is atomic, so an entry is never applied without its log).
  bool sync_next_write = false;
  if (ready.committed.empty() || (sync && ready.snapshot.has_value())) {
    if (!batch.empty()) TERN_RETURN_IF_ERROR(engine_->Write(batch, sync));
    batch.Clear();
    // The snapshot is durable: the work its import left may run.
    if (installed) callbacks->push_back(std::move(installed));
  } else {
    sync_next_write = sync && !unlocked;
  }

  // 2. Apply committed entries: runs of them share one atomic write of their
  //    data changes and the applied index of the run's last entry (each
  //    decision sees the item as the entries before it left it: the machine
  //    reads through the batch). A run ends after a split, which founds
  //    groups, and at kMaxApplyRun entries. Answers wait for their run's write.
  struct Decided {
    Index index = 0;
    Term term = 0;
    absl::StatusOr<std::string> result;
  };
  std::vector<Decided> run;
  std::vector<Callback> deferred_work;
  const auto write_run = [&]() -> absl::Status {
    if (run.empty()) return absl::OkStatus();
    storage_.SetApplied(run.back().index, &batch);
    TERN_RETURN_IF_ERROR(engine_->Write(batch, sync_next_write));
    sync_next_write = false;
    batch.Clear();
    if (installed) callbacks->push_back(std::move(installed));  // rode with this write
    applied_term_ = run.back().term;
    store_applied_ = run.back().index;
    for (Callback& work : deferred_work) callbacks->push_back(std::move(work));
    deferred_work.clear();
    for (Decided& decided : run) {
      auto pending = pending_.find(decided.index);
      if (pending == pending_.end()) continue;
      Answer(std::move(pending->second.done),
             pending->second.term == decided.term ? std::move(decided.result)
                                                  : base::NotApplied(kLeadershipChanged),
             callbacks);
      pending_.erase(pending);
    }
    run.clear();
    return absl::OkStatus();
  };
  for (const Entry& entry : ready.committed) {
    absl::StatusOr<std::string> decided = absl::InternalError("not a command");
    std::function<void()> deferred;
    if (entry.type == EntryType::kNormal) {
      const size_t mark = batch.size();
      const auto pending = pending_.find(entry.index);
      const bool answered = pending != pending_.end() && pending->second.term == entry.term;
      decided = machine_->Apply(entry.data, answered, &batch);
      deferred = machine_->TakeDeferred();
      // A decision that failed (e.g. a validation error from an update)
      // writes nothing, the same way on every replica. A storage failure
      // is this replica's own: it stops, the entry unapplied here.
      if (!decided.ok() && base::IsStorageError(decided.status())) return decided.status();
      if (!decided.ok()) {
        batch.Truncate(mark);
        deferred = nullptr;
      }
    }
    run.push_back(Decided{entry.index, entry.term, std::move(decided)});
    const bool split = deferred != nullptr;
    if (split) deferred_work.push_back(std::move(deferred));
    if (split || run.size() >= kMaxApplyRun) TERN_RETURN_IF_ERROR(write_run());
  }
  TERN_RETURN_IF_ERROR(write_run());
  if (unlocked) TERN_RETURN_IF_ERROR(WriteLogUnlocked(log, callbacks));
  // A pending write is answered when its index is applied, or when an
  // entry of a later term is (below): a leader change alone does not tell
  // whether the entry will commit (the next leader may commit it), so
  // failing it then could make a client retry a write that then applies
  // twice. An installed snapshot skips indexes: the writes there have an
  // unknown outcome.
  if (ready.snapshot.has_value()) {
    for (auto it = pending_.begin(); it != pending_.end() && it->first <= ready.snapshot->index;) {
      Answer(std::move(it->second.done),
             absl::DeadlineExceededError(
                 "this replica caught up through a snapshot: the write's outcome is unknown"),
             callbacks);
      it = pending_.erase(it);
    }
  }
  // A write pending at index j above the applied entry (i, T), with a term
  // t below T, never commits: terms never fall along a log, so any log
  // holding (j, t) holds at i an entry of a term at most t, not the
  // committed (i, T), and committing (j, t) would commit that other entry
  // at i. Answered now (a retry is safe), not when another entry takes its
  // index or the caller gives up.
  if (applied_term_ > applied_term_before) {
    for (auto it = pending_.upper_bound(store_applied_); it != pending_.end();) {
      if (it->second.term >= applied_term_) {
        ++it;
        continue;
      }
      Answer(std::move(it->second.done), base::NotApplied(kLeadershipChanged), callbacks);
      it = pending_.erase(it);
    }
  }

  // 3. Send, filling snapshots from the store as it is now (at the index it
  //    has applied: a Ready handled during an unlocked log write may see
  //    the store ahead of the core, and the thread of that write may find
  //    it moved on by such Readys).
  const Index applied = store_applied_;
  for (Message& message : ready.messages) {
    if (message.type == MessageType::kSnapshot) {
      message.snapshot.index = applied;
      message.snapshot.term = applied_term_;
      message.snapshot.membership = core_->membership();
      absl::StatusOr<std::string> data = machine_->Export();
      if (!data.ok()) continue;  // the core will ask again
      message.snapshot_data = *std::move(data);
    }
    transport_->Send(group_id_, std::move(message));
  }

  // 4. Reads.
  for (const replication::ReadState& read : ready.reads) {
    auto it = reads_.find(read.request_id);
    if (it == reads_.end()) continue;
    waiting_reads_.emplace(read.index, it->second);
    reads_.erase(it);
  }
  while (!waiting_reads_.empty() && waiting_reads_.begin()->first <= applied) {
    std::shared_ptr<ReadReady> ready_read = waiting_reads_.begin()->second;
    callbacks->push_back([ready_read] { std::move (*ready_read)(absl::OkStatus()); });
    waiting_reads_.erase(waiting_reads_.begin());
  }
  return absl::OkStatus();
}

absl::Status ReplicaGroup::TransferLeadership(replication::NodeId target) {
  std::vector<Callback> callbacks;
  absl::Status result;
  {
    base::MutexLock lock(&mu_);
    if (core_->role() != replication::Role::kLeader) {
      result = NotLeader();
    } else {
      result = core_->TransferLeadership(target);
      Drive(&callbacks);
    }
  }
  Run(&callbacks);
  return result;
}

absl::Status ReplicaGroup::ChangeMembership(Change change, replication::NodeId node) {
  std::vector<Callback> callbacks;
  absl::Status result;
  {
    base::MutexLock lock(&mu_);
    if (core_->role() != replication::Role::kLeader) {
      result = NotLeader();
    } else {
      replication::Membership next = core_->membership();
      auto has = [](const std::vector<replication::NodeId>& ids, replication::NodeId id) {
        return std::find(ids.begin(), ids.end(), id) != ids.end();
      };
      auto erase = [](std::vector<replication::NodeId>* ids, replication::NodeId id) {
        ids->erase(std::remove(ids->begin(), ids->end(), id), ids->end());
      };
      const bool voter = has(next.voters, node);
      const bool learner = has(next.learners, node);
      switch (change) {
        case Change::kAddLearner:
          if (voter || learner) {
            result = absl::FailedPreconditionError(
                absl::StrCat("node ", node, " is already a member of the group"));
          } else {
            next.learners.push_back(node);
          }
          break;
        case Change::kPromote:
          if (!learner) {
            result = absl::FailedPreconditionError(
                absl::StrCat("node ", node, " is not a learner of the group"));
          } else {
            erase(&next.learners, node);
            next.voters.push_back(node);
          }
          break;
        case Change::kRemove:
          if (!voter && !learner) {
            result = absl::FailedPreconditionError(
                absl::StrCat("node ", node, " is not a member of the group"));
          } else if (voter && next.voters.size() == 1) {
            result = absl::FailedPreconditionError("cannot remove the group's last voter");
          } else {
            erase(&next.voters, node);
            erase(&next.learners, node);
          }
          break;
      }
      if (result.ok()) {
        std::sort(next.voters.begin(), next.voters.end());
        std::sort(next.learners.begin(), next.learners.end());
        absl::StatusOr<replication::RaftCore::Proposed> proposed = core_->ProposeMembership(next);
        if (proposed.ok()) {
          TERN_LOG(Info, "membership change proposed")
              .With("group", group_id_)
              .With("index", proposed->index)
              .With("voters", next.voters.size())
              .With("learners", next.learners.size())
              .With("node", node);
          Drive(&callbacks);
        } else {
          result = absl::FailedPreconditionError(proposed.status().message());
        }
      }
    }
  }
  Run(&callbacks);
  return result;
}

bool ReplicaGroup::ServesEventualReads() const {
  return serves_eventual_reads_.load(std::memory_order_acquire);
}

void ReplicaGroup::PublishReadable() {
  // A replica with nothing applied may be a split's child created here
  // before its first snapshot, over items that are not its own yet.
  const std::vector<replication::NodeId>& voters = core_->membership().voters;
  serves_eventual_reads_.store(failure_.ok() && core_->applied_index() > 0 &&
                                   std::find(voters.begin(), voters.end(), self_) != voters.end(),
                               std::memory_order_release);
}

GroupStatus ReplicaGroup::Status() const {
  base::MutexLock lock(&mu_);
  GroupStatus status;
  status.group_id = group_id_;
  status.role = core_->role();
  status.term = core_->term();
  status.leader = core_->leader_hint();
  status.commit = core_->commit_index();
  status.applied = store_applied_;
  status.last = core_->last_index();
  status.lease_valid = LeaseValid();
  status.elections = core_->elections_started();
  status.progress = core_->progress();
  status.membership = core_->membership();
  return status;
}

}  // namespace tern::replica
