#include "control-plane/catalog/catalog.h"

#include <algorithm>
#include <random>
#include <set>

#include "absl/numeric/int128.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/status_macros.h"
#include "common/model/key_codec.h"

namespace tern::control {
namespace {

constexpr char kTablePrefix[] = "table/";
constexpr char kNextTableIdKey[] = "catalog/next_table_id";
constexpr char kDrainingPrefix[] = "draining/";
constexpr char kVersionKey[] = "catalog/version";

std::string TableKey(const std::string& name) { return kTablePrefix + name; }

// The first key after every key starting with prefix (prefix ends in '/').
std::string PrefixEnd(std::string prefix) {
  prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

std::string NewUuid() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  uint64_t a = rng();
  uint64_t b = rng();
  // Version 4, variant 1.
  a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x",
                         a >> 32,
                         (a >> 16) & 0xFFFF,
                         a & 0xFFFF,
                         b >> 48,
                         b & 0xFFFFFFFFFFFFULL);
}

}  // namespace

Catalog::Catalog(engine::StorageEngine* store, time::Clock* clock, int default_partitions)
    : store_(store), clock_(clock), default_partitions_(default_partitions) {}

absl::Status Catalog::Load() {
  base::MutexLock lock(&mu_);
  TERN_ASSIGN_OR_RETURN(std::optional<std::string> next,
                        store_->Get(engine::ColumnFamily::kMeta, kNextTableIdKey));
  if (next.has_value()) next_table_id_ = std::stoull(*next);
  TERN_ASSIGN_OR_RETURN(std::optional<std::string> version,
                        store_->Get(engine::ColumnFamily::kMeta, kVersionKey));
  if (version.has_value() && !absl::SimpleAtoi(*version, &version_)) {
    return absl::DataLossError("catalog version is unreadable");
  }
  TERN_ASSIGN_OR_RETURN(auto rows, store_->Scan(engine::ColumnFamily::kMeta, kTablePrefix));
  for (const auto& [key, value] : rows) {
    tern::v1::CatalogEntry entry;
    if (!entry.ParseFromString(value)) {
      return absl::DataLossError(absl::StrCat("catalog entry ", key, " is unreadable"));
    }
    tables_[entry.table().name()] = std::move(entry);
  }
  TERN_ASSIGN_OR_RETURN(auto draining, store_->Scan(engine::ColumnFamily::kMeta, kDrainingPrefix));
  for (const auto& [key, value] : draining) {
    uint64_t node_id = 0;
    if (!absl::SimpleAtoi(absl::string_view(key).substr(sizeof(kDrainingPrefix) - 1), &node_id)) {
      return absl::DataLossError(absl::StrCat("catalog key ", key, " is unreadable"));
    }
    draining_.insert(node_id);
  }
  return absl::OkStatus();
}

std::set<uint64_t> Catalog::Draining() const {
  base::MutexLock lock(&mu_);
  return draining_;
}

bool Catalog::Assigned(uint64_t table_id) const {
  base::MutexLock lock(&mu_);
  return table_id > 0 && table_id < next_table_id_;
}

std::optional<tern::v1::CatalogEntry> Catalog::TableOfPartition(uint64_t partition_id) const {
  base::MutexLock lock(&mu_);
  const uint64_t table_id = partition_id >> kPartitionIdBits;
  for (const auto& [name, entry] : tables_) {
    if (entry.table().table_id() == table_id) return entry;
  }
  return std::nullopt;
}

absl::StatusOr<tern::v1::CatalogEntry> Catalog::Get(const std::string& name) const {
  base::MutexLock lock(&mu_);
  auto it = tables_.find(name);
  if (it == tables_.end()) return absl::NotFoundError(absl::StrCat("Table: ", name, " not found"));
  return it->second;
}

tern::v1::ListTablesResponse Catalog::List(const std::string& exclusive_start,
                                           uint32_t limit) const {
  base::MutexLock lock(&mu_);
  tern::v1::ListTablesResponse response;
  auto it = exclusive_start.empty() ? tables_.begin() : tables_.upper_bound(exclusive_start);
  for (; it != tables_.end(); ++it) {
    if (limit > 0 && static_cast<uint32_t>(response.table_names_size()) == limit) {
      // More remain: the last name returned is where the next page starts.
      response.set_last_evaluated_table_name(response.table_names(response.table_names_size() - 1));
      break;
    }
    response.add_table_names(it->first);
  }
  return response;
}

