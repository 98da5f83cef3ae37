// DataClient: asynchronous DataPlane calls to storage nodes, one channel per
// node address. The partition-level calls route to the right replica:
// writes and strongly consistent reads to the group's leader (remembered per
// partition and learned from the nodes' "not leader" hints), eventually
// consistent reads to a replica in the router's own AZ first; they retry on
// another replica, after a short pause, when a replica is not the leader,
// unreachable, between leaders, or no longer hosting the partition (after a
// replica move; the retry resolves the partition's replicas afresh). A write
// whose outcome is unknown (timed out after it was sent) is never retried.
//
// Item calls (GetItem, WriteItem) to one node are coalesced into
// DataPlane.Batch calls, in lanes: one per node for eventually consistent
// reads (answered at once), and per node and partition one for writes and
// one for strongly consistent reads, which wait on their partition's
// replication (a batch is answered when its last op is, so a partition that
// cannot commit holds up only its own ops, and a consistent read, answered
// at once under the leader's lease, waits for no write). A lane has a few
// calls in flight at most; an op that finds it at the limit queues, and the
// lane's next call carries everything queued. An idle lane sends at once,
// so coalescing costs no latency; a busy one pays one gRPC call per batch.
//
// Thread-safe; callbacks run on gRPC threads or the retry thread.
#pragma once

#include <atomic>
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
#include "tern/v1/control.grpc.pb.h"
#include "tern/v1/data.grpc.pb.h"

namespace tern::router {

class DataClient {
 public:
  // The current descriptor of a partition (after a replica move the one a
  // call started with may name replicas that left) or, given a storage key,
  // of the partition of the same table owning it (after a split); refresh:
  // the map is known to be stale. nullopt when unknown.
  using Resolver = std::function<std::optional<tern::v1::PartitionDescriptor>(
      uint64_t partition_id, const std::string& key, bool refresh)>;

  // local_az: the router's AZ ("" when unknown). resolver (may be null) is
  // asked again before every retry.
  explicit DataClient(std::string local_az = "", Resolver resolver = nullptr);
  // Waits for the calls in flight; their callers get their answers, and a
  // call that would be retried is answered UNAVAILABLE instead.
  ~DataClient();

  // A partition descriptor shared, not copied, by the calls to it (e.g. an
  // aliasing pointer into a cached catalog entry).
  using PartitionRef = std::shared_ptr<const tern::v1::PartitionDescriptor>;

  void WriteItem(const tern::v1::PartitionDescriptor& partition,
                 tern::v1::WriteItemRequest request,
                 absl::AnyInvocable<void(absl::StatusOr<tern::v1::WriteItemResponse>) &&> done);
  void WriteItem(PartitionRef partition,
                 tern::v1::WriteItemRequest request,
                 absl::AnyInvocable<void(absl::StatusOr<tern::v1::WriteItemResponse>) &&> done);
  void GetItem(const tern::v1::PartitionDescriptor& partition,
               tern::v1::GetItemRequest request,
               absl::AnyInvocable<void(absl::StatusOr<tern::v1::GetItemResponse>) &&> done);
  void GetItem(PartitionRef partition,
               tern::v1::GetItemRequest request,
               absl::AnyInvocable<void(absl::StatusOr<tern::v1::GetItemResponse>) &&> done);
  void RangeRead(const tern::v1::PartitionDescriptor& partition,
                 tern::v1::RangeReadRequest request,
                 absl::AnyInvocable<void(absl::StatusOr<tern::v1::RangeReadResponse>) &&> done);

  // Single calls to one node.
  void GetItem(const std::string& address,
               tern::v1::GetItemRequest request,
               absl::AnyInvocable<void(absl::StatusOr<tern::v1::GetItemResponse>) &&> done);
  void WriteItem(const std::string& address,
                 tern::v1::WriteItemRequest request,
                 absl::AnyInvocable<void(absl::StatusOr<tern::v1::WriteItemResponse>) &&> done);
  // A page of a Query or Scan.
  void RangeRead(const std::string& address,
                 tern::v1::RangeReadRequest request,
                 absl::AnyInvocable<void(absl::StatusOr<tern::v1::RangeReadResponse>) &&> done);
  // Batch calls sent and the ops they carried, since construction.
  struct BatchStats {
    uint64_t calls = 0;
    uint64_t ops = 0;
  };
  BatchStats batch_stats() const;

  // Item count and size of one partition replica (NodeAdmin.GetPartitionStats).
  void GetPartitionStats(
      const std::string& address,
      tern::v1::PartitionRequest request,
      absl::AnyInvocable<void(absl::StatusOr<tern::v1::PartitionResponse>) &&> done);

