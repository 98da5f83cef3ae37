#include "router/routing/catalog_client.h"

#include <optional>

#include "common/rpc/rpc.h"

namespace tern::router {
namespace {

constexpr std::chrono::milliseconds kTimeout(5000);

}  // namespace

CatalogClient::CatalogClient(const config::HostPort& control, std::chrono::milliseconds cache_ttl)
    : stub_(tern::v1::Control::NewStub(rpc::MakeChannel(control))), cache_ttl_(cache_ttl) {}

void CatalogClient::Remember(const tern::v1::CatalogEntry& entry) {
  base::MutexLock lock(&mu_);
  if (entry.table().status() == "ACTIVE") {
    cache_[entry.table().name()] = Cached{entry, std::chrono::steady_clock::now()};
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
  rpc::AsyncUnary<tern::v1::CatalogEntry>(
      std::move(request),
      kTimeout,
      [this](auto* context, auto* req, auto* resp, auto callback) {
        stub_->async()->GetTable(context, req, resp, std::move(callback));
      },
      [this, name, done = std::move(done)](absl::StatusOr<tern::v1::CatalogEntry> result) mutable {
        if (result.ok()) {
          Remember(*result);
        } else if (result.status().code() == absl::StatusCode::kNotFound) {
          Forget(name);
        }
        std::move(done)(std::move(result));
      });
}

std::optional<tern::v1::PartitionDescriptor> CatalogClient::CachedPartition(uint64_t partition_id) {
  std::optional<tern::v1::PartitionDescriptor> found;
  std::string stale;
  {
    base::MutexLock lock(&mu_);
    for (const auto& [name, cached] : cache_) {
      for (const tern::v1::PartitionDescriptor& partition : cached.entry.partitions()) {
        if (partition.partition_id() != partition_id) continue;
        found = partition;
        if (std::chrono::steady_clock::now() - cached.fetched >= cache_ttl_) stale = name;
      }
    }
  }
  if (!stale.empty()) GetTable(stale, [](absl::StatusOr<tern::v1::CatalogEntry>) {});
  return found;
}

void CatalogClient::GetTableCached(const std::string& name, EntryDone done) {
  std::optional<tern::v1::CatalogEntry> hit;
  {
    base::MutexLock lock(&mu_);
    auto it = cache_.find(name);
    if (it != cache_.end() && std::chrono::steady_clock::now() - it->second.fetched < cache_ttl_) {
      hit = it->second.entry;
    }
  }
  if (hit.has_value()) {
    std::move(done)(*std::move(hit));
    return;
  }
  GetTable(name, std::move(done));
}

void CatalogClient::ListTables(const std::string& exclusive_start, uint32_t limit, ListDone done) {
  tern::v1::ListTablesRequest request;
  request.set_exclusive_start_table_name(exclusive_start);
  request.set_limit(limit);
  rpc::AsyncUnary<tern::v1::ListTablesResponse>(
      std::move(request),
      kTimeout,
      [this](auto* context, auto* req, auto* resp, auto callback) {
        stub_->async()->ListTables(context, req, resp, std::move(callback));
      },
      std::move(done));
}

void CatalogClient::CreateTable(const tern::v1::TableDescriptor& table, EntryDone done) {
  tern::v1::CreateTableRequest request;
  *request.mutable_table() = table;
  rpc::AsyncUnary<tern::v1::CatalogEntry>(
      std::move(request),
      kTimeout,
      [this](auto* context, auto* req, auto* resp, auto callback) {
        stub_->async()->CreateTable(context, req, resp, std::move(callback));
      },
      std::move(done));
}

void CatalogClient::UpdateTable(const tern::v1::TableDescriptor& table,
                                uint64_t expected_version,
                                EntryDone done) {
  tern::v1::UpdateTableRequest request;
  *request.mutable_table() = table;
  request.set_expected_version(expected_version);
  std::string name = table.name();
  rpc::AsyncUnary<tern::v1::CatalogEntry>(
      std::move(request),
      kTimeout,
      [this](auto* context, auto* req, auto* resp, auto callback) {
        stub_->async()->UpdateTable(context, req, resp, std::move(callback));
      },
      [this, name, done = std::move(done)](absl::StatusOr<tern::v1::CatalogEntry> result) mutable {
        Forget(name);
        std::move(done)(std::move(result));
      });
}

void CatalogClient::DeleteTable(const std::string& name, EntryDone done) {
  tern::v1::DeleteTableRequest request;
  request.set_name(name);
  rpc::AsyncUnary<tern::v1::CatalogEntry>(
      std::move(request),
      kTimeout,
      [this](auto* context, auto* req, auto* resp, auto callback) {
        stub_->async()->DeleteTable(context, req, resp, std::move(callback));
      },
      [this, name, done = std::move(done)](absl::StatusOr<tern::v1::CatalogEntry> result) mutable {
        Forget(name);
        std::move(done)(std::move(result));
      });
}

}  // namespace tern::router