int PartitionCount(const tern::v1::TableDescriptor& table, int default_partitions) {
  if (table.billing_mode() != "PROVISIONED") return std::max(1, default_partitions);
  // DynamoDB's sizing: one partition serves up to 3,000 RCU or 1,000 WCU.
  const int64_t reads = table.throughput().read_capacity_units();
  const int64_t writes = table.throughput().write_capacity_units();
  const int64_t needed = (reads + 2999) / 3000 + (writes + 999) / 1000;
  return static_cast<int>(std::clamp<int64_t>(needed, 1, kMaxPartitionsPerTable));
}

std::string HashBoundary(uint64_t table_id, int i, int count) {
  const absl::uint128 scaled =
      (absl::uint128(static_cast<uint64_t>(i)) << 64) / absl::uint128(static_cast<uint64_t>(count));
  const uint64_t hash = absl::Uint128Low64(scaled);
  std::string key = model::TablePrefix(table_id);
  for (int shift = 56; shift >= 0; shift -= 8) {
    key.push_back(static_cast<char>((hash >> shift) & 0xff));
  }
  return key;
}

std::vector<tern::v1::NodeInfo> PlaceReplicas(const std::vector<tern::v1::NodeInfo>& nodes,
                                              uint64_t salt) {
  // Nodes by AZ, each AZ's nodes by id, so placement is deterministic.
  std::map<std::string, std::vector<tern::v1::NodeInfo>> by_az;
  for (const tern::v1::NodeInfo& node : nodes) by_az[node.az()].push_back(node);
  for (auto& [az, members] : by_az) {
    std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
      return a.node_id() < b.node_id();
    });
  }
  std::vector<const std::vector<tern::v1::NodeInfo>*> azs;
  for (const auto& [az, members] : by_az) azs.push_back(&members);
  std::vector<tern::v1::NodeInfo> chosen;
  std::set<uint64_t> taken;
  // One replica per AZ first, starting at an AZ that rotates with salt, then
  // (fewer AZs than replicas) more nodes from the AZs again.
  for (size_t round = 0; chosen.size() < kReplicasPerPartition && round < nodes.size(); ++round) {
    for (size_t i = 0; i < azs.size() && chosen.size() < kReplicasPerPartition; ++i) {
      const auto& members = *azs[(i + salt) % azs.size()];
      const tern::v1::NodeInfo& node = members[(salt + round) % members.size()];
      if (taken.insert(node.node_id()).second) chosen.push_back(node);
    }
  }
  return chosen;
}

void Catalog::Replicate(Proposer proposer, std::function<absl::Status()> serving) {
  proposer_ = std::move(proposer);
  serving_ = std::move(serving);
}

absl::Status Catalog::Serving() const { return serving_ ? serving_() : absl::OkStatus(); }

absl::StatusOr<std::string> Catalog::Execute(const tern::v1::CatalogCommand& command) {
  if (proposer_) return proposer_(command.SerializeAsString());
  engine::WriteBatch batch;
  TERN_ASSIGN_OR_RETURN(std::string result, Apply(command.SerializeAsString(), &batch));
  TERN_RETURN_IF_ERROR(store_->Write(batch, /*sync=*/true));
  return result;
}

template <typename Message>
absl::StatusOr<Message> Catalog::ExecuteFor(const tern::v1::CatalogCommand& command) {
  TERN_ASSIGN_OR_RETURN(std::string bytes, Execute(command));
  Message result;
  if (!result.ParseFromString(bytes)) return absl::InternalError("unreadable catalog result");
  return result;
}

absl::StatusOr<tern::v1::CatalogEntry> Catalog::Create(
    tern::v1::TableDescriptor table, const std::vector<tern::v1::NodeInfo>& nodes) {
  if (nodes.empty()) {
    return absl::UnavailableError("no storage node is alive to place the table on");
  }
  uint64_t likely_id = 0;
  {
    base::MutexLock lock(&mu_);
    if (tables_.count(table.name()) > 0) {
      return absl::AlreadyExistsError(absl::StrCat("Table already exists: ", table.name()));
    }
    likely_id = next_table_id_;
  }
  table.set_table_uuid(NewUuid());
  table.set_status("CREATING");
  tern::v1::CatalogCommand command;
  tern::v1::CreateTableCommand* create = command.mutable_create();
  const int count = PartitionCount(table, default_partitions_);
  for (int i = 0; i < count; ++i) {
    tern::v1::PartitionPlacement* placement = create->add_partitions();
    // The salt only spreads partitions over nodes; the placement travels in
    // the command, so replicas need not agree on it.
    for (const tern::v1::NodeInfo& node :
         PlaceReplicas(nodes, likely_id + static_cast<uint64_t>(i))) {
      tern::v1::ReplicaDescriptor* replica = placement->add_replicas();
      replica->set_node_id(node.node_id());
      replica->set_az(node.az());
      replica->set_address(node.address());
    }
  }
  *create->mutable_table() = std::move(table);
  return ExecuteFor<tern::v1::CatalogEntry>(command);
}

