#include "router/routing/data_client.h"

#include <deque>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/base/error_details.h"
#include "common/config/host_port.h"
#include "common/rpc/async.h"
#include "common/rpc/rpc.h"

namespace tern::router {
namespace {

constexpr std::chrono::milliseconds kTimeout(5000);
// Between attempts of a routed call, and how many attempts: together about
// three seconds, enough to ride out an election.
constexpr absl::Duration kRetryPause = absl::Milliseconds(100);
constexpr int kMaxAttempts = 30;
// How long a replica that did not answer is avoided.
constexpr absl::Duration kUnreachableFor = absl::Seconds(2);
// Batch calls in flight per lane before ops queue, and how much one
// call carries. Two calls keep a node busy; more make smaller batches and
// cost more than they overlap (measured: docs/benchmarks.md, profile table,
// "how many calls in flight per lane"), for writes also smaller rounds of
// group commit.
constexpr size_t kFastCallsInFlight = 2;
constexpr size_t kSlowCallsInFlight = 2;
constexpr size_t kMaxBatchOps = 64;
constexpr size_t kMaxBatchBytes = 4 << 20;

}  // namespace

// One partition-level call and its retry state.
template <typename Request, typename Response>
struct DataClient::Routed {
  using Done = absl::AnyInvocable<void(absl::StatusOr<Response>) &&>;
  using Send = void (DataClient::*)(const std::string&, Request, Done);

  PartitionRef partition;  // never null
  Request request;
  Done done;
  Send send = nullptr;
  bool leader = false;    // must reach the leader
  bool is_write = false;  // never retried once its outcome is unknown
  std::string address;    // this attempt's replica
  std::string key;        // item calls: the storage key, to re-route after a split
  bool refresh = false;   // the next retry asks for a fresh partition map
  int attempts = 0;
  size_t rotation = 0;  // next replica to try when there is no hint
};

// The ops queued for one node and lane, and its calls in flight.
struct DataClient::Lane {
  explicit Lane(size_t limit) : max_in_flight(limit) {}

  // The next batch: queued ops up to the limits of one call (at least one).
  std::vector<Pending> Take() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::vector<Pending> batch;
    size_t bytes = 0;
    while (!queued.empty() && batch.size() < kMaxBatchOps) {
      bytes += queued.front().op.ByteSizeLong();
      if (!batch.empty() && bytes > kMaxBatchBytes) break;
      batch.push_back(std::move(queued.front()));
      queued.pop_front();
    }
    return batch;
  }

  const size_t max_in_flight;
  base::Mutex mu;
  size_t in_flight ABSL_GUARDED_BY(mu) = 0;
  std::deque<Pending> queued ABSL_GUARDED_BY(mu);
};

DataClient::Stubs::Stubs() : fast(std::make_unique<Lane>(kFastCallsInFlight)) {}

DataClient::Stubs::~Stubs() = default;

DataClient::DataClient(std::string local_az, Resolver resolver)
    : local_az_(std::move(local_az)),
      resolver_(std::move(resolver)),
      retries_(std::make_unique<exec::ThreadPool>("data-retry", 1)) {}

DataClient::~DataClient() {
  {
    base::MutexLock lock(&calls_mu_);
    stopping_ = true;
    calls_mu_.Await([this]()
                        ABSL_EXCLUSIVE_LOCKS_REQUIRED(calls_mu_) { return calls_in_flight_ == 0; });
  }
  retries_->Shutdown();  // nothing queued any more
}

bool DataClient::StartCall() {
  base::MutexLock lock(&calls_mu_);
  if (stopping_) return false;
  ++calls_in_flight_;
  return true;
}

void DataClient::EndCall() {
  base::MutexLock lock(&calls_mu_);
  --calls_in_flight_;
}

