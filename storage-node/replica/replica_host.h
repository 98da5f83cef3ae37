// ReplicaHost: every replication group a storage node hosts. It opens a
// ReplicaGroup per partition replica, ticks them all from one timer, carries
// their messages to peer nodes in one batch per peer (Replication.Send over
// gRPC, one batch in flight per peer, the rest coalesced behind it), and
// hands received messages to their groups. What the groups have for a batch's
// sender while they handle the batch (acknowledgements, vote answers) goes
// back in the call's answer instead of a call of its own.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "common/base/mutex.h"
#include "common/exec/executor.h"
#include "common/exec/periodic.h"
#include "common/replication/raft.h"
#include "common/rpc/async.h"
#include "common/time/clock.h"
#include "storage-node/engine/storage_engine.h"
#include "storage-node/partition/partition_store.h"
#include "storage-node/replica/link_faults.h"
#include "storage-node/replica/replica_group.h"
#include "tern/v1/replication.grpc.pb.h"

namespace tern::replica {

struct HostOptions {
  replication::NodeId node_id = 0;
  std::chrono::milliseconds tick{50};
  replication::Config raft;  // id and random_seed are set per group
  size_t max_queued_messages_per_peer = 10000;
  // Log entries kept past the applied index before the log is compacted.
  uint64_t compact_after = 10000;
  // Snapshots travel in chunks of this size; a batch to a peer carries at
  // most about max_batch_bytes (one oversized message always goes alone).
  size_t snapshot_chunk_bytes = 4 << 20;
  size_t max_batch_bytes = 8 << 20;
  // Ticks follow this clock (a time::SkewedClock in experiments): the
  // ticker runs every tick of real time and ticks the groups as many times
  // as tick intervals passed on the clock. nullptr: time::RealClock().
  const time::Clock* clock = nullptr;
  // A leader whose groups were last ticked longer ago than this does not
  // serve under its lease (see ReplicaGroup::SetTickClock).
  // Safe while at most (election_ticks - 1 - lease_ticks - 0.5) ticks.
  std::chrono::milliseconds max_tick_gap{100};
  // TEST ONLY: see ReplicaGroup::SetAckBeforeCommitForTesting.
  bool ack_before_commit_for_testing = false;
};

class ReplicaHost : public Transport {
 public:
  // The state machine of a group the host opens.
  using MachineFactory =
      std::function<std::unique_ptr<StateMachine>(const tern::v1::PartitionDescriptor&)>;

  // Groups of partitions of store (PartitionMachine). engine and store must
  // outlive the host.
  ReplicaHost(HostOptions options, engine::StorageEngine* engine, partition::PartitionStore* store);
  // Groups of whatever machines makes. engine must outlive the host.
  ReplicaHost(HostOptions options, engine::StorageEngine* engine, MachineFactory machines);
  ~ReplicaHost() override;

  // Sends batches to peers on queue (polled by someone else until after
  // Stop) instead of a queue of the host's own: one polling thread less.
  // Changes nothing while a batch is in flight.
  void SendOn(grpc::CompletionQueue* queue);
  // Starts ticking.
  void Start();
  // Stops ticking and sending, waits for calls in flight, and closes every
  // group (pending writes fail UNAVAILABLE).
  void Stop();

  // Records the founding membership of partition's group on this node
  // unless recorded already: the partition's replicas as voters, or none
  // with join (the leader will add this replica as a learner). Called before
  // the partition is recorded in the PartitionStore, so that a crash in
  // between cannot make a restart found a joining replica's group anew.
  absl::Status FoundGroup(const tern::v1::PartitionDescriptor& partition, bool join);
  // Opens (idempotent) the group of partition; its replicas' addresses
  // become known peers (also when the group is open already). join: see
  // ReplicaGroup::Open (only matters the first time the replica opens).
  absl::Status OpenGroup(const tern::v1::PartitionDescriptor& partition, bool join = false);
  // Closes the group and forgets it (its log and state stay on disk).
  void CloseGroup(uint64_t partition_id);
  // Closes the group and deletes its log and replication state (the caller
  // drops the partition's items).
  absl::Status DropGroup(uint64_t partition_id);

  // The group of partition_id, or nullptr.
  std::shared_ptr<ReplicaGroup> Group(uint64_t partition_id) const;
  std::vector<GroupStatus> Statuses() const;
  // Snapshots received in more than one chunk and put back together.
  uint64_t snapshots_assembled();
  // Messages that came back in answers to this node's batches (tests).
  uint64_t messages_in_answers() const { return messages_in_answers_.load(); }

  // Transport.
  void Send(uint64_t group_id, replication::Message message) override;
  std::string AddressOf(replication::NodeId node) override;

