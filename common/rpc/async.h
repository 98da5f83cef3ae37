// gRPC's completion-queue API for the hot unary calls (the data plane's
// Batch, Replication.Send), served and made on threads of our own: each
// thread polls one completion queue and runs what completes on it right
// there. gRPC's callback API hands every event from its polling threads to
// others ("nexting" threads, its executor), which cost several context
// switches per call (docs/benchmarks.md).
//
// Server side, for a method that an async-marked service (e.g.
// DataPlane::WithAsyncMethod_Batch<...>) offers:
//   rpc::ServerQueues queues(&builder, 2, "data-rpc");    // before BuildAndStart
//   ... server = builder.BuildAndStart();
//   rpc::UnaryMethod<Req, Resp> batch(
//       &queues,
//       [&service](auto* context, auto* request, auto* writer, auto* queue, void* tag) {
//         service.RequestBatch(context, request, writer, queue, queue, tag);
//       },
//       [](const Req& request, std::shared_ptr<rpc::AsyncReply<Resp>> reply) { ... });
//   queues.Start();
//   ...
//   server->Shutdown(deadline); batch.Close(); queues.Stop();
//
// Client side:
//   rpc::ClientQueue queue("name");
//   rpc::QueuedUnary<Resp>(&queue, request, timeout,
//       [stub](auto* context, const auto& request, auto* cq) {
//         return stub->PrepareAsyncSend(context, request, cq); },
//       std::move(done));
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/base/mutex.h"
#include "common/exec/executor.h"
#include "common/rpc/rpc.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/async_unary_call.h"

namespace tern::rpc {

// One event a completion queue hands back (the tag of an operation).
class Completion {
 public:
  virtual void Complete(bool ok) = 0;

 protected:
  ~Completion() = default;
};

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

// The tag of an operation given to gRPC: gRPC hands it to a polling thread
// through synchronization inside its (uninstrumented) libraries, so the
// hand-over is told to ThreadSanitizer here and in the pollers (TakeOver).
inline void* HandOver(Completion* completion) {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(completion);
#endif
  return completion;
}
inline Completion* TakeOver(void* tag) {
#if defined(__SANITIZE_THREAD__)
  __tsan_acquire(tag);
#endif
  return static_cast<Completion*>(tag);
}

// Polls queues, one thread each, running Complete of every event inline.
// The queues must be shut down (and so drained) for Join to return.
class Pollers {
 public:
  Pollers() = default;
  ~Pollers();
  Pollers(const Pollers&) = delete;
  Pollers& operator=(const Pollers&) = delete;

  void Start(const std::string& name, const std::vector<grpc::CompletionQueue*>& queues);
  void Join();

 private:
  std::unique_ptr<exec::ThreadPool> threads_;  // one per queue, each polling it
};

// The server's completion queues (one per polling thread). Made before the
// server is built; Start after; Stop after the server was shut down and
// every method using the queues was closed.
class ServerQueues {
 public:
  ServerQueues(grpc::ServerBuilder* builder, int threads, std::string name);
  ~ServerQueues();

  void Start();
  void Stop();
  const std::vector<grpc::ServerCompletionQueue*>& queues() const { return raw_; }

 private:
  std::string name_;
  std::vector<std::unique_ptr<grpc::ServerCompletionQueue>> queues_;
  std::vector<grpc::ServerCompletionQueue*> raw_;
  Pollers pollers_;
  bool started_ = false;
  bool stopped_ = false;
};

template <typename Request, typename Response>
class UnaryMethod;

// The answer to one call of a UnaryMethod, given once from any thread (a
// later one is dropped). Valid while anyone holds it.
template <typename Response>
class AsyncReply {
 public:
  virtual ~AsyncReply() = default;
  virtual void Send(absl::StatusOr<Response> result) = 0;
  void SendStatus(const absl::Status& status) { Send(status); }
};

// Serves one unary method on every queue of a ServerQueues: one call is
// kept requested per queue; a call that arrives runs handler on that
// queue's thread (which must not block long: hand blocking work to a pool).
// A call stays open until the handler answers (or Close): the caller's
// deadline passing does not end it here. Replies must not be sent after the
// method is destroyed.
template <typename Request, typename Response>
class UnaryMethod {
 public:
  using Requester = std::function<void(grpc::ServerContext*,
                                       Request*,
                                       grpc::ServerAsyncResponseWriter<Response>*,
                                       grpc::ServerCompletionQueue*,
                                       void*)>;
  using Handler = std::function<void(const Request&, std::shared_ptr<AsyncReply<Response>>)>;