template <typename Response>
absl::AnyInvocable<void(absl::StatusOr<Response>) &&> DataClient::Counted(
    absl::AnyInvocable<void(absl::StatusOr<Response>) &&> done) {
  {
    base::MutexLock lock(&calls_mu_);
    ++calls_in_flight_;  // made before stopping, or by a counted one
  }
  return [this, done = std::move(done)](absl::StatusOr<Response> result) mutable {
    std::move(done)(std::move(result));
    EndCall();
  };
}

void DataClient::RememberLeader(uint64_t partition_id, uint64_t node_id) {
  base::MutexLock lock(&mu_);
  leaders_[partition_id] = node_id;
}

void DataClient::MarkUnreachable(const tern::v1::PartitionDescriptor& partition,
                                 const std::string& address) {
  base::MutexLock lock(&mu_);
  unreachable_until_[address] = absl::Now() + kUnreachableFor;
  auto leader = leaders_.find(partition.partition_id());
  if (leader == leaders_.end()) return;
  for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
    if (replica.node_id() == leader->second && replica.address() == address) {
      leaders_.erase(leader);
      return;
    }
  }
}

bool DataClient::Unreachable(const std::string& address) {
  auto it = unreachable_until_.find(address);
  if (it == unreachable_until_.end()) return false;
  if (absl::Now() < it->second) return true;
  unreachable_until_.erase(it);
  return false;
}

std::string DataClient::AvoidUnreachable(const tern::v1::PartitionDescriptor& partition,
                                         const std::string& address) {
  base::MutexLock lock(&mu_);
  if (!Unreachable(address)) return address;
  const int n = partition.replicas_size();
  int at = 0;
  while (at < n && partition.replicas(at).address() != address) ++at;
  for (int step = 1; step <= n; ++step) {
    const std::string& next = partition.replicas((at + step) % n).address();
    if (!Unreachable(next)) return next;
  }
  return address;  // every replica is unreachable: keep trying where we were
}

bool DataClient::HintUnreachable(const tern::v1::PartitionDescriptor& partition, uint64_t node) {
  for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
    if (replica.node_id() == node) {
      return AvoidUnreachable(partition, replica.address()) != replica.address();
    }
  }
  return false;
}

std::string DataClient::FirstAddress(const tern::v1::PartitionDescriptor& partition, bool leader) {
  return AvoidUnreachable(partition, PreferredAddress(partition, leader));
}

std::string DataClient::PreferredAddress(const tern::v1::PartitionDescriptor& partition,
                                         bool leader) {
  uint64_t known = partition.leader_hint_node_id();
  {
    base::MutexLock lock(&mu_);
    auto it = leaders_.find(partition.partition_id());
    if (it != leaders_.end()) known = it->second;
  }
  if (leader) {
    for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
      if (replica.node_id() == known) return replica.address();
    }
  } else if (!local_az_.empty()) {
    for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
      if (replica.az() == local_az_) return replica.address();
    }
  }
  return partition.replicas_size() > 0 ? partition.replicas(0).address() : "";
}

namespace {

// gRPC could not reach the replica at all: the request never left.
bool NeverSent(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable && !rpc::Answered(status) &&
         absl::StrContains(absl::AsciiStrToLower(status.message()), "failed to connect");
}

}  // namespace

