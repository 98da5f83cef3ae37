// ReplicaGroup: this node's replica of one partition's replication group. It
// drives the pure replication core (common/replication/raft.h) with real
// durability and time: every Ready is persisted in one RocksDB write batch
// (log entries and hard state, GroupStorage), synced unless it only moves
// the commit index, committed entries are applied through
// PartitionStore::DecideWrite with the data change and the applied index in
// one atomic write (the first run of them in the Ready's own write, unless
// it installs a snapshot), and messages go to the
// peers through a Transport: after the write, except a leader's appends,
// which go before it (the followers write in parallel with the leader).
//
// Writes are proposed on the leader and answered when their entry is applied
// here, with the decision every replica reached (condition, update result).
// Strongly consistent reads are served under the leader lease, or after a
// ReadIndex round when the lease is not valid.
//
// Thread-safe: one mutex serializes a group's calls, except that a leader
// writes its log with it released (WriteLogUnlocked), and meanwhile only
// Readys that need nothing of that write are handled. Callbacks run without
// it, possibly while this thread still owes the group that write: a
// callback must never wait for the group to apply a later entry.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "common/base/mutex.h"
#include "common/replication/raft.h"
#include "common/time/clock.h"
#include "storage-node/engine/storage_engine.h"
#include "storage-node/partition/partition_store.h"
#include "storage-node/replica/group_storage.h"
#include "tern/v1/data.pb.h"

namespace tern::replica {

// Sends messages of a group to peer nodes (best effort; the core retries).
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void Send(uint64_t group_id, replication::Message message) = 0;
  // The gRPC address of a peer node, "" when unknown (for leader hints).
  virtual std::string AddressOf(replication::NodeId /*node*/) { return ""; }
};

// What a group replicates. The group applies committed commands to it, one
// at a time in log order, and moves its whole state in snapshots. Every
// method adds its durable changes to the caller's batch, which the group
// writes together with the applied index (Apply) or the snapshot position
// (Import). Called with the group's lock held; must not call back into it.
class StateMachine {
 public:
  virtual ~StateMachine() = default;
  // Decides command (a proposal's bytes) against the state as of the
  // previous entry. Deterministic: every replica reaches the same result and
  // change. An error answers the proposer and writes nothing (the batch is
  // cleared), the same way on every replica. answered: whether anyone here
  // reads the result (the replica that proposed the entry, in its term);
  // when not, the machine may skip work that only shapes the result, never
  // work that shapes the change or whether there is one.
  virtual absl::StatusOr<std::string> Apply(const std::string& command,
                                            bool answered,
                                            engine::WriteBatch* batch) = 0;
  // The whole state as of the last applied entry, for a snapshot.
  virtual absl::StatusOr<std::string> Export() = 0;
  // Replaces the whole state by data (from Export). DATA_LOSS when malformed.
  virtual absl::Status Import(const std::string& data, engine::WriteBatch* batch) = 0;
  // Work the last Apply leaves for after its batch is written (e.g. opening
  // the groups a split created); run without the group's lock. Null: none.
  virtual std::function<void()> TakeDeferred() { return nullptr; }
};

// A partition's items (PartitionStore) as a StateMachine: commands are
// serialized WriteItemRequests decided by PartitionStore::DecideWrite,
// results serialized WriteItemResponses; snapshots hold the partition's items
// (or, once it is retired by a split, just that fact). A KIND_SPLIT command
// retires the partition and founds its children's groups on this node at
// kChildPosition, with the parent's replicas as voters and its items as they
// are: no data is copied.
class PartitionMachine final : public StateMachine {
 public:
  // Opens the groups of a split's children (after the split's batch).
  using OpenChildren = std::function<void(const std::vector<tern::v1::PartitionDescriptor>&)>;

