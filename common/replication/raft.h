// The replication core: one replica of one replication group, as a pure,
// deterministic state machine in the Raft family (Ongaro's thesis, 2014):
// leader election with pre-vote and check-quorum, log replication, commit
// once a majority of voters hold an entry durably, a leader lease for
// strongly consistent reads with ReadIndex as the fallback, leadership
// transfer, snapshots for followers that fell behind a compacted log, and
// single-server membership changes with learners.
//
// The core never reads a clock, never sleeps, never does I/O and never makes
// a thread. Time is the number of Tick() calls; randomness comes from
// Config::random_seed. Its outputs are collected in a Ready that the host
// takes and handles in this order:
//
//   1. persist: ready.snapshot (if any) replaces the log and state machine
//      state; then ready.entries are appended (first removing any persisted
//      entries at or after ready.entries.front().index); then
//      ready.hard_state (if any) is written. All of it durably (fsync)
//      before step 3 — except a hard state that only moves the commit
//      index, which may be written without a sync (still before step 3):
//      the commit index is never needed from disk (on restart it is at
//      least the applied index, and committed entries are durable on a
//      majority).
//   2. apply ready.committed in order (after installing ready.snapshot).
//   3. send ready.messages. A kSnapshot message leaves the core without its
//      meta and data: the host fills Message::snapshot and
//      Message::snapshot_data from its state machine, which is then exactly at
//      its applied index (see Message::snapshot).
//   4. answer ready.reads once the state machine has applied read.index.
//   5. call Advance(ready).
//
// Thread-compatible: the host serializes all calls (one strand per group).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tern::replication {

using NodeId = uint64_t;  // 0 means none
using Term = uint64_t;
using Index = uint64_t;  // log positions start at 1; 0 means none

enum class EntryType {
  kNormal,  // a client command; data is opaque to the core
  kNoop,    // appended by every new leader to commit its term
  kConfig,  // data is EncodeMembership() of the new membership
};

struct Entry {
  Term term = 0;
  Index index = 0;
  EntryType type = EntryType::kNormal;
  std::string data;

  friend bool operator==(const Entry& a, const Entry& b) {
    return a.term == b.term && a.index == b.index && a.type == b.type && a.data == b.data;
  }
};

// The replicas of a group. Voters form quorums; learners receive the log but
// neither vote nor count towards commit. Both lists sorted, disjoint.
struct Membership {
  std::vector<NodeId> voters;
  std::vector<NodeId> learners;

  friend bool operator==(const Membership& a, const Membership& b) {
    return a.voters == b.voters && a.learners == b.learners;
  }
};

// A stable binary format (version byte, then counted little-endian id lists;
// see membership.cc). Decode rejects anything malformed, unsorted or overlapping.
std::string EncodeMembership(const Membership& membership);
absl::StatusOr<Membership> DecodeMembership(const std::string& bytes);

// What must survive a crash besides the log.
struct HardState {
  Term term = 0;
  NodeId vote = 0;  // candidate voted for in term
  Index commit = 0;

  friend bool operator==(const HardState& a, const HardState& b) {
    return a.term == b.term && a.vote == b.vote && a.commit == b.commit;
  }
};

// The position a snapshot covers: every entry up to and including index.
struct SnapshotMeta {
  Index index = 0;
  Term term = 0;
  Membership membership;  // as of index
};

enum class MessageType {
  kPreVote,            // index/log_term: candidate's last entry; term: the term it would use
  kPreVoteResponse,    // reject
  kVote,               // index/log_term: candidate's last entry; leadership_transfer
  kVoteResponse,       // reject
  kAppend,             // index/log_term: the entry before entries; commit
  kAppendResponse,     // !reject: index = highest matching index; reject: reject_hint
                       // (index = the rejected previous index, log_term = the
                       // follower's term at min(index, reject_hint), the conflict)
  kHeartbeat,          // commit (min of leader commit and follower match); context
  kHeartbeatResponse,  // context echoed
  kSnapshot,           // snapshot, snapshot_data (filled by the host, see above)
  kTimeoutNow,         // leadership transfer: campaign now
};

const char* MessageTypeName(MessageType type);

struct Message {
  MessageType type = MessageType::kAppend;
  NodeId from = 0;
  NodeId to = 0;
  Term term = 0;
  Index index = 0;
  Term log_term = 0;
  std::vector<Entry> entries;
  Index commit = 0;
  bool reject = false;
  Index reject_hint = 0;  // kAppendResponse with reject: the follower's last index
  // kHeartbeat/kHeartbeatResponse: the leader's tick when sent, echoed back;
  // it dates quorum contact for the lease and completes ReadIndex rounds.
  // Strictly increasing per leader: a second round within one tick (a
  // ReadIndex) gets the previous context + 1, so it may run ahead of the tick.
  uint64_t context = 0;
  bool leadership_transfer = false;  // kVote: skip the lease check (TimeoutNow)
  // kSnapshot: filled by the sending host from its state machine (its applied
  // index and that entry's term, the membership as of it) together with
  // snapshot_data; the core emits the message with these empty.
  SnapshotMeta snapshot;
  std::string snapshot_data;
};

enum class Role { kFollower, kPreCandidate, kCandidate, kLeader, kLearner };

const char* RoleName(Role role);