  // queues must not be started yet; they must outlive the method's Close.
  UnaryMethod(ServerQueues* queues, Requester requester, Handler handler)
      : requester_(std::move(requester)), handler_(std::move(handler)) {
    for (grpc::ServerCompletionQueue* queue : queues->queues()) RequestCall(queue);
  }
  ~UnaryMethod() { Close(); }

  // Answers every call not answered yet UNAVAILABLE and stops requesting
  // calls. After the server's Shutdown, before the queues' Stop; the method
  // must outlive the queues' Stop (their last events are its calls').
  void Close() {
    base::MutexLock lock(&mu_);
    if (closed_) return;
    closed_ = true;
    for (const std::shared_ptr<Call>& call : open_) {
      call->answered = true;
      call->writer.FinishWithError(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server stopping"),
                                   Tag(call.get()));
    }
    open_.clear();
  }

 private:
  // One call: requested, then serving, then finishing. Holds itself while
  // gRPC holds its tag.
  class Call final : public Completion, public AsyncReply<Response> {
   public:
    Call(UnaryMethod* of, grpc::ServerCompletionQueue* on)
        : method(of), queue(on), writer(&context) {}

    void Complete(bool ok) override { method->Completed(this, ok); }
    void Send(absl::StatusOr<Response> result) override { method->Answer(this, std::move(result)); }

    UnaryMethod* const method;
    grpc::ServerCompletionQueue* const queue;
    grpc::ServerContext context;
    Request request;
    grpc::ServerAsyncResponseWriter<Response> writer;
    std::shared_ptr<Call> self;  // gRPC's reference
    bool arrived = false;
    bool answered = false;  // guarded by the method's mu_
  };

  // Drops gRPC's reference to call (the last but the handler's): frees what
  // gRPC's libraries allocated for it too (see tests/tsan.supp).
  static void Release(Call* call) { std::shared_ptr<Call> last = std::move(call->self); }

  // Pollers read every tag as a Completion.
  static void* Tag(Call* call) { return HandOver(call); }

  void RequestCall(grpc::ServerCompletionQueue* queue) {
    auto call = std::make_shared<Call>(this, queue);
    call->self = call;
    requester_(&call->context, &call->request, &call->writer, queue, Tag(call.get()));
  }

  void Completed(Call* call, bool ok) {
    if (call->arrived || !ok) {
      // The answer went out (or the server is shutting down and the call
      // never came): gRPC is done with the call. What the answering thread
      // wrote starting the answer (under mu_) came first; the lock tells
      // ThreadSanitizer.
      { base::MutexLock lock(&mu_); }
      Release(call);
      return;
    }
    call->arrived = true;
    std::shared_ptr<Call> serving = call->self;
    {
      base::MutexLock lock(&mu_);
      if (closed_) {
        // The queue may be shutting down already: no Finish. The call goes
        // with its context, which cancels it.
        call->answered = true;
        Release(call);
        return;
      }
      open_.insert(serving);
      RequestCall(call->queue);  // the next call on this queue
    }
    handler_(call->request, serving);
  }

