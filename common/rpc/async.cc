#include "common/rpc/async.h"

#include <pthread.h>

#include "common/base/check.h"

namespace tern::rpc {

Pollers::~Pollers() { Join(); }

void Pollers::Start(const std::string& name, const std::vector<grpc::CompletionQueue*>& queues) {
  for (size_t i = 0; i < queues.size(); ++i) {
    grpc::CompletionQueue* queue = queues[i];
    threads_.emplace_back([queue] {
      void* tag = nullptr;
      bool ok = false;
      while (queue->Next(&tag, &ok)) static_cast<Completion*>(tag)->Complete(ok);
    });
    // Linux limits thread names to 15 characters.
    const std::string thread_name = (name + "-" + std::to_string(i)).substr(0, 15);
    pthread_setname_np(threads_.back().native_handle(), thread_name.c_str());
  }
}

void Pollers::Join() {
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
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
      while (queue->Next(&tag, &ok)) static_cast<Completion*>(tag)->Complete(ok);
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