template <typename Request, typename Response>
void DataClient::Attempt(std::shared_ptr<Routed<Request, Response>> call) {
  ++call->attempts;
  (this->*(call->send))(
      call->address, call->request, [this, call](absl::StatusOr<Response> result) mutable {
        if (result.ok()) {
          // Whoever served a leader-only call is the leader: remember it, so
          // the next call goes there first.
          if (call->leader) {
            for (const tern::v1::ReplicaDescriptor& replica : call->partition->replicas()) {
              if (replica.address() == call->address) {
                RememberLeader(call->partition->partition_id(), replica.node_id());
              }
            }
          }
          return std::move(call->done)(std::move(result));
        }
        const absl::Status& status = result.status();
        if (std::optional<uint64_t> hint = base::NotLeaderHint(status); hint.has_value()) {
          // A leader the descriptor does not name yet (it joined in a
          // replica move) is remembered for when the retry resolves the
          // partition afresh.
          if (*hint != 0 && !HintUnreachable(*call->partition, *hint)) {
            RememberLeader(call->partition->partition_id(), *hint);
          }
          std::string next;
          bool described = false;
          for (const tern::v1::ReplicaDescriptor& replica : call->partition->replicas()) {
            if (replica.node_id() != *hint) continue;
            described = true;
            if (replica.address() != call->address) next = replica.address();
          }
          // A leader the descriptor does not name (it is leaving or just
          // joined the group): its address came with the hint.
          if (!described && *hint != 0) next = base::NotLeaderAddress(status);
          if (next == call->address) next.clear();
          // A hint at a replica that just failed us: the hinting replica
          // has not noticed yet; wait and ask around instead.
          if (!next.empty() && AvoidUnreachable(*call->partition, next) != next) next.clear();
          if (!next.empty() && call->attempts < kMaxAttempts) {
            call->address = next;
            return Attempt(std::move(call));  // a known leader: go at once
          }
          return Retry(std::move(call));
        }
        const bool unreachable = status.code() == absl::StatusCode::kUnavailable;
        const bool timed_out = status.code() == absl::StatusCode::kDeadlineExceeded;
        // A replica's refusal is an answer; a call that failed on the way
        // (lost or no connection, our own deadline) says the replica or the
        // way to it is in trouble: later calls try the others first.
        if ((unreachable || timed_out) && !rpc::Answered(status)) {
          MarkUnreachable(*call->partition, call->address);
        }
        // NOT_FOUND from a node: it does not host the partition (any more):
        // nothing was done there.
        const bool moved = status.code() == absl::StatusCode::kNotFound;
        // A partition split since the map was read: an item call goes to
        // the child owning its key (nothing was done, so a write may go
        // again); a range read is re-planned by its caller.
        if (base::IsWrongPartition(status) && !call->key.empty()) {
          call->refresh = true;
          return Retry(std::move(call));
        }
        // A write goes again only when it certainly took no effect: a
        // replica refused it before its log took it, or it never left this
        // process. A connection lost mid-call may have delivered it, and
        // the group may commit it even though its leader died: sending it
        // again could apply it twice (found by chaos kill_leader: counters
        // one ADD too high).
        const bool may_retry = !call->is_write || base::IsNotApplied(status) || NeverSent(status);
        if (moved || ((unreachable || timed_out) && may_retry)) return Retry(std::move(call));
        std::move(call->done)(std::move(result));
      });
}

template <typename Request, typename Response>
void DataClient::Retry(std::shared_ptr<Routed<Request, Response>> call) {
  if (call->attempts >= kMaxAttempts || call->partition->replicas_size() == 0) {
    return std::move(call->done)(
        absl::UnavailableError("no replica of the partition could serve the request"));
  }
  if (!StartCall()) {
    return std::move(call->done)(absl::UnavailableError("the router is shutting down"));
  }
  // Retries queue in order of their due time, so one thread serves them all.
  const absl::Time due = absl::Now() + kRetryPause;
  retries_->Post([this, call, due]() mutable {
    absl::SleepFor(due - absl::Now());
    bool stopping = false;
    {
      base::MutexLock lock(&calls_mu_);
      stopping = stopping_;
    }
    if (stopping) {
      std::move(call->done)(absl::UnavailableError("the router is shutting down"));
    } else {
      Reroute(call.get());
      Attempt(std::move(call));
    }
    EndCall();  // after the attempt counted its own call
  });
}

