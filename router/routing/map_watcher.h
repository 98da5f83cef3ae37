// MapWatcher: keeps a router's CatalogClient cache current from the control
// plane's partition-map stream (Control.WatchPartitionMap) on the catalog
// group's leader: a new map replaces the cache at once (a split or replica
// move reaches the router within about 100 ms), and the unchanged-version
// beats keep cached tables fresh without per-table lookups. When the stream
// ends (a leader change, a restart) it reconnects, following the leader
// hint; meanwhile the cache falls back to per-table refreshes after its TTL.
// Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/base/mutex.h"
#include "common/config/host_port.h"
#include "common/exec/executor.h"
#include "router/routing/catalog_client.h"
#include "tern/v1/control.grpc.pb.h"

namespace tern::router {

class MapWatcher {
 public:
  // catalog must outlive the watcher. controls: every control replica.
  MapWatcher(const std::vector<config::HostPort>& controls, CatalogClient* catalog);
  ~MapWatcher();

  void Start();
  // Cancels the stream and waits for the watching thread. Idempotent.
  void Stop();

  // Maps received so far (for tests and metrics).
  uint64_t maps_received() const { return maps_.load(); }

 private:
  void Run();

  CatalogClient* const catalog_;
  std::vector<std::string> addresses_;
  std::vector<std::unique_ptr<tern::v1::Control::Stub>> stubs_;
  std::atomic<uint64_t> maps_{0};
  base::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::unique_ptr<exec::ThreadPool> thread_;
};

}  // namespace tern::router
