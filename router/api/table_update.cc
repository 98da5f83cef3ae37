// UpdateTable: the request rules, the table-state check and the new
// descriptor (see table_schema.h). The message sources are listed at the top
// of table_schema.cc.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "boost/json/object.hpp"
#include "common/base/status_macros.h"
#include "router/api/table_schema.h"
#include "router/api/table_schema_internal.h"
#include "router/api/validation.h"

namespace tern::router {
namespace internal {
namespace {

// ---------------------------------------------------------------------------
// Text helpers.

// "Thursday, October 8, 2026 at 11:20:48 PM Coordinated Universal Time"
std::string HumanUtc(absl::Time t) {
  static constexpr const char* kWeekdays[] = {
      "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
  static constexpr const char* kMonths[] = {"January",
                                            "February",
                                            "March",
                                            "April",
                                            "May",
                                            "June",
                                            "July",
                                            "August",
                                            "September",
                                            "October",
                                            "November",
                                            "December"};
  const absl::CivilSecond cs = absl::ToCivilSecond(t, absl::UTCTimeZone());
  const int weekday = static_cast<int>(absl::GetWeekday(absl::CivilDay(cs)));
  const int hour12 = cs.hour() % 12 == 0 ? 12 : cs.hour() % 12;
  return absl::StrCat(kWeekdays[weekday],
                      ", ",
                      kMonths[cs.month() - 1],
                      " ",
                      cs.day(),
                      ", ",
                      cs.year(),
                      " at ",
                      hour12,
                      ":",
                      absl::Dec(cs.minute(), absl::kZeroPad2),
                      ":",
                      absl::Dec(cs.second(), absl::kZeroPad2),
                      cs.hour() < 12 ? " AM" : " PM",
                      " Coordinated Universal Time");
}

// ---------------------------------------------------------------------------
// Descriptor building.

bool SameUtcDay(int64_t a_millis, int64_t b_millis) {
  const auto day = [](int64_t millis) {
    return absl::ToCivilDay(absl::FromUnixMillis(millis), absl::UTCTimeZone());
  };
  return day(a_millis) == day(b_millis);
}

// Applies a provisioned throughput change with DynamoDB's decrease budget: 4
// decreases per UTC day, then one per hour.
absl::Status ApplyThroughputChange(const ThroughputIn& requested,
                                   absl::Time now,
                                   tern::v1::ProvisionedThroughput* throughput) {
  const int64_t now_ms = absl::ToUnixMillis(now);
  const int64_t read = *requested.read;
  const int64_t write = *requested.write;
  const bool increase =
      read > throughput->read_capacity_units() || write > throughput->write_capacity_units();
  const bool decrease =
      read < throughput->read_capacity_units() || write < throughput->write_capacity_units();
  if (decrease) {
    const int64_t today =
        throughput->last_decrease_ms() != 0 && SameUtcDay(throughput->last_decrease_ms(), now_ms)
            ? throughput->decreases_today()
            : 0;
    if (today >= kFreeDecreasesPerDay) {
      const absl::Time last = absl::FromUnixMillis(throughput->last_decrease_ms());
      const absl::Time midnight =
          absl::FromCivil(absl::ToCivilDay(now, absl::UTCTimeZone()) + 1, absl::UTCTimeZone());
      const absl::Time next = std::min(last + absl::Hours(1), midnight);
      if (now < next) {
        return LimitExceeded(absl::StrCat(
            "Subscriber limit exceeded: Provisioned throughput decreases are limited within a "
            "given UTC day. After the first 4 decreases, each subsequent decrease in the same UTC "
            "day can be performed at most once every 3600 seconds. Number of decreases today: ",
            today,
            ". Last decrease at ",
            HumanUtc(last),
            ". Next decrease can be made at ",
            HumanUtc(next)));
      }
    }
    throughput->set_decreases_today(today + 1);
    throughput->set_last_decrease_ms(now_ms);
  }
  if (increase) throughput->set_last_increase_ms(now_ms);
  throughput->set_read_capacity_units(read);
  throughput->set_write_capacity_units(write);
  return absl::OkStatus();
}

std::string NoChangeMessage(absl::string_view what,
                            const tern::v1::ProvisionedThroughput& current,
                            const ThroughputIn& requested) {
  return absl::StrCat("The provisioned throughput for ",
                      what,
                      " will not change. The requested value equals the current value. Current "
                      "ReadCapacityUnits provisioned for ",
                      what,
                      ": ",
                      current.read_capacity_units(),
                      ". Requested ReadCapacityUnits: ",
                      *requested.read,
                      ". Current WriteCapacityUnits provisioned for ",
                      what,
                      ": ",
                      current.write_capacity_units(),
                      ". Requested WriteCapacityUnits: ",
                      *requested.write,
                      ". ",
                      kReferToGuide);
}

bool SameThroughput(const tern::v1::ProvisionedThroughput& current, const ThroughputIn& requested) {
  return current.read_capacity_units() == *requested.read &&
         current.write_capacity_units() == *requested.write;
}

// ---------------------------------------------------------------------------
// UpdateTable.

// The request-only rules of UpdateTable, before the table is consulted.
absl::Status CheckUpdateRequest(const TableRequestIn& in) {
  const bool gsi_change = in.gsi_updates && !in.gsi_updates->empty();
  const bool anything = in.throughput || in.billing_mode || in.stream || gsi_change || in.sse ||
                        in.deletion_protection || in.table_class;
  if (!anything) return ValidationError(kAtLeastOne);
  if (in.gsi_updates && in.gsi_updates->empty()) {
    return InvalidParameter("List of GlobalSecondaryIndexUpdates is empty");
  }
  const int operations =
      static_cast<int>(in.throughput.has_value()) + static_cast<int>(in.billing_mode.has_value()) +
      static_cast<int>(in.stream.has_value()) + static_cast<int>(gsi_change) +
      static_cast<int>(in.sse.has_value()) + static_cast<int>(in.table_class.has_value()) +
      static_cast<int>(in.deletion_protection.has_value());
  if (operations > 1) {
    if (in.sse) {
      return InvalidParameter(
          "Server-Side Encryption modification must be the only operation in the request");
    }
    if (in.table_class) {
      return InvalidParameter("TableClass modification must be the only operation in the request");
    }
    if (in.deletion_protection) {
      return InvalidParameter(
          "DeletionProtection modification must be the only operation in the request");
    }
  }
  bool index_create_or_delete = false;
  if (in.gsi_updates) {
    for (const GsiUpdateIn& update : *in.gsi_updates) {
      index_create_or_delete |= update.create.has_value() || update.remove.has_value();
    }
  }
  const bool iops = in.throughput.has_value() || in.billing_mode == kProvisioned;
  if (in.stream && iops) {
    return InvalidParameter("You cannot modify stream status while updating table IOPS");
  }
  if (index_create_or_delete && iops) {
    return InvalidParameter("You cannot create or delete index while updating table IOPS");
  }
  if (index_create_or_delete && in.stream) {
    return InvalidParameter("You cannot create or delete index while changing stream status");
  }
  if (in.gsi_updates) {
    std::set<std::string> names;
    int online_changes = 0;
    for (const GsiUpdateIn& update : *in.gsi_updates) {
      const int actions = static_cast<int>(update.update.has_value()) +
                          static_cast<int>(update.create.has_value()) +
                          static_cast<int>(update.remove.has_value());
      if (actions == 0) {
        return InvalidParameter(
            "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
            "GlobalSecondaryIndexUpdate.Delete must not be null");
      }
      if (actions > 1) {
        return InvalidParameter(
            "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate "
            "object");
      }
      const IndexIn& action =
          update.update ? *update.update : (update.create ? *update.create : *update.remove);
      if (!names.insert(*action.name).second) {
        return InvalidParameter(absl::StrCat(
            "Only one global secondary index update per index is allowed simultaneously. Index: ",
            *action.name));
      }
      if (!update.update) ++online_changes;
    }
    if (online_changes > 1) {
      return LimitExceeded(
          "Subscriber limit exceeded: Only 1 online index can be created or deleted "
          "simultaneously per table");
    }
  }
  if (in.billing_mode == kPayPerRequest && in.throughput) {
    return InvalidParameter(
        "ProvisionedThroughput cannot be specified when BillingMode is PAY_PER_REQUEST");
  }
  if (in.throughput) TERN_RETURN_IF_ERROR(CheckOutOfBounds(*in.throughput));
  if (in.stream) {
    if (*in.stream->enabled && !in.stream->view_type) {
      return InvalidParameter("If stream is being enabled then UpdateViewType is required");
    }
    if (!*in.stream->enabled && in.stream->view_type) {
      return InvalidParameter(
          "If stream is being disabled, then UpdateViewType must not be specified");
    }
  }
  if (in.sse) TERN_RETURN_IF_ERROR(CheckSseRules(*in.sse));
  return CheckTableClass(in.table_class);
}

absl::Status CheckTableState(const TableRequestIn& in, const tern::v1::TableDescriptor& current) {
  constexpr absl::string_view kInUse = "Attempt to change a resource which is still in use: ";
  if (current.status() == "CREATING") {
    return ResourceInUse(absl::StrCat(kInUse, "Table is being created: ", current.name()));
  }
  if (current.status() == "DELETING") {
    return ResourceInUse(absl::StrCat(kInUse, "Table is being deleted: ", current.name()));
  }
  const bool only_deletion_protection = in.deletion_protection.has_value() && !in.throughput &&
                                        !in.billing_mode && !in.stream && !in.gsi_updates &&
                                        !in.sse && !in.table_class;
  if (current.status() == "UPDATING" && !only_deletion_protection) {
    return ResourceInUse(absl::StrCat(kInUse, "Table is being updated: ", current.name()));
  }
  return absl::OkStatus();
}

const tern::v1::SecondaryIndex* FindGlobalIndex(const tern::v1::TableDescriptor& table,
                                                absl::string_view name) {
  for (const tern::v1::SecondaryIndex& index : table.global_indexes()) {
    if (index.name() == name) return &index;
  }
  return nullptr;
}

const IndexIn* FindIndexUpdate(const TableRequestIn& in, absl::string_view name) {
  if (!in.gsi_updates) return nullptr;
  for (const GsiUpdateIn& update : *in.gsi_updates) {
    if (update.update && *update.update->name == name) return &*update.update;
  }
  return nullptr;
}

absl::StatusOr<tern::v1::TableDescriptor> ApplyUpdate(const TableRequestIn& in,
                                                      const tern::v1::TableDescriptor& current,
                                                      absl::Time now,
                                                      const TableLimits& limits) {
  if (in.gsi_updates) {
    for (const GsiUpdateIn& update : *in.gsi_updates) {
      if (update.create || update.remove) {
        return InvalidParameter(
            "Tern does not support creating or deleting global secondary indexes with "
            "UpdateTable yet");
      }
      if (FindGlobalIndex(current, *update.update->name) == nullptr) {
        return ValidationError(absl::StrCat(
            "Cannot update an index that is not a GlobalSecondaryIndex: ", *update.update->name));
      }
    }
  }
  const bool was_on_demand = current.billing_mode() == kPayPerRequest;
  const std::string target_billing =
      in.billing_mode ? *in.billing_mode : std::string(current.billing_mode());
  const bool on_demand = target_billing == kPayPerRequest;
  if (on_demand && in.throughput) {
    return InvalidParameter(
        "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
        "PAY_PER_REQUEST");
  }
  if (in.gsi_updates && on_demand) {
    for (const GsiUpdateIn& update : *in.gsi_updates) {
      if (update.update->throughput) {
        return InvalidParameter(absl::StrCat("The only Updates for index: ",
                                             *update.update->name,
                                             " when TableThroughputMode is PAY_PER_REQUEST can "
                                             "be to OnDemandThroughput, WarmThroughput"));
      }
    }
  }
  const bool to_provisioned = was_on_demand && !on_demand;
  if (to_provisioned) {
    if (!in.throughput) {
      return InvalidParameter(
          "ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
    }
    for (const tern::v1::SecondaryIndex& index : current.global_indexes()) {
      const IndexIn* update = FindIndexUpdate(in, index.name());
      if (update == nullptr || !update->throughput) {
        return InvalidParameter(
            absl::StrCat("ProvisionedThroughput must be specified for index: ", index.name()));
      }
    }
  }
  if (in.throughput && !to_provisioned && SameThroughput(current.throughput(), *in.throughput)) {
    return ValidationError(NoChangeMessage("the table", current.throughput(), *in.throughput));
  }
  if (in.gsi_updates && !to_provisioned) {
    for (const GsiUpdateIn& update : *in.gsi_updates) {
      const tern::v1::SecondaryIndex* index = FindGlobalIndex(current, *update.update->name);
      if (SameThroughput(index->throughput(), *update.update->throughput)) {
        return ValidationError(NoChangeMessage(absl::StrCat("the index ", index->name()),
                                               index->throughput(),
                                               *update.update->throughput));
      }
    }
  }
  if (in.stream) {
    if (*in.stream->enabled && current.stream().enabled()) {
      return ValidationError(
          absl::StrCat("Table already has an enabled stream: TableName: ", current.name()));
    }
    if (!*in.stream->enabled && !current.stream().enabled()) {
      return ValidationError(
          absl::StrCat("Table has no stream to disable: TableName: ", current.name()));
    }
  }
  if (in.sse) {
    const bool enable = SseRequestsEncryption(*in.sse);
    if (!enable && !current.sse().enabled()) {
      return InvalidParameter("Table is already encrypted by default");
    }
    if (enable && current.sse().enabled() && in.sse->key &&
        *in.sse->key == current.sse().kms_master_key_id()) {
      return InvalidParameter(
          "Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter "
          "if you want to change Master Key");
    }
  }
  if (in.throughput) TERN_RETURN_IF_ERROR(CheckTableMaximum(*in.throughput, limits));
  if (in.gsi_updates) {
    for (const GsiUpdateIn& update : *in.gsi_updates) {
      TERN_RETURN_IF_ERROR(
          CheckIndexMaximum(*update.update->name, *update.update->throughput, limits));
    }
  }

  tern::v1::TableDescriptor table = current;
  bool updating = false;
  if (in.billing_mode) {
    updating = true;  // DynamoDB answers UPDATING even for a re-send of the current mode
    table.set_billing_mode(target_billing);
    if (on_demand) {
      if (!was_on_demand) table.set_billing_mode_last_update_ms(absl::ToUnixMillis(now));
      table.mutable_throughput()->set_read_capacity_units(0);
      table.mutable_throughput()->set_write_capacity_units(0);
      for (tern::v1::SecondaryIndex& index : *table.mutable_global_indexes()) {
        index.mutable_throughput()->set_read_capacity_units(0);
        index.mutable_throughput()->set_write_capacity_units(0);
      }
    }
  }
  if (in.throughput) {
    updating = true;
    if (to_provisioned) {
      table.mutable_throughput()->set_read_capacity_units(*in.throughput->read);
      table.mutable_throughput()->set_write_capacity_units(*in.throughput->write);
    } else {
      TERN_RETURN_IF_ERROR(ApplyThroughputChange(*in.throughput, now, table.mutable_throughput()));
    }
  }
  if (in.gsi_updates) {
    for (const GsiUpdateIn& update : *in.gsi_updates) {
      for (tern::v1::SecondaryIndex& index : *table.mutable_global_indexes()) {
        if (index.name() != *update.update->name) continue;
        if (to_provisioned) {
          index.mutable_throughput()->set_read_capacity_units(*update.update->throughput->read);
          index.mutable_throughput()->set_write_capacity_units(*update.update->throughput->write);
        } else {
          TERN_RETURN_IF_ERROR(
              ApplyThroughputChange(*update.update->throughput, now, index.mutable_throughput()));
        }
        index.set_status("UPDATING");
      }
    }
  }
  if (in.stream) {
    updating = true;
    tern::v1::StreamSpecification* stream = table.mutable_stream();
    if (*in.stream->enabled) {
      stream->set_enabled(true);
      stream->set_view_type(*in.stream->view_type);
      stream->set_label(StreamLabel(now));
    } else {
      // LatestStreamLabel and LatestStreamArn outlive the stream in DescribeTable.
      stream->set_enabled(false);
    }
  }
  if (in.sse) {
    tern::v1::SseDescription* sse = table.mutable_sse();
    if (SseRequestsEncryption(*in.sse)) {
      sse->set_enabled(true);
      sse->set_sse_type("KMS");
      if (in.sse->key) sse->set_kms_master_key_id(*in.sse->key);
    } else {
      sse->Clear();
    }
  }
  if (in.table_class) {
    updating = true;
    table.set_table_class(*in.table_class);
  }
  if (in.deletion_protection) table.set_deletion_protection(*in.deletion_protection);
  if (updating) table.set_status("UPDATING");
  return table;
}

}  // namespace

}  // namespace internal

using internal::ApplyUpdate;
using internal::CheckAttributeDefinitions;
using internal::CheckBillingMode;
using internal::CheckGlobalIndex;
using internal::CheckIndexName;
using internal::CheckName;
using internal::CheckSse;
using internal::CheckStream;
using internal::CheckTableState;
using internal::CheckThroughput;
using internal::CheckUpdateRequest;
using internal::Envelope;
using internal::GsiUpdateIn;
using internal::kTableNameRequired;
using internal::ReadTableRequest;
using internal::TableRequestIn;

// ---------------------------------------------------------------------------
// Public API.

absl::StatusOr<tern::v1::TableDescriptor> ApplyUpdateTable(const boost::json::object& request,
                                                           const tern::v1::TableDescriptor& current,
                                                           absl::Time now,
                                                           const TableLimits& limits) {
  TableRequestIn in;
  TERN_RETURN_IF_ERROR(ReadTableRequest(request, /*update=*/true, &in));
  if (!in.table_name) return ValidationError(kTableNameRequired);

  ValidationErrors errors;
  Envelope envelope(&errors);
  CheckAttributeDefinitions(in.attribute_definitions, /*required=*/false, &envelope);
  CheckName(*in.table_name, "tableName", &envelope);
  CheckBillingMode(in.billing_mode, &envelope);
  CheckThroughput(in.throughput, "provisionedThroughput", /*required=*/false, &envelope);
  if (in.gsi_updates) {
    for (size_t i = 0; i < in.gsi_updates->size(); ++i) {
      const GsiUpdateIn& update = (*in.gsi_updates)[i];
      const std::string member = absl::StrCat("globalSecondaryIndexUpdates.", i + 1, ".member");
      if (update.update) {
        CheckIndexName(update.update->name, member + ".update.indexName", &envelope);
        CheckThroughput(update.update->throughput,
                        member + ".update.provisionedThroughput",
                        /*required=*/true,
                        &envelope);
      }
      if (update.create) CheckGlobalIndex(*update.create, member + ".create", &envelope);
      if (update.remove) {
        CheckIndexName(update.remove->name, member + ".delete.indexName", &envelope);
      }
    }
  }
  CheckStream(in.stream, &envelope);
  CheckSse(in.sse, &envelope);
  TERN_RETURN_IF_ERROR(errors.ToStatus());

  TERN_RETURN_IF_ERROR(CheckUpdateRequest(in));
  TERN_RETURN_IF_ERROR(CheckTableState(in, current));
  return ApplyUpdate(in, current, now, limits);
}

}  // namespace tern::router