template <typename Request, typename Response>
void DataClient::Reroute(Routed<Request, Response>* call) {
  if (resolver_) {
    // The partition as the map says now: after a replica move the same
    // partition with other replicas; after a split, the child that owns the
    // item's key.
    std::optional<tern::v1::PartitionDescriptor> fresh =
        resolver_(call->partition->partition_id(), call->key, call->refresh);
    call->refresh = false;
    if (fresh.has_value() && fresh->replicas_size() > 0 &&
        (fresh->partition_id() != call->partition->partition_id() ||
         fresh->epoch() > call->partition->epoch())) {
      call->partition = std::make_shared<const tern::v1::PartitionDescriptor>(*std::move(fresh));
      call->request.mutable_partition()->set_partition_id(call->partition->partition_id());
      call->request.mutable_partition()->set_epoch(call->partition->epoch());
    }
  }
  const auto& replicas = call->partition->replicas();
  if (replicas.empty()) return;
  const std::string failed = call->address;
  call->address = AvoidUnreachable(
      *call->partition, replicas[static_cast<int>(call->rotation++ % replicas.size())].address());
  if (call->leader) {
    // The leader as last learned, when the descriptor names it.
    uint64_t known = 0;
    {
      base::MutexLock lock(&mu_);
      auto it = leaders_.find(call->partition->partition_id());
      if (it != leaders_.end()) known = it->second;
    }
    for (const tern::v1::ReplicaDescriptor& replica : replicas) {
      if (replica.node_id() == known && replica.address() != failed &&
          AvoidUnreachable(*call->partition, replica.address()) == replica.address()) {
        call->address = replica.address();
      }
    }
  }
}

template <typename Request, typename Response>
void DataClient::Route(PartitionRef partition,
                       Request request,
                       absl::AnyInvocable<void(absl::StatusOr<Response>) &&> done,
                       typename Routed<Request, Response>::Send send,
                       bool leader,
                       bool is_write,
                       const std::string& key) {
  auto call = std::make_shared<Routed<Request, Response>>();
  call->address = FirstAddress(*partition, leader);
  call->partition = std::move(partition);
  call->request = std::move(request);
  call->done = std::move(done);
  call->send = send;
  call->leader = leader;
  call->is_write = is_write;
  call->key = key;
  Attempt(std::move(call));
}

void DataClient::WriteItem(
    const tern::v1::PartitionDescriptor& partition,
    tern::v1::WriteItemRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::WriteItemResponse>) &&> done) {
  WriteItem(std::make_shared<const tern::v1::PartitionDescriptor>(partition),
            std::move(request),
            std::move(done));
}

void DataClient::WriteItem(
    PartitionRef partition,
    tern::v1::WriteItemRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::WriteItemResponse>) &&> done) {
  const std::string key = request.storage_key();
  Route(std::move(partition),
        std::move(request),
        std::move(done),
        &DataClient::WriteItem,
        true,
        true,
        key);
}

void DataClient::GetItem(
    const tern::v1::PartitionDescriptor& partition,
    tern::v1::GetItemRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::GetItemResponse>) &&> done) {
  GetItem(std::make_shared<const tern::v1::PartitionDescriptor>(partition),
          std::move(request),
          std::move(done));
}

void DataClient::GetItem(
    PartitionRef partition,
    tern::v1::GetItemRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::GetItemResponse>) &&> done) {
  const bool leader = request.consistent_read();
  const std::string key = request.storage_key();
  Route(std::move(partition),
        std::move(request),
        std::move(done),
        &DataClient::GetItem,
        leader,
        false,
        key);
}

void DataClient::RangeRead(
    const tern::v1::PartitionDescriptor& partition,
    tern::v1::RangeReadRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::RangeReadResponse>) &&> done) {
  const bool leader = request.consistent_read();
  Route(std::make_shared<const tern::v1::PartitionDescriptor>(partition),
        std::move(request),
        std::move(done),
        &DataClient::RangeRead,
        leader,
        false,
        "");
}