  // engine and store must outlive the machine. self: this node (0: any), so
  // that a retired parent's snapshot founds only the children it is a
  // replica of.
  PartitionMachine(engine::StorageEngine* engine,
                   partition::PartitionStore* store,
                   tern::v1::PartitionDescriptor partition,
                   OpenChildren open_children = nullptr,
                   replication::NodeId self = 0)
      : engine_(engine),
        store_(store),
        partition_(std::move(partition)),
        open_children_(std::move(open_children)),
        self_(self) {}
  absl::StatusOr<std::string> Apply(const std::string& command,
                                    bool answered,
                                    engine::WriteBatch* batch) override;
  absl::StatusOr<std::string> Export() override;
  absl::Status Import(const std::string& data, engine::WriteBatch* batch) override;
  std::function<void()> TakeDeferred() override { return std::move(deferred_); }

  // Where a split's child group starts: every replica that applies the split
  // founds it here; one that did not gets a snapshot.
  static constexpr replication::Index kChildIndex = 5;
  static constexpr replication::Term kChildTerm = 5;

 private:
  engine::StorageEngine* const engine_;
  partition::PartitionStore* const store_;
  const tern::v1::PartitionDescriptor partition_;
  const OpenChildren open_children_;
  const replication::NodeId self_;
  std::function<void()> deferred_;
};

// Role and positions of a group, for metrics and routing hints.
struct GroupStatus {
  uint64_t group_id = 0;
  replication::Role role = replication::Role::kFollower;
  replication::Term term = 0;
  replication::NodeId leader = 0;
  replication::Index commit = 0;
  replication::Index applied = 0;
  replication::Index last = 0;
  bool lease_valid = false;
  uint64_t elections = 0;
  std::vector<replication::Progress> progress;
  replication::Membership membership;
};

class ReplicaGroup {
 public:
  using WriteDone = absl::AnyInvocable<void(absl::StatusOr<tern::v1::WriteItemResponse>) &&>;
  using ProposeDone = absl::AnyInvocable<void(absl::StatusOr<std::string>) &&>;
  using ReadReady = absl::AnyInvocable<void(absl::Status) &&>;

  // Opens the group of partition on node self, recovering its durable state.
  // A replica opened for the first time founds the group with the
  // partition's replicas as voters, or, with join, starts with no membership
  // and waits for the leader to add it as a learner. The log is compacted
  // each time compact_after entries were applied past its start. engine and
  // transport must outlive the group; it owns machine.
  static absl::StatusOr<std::unique_ptr<ReplicaGroup>> Open(
      const tern::v1::PartitionDescriptor& partition,
      bool join,
      replication::NodeId self,
      const replication::Config& config,
      uint64_t compact_after,
      engine::StorageEngine* engine,
      std::unique_ptr<StateMachine> machine,
      Transport* transport);

  ~ReplicaGroup();

  // Ties the lease to the host's ticker: a leader whose last Tick() is
  // more than max_tick_gap ago on clock (its process was paused, or its
  // ticker fell behind) does not trust its lease, since its peers' clocks
  // kept running. Without this the group trusts its ticks alone (tests that
  // tick by hand). Call before the group is shared.
  void SetTickClock(const time::Clock* clock, std::chrono::milliseconds max_tick_gap);
  // The host's ticker fell behind by a tick or more (a paused process, a
  // starved thread) and dropped the ticks it owed: the core's tick count
  // lags real time, so acknowledgements counted before the stall say
  // nothing about now. No lease until lease_ticks more ticks have passed
  // (heartbeats sent since then are the only ones that count).
  void NoteStall();
  // TEST ONLY, for showing that fault-injection checkers catch a broken
  // database: the leader acknowledges a write as soon as it is appended to
  // its own log, before it commits. Never set outside experiments.
  void SetAckBeforeCommitForTesting(bool on);

  // The membership a group founded by partition's replicas starts with:
  // every replica a voter.
  static replication::Membership FoundingMembership(const tern::v1::PartitionDescriptor& partition);

  // Logical time: called every tick interval by the node.
  void Tick();
  // A message from a peer.
  void Receive(const replication::Message& message);
  // Messages from peers, in order, handled as one: what they ask to persist
  // goes to disk in one write (a batch from a leader often holds several
  // appends for the same group).
  void ReceiveAll(const std::vector<replication::Message>& messages);