struct Config {
  NodeId id = 0;
  // A follower that hears from no leader for a random number of ticks in
  // [election_ticks, 2 * election_ticks) starts an election (pre-vote
  // first). A leader that has not heard from a quorum for election_ticks
  // steps down (check-quorum).
  int election_ticks = 10;
  int heartbeat_ticks = 2;
  // The lease: a leader serves strongly consistent reads without a round
  // trip while a quorum acknowledged a heartbeat sent less than lease_ticks
  // ago. REQUIRES: lease_ticks < election_ticks; the difference bounds the
  // clock-rate drift tolerated between replicas.
  int lease_ticks = 5;
  // The most entries / bytes sent in one kAppend.
  size_t max_entries_per_message = 64;
  size_t max_bytes_per_message = 1 << 20;
  uint64_t random_seed = 1;
};

// A ReadIndex result: the read with request_id may be served once the state
// machine has applied index.
struct ReadState {
  uint64_t request_id = 0;
  Index index = 0;
};

// The outputs of the core since the last Advance(); see the file comment.
struct Ready {
  std::optional<HardState> hard_state;   // changed since last persisted
  std::optional<SnapshotMeta> snapshot;  // install snapshot_data as the new state
  std::string snapshot_data;
  std::vector<Entry> entries;    // to append durably
  std::vector<Entry> committed;  // to apply, in order
  std::vector<Message> messages;
  std::vector<ReadState> reads;

  bool empty() const {
    return !hard_state && !snapshot && entries.empty() && committed.empty() && messages.empty() &&
           reads.empty();
  }
};

// What a replica recovers from disk when it restarts.
struct PersistedState {
  HardState hard_state;
  SnapshotMeta snapshot;       // index 0 when there was none
  std::vector<Entry> entries;  // contiguous, starting at snapshot.index + 1
  // The membership before any kConfig entry, for a new group's first start.
  Membership initial_membership;
  // Highest index the state machine has applied (committed entries above it
  // are returned again).
  Index applied = 0;
};

// Per-replica replication progress, as seen by a leader (for metrics).
struct Progress {
  NodeId id = 0;
  Index match = 0;  // highest index known to be on the replica
  Index next = 0;   // next index to send
  bool learner = false;
};

class RaftCore {
 public:
  RaftCore(const Config& config, PersistedState state);
  ~RaftCore();

  RaftCore(const RaftCore&) = delete;
  RaftCore& operator=(const RaftCore&) = delete;

  // Advances logical time by one tick.
  void Tick();

  // Handles a message from a peer. Messages from an older term are dropped or
  // answered as Raft says; malformed messages are dropped.
  void Step(const Message& message);

  // Appends a command to the log (leader only). Returns its index; the
  // command is committed when an entry of that index and the returned term
  // is applied. FAILED_PRECONDITION when not the leader (leader_hint() may
  // name it) or while a leadership transfer is in progress.
  struct Proposed {
    Index index = 0;
    Term term = 0;
  };
  absl::StatusOr<Proposed> Propose(std::string command);
  // Appends commands in order, at consecutive indexes of one term, and sends
  // them to each peer together: what a host proposes while it is busy
  // persisting the previous Ready goes out as one log write and one message.
  // The same errors as Propose, for all of them (nothing is appended).
  absl::StatusOr<std::vector<Proposed>> ProposeAll(std::vector<std::string> commands);

  // Proposes the next membership (leader only): one voter or learner added or
  // removed, or one learner promoted, relative to the current membership;
  // FAILED_PRECONDITION while an earlier change is uncommitted or before the
  // leader has committed an entry of its term. The change takes effect when
  // appended.
  absl::StatusOr<Proposed> ProposeMembership(const Membership& next);

  // Starts a ReadIndex round (leader only): a ReadState with request_id comes
  // out in a later Ready once a quorum confirmed this leader. Before the
  // leader has committed an entry of its term, FAILED_PRECONDITION.
  absl::Status ReadIndex(uint64_t request_id);

  // True when this replica is the leader and its lease is valid now: a
  // quorum acknowledged heartbeats sent less than lease_ticks ago, and at
  // least election_ticks passed since it became leader (so any previous
  // leader's lease has expired), and it has committed an entry of its term.
  bool LeaseValid() const;

  // Asks the leader to hand leadership to target (a voter): proposals are
  // refused until the transfer completes or election_ticks pass.
  absl::Status TransferLeadership(NodeId target);

  // Drops log entries up to and including index. REQUIRES: index <=
  // applied(). Followers that need them later get a snapshot.
  absl::Status Compact(Index index);

  bool HasReady() const;
  // True when the next Ready asks for a synced write: entries, a snapshot,
  // or a new term or vote. A leader may take and handle a Ready that does
  // not (committed entries, messages, reads, a commit index) while an
  // earlier Ready's write is still going, and Advance it first, provided
  // its committed entries are all at or below stable_index(): a leader's
  // messages claim nothing about its own log's durability (a follower's
  // answers do), and an entry is applied only once durable here (the host
  // checks that; the core would hand out an entry the followers alone
  // committed). Anything else waits for the earlier Ready's Advance.
  bool ReadyNeedsSync() const;
  Ready TakeReady();
  // Marks the last Ready as handled (persisted, applied, sent).
  void Advance(const Ready& ready);

  NodeId id() const;
  Role role() const;
  Term term() const;
  NodeId leader_hint() const;  // 0 when unknown
  Index commit_index() const;
  Index applied_index() const;
  // The last entry the host made durable here (as of the last Advance).
  Index stable_index() const;
  Index last_index() const;
  Index first_index() const;  // first entry still in the log
  const Membership& membership() const;
  std::vector<Progress> progress() const;  // leader only; empty otherwise
  uint64_t elections_started() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tern::replication