absl::StatusOr<tern::v1::CatalogEntry> Catalog::Update(const tern::v1::TableDescriptor& table,
                                                       uint64_t expected_version) {
  tern::v1::CatalogCommand command;
  *command.mutable_update()->mutable_table() = table;
  command.mutable_update()->set_expected_version(expected_version);
  return ExecuteFor<tern::v1::CatalogEntry>(command);
}

absl::StatusOr<tern::v1::CatalogEntry> Catalog::SetStatus(const std::string& name,
                                                          const std::string& status) {
  tern::v1::CatalogCommand command;
  command.mutable_set_status()->set_name(name);
  command.mutable_set_status()->set_status(status);
  return ExecuteFor<tern::v1::CatalogEntry>(command);
}

absl::Status Catalog::Remove(const std::string& name) {
  tern::v1::CatalogCommand command;
  command.mutable_remove()->set_name(name);
  return Execute(command).status();
}

absl::StatusOr<tern::v1::PartitionDescriptor> Catalog::MoveReplica(uint64_t partition_id,
                                                                   uint64_t from,
                                                                   const tern::v1::NodeInfo& to) {
  tern::v1::CatalogCommand command;
  command.mutable_move()->set_partition_id(partition_id);
  command.mutable_move()->set_from_node_id(from);
  *command.mutable_move()->mutable_to() = to;
  return ExecuteFor<tern::v1::PartitionDescriptor>(command);
}

absl::Status Catalog::SetDraining(uint64_t node_id, bool draining) {
  tern::v1::CatalogCommand command;
  command.mutable_drain()->set_node_id(node_id);
  command.mutable_drain()->set_undo(!draining);
  return Execute(command).status();
}

void Catalog::Put(const tern::v1::CatalogEntry& entry, engine::WriteBatch* batch) {
  batch->Put(
      engine::ColumnFamily::kMeta, TableKey(entry.table().name()), entry.SerializeAsString());
  tables_[entry.table().name()] = entry;
}

absl::StatusOr<std::string> Catalog::Apply(const std::string& bytes, engine::WriteBatch* batch) {
  tern::v1::CatalogCommand command;
  if (!command.ParseFromString(bytes)) return absl::DataLossError("unreadable catalog command");
  base::MutexLock lock(&mu_);
  absl::StatusOr<std::string> result = ApplyLocked(command, batch);
  if (result.ok()) {
    ++version_;
    batch->Put(engine::ColumnFamily::kMeta, kVersionKey, std::to_string(version_));
  }
  return result;
}

uint64_t Catalog::version() const {
  base::MutexLock lock(&mu_);
  return version_;
}

tern::v1::PartitionMap Catalog::Map() const {
  base::MutexLock lock(&mu_);
  tern::v1::PartitionMap map;
  map.set_version(version_);
  for (const auto& [name, entry] : tables_) {
    if (entry.table().status() == "ACTIVE") *map.add_entries() = entry;
  }
  return map;
}

