// CatalogClient: the router's asynchronous door to the table catalog on the
// control plane. Calls go to the replica that leads the catalog group; a
// replica that does not lead answers with the leader's id and address and the
// call follows it, and an unreachable replica is skipped (after a short pause,
// while a new leader is elected). A change whose outcome is unknown (timed
// out) is not retried. Lookups for the data path go through a short-lived
// cache of ACTIVE tables, so a request costs no control-plane round trip in
// the common case.
// Thread-safe; callbacks run on gRPC threads or the retry thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "common/base/mutex.h"
#include "common/config/host_port.h"
#include "common/exec/executor.h"
#include "tern/v1/control.grpc.pb.h"

namespace tern::router {

using EntryDone = absl::AnyInvocable<void(absl::StatusOr<tern::v1::CatalogEntry>) &&>;
// A cached entry is shared, not copied: item operations look one up per
// request, and a table's entry (every partition and replica) is large.
using SharedEntry = std::shared_ptr<const tern::v1::CatalogEntry>;
using SharedEntryDone = absl::AnyInvocable<void(absl::StatusOr<SharedEntry>) &&>;
using ListDone = absl::AnyInvocable<void(absl::StatusOr<tern::v1::ListTablesResponse>) &&>;

class CatalogClient {
 public:
  // controls: every control-plane replica, replica 1 first.
  CatalogClient(const std::vector<config::HostPort>& controls, std::chrono::milliseconds cache_ttl);
  ~CatalogClient();

  // The current entry, always from the control plane (DescribeTable).
  void GetTable(const std::string& name, EntryDone done);
  // The entry from the cache when fresh (item operations).
  void GetTableCached(const std::string& name, SharedEntryDone done);
  void ListTables(const std::string& exclusive_start, uint32_t limit, ListDone done);
  void CreateTable(const tern::v1::TableDescriptor& table, EntryDone done);
  void UpdateTable(const tern::v1::TableDescriptor& table,
                   uint64_t expected_version,
                   EntryDone done);
  void DeleteTable(const std::string& name, EntryDone done);

  // A partition map from the control plane's watch stream: replaces the
  // cache by its entries; a map with no entries and the version already seen
  // only says the cached entries are current.
  void ApplyMap(const tern::v1::PartitionMap& map);
  // The version of the last map applied (0: none).
  uint64_t map_version() const { return map_version_.load(); }

  // The cached descriptor of partition_id, or with key of the partition of
  // the same table owning key (nullopt when the table is not cached). A stale
  // cache entry (or, with refresh, any) is refreshed in the background, so a
  // caller retrying after a replica move or a split soon sees the new map.
  std::optional<tern::v1::PartitionDescriptor> CachedPartition(uint64_t partition_id,
                                                               const std::string& key = "",
                                                               bool refresh = false);

 private:
  struct Cached {
    SharedEntry entry;
    std::chrono::steady_clock::time_point fetched;
  };
  void Remember(const tern::v1::CatalogEntry& entry);
  void Forget(const std::string& name);

  // Starts one call of a Control method on the replica believed to lead:
  // invoke(stub, context, request, queue) prepares the call (the stub's
  // PrepareAsync<Method>) on queue.
  template <typename Response, typename Request, typename Invoke>
  void Call(Request request,
            Invoke invoke,
            absl::AnyInvocable<void(absl::StatusOr<Response>) &&> done,
            bool idempotent,
            int attempt = 0);

  std::vector<std::string> addresses_;
  std::vector<std::unique_ptr<tern::v1::Control::Stub>> stubs_;
  std::atomic<size_t> leader_{0};  // index into stubs_
  std::atomic<uint64_t> map_version_{0};
  std::unique_ptr<exec::ThreadPool> retries_;
  const std::chrono::milliseconds cache_ttl_;
  base::Mutex mu_;
  std::map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tern::router
