// Internal helpers shared by the table_*.cc files that implement
// table_schema.h (CreateTable, UpdateTable, TableName/ListTables validation,
// TableDescription): limits and fixed texts, the error constructors, the
// validation envelope, the request model read from JSON, and the checks that
// CreateTable and UpdateTable have in common. Not part of the public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "boost/json/object.hpp"
#include "boost/json/string_view.hpp"
#include "boost/json/value.hpp"
#include "router/api/table_schema.h"
#include "router/api/validation.h"

namespace tern::router::internal {

namespace json = boost::json;

// ---------------------------------------------------------------------------
// Limits and fixed texts.

inline constexpr int kMaxEnvelopeErrors = 10;
inline constexpr int64_t kMaxCapacityUnits = 1000000000000;  // "out of bounds" above this
inline constexpr size_t kMaxTableKeyElements = 2;
inline constexpr size_t kMaxGlobalIndexKeyElements = 8;  // multi-attribute GSI keys
inline constexpr size_t kMaxLocalIndexes = 5;
inline constexpr size_t kMaxGlobalIndexes = 20;
inline constexpr size_t kMaxNonKeyAttributesPerIndex = 20;
inline constexpr size_t kMaxProjectedAttributes = 100;
inline constexpr size_t kMaxTags = 50;
inline constexpr size_t kMaxTagKeyLength = 128;
inline constexpr size_t kMaxTagValueLength = 256;
inline constexpr int64_t kFreeDecreasesPerDay = 4;

inline constexpr absl::string_view kProvisioned = "PROVISIONED";
inline constexpr absl::string_view kPayPerRequest = "PAY_PER_REQUEST";
inline constexpr absl::string_view kHash = "HASH";
inline constexpr absl::string_view kRange = "RANGE";
inline constexpr absl::string_view kInclude = "INCLUDE";
inline constexpr absl::string_view kStandard = "STANDARD";
inline constexpr absl::string_view kStandardInfrequentAccess = "STANDARD_INFREQUENT_ACCESS";

inline constexpr absl::string_view kInvalidPrefix = "One or more parameter values were invalid: ";
inline constexpr absl::string_view kTableNameRequired =
    "The parameter 'TableName' is required but was not present in the request";
// DynamoDB of 2019 said "No provisioned throughput specified for the table";
// the 2026 service answers this for an explicit and an omitted BillingMode.
inline constexpr absl::string_view kNoTableThroughput =
    "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is "
    "PROVISIONED";
inline constexpr absl::string_view kReferToGuide =
    "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher "
    "limits.";
inline constexpr absl::string_view kAtLeastOne =
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
    "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
    "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
    "OnDemandThroughput, WarmThroughput or TableClass is required";
inline constexpr absl::string_view kNamePattern =
    "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+";
inline constexpr absl::string_view kJavaModel = "com.amazonaws.dynamodb.v20120810.";

// ---------------------------------------------------------------------------
// Errors.

// Collects request-model constraint violations; DynamoDB reports at most 10.
// ValidationErrors renders the envelope; the sentences are built here so that
// a missing member reads "Value null at" (no quotes), as DynamoDB writes it.
class Envelope {
 public:
  explicit Envelope(ValidationErrors* errors) : errors_(errors) {}

  void NotNull(absl::string_view path) {
    Add(absl::StrCat(
        "Value null at '", path, "' failed to satisfy constraint: Member must not be null"));
  }
  void Violation(absl::string_view value, absl::string_view path, absl::string_view constraint) {
    Add(absl::StrCat(
        "Value '", value, "' at '", path, "' failed to satisfy constraint: ", constraint));
  }

 private:
  void Add(std::string sentence) {
    if (count_ >= kMaxEnvelopeErrors) return;
    ++count_;
    errors_->Add(std::move(sentence));
  }