absl::StatusOr<std::string> Catalog::ApplyLocked(const tern::v1::CatalogCommand& command,
                                                 engine::WriteBatch* batch) {
  switch (command.command_case()) {
    case tern::v1::CatalogCommand::kCreate: {
      const tern::v1::CreateTableCommand& create = command.create();
      const std::string& name = create.table().name();
      if (tables_.count(name) > 0) {
        return absl::AlreadyExistsError(absl::StrCat("Table already exists: ", name));
      }
      const int count = create.partitions_size();
      if (count < 1 || count > kMaxPartitionsPerTable) {
        return absl::InvalidArgumentError("a table needs 1 to 1024 partitions");
      }
      const uint64_t table_id = next_table_id_++;
      batch->Put(engine::ColumnFamily::kMeta, kNextTableIdKey, std::to_string(next_table_id_));
      tern::v1::CatalogEntry entry;
      *entry.mutable_table() = create.table();
      entry.mutable_table()->set_table_id(table_id);
      entry.set_version(1);
      for (int i = 0; i < count; ++i) {
        tern::v1::PartitionDescriptor* partition = entry.add_partitions();
        partition->set_partition_id((table_id << kPartitionIdBits) | static_cast<uint64_t>(i));
        partition->set_table_id(table_id);
        partition->set_epoch(1);
        // Equal slices of the table's hash space: storage keys are table id
        // | hash of the partition key | ... (docs/formats/key-encoding.md).
        if (i > 0) partition->set_start_key(HashBoundary(table_id, i, count));
        if (i + 1 < count) partition->set_end_key(HashBoundary(table_id, i + 1, count));
        *partition->mutable_replicas() = create.partitions(i).replicas();
        if (partition->replicas_size() > 0) {
          partition->set_leader_hint_node_id(partition->replicas(0).node_id());
        }
      }
      Put(entry, batch);
      return entry.SerializeAsString();
    }
    case tern::v1::CatalogCommand::kUpdate: {
      const tern::v1::TableDescriptor& table = command.update().table();
      auto it = tables_.find(table.name());
      if (it == tables_.end()) {
        return absl::NotFoundError(absl::StrCat("Table: ", table.name(), " not found"));
      }
      if (it->second.version() != command.update().expected_version()) {
        return absl::AbortedError("the table changed concurrently; retry");
      }
      tern::v1::CatalogEntry entry = it->second;
      *entry.mutable_table() = table;
      entry.set_version(entry.version() + 1);
      Put(entry, batch);
      return entry.SerializeAsString();
    }
    case tern::v1::CatalogCommand::kSetStatus: {
      const std::string& name = command.set_status().name();
      const std::string& status = command.set_status().status();
      auto it = tables_.find(name);
      if (it == tables_.end()) {
        return absl::NotFoundError(absl::StrCat("Table: ", name, " not found"));
      }
      tern::v1::CatalogEntry entry = it->second;
      entry.mutable_table()->set_status(status);
      for (tern::v1::SecondaryIndex& index : *entry.mutable_table()->mutable_global_indexes()) {
        if (status == "ACTIVE") index.set_status("ACTIVE");
      }
      entry.set_version(entry.version() + 1);
      Put(entry, batch);
      return entry.SerializeAsString();
    }
    case tern::v1::CatalogCommand::kRemove: {
      const std::string& name = command.remove().name();
      auto it = tables_.find(name);
      if (it == tables_.end()) {
        return absl::NotFoundError(absl::StrCat("Table: ", name, " not found"));
      }
      batch->Delete(engine::ColumnFamily::kMeta, TableKey(name));
      tables_.erase(it);
      return std::string();
    }
    case tern::v1::CatalogCommand::kMove:
      return ApplyMove(command.move(), batch);
    case tern::v1::CatalogCommand::kDrain: {
      const uint64_t node_id = command.drain().node_id();
      const std::string key = absl::StrCat(kDrainingPrefix, node_id);
      if (!command.drain().undo()) {
        batch->Put(engine::ColumnFamily::kMeta, key, "");
        draining_.insert(node_id);
      } else {
        batch->Delete(engine::ColumnFamily::kMeta, key);
        draining_.erase(node_id);
      }
      return std::string();
    }
    case tern::v1::CatalogCommand::kPlanSplit:
      return ApplyPlanSplit(command.plan_split(), batch);
    case tern::v1::CatalogCommand::kFinishSplit:
      return ApplyFinishSplit(command.finish_split(), batch);
    case tern::v1::CatalogCommand::COMMAND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("empty catalog command");
}

absl::StatusOr<std::string> Catalog::ApplyMove(const tern::v1::MoveReplicaCommand& move,
                                               engine::WriteBatch* batch) {
  const uint64_t partition_id = move.partition_id();
  const uint64_t from = move.from_node_id();
  const tern::v1::NodeInfo& to = move.to();
  const uint64_t table_id = partition_id >> kPartitionIdBits;
  for (auto& [name, current] : tables_) {
    if (current.table().table_id() != table_id) continue;
    tern::v1::CatalogEntry entry = current;
    for (tern::v1::PartitionDescriptor& partition : *entry.mutable_partitions()) {
      if (partition.partition_id() != partition_id) continue;
      if (partition.has_pending_split()) {
        return absl::FailedPreconditionError(
            absl::StrCat("partition ", partition_id, " is being split"));
      }
      tern::v1::ReplicaDescriptor* leaving = nullptr;
      for (tern::v1::ReplicaDescriptor& replica : *partition.mutable_replicas()) {
        if (replica.node_id() == to.node_id()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "node ", to.node_id(), " already holds a replica of partition ", partition_id));
        }
        if (replica.node_id() == from) leaving = &replica;
      }
      if (leaving == nullptr) {
        return absl::FailedPreconditionError(
            absl::StrCat("node ", from, " holds no replica of partition ", partition_id));
      }
      leaving->set_node_id(to.node_id());
      leaving->set_az(to.az());
      leaving->set_address(to.address());
      if (partition.leader_hint_node_id() == from) {
        partition.set_leader_hint_node_id(partition.replicas(0).node_id());
      }
      partition.set_epoch(partition.epoch() + 1);
      entry.set_version(entry.version() + 1);
      const std::string moved = partition.SerializeAsString();
      Put(entry, batch);
      return moved;
    }
  }
  return absl::NotFoundError(absl::StrCat("partition ", partition_id, " not found"));
}

