#include "control-plane/server/catalog_group.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/base/mutex.h"

namespace tern::control {

CatalogGroup::CatalogGroup(CatalogGroupOptions options,
                           engine::StorageEngine* engine,
                           Catalog* catalog)
    : options_(std::move(options)),
      host_(
          [&] {
            replica::HostOptions host;
            host.node_id = options_.replica_id;
            host.tick = options_.tick;
            // What the lease leaves of the election window, as tern-node's
            // default: (10 - 1 - 5 - 0.5) ticks allow 2 (docs/replication.md).
            host.max_tick_gap = 2 * options_.tick;
            host.raft.random_seed = options_.replica_id * 0x9e3779b97f4a7c15ULL + 3;
            return host;
          }(),
          engine,
          [catalog](const tern::v1::PartitionDescriptor&) {
            return std::make_unique<CatalogMachine>(catalog);
          }),
      service_(&host_) {}

absl::StatusOr<std::unique_ptr<CatalogGroup>> CatalogGroup::Start(CatalogGroupOptions options,
                                                                  engine::StorageEngine* engine,
                                                                  Catalog* catalog) {
  if (options.replica_id == 0 || options.replica_id > options.replicas.size()) {
    return absl::InvalidArgumentError(absl::StrCat("replica id ",
                                                   options.replica_id,
                                                   " is not among the ",
                                                   options.replicas.size(),
                                                   " control-plane replicas"));
  }
  std::unique_ptr<CatalogGroup> group(new CatalogGroup(std::move(options), engine, catalog));
  tern::v1::PartitionDescriptor descriptor;
  descriptor.set_partition_id(kCatalogGroupId);
  for (size_t i = 0; i < group->options_.replicas.size(); ++i) {
    tern::v1::ReplicaDescriptor* replica = descriptor.add_replicas();
    replica->set_node_id(i + 1);
    replica->set_address(group->options_.replicas[i].ToString());
  }
  if (absl::Status opened = group->host_.OpenGroup(descriptor); !opened.ok()) return opened;
  group->group_ = group->host_.Group(kCatalogGroupId);
  CatalogGroup* raw = group.get();
  catalog->Replicate([raw](std::string command) { return raw->Propose(std::move(command)); },
                     [raw] { return raw->CheckServing(); });
  group->host_.Start();
  return group;
}

CatalogGroup::~CatalogGroup() { host_.Stop(); }

absl::StatusOr<std::string> CatalogGroup::Propose(std::string command) {
  struct Awaited {
    base::Notification done;
    absl::StatusOr<std::string> result = absl::UnknownError("not answered");
  };
  auto awaited = std::make_shared<Awaited>();
  group_->Propose(std::move(command), [awaited](absl::StatusOr<std::string> result) {
    awaited->result = std::move(result);
    awaited->done.Notify();
  });
  if (!awaited->done.WaitForNotificationWithTimeout(absl::FromChrono(options_.propose_timeout))) {
    return absl::DeadlineExceededError("the catalog change was not applied in time");
  }
  return awaited->result;
}

absl::Status CatalogGroup::CheckServing() const { return group_->CheckServing(); }

}  // namespace tern::control