  // Proposes the write; done gets the decision once its index is applied
  // here (never earlier: after a leader change the entry may still commit;
  // the answers that it was not applied below may come earlier).
  // base::NotLeader (FAILED_PRECONDITION with a leader hint) when this replica
  // is not the leader; base::NotApplied (UNAVAILABLE) when it was refused
  // before being appended, or another entry took its index, or an entry of
  // a later term was applied below it (its entry can no longer commit), or
  // this replica stopped after a storage error (a retry is safe);
  // DEADLINE_EXCEEDED when a snapshot skipped its index, the replica closed
  // or stopped while it was pending, or, having lost its entry as a
  // follower, this replica leads again and proposes another write at its
  // index (outcome unknown: it may commit elsewhere).
  void Write(const tern::v1::WriteItemRequest& request, WriteDone done);
  // Write for several writes at once (dones[i] answers requests[i]), queued
  // together so that they go out in one round of group commit.
  void WriteAll(const std::vector<const tern::v1::WriteItemRequest*>& requests,
                std::vector<WriteDone> dones);

  // The same for any command of the group's StateMachine: done gets what
  // its Apply returned, with the errors Write describes. Group commit:
  // proposals made while another caller is proposing (persisting the
  // previous ones) are queued, and that caller proposes them together when
  // it is done: one log write, one message per peer and one sync for all of
  // them. So a caller returns at once while another proposes, and the one
  // proposing may run others' callbacks before it returns.
  void Propose(std::string command, ProposeDone done);

  // TEST ONLY: proposals queued and not yet handed to the core.
  size_t QueuedProposalsForTesting() const;

  // True when this replica leads its group (it may not know yet that it was
  // deposed).
  bool IsLeader() const;
  // OK when this replica leads its group under a valid lease and has
  // applied an entry of its own term (so its state machine holds every
  // change acknowledged by any earlier leader, and no newer leader exists);
  // else
  // base::NotLeader (with the leader's address when known) or UNAVAILABLE
  // while the new leader catches up.
  absl::Status CheckServing() const;

  // Calls ready once a strongly consistent read may be served from this
  // replica's store: at once under a valid lease, else after ReadIndex.
  // base::NotLeader when not the leader.
  void AwaitConsistentRead(ReadReady ready);

  // Hands leadership to target (see RaftCore::TransferLeadership);
  // base::NotLeader when this replica does not lead.
  absl::Status TransferLeadership(replication::NodeId target);

  enum class Change { kAddLearner, kPromote, kRemove };
  // Proposes one membership change (see RaftCore::ProposeMembership):
  // base::NotLeader when this replica does not lead; FAILED_PRECONDITION
  // while an earlier change is uncommitted, before this leader committed an
  // entry of its term (retry: that takes a round trip), or when the change
  // does not fit the current membership (adding a member, promoting a
  // non-learner, removing a stranger, removing the last voter).
  absl::Status ChangeMembership(Change change, replication::NodeId node);

  // True while this replica is a voter of its group: a learner may still be
  // catching up (its store far behind) and a removed replica no longer
  // receives writes.
  bool ServesEventualReads() const;

  GroupStatus Status() const;
  uint64_t group_id() const { return group_id_; }

 private:
  struct PendingWrite {
    replication::Term term = 0;
    ProposeDone done;
  };
  struct QueuedProposal {
    std::string command;
    ProposeDone done;
  };
  using Callback = std::function<void()>;

  // Queues proposals (in order) and, unless another caller is proposing,
  // proposes until the queue is empty (see Propose).
  void ProposeQueued(std::vector<QueuedProposal> proposals);

  ReplicaGroup(const tern::v1::PartitionDescriptor& partition,
               replication::NodeId self,
               engine::StorageEngine* engine,
               std::unique_ptr<StateMachine> machine,
               Transport* transport);