  void Answer(Call* call, absl::StatusOr<Response> result) {
    base::MutexLock lock(&mu_);
    if (call->answered) return;
    call->answered = true;
    open_.erase(call->self);
    if (!result.ok()) {
      call->writer.FinishWithError(ToGrpcStatus(result.status()), Tag(call));
    } else {
      call->writer.Finish(*result, grpc::Status::OK, Tag(call));
    }
  }

  const Requester requester_;
  const Handler handler_;
  base::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::set<std::shared_ptr<Call>> open_ ABSL_GUARDED_BY(mu_);
};

// A completion queue for calls a client makes, polled by threads of its
// own. The owner makes sure no call is in flight when it goes away.
class ClientQueue {
 public:
  explicit ClientQueue(const std::string& name, int threads = 1);
  ~ClientQueue();

  grpc::CompletionQueue* queue() { return &queue_; }

 private:
  grpc::CompletionQueue queue_;
  Pollers pollers_;
};

// One call of QueuedUnary.
template <typename Request, typename Response>
class QueuedCall final : public Completion {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<Response>) &&>;

  template <typename Prepare>
  static void Start(grpc::CompletionQueue* queue,
                    Request request,
                    std::chrono::milliseconds timeout,
                    Prepare prepare,
                    Done done) {
    auto* call = new QueuedCall;
    call->request_ = std::move(request);
    call->done_ = std::move(done);
    call->context_.set_deadline(std::chrono::system_clock::now() + timeout);
    base::MutexLock started(&call->start_mu_);
    call->reader_ = prepare(&call->context_, call->request_, queue);
    call->reader_->StartCall();
    call->reader_->Finish(&call->response_, &call->status_, HandOver(call));
  }

  void Complete(bool) override {
    // Whatever the caller wrote while starting the call (gRPC's inline code
    // fills the context) came first; the lock tells ThreadSanitizer.
    { base::MutexLock started(&start_mu_); }
    Done done = std::move(done_);
    absl::StatusOr<Response> result =
        status_.ok() ? absl::StatusOr<Response>(std::move(response_)) : FromGrpcStatus(status_);
    Destroy(this);
    std::move(done)(std::move(result));
  }

 private:
  QueuedCall() = default;
  // Frees what gRPC's libraries allocated for the call too (see
  // tests/tsan.supp).
  static void Destroy(QueuedCall* call) { delete call; }

  grpc::ClientContext context_;
  Request request_;
  Response response_;
  grpc::Status status_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader_;
  Done done_;
  base::Mutex start_mu_;
};

// Runs one unary call on queue (a ClientQueue's, or a server's polled
// queue) without blocking the caller; done runs once, on the queue's
// thread, with the response or the call's status. prepare is the stub's
// PrepareAsync<Method>.
template <typename Response, typename Request, typename Prepare>
void QueuedUnary(grpc::CompletionQueue* queue,
                 Request request,
                 std::chrono::milliseconds timeout,
                 Prepare prepare,
                 absl::AnyInvocable<void(absl::StatusOr<Response>) &&> done) {
  QueuedCall<Request, Response>::Start(
      queue, std::move(request), timeout, std::move(prepare), std::move(done));
}

// The process's queue for client calls: a ClientQueue made on first use and
// kept until the process exits (as gRPC keeps its callback API's threads).
grpc::CompletionQueue* ProcessQueue();

// QueuedUnary on the ProcessQueue, for clients without a queue of their own
// (the process's single polling thread for everything it calls):
//   rpc::AsyncUnary<Resp>(request, timeout,
//       [stub](auto* context, const auto& request, auto* queue) {
//         return stub->PrepareAsyncGet(context, request, queue); },
//       std::move(done));
template <typename Response, typename Request, typename Prepare>
void AsyncUnary(Request request,
                std::chrono::milliseconds timeout,
                Prepare prepare,
                absl::AnyInvocable<void(absl::StatusOr<Response>) &&> done) {
  QueuedUnary<Response>(
      ProcessQueue(), std::move(request), timeout, std::move(prepare), std::move(done));
}

}  // namespace tern::rpc
