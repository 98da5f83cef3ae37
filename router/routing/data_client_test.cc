// DataClient against fake storage nodes (DataPlane services in this
// process): item calls to one node are coalesced into DataPlane.Batch calls
// while earlier calls are in flight, every op gets its own result, per-op
// refusals keep their meaning (the not-leader hint re-routes the call), and
// a failed call fails each of its ops.
#include "router/routing/data_client.h"

#include <deque>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/error_details.h"
#include "common/base/mutex.h"
#include "common/rpc/rpc.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::router {
namespace {

using testing::IsOk;

// A node whose Batch answers each get with an item equal to its storage key
// and each write with new_item = its storage key, unless the key is listed
// in refusals. While held, calls wait (in arrival order) until Release.
class FakeNode final : public tern::v1::DataPlane::CallbackService {
 public:
  FakeNode() {
    auto server = rpc::StartServer(config::HostPort{"127.0.0.1", 0}, {this});
    EXPECT_THAT(server, IsOk());
    if (server.ok()) server_.emplace(*std::move(server));
  }
  ~FakeNode() override {
    Release();
    if (server_.has_value()) server_->Shutdown();
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", server_->port); }

  void Hold() {
    base::MutexLock lock(&mu_);
    held_ = true;
  }
  // Answers the held calls and stops holding.
  void Release() {
    std::deque<Held> calls;
    {
      base::MutexLock lock(&mu_);
      held_ = false;
      calls.swap(waiting_);
    }
    for (Held& call : calls) Answer(call.request, call.response, call.reactor);
  }
  // Ends the held calls with status (not an answer of ours: as if the
  // connection broke) and stops holding.
  void ReleaseFailing(const grpc::Status& status) {
    std::deque<Held> calls;
    {
      base::MutexLock lock(&mu_);
      held_ = false;
      calls.swap(waiting_);
    }
    for (Held& call : calls) call.reactor->Finish(status);
  }
  // Fails every call with status (not an answer of ours).
  void FailCalls(grpc::Status status) {
    base::MutexLock lock(&mu_);
    fail_ = std::move(status);
  }
  void Refuse(const std::string& key, absl::Status status) {
    base::MutexLock lock(&mu_);
    refusals_[key] = std::move(status);
  }
  // Ops per Batch call, in arrival order.
  std::vector<int> batch_sizes() {
    base::MutexLock lock(&mu_);
    return batch_sizes_;
  }
  size_t waiting() {
    base::MutexLock lock(&mu_);
    return waiting_.size();
  }

  grpc::ServerUnaryReactor* Batch(grpc::CallbackServerContext* context,
                                  const tern::v1::DataBatch* request,
                                  tern::v1::DataBatchResult* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    {
      base::MutexLock lock(&mu_);
      batch_sizes_.push_back(request->ops_size());
      if (!fail_.ok()) {
        reactor->Finish(fail_);
        return reactor;
      }
      if (held_) {
        waiting_.push_back(Held{request, response, reactor});
        return reactor;
      }
    }
    Answer(request, response, reactor);
    return reactor;
  }

 private:
  struct Held {
    const tern::v1::DataBatch* request;
    tern::v1::DataBatchResult* response;
    grpc::ServerUnaryReactor* reactor;
  };

  void Answer(const tern::v1::DataBatch* request,
              tern::v1::DataBatchResult* response,
              grpc::ServerUnaryReactor* reactor) {
    for (const tern::v1::DataOp& op : request->ops()) {
      tern::v1::DataResult* result = response->add_results();
      const std::string& key = op.has_get() ? op.get().storage_key() : op.write().storage_key();
      absl::Status refusal;
      {
        base::MutexLock lock(&mu_);
        auto it = refusals_.find(key);
        if (it != refusals_.end()) refusal = it->second;
      }
      if (!refusal.ok()) {
        result->set_code(static_cast<int>(refusal.code()));
        result->set_message(std::string(refusal.message()));
      } else if (op.has_get()) {
        result->mutable_get()->set_found(true);
        result->mutable_get()->set_item(key);
      } else {
        result->mutable_write()->set_has_new(true);
        result->mutable_write()->set_new_item(key);
      }
    }
    reactor->Finish(grpc::Status::OK);
  }

  std::optional<rpc::StartedServer> server_;
  base::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status fail_ ABSL_GUARDED_BY(mu_);
  std::deque<Held> waiting_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Status> refusals_ ABSL_GUARDED_BY(mu_);
  std::vector<int> batch_sizes_ ABSL_GUARDED_BY(mu_);
};

// Results collected from callbacks on gRPC's threads.
template <typename Response>
class Results {
 public:
  absl::AnyInvocable<void(absl::StatusOr<Response>) &&> Slot(int i) {
    return [this, i](absl::StatusOr<Response> result) {
      base::MutexLock lock(&mu_);
      results_.emplace(i, std::move(result));
    };
  }
  // Waits (up to a minute: sanitizer builds are slow) for n results.
  bool WaitFor(size_t n) {
    for (int i = 0; i < 6000; ++i) {
      {
        base::MutexLock lock(&mu_);
        if (results_.size() >= n) return true;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return false;
  }
  absl::StatusOr<Response> Get(int i) {
    base::MutexLock lock(&mu_);
    return results_.at(i);
  }

 private:
  base::Mutex mu_;
  std::map<int, absl::StatusOr<Response>> results_ ABSL_GUARDED_BY(mu_);
};

bool WaitUntil(const std::function<bool()>& condition) {
  for (int i = 0; i < 6000; ++i) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

tern::v1::GetItemRequest Get(const std::string& key, bool consistent = false) {
  tern::v1::GetItemRequest request;
  request.mutable_partition()->set_partition_id(1);
  request.set_storage_key(key);
  request.set_consistent_read(consistent);
  return request;
}

tern::v1::WriteItemRequest Write(uint64_t partition_id, const std::string& key) {
  tern::v1::WriteItemRequest request;
  request.mutable_partition()->set_partition_id(partition_id);
  request.set_storage_key(key);
  return request;
}

TEST(DataClientTest, GetsSentWhileTheLaneIsBusyGoOutTogether) {
  FakeNode node;
  DataClient client;
  Results<tern::v1::GetItemResponse> results;
  node.Hold();
  // Two calls fill the lane of eventually consistent reads ...
  client.GetItem(node.address(), Get("k0"), results.Slot(0));
  client.GetItem(node.address(), Get("k1"), results.Slot(1));
  ASSERT_TRUE(WaitUntil([&] { return node.waiting() == 2; }));
  // ... so these three queue and leave together once one is answered.
  for (int i = 2; i < 5; ++i)
    client.GetItem(node.address(), Get(absl::StrCat("k", i)), results.Slot(i));
  node.Release();
  ASSERT_TRUE(results.WaitFor(5));
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<tern::v1::GetItemResponse> got = results.Get(i);
    ASSERT_THAT(got, IsOk());
    EXPECT_EQ(got->item(), absl::StrCat("k", i));
  }
  EXPECT_EQ(node.batch_sizes(), (std::vector<int>{1, 1, 3}));
  EXPECT_EQ(client.batch_stats().calls, 3u);
  EXPECT_EQ(client.batch_stats().ops, 5u);
}

TEST(DataClientTest, WritesAndConsistentReadsDoNotWaitBehindEventualReads) {
  FakeNode node;
  DataClient client;
  Results<tern::v1::GetItemResponse> reads;
  Results<tern::v1::WriteItemResponse> writes;
  node.Hold();
  client.GetItem(node.address(), Get("e0"), reads.Slot(0));
  client.GetItem(node.address(), Get("e1"), reads.Slot(1));
  client.GetItem(node.address(), Get("e2"), reads.Slot(2));  // queued
  ASSERT_TRUE(WaitUntil([&] { return node.waiting() == 2; }));
  // The other lane has room: these go out at once, one call each.
  tern::v1::WriteItemRequest write;
  write.set_storage_key("w0");
  client.WriteItem(node.address(), write, writes.Slot(0));
  client.GetItem(node.address(), Get("c0", /*consistent=*/true), reads.Slot(3));
  ASSERT_TRUE(WaitUntil([&] { return node.waiting() == 4; }));
  node.Release();
  ASSERT_TRUE(reads.WaitFor(4));
  ASSERT_TRUE(writes.WaitFor(1));
  EXPECT_EQ(writes.Get(0)->new_item(), "w0");
  EXPECT_EQ(reads.Get(2)->item(), "e2");
  EXPECT_EQ(reads.Get(3)->item(), "c0");
  EXPECT_EQ(node.batch_sizes(), (std::vector<int>{1, 1, 1, 1, 1}));
}

// A partition whose writes wait (here: held) does not hold up another's.
TEST(DataClientTest, EachPartitionsWritesHaveTheirOwnLane) {
  FakeNode node;
  DataClient client;
  Results<tern::v1::WriteItemResponse> writes;
  node.Hold();
  client.WriteItem(node.address(), Write(1, "a0"), writes.Slot(0));
  client.WriteItem(node.address(), Write(1, "a1"), writes.Slot(1));
  client.WriteItem(node.address(), Write(1, "a2"), writes.Slot(2));  // queued
  ASSERT_TRUE(WaitUntil([&] { return node.waiting() == 2; }));
  client.WriteItem(node.address(), Write(2, "b0"), writes.Slot(3));  // its own lane
  ASSERT_TRUE(WaitUntil([&] { return node.waiting() == 3; }));
  node.Release();
  ASSERT_TRUE(writes.WaitFor(4));
  EXPECT_EQ(writes.Get(2)->new_item(), "a2");
  EXPECT_EQ(writes.Get(3)->new_item(), "b0");
  EXPECT_EQ(node.batch_sizes(), (std::vector<int>{1, 1, 1, 1}));
}

// A strongly consistent read is answered at once under the leader's lease:
// it does not queue behind its partition's writes, nor wait in their batch
// for them to commit.
TEST(DataClientTest, ConsistentReadsDoNotWaitBehindWrites) {
  FakeNode node;
  DataClient client;
  Results<tern::v1::WriteItemResponse> writes;
  Results<tern::v1::GetItemResponse> reads;
  node.Hold();
  for (int i = 0; i < 3; ++i) {  // the third queues
    client.WriteItem(node.address(), Write(1, absl::StrCat("w", i)), writes.Slot(i));
  }
  ASSERT_TRUE(WaitUntil([&] { return node.waiting() == 2; }));
  client.GetItem(node.address(), Get("c0", /*consistent=*/true), reads.Slot(0));
  ASSERT_TRUE(WaitUntil([&] { return node.waiting() == 3; }));
  node.Release();
  ASSERT_TRUE(writes.WaitFor(3));
  ASSERT_TRUE(reads.WaitFor(1));
  EXPECT_EQ(reads.Get(0)->item(), "c0");
  EXPECT_EQ(writes.Get(2)->new_item(), "w2");
  EXPECT_EQ(node.batch_sizes(), (std::vector<int>{1, 1, 1, 1}));
}

TEST(DataClientTest, EachOpKeepsItsOwnRefusal) {
  FakeNode node;
  DataClient client;
  Results<tern::v1::GetItemResponse> results;
  node.Refuse("bad", base::NotLeader(7, "127.0.0.1:1"));
  node.Hold();
  client.GetItem(node.address(), Get("a"), results.Slot(0));
  client.GetItem(node.address(), Get("b"), results.Slot(1));
  ASSERT_TRUE(WaitUntil([&] { return node.waiting() == 2; }));
  client.GetItem(node.address(), Get("good"), results.Slot(2));
  client.GetItem(node.address(), Get("bad"), results.Slot(3));
  node.Release();
  ASSERT_TRUE(results.WaitFor(4));
  EXPECT_THAT(results.Get(2), IsOk());
  absl::Status refused = results.Get(3).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(base::NotLeaderHint(refused), 7u);
  EXPECT_EQ(base::NotLeaderAddress(refused), "127.0.0.1:1");
  EXPECT_TRUE(rpc::Answered(refused)) << refused;
  EXPECT_EQ(node.batch_sizes(), (std::vector<int>{1, 1, 2}));
}

TEST(DataClientTest, AFailedCallFailsEachOfItsOps) {
  FakeNode node;
  DataClient client;
  Results<tern::v1::WriteItemResponse> results;
  node.FailCalls(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection reset"));
  for (int i = 0; i < 3; ++i) {
    tern::v1::WriteItemRequest write;
    write.set_storage_key(absl::StrCat("w", i));
    client.WriteItem(node.address(), write, results.Slot(i));
  }
  ASSERT_TRUE(results.WaitFor(3));
  for (int i = 0; i < 3; ++i) {
    absl::Status status = results.Get(i).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
    EXPECT_FALSE(rpc::Answered(status)) << status;  // the call failed on the way
  }
}

// Ops queued behind a call that failed on the way never left: they go back
// to their callers as not applied (so even a write may be routed again),
// and the lane serves later ops.
TEST(DataClientTest, OpsQueuedBehindAFailedCallComeBackNotSent) {
  FakeNode node;
  DataClient client;
  Results<tern::v1::WriteItemResponse> results;
  node.Hold();
  for (int i = 0; i < 4; ++i) {
    tern::v1::WriteItemRequest write;
    write.set_storage_key(absl::StrCat("w", i));
    client.WriteItem(node.address(), write, results.Slot(i));
    if (i == 1) {
      ASSERT_TRUE(WaitUntil([&] { return node.waiting() == 2; }));
    }
  }
  node.ReleaseFailing(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection reset"));
  ASSERT_TRUE(results.WaitFor(4));
  for (int i = 0; i < 2; ++i) {
    absl::Status sent = results.Get(i).status();
    EXPECT_EQ(sent.code(), absl::StatusCode::kUnavailable) << sent;
    EXPECT_FALSE(base::IsNotApplied(sent)) << sent;  // may have reached the node
  }
  for (int i = 2; i < 4; ++i) {
    absl::Status queued = results.Get(i).status();
    EXPECT_TRUE(base::IsNotApplied(queued)) << queued;
  }
  EXPECT_EQ(node.batch_sizes(), (std::vector<int>{1, 1}));
  tern::v1::WriteItemRequest later;
  later.set_storage_key("later");
  client.WriteItem(node.address(), later, results.Slot(4));
  ASSERT_TRUE(results.WaitFor(5));
  ASSERT_THAT(results.Get(4), IsOk());
  EXPECT_EQ(results.Get(4)->new_item(), "later");
}

TEST(DataClientTest, ANotLeaderOpIsSentToTheHintedLeader) {
  FakeNode follower;
  FakeNode leader;
  tern::v1::PartitionDescriptor partition;
  partition.set_partition_id(1);
  tern::v1::ReplicaDescriptor* first = partition.add_replicas();
  first->set_node_id(1);
  first->set_address(follower.address());
  tern::v1::ReplicaDescriptor* second = partition.add_replicas();
  second->set_node_id(2);
  second->set_address(leader.address());
  partition.set_leader_hint_node_id(1);
  follower.Refuse("k", base::NotLeader(2));
  DataClient client;
  Results<tern::v1::GetItemResponse> results;
  client.GetItem(partition, Get("k", /*consistent=*/true), results.Slot(0));
  ASSERT_TRUE(results.WaitFor(1));
  absl::StatusOr<tern::v1::GetItemResponse> got = results.Get(0);
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->item(), "k");
  EXPECT_EQ(follower.batch_sizes(), (std::vector<int>{1}));
  EXPECT_EQ(leader.batch_sizes(), (std::vector<int>{1}));
}

// A call waiting to be retried when the client goes away is answered (the
// router's HTTP caller then answers its client), not dropped.
TEST(DataClientTest, ARetryDueWhileTheClientGoesAwayIsAnswered) {
  FakeNode node;
  node.FailCalls(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection lost"));
  tern::v1::PartitionDescriptor partition;
  partition.set_partition_id(1);
  tern::v1::ReplicaDescriptor* replica = partition.add_replicas();
  replica->set_node_id(1);
  replica->set_address(node.address());
  auto client = std::make_unique<DataClient>();
  Results<tern::v1::GetItemResponse> results;
  client->GetItem(partition, Get("k"), results.Slot(0));
  // The first attempt failed on the way; the retry waits its pause.
  ASSERT_TRUE(WaitUntil([&] { return !node.batch_sizes().empty(); }));
  client.reset();
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_EQ(results.Get(0).status().code(), absl::StatusCode::kUnavailable)
      << results.Get(0).status();
}

}  // namespace
}  // namespace tern::router
