#include "router/routing/catalog_client.h"

#include <optional>

#include "absl/time/clock.h"
#include "common/base/error_details.h"
#include "common/rpc/async.h"
#include "common/rpc/rpc.h"

namespace tern::router {
namespace {

constexpr std::chrono::milliseconds kTimeout(5000);
// A call tries replicas this often at most, pausing kRetryPause whenever no
// leader is known: about 5 s, long enough for a control-plane election.
constexpr int kMaxAttempts = 50;
constexpr absl::Duration kRetryPause = absl::Milliseconds(100);

}  // namespace

CatalogClient::CatalogClient(const std::vector<config::HostPort>& controls,
                             std::chrono::milliseconds cache_ttl)
    : retries_(std::make_unique<exec::ThreadPool>("catalog-retry", 1)), cache_ttl_(cache_ttl) {
  for (const config::HostPort& control : controls) {
    addresses_.push_back(control.ToString());
    stubs_.push_back(tern::v1::Control::NewStub(rpc::MakeChannel(control)));
  }
}

CatalogClient::~CatalogClient() { retries_->Shutdown(); }

template <typename Response, typename Request, typename Invoke>
void CatalogClient::Call(Request request,
                         Invoke invoke,
                         absl::AnyInvocable<void(absl::StatusOr<Response>) &&> done,
                         bool idempotent,
                         int attempt) {
  const size_t index = leader_.load() % stubs_.size();
  tern::v1::Control::Stub* stub = stubs_[index].get();
  Request sent = request;
  rpc::AsyncUnary<Response>(
      std::move(sent),
      kTimeout,
      [stub, invoke](auto* context, const auto& req, auto* queue) {
        return invoke(stub, context, req, queue);
      },
      [this,
       request = std::move(request),
       invoke,
       done = std::move(done),
       idempotent,
       attempt,
       index](absl::StatusOr<Response> result) mutable {
        if (result.ok() || attempt + 1 >= kMaxAttempts) return std::move(done)(std::move(result));
        const absl::Status& status = result.status();
        bool pause = true;
        size_t next = (index + 1) % stubs_.size();
        if (std::optional<uint64_t> hint = base::NotLeaderHint(status); hint.has_value()) {
          // Follow the leader this replica names (by address, else by id).
          const std::string address = base::NotLeaderAddress(status);
          for (size_t i = 0; i < addresses_.size(); ++i) {
            if (addresses_[i] == address || (address.empty() && *hint == i + 1)) {
              next = i;
              pause = false;
            }
          }
          if (*hint == 0 || next == index) pause = true;  // electing: wait a little
        } else if (status.code() == absl::StatusCode::kDeadlineExceeded && !idempotent) {
          return std::move(done)(std::move(result));  // outcome unknown
        } else if (status.code() != absl::StatusCode::kUnavailable &&
                   status.code() != absl::StatusCode::kDeadlineExceeded) {
          return std::move(done)(std::move(result));  // the catalog's answer
        }
        size_t expected = index;
        leader_.compare_exchange_strong(expected, next);
        auto retry = [this,
                      request = std::move(request),
                      invoke = std::move(invoke),
                      done = std::move(done),
                      idempotent,
                      attempt]() mutable {
          Call<Response>(
              std::move(request), std::move(invoke), std::move(done), idempotent, attempt + 1);
        };
        if (!pause) return retry();
        const absl::Time due = absl::Now() + kRetryPause;
        retries_->Post([due, retry = std::move(retry)]() mutable {
          absl::SleepFor(due - absl::Now());
          retry();
        });
      });
}

void CatalogClient::Remember(const tern::v1::CatalogEntry& entry) {
  base::MutexLock lock(&mu_);
  if (entry.table().status() == "ACTIVE") {
    cache_[entry.table().name()] = Cached{std::make_shared<const tern::v1::CatalogEntry>(entry),
                                          std::chrono::steady_clock::now()};
  } else {
    cache_.erase(entry.table().name());
  }
}

void CatalogClient::Forget(const std::string& name) {
  base::MutexLock lock(&mu_);
  cache_.erase(name);
}

void CatalogClient::GetTable(const std::string& name, EntryDone done) {
  tern::v1::GetTableRequest request;
  request.set_name(name);
  Call<tern::v1::CatalogEntry>(
      std::move(request),
      [](auto* stub, auto* context, const auto& req, auto* queue) {
        return stub->PrepareAsyncGetTable(context, req, queue);
      },
      [this, name, done = std::move(done)](absl::StatusOr<tern::v1::CatalogEntry> result) mutable {
        if (result.ok()) {
          Remember(*result);
        } else if (result.status().code() == absl::StatusCode::kNotFound) {
          Forget(name);
        }
        std::move(done)(std::move(result));
      },
      /*idempotent=*/true);
}

void CatalogClient::ApplyMap(const tern::v1::PartitionMap& map) {
  const auto now = std::chrono::steady_clock::now();
  base::MutexLock lock(&mu_);
  if (map.entries_size() == 0 && map.version() == map_version_.load() && map.version() != 0) {
    for (auto& [name, cached] : cache_) cached.fetched = now;
    return;
  }
  cache_.clear();
  for (const tern::v1::CatalogEntry& entry : map.entries()) {
    cache_[entry.table().name()] =
        Cached{std::make_shared<const tern::v1::CatalogEntry>(entry), now};
  }
  map_version_.store(map.version());
}

std::optional<tern::v1::PartitionDescriptor> CatalogClient::CachedPartition(uint64_t partition_id,
                                                                            const std::string& key,
                                                                            bool refresh) {
  std::optional<tern::v1::PartitionDescriptor> found;
  std::string stale;
  {
    base::MutexLock lock(&mu_);
    for (const auto& [name, cached] : cache_) {
      bool ours = false;  // the table of partition_id (live or split)
      for (const tern::v1::PartitionDescriptor& partition : cached.entry->partitions()) {
        ours = ours || partition.partition_id() == partition_id;
      }
      for (const tern::v1::PartitionDescriptor& retired : cached.entry->retired()) {
        ours = ours || retired.partition_id() == partition_id;
      }
      if (!ours) continue;
      for (const tern::v1::PartitionDescriptor& partition : cached.entry->partitions()) {
        const bool owns = !key.empty() && partition.start_key() <= key &&
                          (partition.end_key().empty() || key < partition.end_key());
        if (owns || (key.empty() && partition.partition_id() == partition_id)) found = partition;
      }
      if (refresh || std::chrono::steady_clock::now() - cached.fetched >= cache_ttl_) {
        stale = name;
      }
    }
  }
  if (!stale.empty()) GetTable(stale, [](absl::StatusOr<tern::v1::CatalogEntry>) {});
  return found;
}

void CatalogClient::GetTableCached(const std::string& name, SharedEntryDone done) {
  SharedEntry hit;
  {
    base::MutexLock lock(&mu_);
    auto it = cache_.find(name);
    if (it != cache_.end() && std::chrono::steady_clock::now() - it->second.fetched < cache_ttl_) {
      hit = it->second.entry;
    }
  }
  if (hit != nullptr) {
    std::move(done)(std::move(hit));
    return;
  }
  GetTable(name, [done = std::move(done)](absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
    if (!entry.ok()) return std::move(done)(entry.status());
    std::move(done)(std::make_shared<const tern::v1::CatalogEntry>(*std::move(entry)));
  });
}

void CatalogClient::ListTables(const std::string& exclusive_start, uint32_t limit, ListDone done) {
  tern::v1::ListTablesRequest request;
  request.set_exclusive_start_table_name(exclusive_start);
  request.set_limit(limit);
  Call<tern::v1::ListTablesResponse>(
      std::move(request),
      [](auto* stub, auto* context, const auto& req, auto* queue) {
        return stub->PrepareAsyncListTables(context, req, queue);
      },
      std::move(done),
      /*idempotent=*/true);
}

void CatalogClient::CreateTable(const tern::v1::TableDescriptor& table, EntryDone done) {
  tern::v1::CreateTableRequest request;
  *request.mutable_table() = table;
  Call<tern::v1::CatalogEntry>(
      std::move(request),
      [](auto* stub, auto* context, const auto& req, auto* queue) {
        return stub->PrepareAsyncCreateTable(context, req, queue);
      },
      std::move(done),
      /*idempotent=*/false);
}

void CatalogClient::UpdateTable(const tern::v1::TableDescriptor& table,
                                uint64_t expected_version,
                                EntryDone done) {
  tern::v1::UpdateTableRequest request;
  *request.mutable_table() = table;
  request.set_expected_version(expected_version);
  std::string name = table.name();
  Call<tern::v1::CatalogEntry>(
      std::move(request),
      [](auto* stub, auto* context, const auto& req, auto* queue) {
        return stub->PrepareAsyncUpdateTable(context, req, queue);
      },
      [this, name, done = std::move(done)](absl::StatusOr<tern::v1::CatalogEntry> result) mutable {
        Forget(name);
        std::move(done)(std::move(result));
      },
      /*idempotent=*/false);
}

void CatalogClient::DeleteTable(const std::string& name, EntryDone done) {
  tern::v1::DeleteTableRequest request;
  request.set_name(name);
  Call<tern::v1::CatalogEntry>(
      std::move(request),
      [](auto* stub, auto* context, const auto& req, auto* queue) {
        return stub->PrepareAsyncDeleteTable(context, req, queue);
      },
      [this, name, done = std::move(done)](absl::StatusOr<tern::v1::CatalogEntry> result) mutable {
        Forget(name);
        std::move(done)(std::move(result));
      },
      /*idempotent=*/false);
}

}  // namespace tern::router
