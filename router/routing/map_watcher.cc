#include "router/routing/map_watcher.h"

#include "absl/time/clock.h"
#include "common/base/error_details.h"
#include "common/log/log.h"
#include "common/rpc/async.h"
#include "common/rpc/rpc.h"

namespace tern::router {

MapWatcher::MapWatcher(const std::vector<config::HostPort>& controls, CatalogClient* catalog)
    : catalog_(catalog) {
  for (const config::HostPort& control : controls) {
    addresses_.push_back(control.ToString());
    stubs_.push_back(tern::v1::Control::NewStub(rpc::MakeChannel(control)));
  }
}

MapWatcher::~MapWatcher() { Stop(); }

void MapWatcher::Start() {
  if (stubs_.empty()) return;
  thread_ = std::make_unique<exec::ThreadPool>("map-watcher", 1);
  thread_->Post([this] { Run(); });
}

void MapWatcher::Stop() {
  {
    base::MutexLock lock(&mu_);
    stopping_ = true;
    if (current_ != nullptr) current_->TryCancel();
  }
  if (thread_ != nullptr) {
    thread_->Shutdown();
    thread_.reset();
  }
}

namespace {

// One WatchPartitionMap stream, read on the process's client queue (a
// blocking reader's thread would take part in gRPC's polling and hand
// every event of the process's calls on: docs/benchmarks.md). done is
// notified once the stream ended and status is set.
class Stream final : public rpc::Completion {
 public:
  explicit Stream(absl::AnyInvocable<void(const tern::v1::PartitionMap&)> apply)
      : apply_(std::move(apply)) {}

  void Start(tern::v1::Control::Stub* stub, const tern::v1::GetPartitionMapRequest& request) {
    reader_ = stub->PrepareAsyncWatchPartitionMap(&context, request, rpc::ProcessQueue());
    reader_->StartCall(rpc::HandOver(this));
  }

  void Complete(bool ok) override {
    switch (state_) {
      case State::kStarting:
      case State::kReading:
        if (state_ == State::kReading && ok) apply_(map_);
        if (ok) {
          state_ = State::kReading;
          reader_->Read(&map_, rpc::HandOver(this));
        } else {
          state_ = State::kFinishing;
          reader_->Finish(&status_, rpc::HandOver(this));
        }
        return;
      case State::kFinishing:
        status = rpc::FromGrpcStatus(status_);
        done.Notify();  // last: the owner may destroy the stream
        return;
    }
  }

  grpc::ClientContext context;
  absl::Status status;  // once done
  base::Notification done;

 private:
  enum class State { kStarting, kReading, kFinishing };
  absl::AnyInvocable<void(const tern::v1::PartitionMap&)> apply_;
  std::unique_ptr<grpc::ClientAsyncReader<tern::v1::PartitionMap>> reader_;
  tern::v1::PartitionMap map_;
  grpc::Status status_;
  State state_ = State::kStarting;
};

}  // namespace

void MapWatcher::Run() {
  size_t index = 0;
  while (true) {
    Stream stream([this](const tern::v1::PartitionMap& map) {
      catalog_->ApplyMap(map);
      maps_.fetch_add(1);
    });
    {
      base::MutexLock lock(&mu_);
      if (stopping_) return;
      current_ = &stream.context;
    }
    tern::v1::GetPartitionMapRequest request;
    request.set_known_version(catalog_->map_version());
    stream.Start(stubs_[index].get(), request);
    stream.done.WaitForNotification();
    const absl::Status status = stream.status;
    {
      base::MutexLock lock(&mu_);
      current_ = nullptr;
      if (stopping_) return;
    }
    // Follow the catalog group's leader when a replica names it; else try
    // the next replica.
    size_t next = (index + 1) % stubs_.size();
    const std::string leader = base::NotLeaderAddress(status);
    for (size_t i = 0; i < addresses_.size(); ++i) {
      if (addresses_[i] == leader) next = i;
    }
    index = next;
    absl::SleepFor(absl::Milliseconds(200));
  }
}

}  // namespace tern::router
