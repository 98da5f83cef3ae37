#include "router/routing/map_watcher.h"

#include "absl/time/clock.h"
#include "common/base/error_details.h"
#include "common/log/log.h"
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

void MapWatcher::Run() {
  size_t index = 0;
  while (true) {
    grpc::ClientContext context;
    {
      base::MutexLock lock(&mu_);
      if (stopping_) return;
      current_ = &context;
    }
    tern::v1::GetPartitionMapRequest request;
    request.set_known_version(catalog_->map_version());
    std::unique_ptr<grpc::ClientReader<tern::v1::PartitionMap>> reader =
        stubs_[index]->WatchPartitionMap(&context, request);
    tern::v1::PartitionMap map;
    while (reader->Read(&map)) {
      catalog_->ApplyMap(map);
      maps_.fetch_add(1);
    }
    const absl::Status status = rpc::FromGrpcStatus(reader->Finish());
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
