// Table schema: the request validation of DynamoDB's table operations
// (CreateTable, UpdateTable, the TableName of DescribeTable/DeleteTable/...,
// ListTables) and the rendering of DynamoDB's TableDescription from the
// catalog's tern::v1::TableDescriptor.
//
// Every error is an absl::Status carrying a base::ErrorKind (see
// common/base/error_details.h) and DynamoDB's exact text:
//   kSerialization  a member of the wrong JSON type ("NUMBER_VALUE cannot be
//                   converted to String"), reported for the first such member
//                   in document order, before anything else is checked;
//   kValidation     request-model constraints, all collected into one
//                   "N validation error(s) detected: ...; ..." envelope (at most
//                   10, in DynamoDB's member order), then the semantic rules
//                   ("One or more parameter values were invalid: ...") one at a
//                   time, in DynamoDB's order;
//   kLimitExceeded  account quotas (per-table throughput maximum, the daily
//                   budget of throughput decreases, one online index change);
//   kResourceInUse  UpdateTable on a table that is CREATING, DELETING or
//                   (except for DeletionProtectionEnabled) UPDATING.
// The table of every message with its source is at the top of table_schema.cc.
//
// JSON null members are treated as absent, and unknown members are ignored,
// as DynamoDB does. All functions are pure and thread-safe; nothing here
// throws (Boost.JSON accessors are used only after their kind is checked).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "boost/json/object.hpp"
#include "boost/json/value.hpp"
#include "router/api/validation.h"
#include "tern/v1/control.pb.h"

namespace tern::router {

// Account quotas the table operations enforce, as DescribeLimits reports them.
// region appears in the LimitExceededException texts.
struct TableLimits {
  std::string region = "us-east-1";
  int64_t max_read_capacity_units = 40000;   // per table and per GSI
  int64_t max_write_capacity_units = 40000;  // per table and per GSI
};

// Validates a whole CreateTable request and returns the new table's
// descriptor: status "CREATING", creation_time_ms = now, billing_mode
// ("PROVISIONED" unless PAY_PER_REQUEST is asked for), throughput (0/0 for
// PAY_PER_REQUEST), indexes (GSIs "CREATING"), stream (label = now as
// DynamoDB's StreamLabel when enabled), tags, SSE, table class ("STANDARD"
// when not given) and deletion protection. billing_mode_last_update_ms is the
// time of the last switch to PAY_PER_REQUEST: now for an on-demand table, 0
// for a provisioned one. table_id and table_uuid are left for the caller.
// Errors: kSerialization, kValidation, kLimitExceeded (throughput above limits).
absl::StatusOr<tern::v1::TableDescriptor> ParseCreateTable(const boost::json::object& request,
                                                           absl::Time now,
                                                           const TableLimits& limits = {});

// Validates an UpdateTable request against the table's current descriptor
// and returns the new descriptor. Supported: BillingMode switches (with the
// GSI throughput DynamoDB requires when switching to PROVISIONED),
// ProvisionedThroughput changes (with DynamoDB's daily decrease budget),
// GlobalSecondaryIndexUpdates.Update (GSI throughput), StreamSpecification,
// SSESpecification, TableClass and DeletionProtectionEnabled. GSI Create and
// Delete are validated like DynamoDB does and then rejected with a
// ValidationException saying Tern does not support them yet.
// The status becomes "UPDATING" when DynamoDB reports UPDATING (throughput,
// billing mode, stream, table class); deletion protection and SSE changes
// keep the status, a GSI throughput change marks only that index UPDATING.
// REQUIRES: current describes the table the request names (the caller looks
// it up by TableName; validation of the request comes first, so a bad request
// on a missing table is a ValidationException, as in DynamoDB).
// Errors: kSerialization, kValidation, kLimitExceeded, kResourceInUse.
absl::StatusOr<tern::v1::TableDescriptor> ApplyUpdateTable(const boost::json::object& request,
                                                           const tern::v1::TableDescriptor& current,
                                                           absl::Time now,
                                                           const TableLimits& limits = {});

// Adds the constraint violations of a TableName member to errors, in
// DynamoDB's order: "Value null at 'tableName' failed to satisfy constraint:
// Member must not be null" when value is null or absent (nullptr); otherwise
// the pattern [a-zA-Z0-9_.-]+, then length >= 3, then length <= 255.
// REQUIRES: value is nullptr, null or a string (a member of another type is a
// SerializationException; see ValidateTableNameMember).
void ValidateTableName(const boost::json::value* value, ValidationErrors* errors);

// The TableName check of the control-plane operations that take nothing else
// (DescribeTable, DeleteTable, DescribeTimeToLive, ...): an absent member is
// "The parameter 'TableName' is required but was not present in the request",
// a non-string a SerializationException, anything else ValidateTableName's
// envelope. OK when the name is valid.
absl::Status ValidateTableNameMember(const boost::json::object& request);

// ListTables: Limit must be an integer in 1..100 and ExclusiveStartTableName a
// valid table name (pattern, then length 3..255), reported in that order in
// one envelope. Errors: kSerialization, kValidation.
absl::Status ValidateListTables(const boost::json::object& request);

// Live sizes DescribeTable reports next to the catalog's descriptor.
struct TableStats {
  int64_t item_count = 0;
  int64_t size_bytes = 0;
};

// arn:aws:dynamodb:<region>:<account>:table/<table_name>
std::string TableArn(absl::string_view region, absl::string_view account, absl::string_view name);

// The TableDescription object as DescribeTable and CreateTable return it, with
// DynamoDB's member names, order and JSON types: AttributeDefinitions,
// TableName, KeySchema, TableStatus, CreationDateTime (epoch seconds, a JSON
// number with fraction), ProvisionedThroughput (LastIncrease/DecreaseDateTime
// when set, NumberOfDecreasesToday, Read/WriteCapacityUnits; 0/0 for
// PAY_PER_REQUEST), TableSizeBytes, ItemCount, TableArn, TableId (table_uuid),
// BillingModeSummary (on-demand tables, and provisioned ones that were once
// on-demand), LocalSecondaryIndexes, GlobalSecondaryIndexes (IndexName,
// KeySchema, Projection, IndexStatus and ProvisionedThroughput for GSIs,
// IndexSizeBytes, ItemCount, IndexArn; index sizes are reported as 0),
// StreamSpecification (while enabled), LatestStreamLabel and LatestStreamArn
// (once a stream was ever enabled; DynamoDB keeps them after disabling),
// SSEDescription (when SSE is enabled), TableClassSummary (when not STANDARD)
// and DeletionProtectionEnabled.
boost::json::object TableDescriptionJson(const tern::v1::TableDescriptor& table,
                                         const TableStats& stats,
                                         absl::string_view region,
                                         absl::string_view account);

// The shorter TableDescription DeleteTable returns: DynamoDB leaves out
// AttributeDefinitions, KeySchema, CreationDateTime and the indexes. Members:
// TableName, TableStatus, ProvisionedThroughput, TableSizeBytes, ItemCount,
// TableArn, TableId, BillingModeSummary. The caller sets the status
// (DELETING) on the descriptor it passes.
boost::json::object DeleteTableDescriptionJson(const tern::v1::TableDescriptor& table,
                                               const TableStats& stats,
                                               absl::string_view region,
                                               absl::string_view account);

}  // namespace tern::router