tern::v1::CatalogEntry* Catalog::EntryOfTable(uint64_t table_id) {
  for (auto& [name, entry] : tables_) {
    if (entry.table().table_id() == table_id) return &entry;
  }
  return nullptr;
}

absl::StatusOr<std::string> Catalog::ApplyPlanSplit(const tern::v1::PlanSplitCommand& plan_split,
                                                    engine::WriteBatch* batch) {
  const uint64_t partition_id = plan_split.partition_id();
  tern::v1::CatalogEntry* current = EntryOfTable(partition_id >> kPartitionIdBits);
  if (current == nullptr) {
    return absl::NotFoundError(absl::StrCat("partition ", partition_id, " not found"));
  }
  tern::v1::CatalogEntry entry = *current;
  uint32_t next_index = entry.next_partition_index();
  for (const tern::v1::PartitionDescriptor& partition : entry.partitions()) {
    next_index = std::max<uint32_t>(next_index,
                                    static_cast<uint32_t>(partition.partition_id() & 0xffff) + 1);
  }
  for (tern::v1::PartitionDescriptor& partition : *entry.mutable_partitions()) {
    if (partition.partition_id() != partition_id) continue;
    if (partition.has_pending_split()) {
      if (partition.pending_split().split_key() == plan_split.split_key()) {
        return partition.SerializeAsString();  // planned already
      }
      return absl::FailedPreconditionError(
          absl::StrCat("partition ", partition_id, " is being split already"));
    }
    const std::string begin = partition.start_key().empty()
                                  ? model::TablePrefix(partition.table_id())
                                  : partition.start_key();
    const std::string end =
        partition.end_key().empty() ? model::TableEnd(partition.table_id()) : partition.end_key();
    if (plan_split.split_key() <= begin || plan_split.split_key() >= end) {
      return absl::InvalidArgumentError(
          absl::StrCat("the split key is not inside partition ", partition_id));
    }
    // Table prefix and partition-key hash: item collections stay whole.
    if (plan_split.split_key().size() != model::TablePrefix(partition.table_id()).size() + 8) {
      return absl::InvalidArgumentError(
          "the split key must be a partition-key boundary (16 bytes: table id and key hash)");
    }
    if (next_index + 2 > (1u << kPartitionIdBits)) {
      return absl::ResourceExhaustedError("the table has no partition ids left");
    }
    const uint64_t table_bits = partition.table_id() << kPartitionIdBits;
    tern::v1::SplitPlan* plan = partition.mutable_pending_split();
    plan->set_split_key(plan_split.split_key());
    for (tern::v1::PartitionDescriptor* child : {plan->mutable_left(), plan->mutable_right()}) {
      child->set_partition_id(table_bits | next_index++);
      child->set_table_id(partition.table_id());
      child->set_epoch(partition.epoch() + 1);
      *child->mutable_replicas() = partition.replicas();
      child->set_leader_hint_node_id(partition.leader_hint_node_id());
      child->set_parent_id(partition_id);
    }
    plan->mutable_left()->set_start_key(partition.start_key());
    plan->mutable_left()->set_end_key(plan_split.split_key());
    plan->mutable_right()->set_start_key(plan_split.split_key());
    plan->mutable_right()->set_end_key(partition.end_key());
    entry.set_next_partition_index(next_index);
    entry.set_version(entry.version() + 1);
    const std::string planned = partition.SerializeAsString();
    Put(entry, batch);
    return planned;
  }
  return absl::NotFoundError(absl::StrCat("partition ", partition_id, " not found"));
}

