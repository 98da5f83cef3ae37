#include "common/rpc/async.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/base/check.h"
#include "common/base/mutex.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"
#include "tern/v1/replication.grpc.pb.h"

namespace tern::rpc {
namespace {

using ::testing::_;
using testing::IsOk;
using testing::StatusIs;
using Reply = std::shared_ptr<AsyncReply<tern::v1::RaftBatchAck>>;

// A Replication service whose Send is queued and never answers.
class ReplicationLikeService final : public tern::v1::Replication::AsyncService,
                                     public QueuedService {
 public:
  void Serve(ServerQueues* queues) override {
    method_ = std::make_unique<UnaryMethod<tern::v1::RaftBatch, tern::v1::RaftBatchAck>>(
        queues,
        [this](auto* context, auto* request, auto* writer, auto* queue, void* tag) {
          RequestSend(context, request, writer, queue, queue, tag);
        },
        [](const tern::v1::RaftBatch&, Reply) {});
  }
  void Close() override { method_->Close(); }

 private:
  std::unique_ptr<UnaryMethod<tern::v1::RaftBatch, tern::v1::RaftBatchAck>> method_;
};

// A Replication service served on the server's completion queue by handler.
class Served {
 public:
  explicit Served(std::function<void(const tern::v1::RaftBatch&, Reply)> handler)
      : service_(std::move(handler)) {
    absl::StatusOr<StartedServer> started =
        StartServer(config::HostPort{"127.0.0.1", 0}, {&service_});
    TERN_CHECK(started.ok()) << started.status();
    server_ = std::move(*started);
    stub_ =
        tern::v1::Replication::NewStub(MakeChannel(config::HostPort{"127.0.0.1", server_.port}));
  }
  ~Served() { Stop(); }

  uint16_t port() const { return server_.port; }

  void Stop() {
    server_.Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  }

  // Calls Send with a batch from node from; done runs on client's thread.
  void Call(ClientQueue* client,
            uint64_t from,
            absl::AnyInvocable<void(absl::StatusOr<tern::v1::RaftBatchAck>) &&> done) {
    tern::v1::RaftBatch batch;
    batch.set_from_node(from);
    QueuedUnary<tern::v1::RaftBatchAck>(
        client->queue(),
        std::move(batch),
        std::chrono::seconds(10),
        [this](auto* context, const auto& request, auto* queue) {
          return stub_->PrepareAsyncSend(context, request, queue);
        },
        std::move(done));
  }

 private:
  class Service final : public tern::v1::Replication::AsyncService, public QueuedService {
   public:
    explicit Service(std::function<void(const tern::v1::RaftBatch&, Reply)> handler)
        : handler_(std::move(handler)) {}
    void Serve(ServerQueues* queues) override {
      method_ = std::make_unique<UnaryMethod<tern::v1::RaftBatch, tern::v1::RaftBatchAck>>(
          queues,
          [this](auto* context, auto* request, auto* writer, auto* queue, void* tag) {
            RequestSend(context, request, writer, queue, queue, tag);
          },
          handler_);
    }
    void Close() override { method_->Close(); }

   private:
    std::function<void(const tern::v1::RaftBatch&, Reply)> handler_;
    std::unique_ptr<UnaryMethod<tern::v1::RaftBatch, tern::v1::RaftBatchAck>> method_;
  };

