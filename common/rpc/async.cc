#include "common/rpc/async.h"

#include "common/base/check.h"

namespace tern::rpc {

Pollers::~Pollers() { Join(); }

void Pollers::Start(const std::string& name, const std::vector<grpc::CompletionQueue*>& queues) {
  threads_ = std::make_unique<exec::ThreadPool>(name, queues.size());
  for (grpc::CompletionQueue* queue : queues) {
    threads_->Post([queue] {
      void* tag = nullptr;
      bool ok = false;
      while (queue->Next(&tag, &ok)) TakeOver(tag)->Complete(ok);
    });
  }
}

void Pollers::Join() {
  if (threads_ != nullptr) threads_->Shutdown();  // once the queues are drained
  threads_.reset();
}

ServerQueues::ServerQueues(grpc::ServerBuilder* builder, int threads, std::string name)
    : name_(std::move(name)) {
  TERN_CHECK(threads > 0) << name_;
  for (int i = 0; i < threads; ++i) {
    queues_.push_back(builder->AddCompletionQueue());
    raw_.push_back(queues_.back().get());
  }
}

ServerQueues::~ServerQueues() { Stop(); }

void ServerQueues::Start() {
  if (started_) return;
  started_ = true;
  pollers_.Start(name_, std::vector<grpc::CompletionQueue*>(raw_.begin(), raw_.end()));
}

void ServerQueues::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& queue : queues_) queue->Shutdown();
  if (started_) {
    pollers_.Join();
  } else {
    // Never polled: drain here (a queue must be drained before it goes).
    void* tag = nullptr;
    bool ok = false;
    for (auto& queue : queues_) {
      while (queue->Next(&tag, &ok)) TakeOver(tag)->Complete(ok);
    }
  }
}

ClientQueue::ClientQueue(const std::string& name, int threads) {
  pollers_.Start(name, std::vector<grpc::CompletionQueue*>(static_cast<size_t>(threads), &queue_));
}

ClientQueue::~ClientQueue() {
  queue_.Shutdown();
  pollers_.Join();
}

grpc::CompletionQueue* ProcessQueue() {
  static ClientQueue* const queue = new ClientQueue("grpc-calls");
  return queue->queue();
}

}  // namespace tern::rpc