  ValidationErrors* errors_;
  int count_ = 0;
};

// ---------------------------------------------------------------------------
// The request model, as read from JSON (every member optional).

struct KeyElementIn {
  std::optional<std::string> name;
  std::optional<std::string> type;
};

struct AttributeDefinitionIn {
  std::optional<std::string> name;
  std::optional<std::string> type;
};

struct ThroughputIn {
  std::optional<int64_t> read;
  std::optional<int64_t> write;
};

struct ProjectionIn {
  std::optional<std::string> type;
  std::optional<std::vector<std::string>> non_key;
};

// A secondary index, or a GSI Update/Create/Delete action.
struct IndexIn {
  std::optional<std::string> name;
  std::optional<std::vector<KeyElementIn>> key_schema;
  std::optional<ProjectionIn> projection;
  std::optional<ThroughputIn> throughput;
};

struct StreamIn {
  std::optional<bool> enabled;
  std::optional<std::string> view_type;
};

struct SseIn {
  std::optional<bool> enabled;
  std::optional<std::string> type;
  std::optional<std::string> key;
};

struct TagIn {
  std::optional<std::string> key;
  std::optional<std::string> value;
};

struct GsiUpdateIn {
  std::optional<IndexIn> update;
  std::optional<IndexIn> create;
  std::optional<IndexIn> remove;
};

struct TableRequestIn {
  std::optional<std::string> table_name;
  std::optional<std::vector<AttributeDefinitionIn>> attribute_definitions;
  std::optional<std::vector<KeyElementIn>> key_schema;
  std::optional<std::string> billing_mode;
  std::optional<ThroughputIn> throughput;
  std::optional<std::vector<IndexIn>> local_indexes;
  std::optional<std::vector<IndexIn>> global_indexes;
  std::optional<std::vector<GsiUpdateIn>> gsi_updates;
  std::optional<StreamIn> stream;
  std::optional<SseIn> sse;
  std::optional<std::vector<TagIn>> tags;
  std::optional<std::string> table_class;
  std::optional<bool> deletion_protection;
};

// ---------------------------------------------------------------------------
// Errors (table_schema.cc).

absl::Status SerializationError(absl::string_view message);

absl::Status InvalidParameter(absl::string_view detail);

absl::Status LimitExceeded(absl::string_view message);

absl::Status ResourceInUse(absl::string_view message);

std::string MinLength(size_t n);
std::string MaxLength(size_t n);
std::string MinValue(int64_t n);
std::string MaxValue(int64_t n);
std::string EnumSet(absl::string_view values);

// ---------------------------------------------------------------------------
// Text helpers (table_schema.cc).

std::string ToStd(json::string_view s);

size_t CharCount(absl::string_view s);

void CheckName(absl::string_view name, absl::string_view path, Envelope* envelope);

std::string RenderList(const std::vector<std::string>& items);

std::string RenderReversed(std::vector<std::string> items);

bool Contains(const std::vector<std::string>& items, absl::string_view item);

bool IsValidTagText(absl::string_view text);

std::string StreamLabel(absl::Time now);

// ---------------------------------------------------------------------------
// JSON shapes and the request reader (table_request.cc).

absl::Status ExpectString(const json::value& v);

absl::Status ReadString(const json::value& v, std::optional<std::string>* out);

absl::Status ReadLong(const json::value& v,
                      absl::string_view java_type,
                      std::optional<int64_t>* out);

absl::Status ReadTableRequest(const json::object& request, bool update, TableRequestIn* in);

// ---------------------------------------------------------------------------
// Request-model constraints (table_checks.cc).

void CheckAttributeDefinitions(const std::optional<std::vector<AttributeDefinitionIn>>& defs,
                               bool required,
                               Envelope* envelope);

void CheckKeySchema(const std::optional<std::vector<KeyElementIn>>& key_schema,
                    const std::string& path,
                    bool check_key_type,
                    size_t max_elements,
                    Envelope* envelope);

void CheckThroughput(const std::optional<ThroughputIn>& throughput,
                     const std::string& path,
                     bool required,
                     Envelope* envelope);

void CheckIndexName(const std::optional<std::string>& name,
                    const std::string& path,
                    Envelope* envelope);

void CheckLocalIndex(const IndexIn& index, const std::string& member, Envelope* envelope);

void CheckGlobalIndex(const IndexIn& index, const std::string& member, Envelope* envelope);

void CheckBillingMode(const std::optional<std::string>& mode, Envelope* envelope);

void CheckStream(const std::optional<StreamIn>& stream, Envelope* envelope);

void CheckSse(const std::optional<SseIn>& sse, Envelope* envelope);

// ---------------------------------------------------------------------------
// Semantic rules, one error at a time (table_checks.cc).

std::vector<std::string> KeyNames(const std::vector<KeyElementIn>& key_schema);

absl::Status CheckKeySchemaShape(const std::vector<KeyElementIn>& key_schema);

absl::Status CheckKeysDefined(const std::vector<std::string>& keys,
                              const std::vector<std::string>& definitions);

absl::Status CheckProjectionRules(const ProjectionIn& projection);

absl::Status CheckOutOfBounds(const ThroughputIn& throughput);

absl::Status CheckTableMaximum(const ThroughputIn& throughput, const TableLimits& limits);

absl::Status CheckIndexMaximum(absl::string_view index,
                               const ThroughputIn& throughput,
                               const TableLimits& limits);

absl::Status CheckSseRules(const SseIn& sse);

bool SseRequestsEncryption(const SseIn& sse);

absl::Status CheckTableClass(const std::optional<std::string>& table_class);

absl::Status CheckTags(const std::vector<TagIn>& tags);

}  // namespace tern::router::internal