  Service service_;
  StartedServer server_;
  std::unique_ptr<tern::v1::Replication::Stub> stub_;
};

// The answer names the caller: from_node comes back as the message count.
void Echo(const tern::v1::RaftBatch& batch, Reply reply) {
  tern::v1::RaftBatchAck ack;
  for (uint64_t i = 0; i < batch.from_node(); ++i) ack.add_messages();
  reply->Send(std::move(ack));
}

void WaitForHeld(base::Mutex* mu, const std::vector<Reply>* held, size_t count) {
  for (;;) {
    {
      base::MutexLock lock(mu);
      if (held->size() >= count) return;
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
}

TEST(AsyncRpcTest, AServerOfQueuedServicesAnswersHealthChecksOnItsQueues) {
  Served served(&Echo);
  // A connect attempt gives up after 1 s (MakeChannel); under a sanitizer
  // one can.
  auto channel = MakeChannel(config::HostPort{"127.0.0.1", served.port()});
  absl::Status health = CheckHealth(channel, 10000);
  for (int attempt = 0; attempt < 20 && !health.ok() && !Answered(health); ++attempt) {
    health = CheckHealth(channel, 10000);
  }
  EXPECT_THAT(health, IsOk());
}

TEST(AsyncRpcTest, AnswersComeFromAnyThreadAndRefusalsAreAnswers) {
  base::Mutex mu;
  std::vector<Reply> held;
  Served served([&](const tern::v1::RaftBatch&, Reply reply) {
    base::MutexLock lock(&mu);
    held.push_back(std::move(reply));
  });
  ClientQueue client("test-client");
  base::Notification answered;
  // Plain copies: an absl::Status shares its message across threads, which
  // TSan cannot follow into Debian's uninstrumented Abseil.
  absl::StatusCode code = absl::StatusCode::kOk;
  std::string message;
  bool answer = false;
  served.Call(&client, 1, [&](absl::StatusOr<tern::v1::RaftBatchAck> ack) {
    {
      base::MutexLock lock(&mu);
      code = ack.status().code();
      message = std::string(ack.status().message());
      answer = Answered(ack.status());
    }
    answered.Notify();
  });
  WaitForHeld(&mu, &held, 1);
  std::thread([&] {
    base::MutexLock lock(&mu);
    held[0]->SendStatus(absl::FailedPreconditionError("not now"));
    // A second answer is dropped.
    held[0]->Send(tern::v1::RaftBatchAck());
  }).join();
  ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  base::MutexLock lock(&mu);
  EXPECT_EQ(code, absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(message, "not now");
  EXPECT_TRUE(answer);
}

TEST(AsyncRpcTest, CallsUnansweredWhenTheServerStopsFailAndLateAnswersAreDropped) {
  base::Mutex mu;
  std::vector<Reply> held;
  auto served = std::make_unique<Served>([&](const tern::v1::RaftBatch&, Reply reply) {
    base::MutexLock lock(&mu);
    held.push_back(std::move(reply));
  });
  ClientQueue client("test-client");
  std::atomic<int> failed{0};
  std::atomic<int> done{0};
  for (int i = 0; i < 3; ++i) {
    served->Call(&client, 1, [&](absl::StatusOr<tern::v1::RaftBatchAck> ack) {
      if (!ack.ok()) failed.fetch_add(1);
      done.fetch_add(1);
    });
  }
  WaitForHeld(&mu, &held, 3);
  served->Stop();
  // The handler answers after the server went: nothing happens.
  for (Reply& reply : held) reply->Send(tern::v1::RaftBatchAck());
  served.reset();
  held.clear();
  for (int i = 0; i < 3000 && done.load() < 3; ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(done.load(), 3);
  EXPECT_EQ(failed.load(), 3);
}

TEST(AsyncRpcTest, ABusyPortLeavesAQueuedServiceFreeToServeElsewhere) {
  Served first(&Echo);
  ReplicationLikeService service;
  EXPECT_THAT(StartServer(config::HostPort{"127.0.0.1", first.port()}, {&service}),
              StatusIs(absl::StatusCode::kUnavailable, _));
  // gRPC would refuse to register the service again had the first attempt
  // built a server with it.
  absl::StatusOr<StartedServer> second = StartServer(config::HostPort{"127.0.0.1", 0}, {&service});
  ASSERT_THAT(second, IsOk());
  second->Shutdown();
}

// Last in the suite: under TSan, calls made in this process after these
// once never connected (a blocking health check failed every attempt, a
// queued call waited forever), which the release build never showed.
TEST(AsyncRpcTest, ManyCallsInFlightAreAllAnswered) {
  Served served(&Echo);
  ClientQueue client("test-client");
  constexpr int kCalls = 64;
  base::Mutex mu;
  std::vector<int> answers;
  base::Notification all;
  for (int i = 0; i < kCalls; ++i) {
    served.Call(
        &client, static_cast<uint64_t>(i % 7), [&, i](absl::StatusOr<tern::v1::RaftBatchAck> ack) {
          base::MutexLock lock(&mu);
          answers.push_back(ack.ok() && ack->messages_size() == i % 7 ? 1 : 0);
          if (answers.size() == kCalls) all.Notify();
        });
  }
  ASSERT_TRUE(all.WaitForNotificationWithTimeout(absl::Seconds(30)));
  base::MutexLock lock(&mu);
  for (int answer : answers) EXPECT_EQ(answer, 1);
}

}  // namespace
}  // namespace tern::rpc