  // Delivers a batch received from a peer. With ack, the messages the
  // groups send that peer while handling the batch go into ack (the answer
  // to the peer's call) instead of a call of their own.
  void Deliver(const tern::v1::RaftBatch& batch, tern::v1::RaftBatchAck* ack = nullptr);

  // Injected faults on this node's replication links (experiments only).
  LinkFaults& faults() { return faults_; }
  // Runs task after delay on a pool kept for injected delays (made on first
  // use), so that held batches hold no thread of the regular paths. False,
  // without running it, once the host stopped.
  bool RunAfter(std::chrono::milliseconds delay, absl::AnyInvocable<void() &&> task);

 private:
  struct Peer {
    std::string address;
    std::unique_ptr<tern::v1::Replication::Stub> stub;
    std::vector<tern::v1::RaftMessage> queued;
    bool in_flight = false;
  };

  // A snapshot being reassembled from its chunks.
  struct Assembly {
    uint64_t from = 0;
    uint64_t term = 0;
    uint64_t index = 0;
    uint64_t total = 0;
    std::string data;
  };

  void TickAll();
  // Opens the groups of a split's children once the split is applied here.
  void OpenChildren(const std::vector<tern::v1::PartitionDescriptor>& children);
  // The whole snapshot message once proto's chunk completes it; nullopt
  // while chunks are missing or out of order (the leader sends it again).
  std::optional<tern::v1::RaftMessage> Reassemble(const tern::v1::RaftMessage& proto);
  // Sends the peer's queued messages unless a batch is in flight.
  void Flush(replication::NodeId peer_id) ABSL_LOCKS_EXCLUDED(peers_mu_);

  const HostOptions options_;
  engine::StorageEngine* const engine_;
  const MachineFactory machines_;

  mutable base::Mutex groups_mu_;
  std::map<uint64_t, std::shared_ptr<ReplicaGroup>> groups_ ABSL_GUARDED_BY(groups_mu_);

  base::Mutex peers_mu_;
  std::map<replication::NodeId, Peer> peers_ ABSL_GUARDED_BY(peers_mu_);
  int calls_in_flight_ ABSL_GUARDED_BY(peers_mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(peers_mu_) = false;

  base::Mutex assembly_mu_;
  std::map<uint64_t, Assembly> assemblies_ ABSL_GUARDED_BY(assembly_mu_);  // by group
  uint64_t snapshots_assembled_ ABSL_GUARDED_BY(assembly_mu_) = 0;

  base::Mutex delay_mu_;
  std::unique_ptr<exec::ThreadPool> delayed_ ABSL_GUARDED_BY(delay_mu_);
  bool delay_stopped_ ABSL_GUARDED_BY(delay_mu_) = false;

  std::atomic<uint64_t> messages_in_answers_{0};

  const time::Clock* const clock_;
  LinkFaults faults_;
  // Ticker thread only.
  time::Clock::TimePoint ticks_origin_;
  uint64_t ticks_done_ = 0;

  exec::PeriodicTask ticker_;
  // Batches to peers are sent and answered on the queue SendOn gave or, made
  // on first use without one, a queue of the host's own (last: it goes
  // first, once Stop saw every call end, joining its thread). A queue
  // nobody uses still costs: its thread takes part in gRPC's polling.
  grpc::CompletionQueue* send_queue_ ABSL_GUARDED_BY(peers_mu_) = nullptr;
  std::unique_ptr<rpc::ClientQueue> own_sends_ ABSL_GUARDED_BY(peers_mu_);
};

// The Replication gRPC service: hands batches to a ReplicaHost. Served on
// the server's completion queues (rpc::QueuedService); batches are delivered
// on a small pool of its own (delivering persists, and an injected delay
// holds the batch), and answered once delivered, so a sender's next batch to
// this node comes after.
class ReplicationService final : public tern::v1::Replication::AsyncService,
                                 public rpc::QueuedService {
 public:
  explicit ReplicationService(ReplicaHost* host);
  ~ReplicationService() override;
  // Delivers the batches already handed to the pool and stops it; call after
  // the gRPC server shut down.
  void Drain();

  // rpc::QueuedService.
  void Serve(rpc::ServerQueues* queues) override;
  void Close() override;

 private:
  using Reply = std::shared_ptr<rpc::AsyncReply<tern::v1::RaftBatchAck>>;
  void Send(const tern::v1::RaftBatch& batch, Reply reply);

  ReplicaHost* const host_;
  std::unique_ptr<exec::ThreadPool> deliveries_;
  std::unique_ptr<rpc::UnaryMethod<tern::v1::RaftBatch, tern::v1::RaftBatchAck>> send_;
};

}  // namespace tern::replica