 private:
  using OpDone = absl::AnyInvocable<void(absl::StatusOr<tern::v1::DataResult>) &&>;
  struct Pending {
    tern::v1::DataOp op;
    OpDone done;
  };
  struct Lane;
  struct Stubs {
    Stubs();
    ~Stubs();
    std::unique_ptr<tern::v1::DataPlane::Stub> data;
    std::unique_ptr<tern::v1::NodeAdmin::Stub> admin;
    std::unique_ptr<Lane> fast;  // eventually consistent reads
    base::Mutex mu;
    // By partition: writes, and strongly consistent reads.
    std::map<uint64_t, std::unique_ptr<Lane>> writes ABSL_GUARDED_BY(mu);
    std::map<uint64_t, std::unique_ptr<Lane>> consistent_reads ABSL_GUARDED_BY(mu);
  };
  enum class LaneKind { kEventualRead, kWrite, kConsistentRead };
  // nullptr when address is not host:port.
  Stubs* StubsFor(const std::string& address);

  template <typename Request, typename Response>
  struct Routed;
  template <typename Request, typename Response>
  void Route(PartitionRef partition,
             Request request,
             absl::AnyInvocable<void(absl::StatusOr<Response>) &&> done,
             typename Routed<Request, Response>::Send send,
             bool leader,
             bool is_write,
             const std::string& key);
  template <typename Request, typename Response>
  void Attempt(std::shared_ptr<Routed<Request, Response>> call);
  template <typename Request, typename Response>
  void Retry(std::shared_ptr<Routed<Request, Response>> call);
  // Counts a retry in flight; false once the client is stopping.
  bool StartCall();
  void EndCall();
  // done, counted as a call in flight until it has run.
  template <typename Response>
  absl::AnyInvocable<void(absl::StatusOr<Response>) &&> Counted(
      absl::AnyInvocable<void(absl::StatusOr<Response>) &&> done);
  // Picks the partition and replica of the call's next attempt.
  template <typename Request, typename Response>
  void Reroute(Routed<Request, Response>* call);

  // Sends op to address in its lane (see the class comment): the node's
  // lane of eventually consistent reads, or partition_id's lane of kind;
  // done runs with the op's result as the node answered it, or the failure
  // of its call.
  void Enqueue(const std::string& address,
               LaneKind kind,
               uint64_t partition_id,
               tern::v1::DataOp op,
               OpDone done);
  // Sends batch (taken from lane, which counts it in flight) as one call,
  // then, once answered, the lane's next batch if any.
  void SendBatch(tern::v1::DataPlane::Stub* stub, Lane* lane, std::vector<Pending> batch);

  // The replica to try first for a call to partition: the preferred one
  // unless it is unreachable.
  std::string FirstAddress(const tern::v1::PartitionDescriptor& partition, bool leader);
  // The leader as known (leader calls) or a replica in the router's AZ.
  std::string PreferredAddress(const tern::v1::PartitionDescriptor& partition, bool leader);
  void RememberLeader(uint64_t partition_id, uint64_t node_id);
  // A replica that failed to answer (connection lost, refused, timed out):
  // calls avoid it for a while when another replica may serve them, and
  // a leader remembered there is forgotten.
  void MarkUnreachable(const tern::v1::PartitionDescriptor& partition, const std::string& address);
  bool Unreachable(const std::string& address) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // True when the descriptor names node at an address that is unreachable.
  bool HintUnreachable(const tern::v1::PartitionDescriptor& partition, uint64_t node);
  // address, or when it is unreachable the next reachable replica after it.
  std::string AvoidUnreachable(const tern::v1::PartitionDescriptor& partition,
                               const std::string& address);

  const std::string local_az_;
  const Resolver resolver_;
  base::Mutex mu_;
  std::map<std::string, std::unique_ptr<Stubs>> stubs_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, uint64_t> leaders_ ABSL_GUARDED_BY(mu_);  // partition -> node
  std::map<std::string, absl::Time> unreachable_until_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> batch_calls_{0};
  std::atomic<uint64_t> batch_ops_{0};
  // Calls not yet answered and retries not yet run: the destructor waits
  // for them (their callbacks use the lanes and the retry pool). Once
  // stopping, retries are answered UNAVAILABLE instead of made.
  base::Mutex calls_mu_;
  int calls_in_flight_ ABSL_GUARDED_BY(calls_mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(calls_mu_) = false;
  // Runs retries after their pause, off gRPC's threads.
  std::unique_ptr<exec::ThreadPool> retries_;
};

}  // namespace tern::router