DataClient::Stubs* DataClient::StubsFor(const std::string& address) {
  base::MutexLock lock(&mu_);
  auto it = stubs_.find(address);
  if (it != stubs_.end()) return it->second.get();
  absl::StatusOr<config::HostPort> parsed = config::ParseHostPort(address);
  if (!parsed.ok()) return nullptr;
  auto channel = rpc::MakeChannel(*parsed);
  auto stubs = std::make_unique<Stubs>();
  stubs->data = tern::v1::DataPlane::NewStub(channel);
  stubs->admin = tern::v1::NodeAdmin::NewStub(channel);
  Stubs* raw = stubs.get();
  stubs_.emplace(address, std::move(stubs));
  return raw;
}

namespace {

// The op's own answer as its unary call would have given it.
template <typename Response>
absl::StatusOr<Response> OpResult(absl::StatusOr<tern::v1::DataResult> result,
                                  bool (tern::v1::DataResult::*has)() const,
                                  Response* (tern::v1::DataResult::*mutable_out)()) {
  if (!result.ok()) return result.status();
  if (result->code() != 0) return rpc::FromAnswer(result->code(), result->message());
  if (!((*result).*has)()) return absl::InternalError("the node answered an op with no result");
  return std::move(*((*result).*mutable_out)());
}

}  // namespace

void DataClient::GetItem(
    const std::string& address,
    tern::v1::GetItemRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::GetItemResponse>) &&> done) {
  const LaneKind kind =
      request.consistent_read() ? LaneKind::kConsistentRead : LaneKind::kEventualRead;
  const uint64_t partition_id = request.partition().partition_id();
  tern::v1::DataOp op;
  *op.mutable_get() = std::move(request);
  Enqueue(
      address,
      kind,
      partition_id,
      std::move(op),
      [done = std::move(done)](absl::StatusOr<tern::v1::DataResult> result) mutable {
        std::move(done)(OpResult(
            std::move(result), &tern::v1::DataResult::has_get, &tern::v1::DataResult::mutable_get));
      });
}

void DataClient::WriteItem(
    const std::string& address,
    tern::v1::WriteItemRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::WriteItemResponse>) &&> done) {
  const uint64_t partition_id = request.partition().partition_id();
  tern::v1::DataOp op;
  *op.mutable_write() = std::move(request);
  Enqueue(address,
          LaneKind::kWrite,
          partition_id,
          std::move(op),
          [done = std::move(done)](absl::StatusOr<tern::v1::DataResult> result) mutable {
            std::move(done)(OpResult(std::move(result),
                                     &tern::v1::DataResult::has_write,
                                     &tern::v1::DataResult::mutable_write));
          });
}

void DataClient::Enqueue(const std::string& address,
                         LaneKind kind,
                         uint64_t partition_id,
                         tern::v1::DataOp op,
                         OpDone done) {
  Stubs* stubs = StubsFor(address);
  if (stubs == nullptr) {
    std::move(done)(absl::InternalError("bad replica address " + address));
    return;
  }
  Lane* lane = stubs->fast.get();
  if (kind != LaneKind::kEventualRead) {
    base::MutexLock lock(&stubs->mu);
    std::unique_ptr<Lane>& slow =
        (kind == LaneKind::kWrite ? stubs->writes : stubs->consistent_reads)[partition_id];
    if (slow == nullptr) slow = std::make_unique<Lane>(kSlowCallsInFlight);
    lane = slow.get();
  }
  std::vector<Pending> batch;
  {
    base::MutexLock lock(&lane->mu);
    lane->queued.push_back(Pending{std::move(op), std::move(done)});
    if (lane->in_flight >= lane->max_in_flight) return;  // a call in flight takes it
    ++lane->in_flight;
    batch = lane->Take();
  }
  SendBatch(stubs->data.get(), lane, std::move(batch));
}