absl::StatusOr<std::string> Catalog::ApplyFinishSplit(const tern::v1::FinishSplitCommand& finish,
                                                      engine::WriteBatch* batch) {
  const uint64_t partition_id = finish.partition_id();
  tern::v1::CatalogEntry* current = EntryOfTable(partition_id >> kPartitionIdBits);
  if (current == nullptr) {
    return absl::NotFoundError(absl::StrCat("partition ", partition_id, " not found"));
  }
  for (const tern::v1::PartitionDescriptor& retired : current->retired()) {
    if (retired.partition_id() == partition_id) return current->SerializeAsString();  // done
  }
  tern::v1::CatalogEntry entry = *current;
  entry.clear_partitions();
  bool found = false;
  for (const tern::v1::PartitionDescriptor& partition : current->partitions()) {
    if (partition.partition_id() != partition_id) {
      *entry.add_partitions() = partition;
      continue;
    }
    if (!partition.has_pending_split()) {
      return absl::FailedPreconditionError(
          absl::StrCat("partition ", partition_id, " has no split planned"));
    }
    found = true;
    *entry.add_partitions() = partition.pending_split().left();
    *entry.add_partitions() = partition.pending_split().right();
    tern::v1::PartitionDescriptor retired = partition;
    retired.clear_pending_split();
    retired.set_retired(true);
    retired.set_split_key(partition.pending_split().split_key());
    retired.add_child_ids(partition.pending_split().left().partition_id());
    retired.add_child_ids(partition.pending_split().right().partition_id());
    *entry.add_retired() = std::move(retired);
  }
  if (!found) return absl::NotFoundError(absl::StrCat("partition ", partition_id, " not found"));
  entry.set_version(entry.version() + 1);
  Put(entry, batch);
  return entry.SerializeAsString();
}

absl::StatusOr<tern::v1::PartitionDescriptor> Catalog::PlanSplit(uint64_t partition_id,
                                                                 const std::string& split_key) {
  tern::v1::CatalogCommand command;
  command.mutable_plan_split()->set_partition_id(partition_id);
  command.mutable_plan_split()->set_split_key(split_key);
  return ExecuteFor<tern::v1::PartitionDescriptor>(command);
}

absl::StatusOr<tern::v1::CatalogEntry> Catalog::FinishSplit(uint64_t partition_id) {
  tern::v1::CatalogCommand command;
  command.mutable_finish_split()->set_partition_id(partition_id);
  return ExecuteFor<tern::v1::CatalogEntry>(command);
}

absl::StatusOr<std::string> Catalog::Export() const {
  base::MutexLock lock(&mu_);
  tern::v1::CatalogSnapshot snapshot;
  snapshot.set_next_table_id(next_table_id_);
  snapshot.set_version(version_);
  for (const auto& [name, entry] : tables_) *snapshot.add_entries() = entry;
  for (uint64_t node : draining_) snapshot.add_draining(node);
  return snapshot.SerializeAsString();
}

absl::Status Catalog::Import(const std::string& data, engine::WriteBatch* batch) {
  tern::v1::CatalogSnapshot snapshot;
  if (!snapshot.ParseFromString(data)) return absl::DataLossError("unreadable catalog snapshot");
  base::MutexLock lock(&mu_);
  batch->DeleteRange(engine::ColumnFamily::kMeta, kTablePrefix, PrefixEnd(kTablePrefix));
  batch->DeleteRange(engine::ColumnFamily::kMeta, kDrainingPrefix, PrefixEnd(kDrainingPrefix));
  tables_.clear();
  draining_.clear();
  next_table_id_ = snapshot.next_table_id();
  batch->Put(engine::ColumnFamily::kMeta, kNextTableIdKey, std::to_string(next_table_id_));
  version_ = snapshot.version();
  batch->Put(engine::ColumnFamily::kMeta, kVersionKey, std::to_string(version_));
  for (const tern::v1::CatalogEntry& entry : snapshot.entries()) Put(entry, batch);
  for (uint64_t node : snapshot.draining()) {
    batch->Put(engine::ColumnFamily::kMeta, absl::StrCat(kDrainingPrefix, node), "");
    draining_.insert(node);
  }
  return absl::OkStatus();
}

std::vector<tern::v1::CatalogEntry> Catalog::InStatus(const std::string& status) const {
  base::MutexLock lock(&mu_);
  std::vector<tern::v1::CatalogEntry> result;
  for (const auto& [name, entry] : tables_) {
    if (entry.table().status() == status) result.push_back(entry);
  }
  return result;
}

}  // namespace tern::control