  absl::Status NotLeader() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The refusal of a replica stopped by a storage error (base::NotApplied:
  // the router tries another replica).
  absl::Status Stopped() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The core's lease, unless the ticker has stalled (SetTickClock).
  bool LeaseValid() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether the store holds an entry of the current term applied, and so
  // every entry committed before this term. With that and the lease, a
  // leader's store holds every write acknowledged before now: this leader
  // answers a write of its term only once it is applied here (a deposed
  // leader answers its own writes as a follower, but they are of earlier
  // terms). Entries committed and not yet applied (the core counts
  // an entry committed on the followers' acknowledgements before the
  // leader's own write of it is done) were acknowledged to no one, so reads
  // need not wait for them.
  bool AppliedOwnTerm() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Handles every Ready the core has; appends callbacks to run unlocked.
  void Drive(std::vector<Callback>* callbacks) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PublishReadable() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Handle(replication::Ready& ready, std::vector<Callback>* callbacks)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes a leader's log batch (synced) with mu_ released meanwhile, so
  // that acknowledgements of earlier entries commit, apply and answer
  // during the sync; runs *callbacks first (so no callback may wait for
  // this group to apply a later entry). See Handle and Drive.
  absl::Status WriteLogUnlocked(const engine::WriteBatch& batch, std::vector<Callback>* callbacks)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // While another thread writes a leader's log (writing_log_): whether the
  // core's next Ready may be handled now (RaftCore::ReadyNeedsSync).
  bool MayHandleDuringLogWrite() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static void Run(std::vector<Callback>* callbacks);
  // Answers every read waiting for a ReadIndex round or the apply with
  // status (in *callbacks, to run unlocked).
  // Adds to callbacks the answer of a proposal (run once the lock is
  // released).
  static void Answer(ProposeDone done,
                     absl::StatusOr<std::string> result,
                     std::vector<Callback>* callbacks);
  void FailReads(const absl::Status& status, std::vector<Callback>* callbacks)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Proposes *taken to the core (or refuses them all) and drives the group.
  void ProposeTaken(std::vector<QueuedProposal>* taken, std::vector<Callback>* callbacks)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MaybeCompact() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint64_t group_id_;
  const tern::v1::PartitionDescriptor partition_;
  const replication::NodeId self_;
  engine::StorageEngine* const engine_;
  const std::unique_ptr<StateMachine> machine_;
  Transport* const transport_;
  uint64_t compact_after_ = 10000;

  // Proposals waiting for mu_ (taken while holding it: queue_mu_ nests
  // inside mu_, never the other way round).
  mutable base::Mutex queue_mu_;
  std::vector<QueuedProposal> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool proposing_ ABSL_GUARDED_BY(queue_mu_) = false;  // a caller drains queue_

  mutable base::Mutex mu_;
  std::unique_ptr<replication::RaftCore> core_ ABSL_GUARDED_BY(mu_);
  GroupStorage storage_ ABSL_GUARDED_BY(mu_);
  // The last entry the store holds applied, and its term: the core's
  // applied index, except during an unlocked log write (Handle).
  replication::Index store_applied_ ABSL_GUARDED_BY(mu_) = 0;
  replication::Term applied_term_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<replication::Index, PendingWrite> pending_ ABSL_GUARDED_BY(mu_);
  uint64_t next_read_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, std::shared_ptr<ReadReady>> reads_ ABSL_GUARDED_BY(mu_);
  // ReadIndex results waiting for the applied index to reach theirs.
  std::multimap<replication::Index, std::shared_ptr<ReadReady>> waiting_reads_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);  // a persistent I/O error stops the group
  // A thread is writing a leader's log batch without holding mu_.
  bool writing_log_ ABSL_GUARDED_BY(mu_) = false;
  // ServesEventualReads as of the group's last change (published under mu_,
  // read without it: a read does not wait for a write's sync).
  std::atomic<bool> serves_eventual_reads_{false};
  const time::Clock* tick_clock_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::chrono::milliseconds max_tick_gap_ ABSL_GUARDED_BY(mu_){0};
  time::Clock::TimePoint last_tick_ ABSL_GUARDED_BY(mu_);
  // Read without mu_, so that writes queue (Propose) without waiting for it.
  std::atomic<bool> ack_before_commit_{false};
  int lease_ticks_ = 0;                               // set by Open
  int lease_blocked_ticks_ ABSL_GUARDED_BY(mu_) = 0;  // NoteStall
};

}  // namespace tern::replica