void DataClient::SendBatch(tern::v1::DataPlane::Stub* stub,
                           Lane* lane,
                           std::vector<Pending> batch) {
  tern::v1::DataBatch request;
  std::vector<OpDone> dones;
  request.mutable_ops()->Reserve(static_cast<int>(batch.size()));
  dones.reserve(batch.size());
  for (Pending& pending : batch) {
    *request.add_ops() = std::move(pending.op);
    dones.push_back(std::move(pending.done));
  }
  batch_calls_.fetch_add(1, std::memory_order_relaxed);
  batch_ops_.fetch_add(batch.size(), std::memory_order_relaxed);
  {
    base::MutexLock lock(&calls_mu_);
    ++calls_in_flight_;  // made before stopping, or by a counted call
  }
  rpc::AsyncUnary<tern::v1::DataBatchResult>(
      std::move(request),
      kTimeout,
      [stub](auto* context, const auto& req, auto* queue) {
        return stub->PrepareAsyncBatch(context, req, queue);
      },
      [this, stub, lane, dones = std::move(dones)](
          absl::StatusOr<tern::v1::DataBatchResult> result) mutable {
        absl::Status failed = result.status();
        if (failed.ok() && result->results_size() != static_cast<int>(dones.size())) {
          failed =
              absl::InternalError("the node answered a batch with the wrong number of results");
        }
        // The lane's next call goes out before this one's ops are answered.
        // After a call that failed on the way (the node or the way to it is
        // in trouble), what queued behind it goes back to its callers
        // instead, never sent, to be routed afresh (a write too) rather than
        // wait its turn for the same node.
        std::vector<Pending> next;
        std::deque<Pending> stranded;
        {
          base::MutexLock lock(&lane->mu);
          if (!failed.ok() && !rpc::Answered(failed)) {
            stranded.swap(lane->queued);
            --lane->in_flight;
          } else if (lane->queued.empty()) {
            --lane->in_flight;
          } else {
            next = lane->Take();
          }
        }
        if (!next.empty()) SendBatch(stub, lane, std::move(next));
        for (size_t i = 0; i < dones.size(); ++i) {
          if (!failed.ok()) {
            std::move(dones[i])(failed);
          } else {
            std::move(dones[i])(std::move(*result->mutable_results(static_cast<int>(i))));
          }
        }
        for (Pending& pending : stranded) {
          std::move(pending.done)(base::NotApplied(absl::StrCat(
              "not sent: an earlier call to the node failed (", failed.message(), ")")));
        }
        EndCall();
      });
}

DataClient::BatchStats DataClient::batch_stats() const {
  return BatchStats{batch_calls_.load(std::memory_order_relaxed),
                    batch_ops_.load(std::memory_order_relaxed)};
}

void DataClient::RangeRead(
    const std::string& address,
    tern::v1::RangeReadRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::RangeReadResponse>) &&> done) {
  Stubs* stubs = StubsFor(address);
  if (stubs == nullptr) {
    std::move(done)(absl::InternalError("bad replica address " + address));
    return;
  }
  tern::v1::DataPlane::Stub* stub = stubs->data.get();
  rpc::AsyncUnary<tern::v1::RangeReadResponse>(
      std::move(request),
      kTimeout,
      [stub](auto* context, const auto& req, auto* queue) {
        return stub->PrepareAsyncRangeRead(context, req, queue);
      },
      Counted(std::move(done)));
}

void DataClient::GetPartitionStats(
    const std::string& address,
    tern::v1::PartitionRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::PartitionResponse>) &&> done) {
  Stubs* stubs = StubsFor(address);
  if (stubs == nullptr) {
    std::move(done)(absl::InternalError("bad replica address " + address));
    return;
  }
  tern::v1::NodeAdmin::Stub* stub = stubs->admin.get();
  rpc::AsyncUnary<tern::v1::PartitionResponse>(
      std::move(request),
      kTimeout,
      [stub](auto* context, const auto& req, auto* queue) {
        return stub->PrepareAsyncGetPartitionStats(context, req, queue);
      },
      Counted(std::move(done)));
}

}  // namespace tern::router
