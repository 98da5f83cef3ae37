// Messages implemented here, with their sources. Sources:
//   [ACK]  ack-api-quirks lab catalogue of real DynamoDB answers, verified
//          2026-10-08/09 (findings DDB-TABLE-015/024/035/036/038/042/043/050/
//          108/123-129/152/159/160/162/359/442/443).
//   [CONF] nubo-db/dynamodb-conformance tier-3 tests, exact strings asserted
//          against real DynamoDB (2026).
//   [DL]   architect/dynalite test/*.js, recorded against real DynamoDB
//          (older texts; order of envelope members from its validations/*.js).
//   [SC]   scylladb test/alternator, run against real DynamoDB.
//   [GH]   real answers quoted in issues: awsdocs/amazon-dynamodb-developer-guide
//          #246 (2021), localstack snapshot test_dynamodb_pay_per_request.
//   [R]    reconstructed: no verbatim capture found; the closest evidence is
//          named. Treat as best effort.
//
// SerializationException (member of the wrong JSON type) [DL helpers.js, 2024]
//   TRUE_VALUE|FALSE_VALUE|NUMBER_VALUE|DECIMAL_VALUE cannot be converted to String
//   STRING_VALUE|TRUE_VALUE|FALSE_VALUE cannot be converted to Long (Integer)
//   Unexpected token received from parser                    (string for Boolean)
//   NUMBER_VALUE|DECIMAL_VALUE cannot be converted to Boolean
//   Unrecognized collection type class java.lang.String|Long|Integer|Boolean
//   Unrecognized collection type class com.amazonaws.dynamodb.v20120810.<Shape>
//   Start of structure or map found where not expected
//   Unexpected field type                 (scalar for a list or a field struct)
//   Unexpected value type in payload      (scalar for a list element struct)
//
// ValidationException envelope ("N validation error(s) detected: a; b", at
// most 10 [DL]) with "Value '<v>' at '<path>' failed to satisfy constraint: "
// or "Value null at '<path>' ..." and:
//   Member must not be null                                     [CONF][ACK][DL]
//   Member must have length greater than or equal to 3|1        [CONF][ACK][DL]
//   Member must have length less than or equal to 255|2|20      [CONF][ACK][DL]
//   Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+  [CONF][DL]
//   Member must have value greater than or equal to 1           [ACK][DL]
//   Member must have value less than or equal to 100   (limit)  [DL]
//   Member must satisfy enum value set: [B, N, S]               [CONF]
//   Member must satisfy enum value set: [HASH, RANGE]           [CONF]
//   Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]  [DL]
//   Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]  [R dynoxide]
//   Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES,
//     NEW_IMAGE]   (streamSpecification.streamViewType)          [ACK 035]
//   Member must satisfy enum value set: [AES256, KMS]  at 'sSESpecification.sSEType'  [ACK 036]
//   keySchema values render as [KeySchemaElement(attributeName=pk, keyType=HASH), ...] [CONF]
//   Member must have length less than or equal to 8 (GSI keySchema)  [R ACK 123]
//   Envelope member order: attributeDefinitions, tableName, billingMode,
//   provisionedThroughput(write, read), keySchema, LSIs(projection, indexName,
//   keySchema), GSIs(projection, indexName, provisionedThroughput, keySchema),
//   streamSpecification, sSESpecification [DL exact-order tests; rest R].
//
// Free-text ValidationException
//   The parameter 'TableName' is required but was not present in the request
//                                                    (CreateTable etc.) [CONF][DL]
//   One or more parameter values were invalid: Neither ReadCapacityUnits nor
//     WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST  [ACK][GH]
//   One or more parameter values were invalid: ReadCapacityUnits and
//     WriteCapacityUnits must both be specified when BillingMode is PROVISIONED
//     (also when BillingMode is omitted)                        [ACK 024/128]
//     NOTE: 2019-era DynamoDB answered "No provisioned throughput specified for
//     the table" here (aws-sdk-java #1886); the 2026 captures show the text above.
//   Given value <N> for Read|WriteCapacityUnits is out of bounds  (> 1e12)  [DL]
//   Attribute Name is duplicated: <name>                         [ACK 042/127]
//   Invalid KeySchema: Some index key attribute have no definition  [CONF][ACK][DL]
//   One or more parameter values were invalid: Some index key attributes are not
//     defined in AttributeDefinitions. Keys: [..], AttributeDefinitions: [..]
//     (both lists in reverse request order)                     [ACK][DL]
//   Both the Hash Key and the Range Key element in the KeySchema have the same name  [DL]
//   Invalid KeySchema: The first KeySchemaElement is not a HASH key type  [ACK][DL]
//   Invalid KeySchema: The second KeySchemaElement is not a RANGE key type  [ACK][DL]
//   One or more parameter values were invalid: Number of attributes in KeySchema does
//     not exactly match number of attributes defined in AttributeDefinitions  [ACK][DL]
//   One or more parameter values were invalid: Some AttributeDefinitions are not
//     used. AttributeDefinitions: [..], keys used: [..]  (with indexes)  [ACK 127]
//   One or more parameter values were invalid: List of LocalSecondaryIndexes is empty  [ACK]
//   One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty  [ACK]
//   One or more parameter values were invalid: Table KeySchema does not have a range
//     key, which is required when specifying a LocalSecondaryIndex  [CONF][ACK]
//   One or more parameter values were invalid: Index KeySchema does not have a range
//     key for index: <idx>                                        [ACK][DL]
//   One or more parameter values were invalid: Index KeySchema does not have the same
//     leading hash key as table KeySchema for index: <idx>. index hash key: <a>,
//     table hash key: <b>                                         [ACK][DL]
//   One or more parameter values were invalid: Unknown ProjectionType: null  [ACK][DL]
//   One or more parameter values were invalid: ProjectionType is ALL|KEYS_ONLY, but
//     NonKeyAttributes is specified                               [ACK][DL]
//   One or more parameter values were invalid: ProjectionType is INCLUDE, but
//     NonKeyAttributes is not specified                           [ACK 126]
//   One or more parameter values were invalid: Duplicate element in NonKeyAttributes: <x>  [ACK]
//   One or more parameter values were invalid: Duplicate index name: <idx>  [CONF][ACK]
//   One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds
//     per-table limit of 5                                        [ACK 129]
//   One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the
//     per-table limit of 20                                       [ACK 129]
//   One or more parameter values were invalid: ProvisionedThroughput should not be
//     specified for index: <idx> when BillingMode is PAY_PER_REQUEST  [ACK 128]
//   One or more parameter values were invalid: ProvisionedThroughput is not specified
//     for index: <idx>                                            [ACK 128][GH #246]
//   One or more parameter values were invalid: Number of projected attributes in all
//     indexes exceeds limit of 100, number of projected attributes:<N>
//     [R: prefix quoted by a CloudFormation linter rule]
//   One or more parameter values were invalid: Tern does not support global secondary
//     index keys with more than 2 attributes (index: <idx>)    [Tern-specific]
//   One or more parameter values were invalid: Table is being created with a stream
//     enabled, UpdateViewType is required  /  ... disabled, UpdateViewType should not
//     be specified                                                [ACK 035]
//   One or more parameter values were invalid: SSEType can not be specified if Enabled
//     is false / KMSMasterKeyId can not be specified if Enabled is false / SSEType
//     AES256 is not supported / SSEType KMS is required if KMSMasterKeyId is specified  [ACK 036]
//   Invalid table-class parameter provided. Please try again with a valid table-class
//     value: [STANDARD, STANDARD_INFREQUENT_ACCESS].              [ACK 442]
//   The Tag Key provided is invalid, Key: <k|null> / The Tag Value provided is invalid,
//     Value: <v|null> / Tag Key cannot be prefixed with aws:, Key: <k> / Duplicate Tag
//     Keys provided as input: Duplicate Tag Key found <k> / Number of Tags exceed the
//     current limit for the provided ResourceArn                  [ACK 105-108, 442]
// UpdateTable
//   At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled,
//     GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates,
//     MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency,
//     DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is
//     required                                                    [ACK 015/442]
//   One or more parameter values were invalid: List of GlobalSecondaryIndexUpdates is
//     empty                                                       [ACK 359]
//   One or more parameter values were invalid: Server-Side Encryption|TableClass|
//     DeletionProtection modification must be the only operation in the request  [ACK 442]
//   One or more parameter values were invalid: You cannot modify stream status while
//     updating table IOPS / You cannot create or delete index while updating table IOPS /
//     You cannot create or delete index while changing stream status  [ACK 442]
//   One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update,
//     GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be
//     null / Only one global secondary index action is allowed per
//     GlobalSecondaryIndexUpdate object / Only one global secondary index update per
//     index is allowed simultaneously. Index: <idx>               [ACK 160][DL]
//   One or more parameter values were invalid: ProvisionedThroughput cannot be
//     specified when BillingMode is PAY_PER_REQUEST  (BillingMode=PAY_PER_REQUEST + PT)  [ACK 442]
//   One or more parameter values were invalid: ProvisionedThroughput must be specified
//     when BillingMode is PROVISIONED / ... must be specified for index: <idx>  [ACK 152][DL]
//   One or more parameter values were invalid: The only Updates for index: <idx> when
//     TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput  [ACK
//     152]
//   One or more parameter values were invalid: If stream is being enabled then
//     UpdateViewType is required / If stream is being disabled, then UpdateViewType must
//     not be specified                                            [ACK 442]
//   Table already has an enabled stream: TableName: <t> / Table has no stream to
//     disable: TableName: <t>                                     [ACK 050/442]
//   One or more parameter values were invalid: Table is already encrypted by default /
//     Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter
//     if you want to change Master Key                            [ACK 442]
//   The provisioned throughput for the table will not change. The requested value equals
//     the current value. Current ReadCapacityUnits provisioned for the table: <n>.
//     Requested ReadCapacityUnits: <n>. Current WriteCapacityUnits provisioned for the
//     table: <n>. Requested WriteCapacityUnits: <n>. Refer to the Amazon DynamoDB
//     Developer Guide for current limits and how to request higher limits.  [ACK 442][DL]
//   The provisioned throughput for the index <idx> will not change. ... (same shape,
//     "for the index")                                            [R ACK 442 "..."]
//   Cannot update an index that is not a GlobalSecondaryIndex: <idx>  [ACK 442]
//   One or more parameter values were invalid: Tern does not support creating or
//     deleting global secondary indexes with UpdateTable yet    [Tern-specific]
// ResourceInUseException (UpdateTable)
//   Attempt to change a resource which is still in use: Table is being created: <t>  [ACK 001]
//   Attempt to change a resource which is still in use: Table is being deleted: <t>  [ACK 374]
//   Attempt to change a resource which is still in use: Table is being updated: <t>  [R]
// LimitExceededException
//   The requested ReadCapacityUnits, <n>, is above the per table maximum for the account
//     in <region>. Per table maximum: 40000. Refer to the Amazon DynamoDB Developer Guide
//     for current limits and how to request higher limits.     [ACK 171/443]
//   The requested ReadCapacityUnits for index <idx>, <n>, is above the per index maximum
//     for the account in <region>. Per index maximum: 40000. Refer to ...  [R ACK 171]
//   Subscriber limit exceeded: Only 1 online index can be created or deleted
//     simultaneously per table                                    [ACK 159][DL]
//   Subscriber limit exceeded: Provisioned throughput decreases are limited within a
//     given UTC day. After the first 4 decreases, each subsequent decrease in the same
//     UTC day can be performed at most once every 3600 seconds. Number of decreases
//     today: <n>. Last decrease at <Weekday, Month d, yyyy at h:mm:ss AM Coordinated
//     Universal Time>. Next decrease can be made at <same format>  [ACK 443 live text]
// ListTables (envelope; order limit, then exclusiveStartTableName)  [DL]
#include "router/api/table_schema.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "boost/json/array.hpp"
#include "boost/json/string.hpp"
#include "common/base/error_details.h"
#include "common/base/status_macros.h"

namespace tern::router {
namespace {

namespace json = boost::json;

// ---------------------------------------------------------------------------
// Limits and fixed texts.

constexpr int kMaxEnvelopeErrors = 10;
constexpr int64_t kMaxCapacityUnits = 1000000000000;  // "out of bounds" above this
constexpr size_t kMaxTableKeyElements = 2;
constexpr size_t kMaxGlobalIndexKeyElements = 8;  // multi-attribute GSI keys
constexpr size_t kMaxLocalIndexes = 5;
constexpr size_t kMaxGlobalIndexes = 20;
constexpr size_t kMaxNonKeyAttributesPerIndex = 20;
constexpr size_t kMaxProjectedAttributes = 100;
constexpr size_t kMaxTags = 50;
constexpr size_t kMaxTagKeyLength = 128;
constexpr size_t kMaxTagValueLength = 256;
constexpr int64_t kFreeDecreasesPerDay = 4;

constexpr absl::string_view kProvisioned = "PROVISIONED";
constexpr absl::string_view kPayPerRequest = "PAY_PER_REQUEST";
constexpr absl::string_view kHash = "HASH";
constexpr absl::string_view kRange = "RANGE";
constexpr absl::string_view kInclude = "INCLUDE";
constexpr absl::string_view kStandard = "STANDARD";
constexpr absl::string_view kStandardInfrequentAccess = "STANDARD_INFREQUENT_ACCESS";

constexpr absl::string_view kInvalidPrefix = "One or more parameter values were invalid: ";
constexpr absl::string_view kTableNameRequired =
    "The parameter 'TableName' is required but was not present in the request";
// DynamoDB of 2019 said "No provisioned throughput specified for the table";
// the 2026 service answers this for an explicit and an omitted BillingMode.
constexpr absl::string_view kNoTableThroughput =
    "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is "
    "PROVISIONED";
constexpr absl::string_view kReferToGuide =
    "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher "
    "limits.";
constexpr absl::string_view kAtLeastOne =
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
    "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
    "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
    "OnDemandThroughput, WarmThroughput or TableClass is required";
constexpr absl::string_view kNamePattern =
    "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+";
constexpr absl::string_view kJavaModel = "com.amazonaws.dynamodb.v20120810.";

// ---------------------------------------------------------------------------
// Errors.

absl::Status SerializationError(absl::string_view message) {
  return base::Error(base::ErrorKind::kSerialization, message);
}

absl::Status InvalidParameter(absl::string_view detail) {
  return ValidationError(absl::StrCat(kInvalidPrefix, detail));
}

absl::Status LimitExceeded(absl::string_view message) {
  return base::Error(base::ErrorKind::kLimitExceeded, message);
}

absl::Status ResourceInUse(absl::string_view message) {
  return base::Error(base::ErrorKind::kResourceInUse, message);
}

std::string MinLength(size_t n) {
  return absl::StrCat("Member must have length greater than or equal to ", n);
}
std::string MaxLength(size_t n) {
  return absl::StrCat("Member must have length less than or equal to ", n);
}
std::string MinValue(int64_t n) {
  return absl::StrCat("Member must have value greater than or equal to ", n);
}
std::string MaxValue(int64_t n) {
  return absl::StrCat("Member must have value less than or equal to ", n);
}
std::string EnumSet(absl::string_view values) {
  return absl::StrCat("Member must satisfy enum value set: ", values);
}

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
// Text helpers.

std::string ToStd(json::string_view s) { return std::string(s.data(), s.size()); }

// Length as DynamoDB counts it (characters, not UTF-8 bytes).
size_t CharCount(absl::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool MatchesNamePattern(absl::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

// Table and index names: the pattern, then the length bounds, as DynamoDB lists them.
void CheckName(absl::string_view name, absl::string_view path, Envelope* envelope) {
  if (!MatchesNamePattern(name)) envelope->Violation(name, path, kNamePattern);
  const size_t length = CharCount(name);
  if (length < 3) envelope->Violation(name, path, MinLength(3));
  if (length > 255) envelope->Violation(name, path, MaxLength(255));
}

std::string RenderList(const std::vector<std::string>& items) {
  return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
}

std::string RenderReversed(std::vector<std::string> items) {
  std::reverse(items.begin(), items.end());
  return RenderList(items);
}

bool Contains(const std::vector<std::string>& items, absl::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// Decodes one UTF-8 sequence at *pos; false on malformed input.
bool NextCodePoint(absl::string_view s, size_t* pos, uint32_t* code_point) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(*pos);
  size_t extra = 0;
  if (lead < 0x80) {
    *code_point = lead;
  } else if ((lead & 0xE0) == 0xC0) {
    *code_point = lead & 0x1F;
    extra = 1;
  } else if ((lead & 0xF0) == 0xE0) {
    *code_point = lead & 0x0F;
    extra = 2;
  } else if ((lead & 0xF8) == 0xF0) {
    *code_point = lead & 0x07;
    extra = 3;
  } else {
    return false;
  }
  if (*pos + extra >= s.size()) return false;
  for (size_t i = 1; i <= extra; ++i) {
    const unsigned char next = byte(*pos + i);
    if ((next & 0xC0) != 0x80) return false;
    *code_point = (*code_point << 6) | (next & 0x3F);
  }
  *pos += extra + 1;
  return true;
}

// Tag keys and values: Unicode letters, digits, spaces and _ . : / = + - @.
// Non-ASCII characters are accepted as letters (no Unicode tables here).
bool IsValidTagText(absl::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    uint32_t c = 0;
    if (!NextCodePoint(text, &pos, &c)) return false;
    if (c >= 0x80) continue;
    const char ascii = static_cast<char>(c);
    if (absl::ascii_isalnum(static_cast<unsigned char>(ascii))) continue;
    if (absl::string_view(" _.:/=+-@").find(ascii) == absl::string_view::npos) return false;
  }
  return true;
}

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

// DynamoDB's StreamLabel: the creation time, ISO 8601 with milliseconds, UTC.
std::string StreamLabel(absl::Time now) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3S", now, absl::UTCTimeZone());
}

// ---------------------------------------------------------------------------
// JSON shapes (SerializationException). A null member counts as absent.

bool IsIntegral(const json::value& v) { return v.is_int64() || v.is_uint64(); }

absl::Status ExpectString(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
    case json::kind::string:
      return absl::OkStatus();
    case json::kind::bool_:
      return SerializationError(*v.if_bool() ? "TRUE_VALUE cannot be converted to String"
                                             : "FALSE_VALUE cannot be converted to String");
    case json::kind::int64:
    case json::kind::uint64:
      return SerializationError("NUMBER_VALUE cannot be converted to String");
    case json::kind::double_:
      return SerializationError("DECIMAL_VALUE cannot be converted to String");
    case json::kind::array:
      return SerializationError("Unrecognized collection type class java.lang.String");
    case json::kind::object:
      return SerializationError("Start of structure or map found where not expected");
  }
  return absl::OkStatus();
}

// java_type: "Long" or "Integer".
absl::Status ExpectNumber(const json::value& v, absl::string_view java_type) {
  switch (v.kind()) {
    case json::kind::null:
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return absl::OkStatus();
    case json::kind::string:
      return SerializationError(absl::StrCat("STRING_VALUE cannot be converted to ", java_type));
    case json::kind::bool_:
      return SerializationError(absl::StrCat(
          *v.if_bool() ? "TRUE_VALUE" : "FALSE_VALUE", " cannot be converted to ", java_type));
    case json::kind::array:
      return SerializationError(
          absl::StrCat("Unrecognized collection type class java.lang.", java_type));
    case json::kind::object:
      return SerializationError("Start of structure or map found where not expected");
  }
  return absl::OkStatus();
}

absl::Status ExpectBoolean(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
    case json::kind::bool_:
      return absl::OkStatus();
    case json::kind::string:
      return SerializationError("Unexpected token received from parser");
    case json::kind::int64:
    case json::kind::uint64:
      return SerializationError("NUMBER_VALUE cannot be converted to Boolean");
    case json::kind::double_:
      return SerializationError("DECIMAL_VALUE cannot be converted to Boolean");
    case json::kind::array:
      return SerializationError("Unrecognized collection type class java.lang.Boolean");
    case json::kind::object:
      return SerializationError("Start of structure or map found where not expected");
  }
  return absl::OkStatus();
}

absl::Status ExpectList(const json::value& v) {
  if (v.is_null() || v.is_array()) return absl::OkStatus();
  if (v.is_object()) {
    return SerializationError("Start of structure or map found where not expected");
  }
  return SerializationError("Unexpected field type");
}

// A structure that is a member of another structure (ProvisionedThroughput, Projection, ...).
absl::Status ExpectFieldStruct(const json::value& v, absl::string_view shape) {
  if (v.is_null() || v.is_object()) return absl::OkStatus();
  if (v.is_array()) {
    return SerializationError(
        absl::StrCat("Unrecognized collection type class ", kJavaModel, shape));
  }
  return SerializationError("Unexpected field type");
}

// A structure that is an element of a list (KeySchemaElement, Tag, ...).
absl::Status ExpectValueStruct(const json::value& v, absl::string_view shape) {
  if (v.is_null() || v.is_object()) return absl::OkStatus();
  if (v.is_array()) {
    return SerializationError(
        absl::StrCat("Unrecognized collection type class ", kJavaModel, shape));
  }
  return SerializationError("Unexpected value type in payload");
}

// Java's Long deserialization truncates fractions and saturates.
int64_t ToLong(const json::value& v) {
  if (const int64_t* i = v.if_int64()) return *i;
  if (const uint64_t* u = v.if_uint64()) {
    return *u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
               ? std::numeric_limits<int64_t>::max()
               : static_cast<int64_t>(*u);
  }
  const double* d = v.if_double();
  if (d == nullptr) return 0;
  const double floored = std::floor(*d);
  if (floored >= 9.2e18) return std::numeric_limits<int64_t>::max();
  if (floored <= -9.2e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(floored);
}

absl::Status ReadString(const json::value& v, std::optional<std::string>* out) {
  TERN_RETURN_IF_ERROR(ExpectString(v));
  if (const json::string* s = v.if_string()) *out = ToStd(*s);
  return absl::OkStatus();
}

absl::Status ReadLong(const json::value& v,
                      absl::string_view java_type,
                      std::optional<int64_t>* out) {
  TERN_RETURN_IF_ERROR(ExpectNumber(v, java_type));
  if (IsIntegral(v) || v.is_double()) *out = ToLong(v);
  return absl::OkStatus();
}

absl::Status ReadBool(const json::value& v, std::optional<bool>* out) {
  TERN_RETURN_IF_ERROR(ExpectBoolean(v));
  if (const bool* b = v.if_bool()) *out = *b;
  return absl::OkStatus();
}

absl::Status ReadStringList(const json::value& v, std::optional<std::vector<std::string>>* out) {
  TERN_RETURN_IF_ERROR(ExpectList(v));
  const json::array* array = v.if_array();
  if (array == nullptr) return absl::OkStatus();
  std::vector<std::string> items;
  for (const json::value& element : *array) {
    TERN_RETURN_IF_ERROR(ExpectString(element));
    if (const json::string* s = element.if_string()) items.push_back(ToStd(*s));
  }
  *out = std::move(items);
  return absl::OkStatus();
}

template <typename T>
using StructReader = absl::Status (*)(const json::object&, T*);

template <typename T>
absl::Status ReadStruct(const json::value& v,
                        absl::string_view shape,
                        StructReader<T> read,
                        std::optional<T>* out) {
  TERN_RETURN_IF_ERROR(ExpectFieldStruct(v, shape));
  const json::object* object = v.if_object();
  if (object == nullptr) return absl::OkStatus();
  T item;
  TERN_RETURN_IF_ERROR(read(*object, &item));
  *out = std::move(item);
  return absl::OkStatus();
}

// A null element becomes an element with every member missing.
template <typename T>
absl::Status ReadStructList(const json::value& v,
                            absl::string_view shape,
                            StructReader<T> read,
                            std::optional<std::vector<T>>* out) {
  TERN_RETURN_IF_ERROR(ExpectList(v));
  const json::array* array = v.if_array();
  if (array == nullptr) return absl::OkStatus();
  std::vector<T> items;
  for (const json::value& element : *array) {
    TERN_RETURN_IF_ERROR(ExpectValueStruct(element, shape));
    T item;
    if (const json::object* object = element.if_object()) {
      TERN_RETURN_IF_ERROR(read(*object, &item));
    }
    items.push_back(std::move(item));
  }
  *out = std::move(items);
  return absl::OkStatus();
}

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

absl::Status ReadKeyElement(const json::object& o, KeyElementIn* out) {
  for (const json::key_value_pair& member : o) {
    if (member.key() == "AttributeName") {
      TERN_RETURN_IF_ERROR(ReadString(member.value(), &out->name));
    } else if (member.key() == "KeyType") {
      TERN_RETURN_IF_ERROR(ReadString(member.value(), &out->type));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadAttributeDefinition(const json::object& o, AttributeDefinitionIn* out) {
  for (const json::key_value_pair& member : o) {
    if (member.key() == "AttributeName") {
      TERN_RETURN_IF_ERROR(ReadString(member.value(), &out->name));
    } else if (member.key() == "AttributeType") {
      TERN_RETURN_IF_ERROR(ReadString(member.value(), &out->type));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadThroughput(const json::object& o, ThroughputIn* out) {
  for (const json::key_value_pair& member : o) {
    if (member.key() == "ReadCapacityUnits") {
      TERN_RETURN_IF_ERROR(ReadLong(member.value(), "Long", &out->read));
    } else if (member.key() == "WriteCapacityUnits") {
      TERN_RETURN_IF_ERROR(ReadLong(member.value(), "Long", &out->write));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadProjection(const json::object& o, ProjectionIn* out) {
  for (const json::key_value_pair& member : o) {
    if (member.key() == "ProjectionType") {
      TERN_RETURN_IF_ERROR(ReadString(member.value(), &out->type));
    } else if (member.key() == "NonKeyAttributes") {
      TERN_RETURN_IF_ERROR(ReadStringList(member.value(), &out->non_key));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadIndex(const json::object& o, IndexIn* out) {
  for (const json::key_value_pair& member : o) {
    const json::value& v = member.value();
    if (member.key() == "IndexName") {
      TERN_RETURN_IF_ERROR(ReadString(v, &out->name));
    } else if (member.key() == "KeySchema") {
      TERN_RETURN_IF_ERROR(
          ReadStructList<KeyElementIn>(v, "KeySchemaElement", &ReadKeyElement, &out->key_schema));
    } else if (member.key() == "Projection") {
      TERN_RETURN_IF_ERROR(
          ReadStruct<ProjectionIn>(v, "Projection", &ReadProjection, &out->projection));
    } else if (member.key() == "ProvisionedThroughput") {
      TERN_RETURN_IF_ERROR(
          ReadStruct<ThroughputIn>(v, "ProvisionedThroughput", &ReadThroughput, &out->throughput));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadGsiUpdate(const json::object& o, GsiUpdateIn* out) {
  for (const json::key_value_pair& member : o) {
    const json::value& v = member.value();
    if (member.key() == "Update") {
      TERN_RETURN_IF_ERROR(
          ReadStruct<IndexIn>(v, "UpdateGlobalSecondaryIndexAction", &ReadIndex, &out->update));
    } else if (member.key() == "Create") {
      TERN_RETURN_IF_ERROR(
          ReadStruct<IndexIn>(v, "CreateGlobalSecondaryIndexAction", &ReadIndex, &out->create));
    } else if (member.key() == "Delete") {
      TERN_RETURN_IF_ERROR(
          ReadStruct<IndexIn>(v, "DeleteGlobalSecondaryIndexAction", &ReadIndex, &out->remove));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadStream(const json::object& o, StreamIn* out) {
  for (const json::key_value_pair& member : o) {
    if (member.key() == "StreamEnabled") {
      TERN_RETURN_IF_ERROR(ReadBool(member.value(), &out->enabled));
    } else if (member.key() == "StreamViewType") {
      TERN_RETURN_IF_ERROR(ReadString(member.value(), &out->view_type));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadSse(const json::object& o, SseIn* out) {
  for (const json::key_value_pair& member : o) {
    if (member.key() == "Enabled") {
      TERN_RETURN_IF_ERROR(ReadBool(member.value(), &out->enabled));
    } else if (member.key() == "SSEType") {
      TERN_RETURN_IF_ERROR(ReadString(member.value(), &out->type));
    } else if (member.key() == "KMSMasterKeyId") {
      TERN_RETURN_IF_ERROR(ReadString(member.value(), &out->key));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadTag(const json::object& o, TagIn* out) {
  for (const json::key_value_pair& member : o) {
    if (member.key() == "Key") {
      TERN_RETURN_IF_ERROR(ReadString(member.value(), &out->key));
    } else if (member.key() == "Value") {
      TERN_RETURN_IF_ERROR(ReadString(member.value(), &out->value));
    }
  }
  return absl::OkStatus();
}

// Reads the members of CreateTable and UpdateTable in document order, so that
// the first mistyped member is the one reported, as DynamoDB's parser does.
absl::Status ReadTableRequest(const json::object& request, bool update, TableRequestIn* in) {
  for (const json::key_value_pair& member : request) {
    const json::value& v = member.value();
    const json::string_view key = member.key();
    if (key == "TableName") {
      TERN_RETURN_IF_ERROR(ReadString(v, &in->table_name));
    } else if (key == "AttributeDefinitions") {
      TERN_RETURN_IF_ERROR(ReadStructList<AttributeDefinitionIn>(
          v, "AttributeDefinition", &ReadAttributeDefinition, &in->attribute_definitions));
    } else if (key == "BillingMode") {
      TERN_RETURN_IF_ERROR(ReadString(v, &in->billing_mode));
    } else if (key == "ProvisionedThroughput") {
      TERN_RETURN_IF_ERROR(
          ReadStruct<ThroughputIn>(v, "ProvisionedThroughput", &ReadThroughput, &in->throughput));
    } else if (key == "StreamSpecification") {
      TERN_RETURN_IF_ERROR(
          ReadStruct<StreamIn>(v, "StreamSpecification", &ReadStream, &in->stream));
    } else if (key == "SSESpecification") {
      TERN_RETURN_IF_ERROR(ReadStruct<SseIn>(v, "SSESpecification", &ReadSse, &in->sse));
    } else if (key == "TableClass") {
      TERN_RETURN_IF_ERROR(ReadString(v, &in->table_class));
    } else if (key == "DeletionProtectionEnabled") {
      TERN_RETURN_IF_ERROR(ReadBool(v, &in->deletion_protection));
    } else if (!update && key == "KeySchema") {
      TERN_RETURN_IF_ERROR(
          ReadStructList<KeyElementIn>(v, "KeySchemaElement", &ReadKeyElement, &in->key_schema));
    } else if (!update && key == "LocalSecondaryIndexes") {
      TERN_RETURN_IF_ERROR(
          ReadStructList<IndexIn>(v, "LocalSecondaryIndex", &ReadIndex, &in->local_indexes));
    } else if (!update && key == "GlobalSecondaryIndexes") {
      TERN_RETURN_IF_ERROR(
          ReadStructList<IndexIn>(v, "GlobalSecondaryIndex", &ReadIndex, &in->global_indexes));
    } else if (!update && key == "Tags") {
      TERN_RETURN_IF_ERROR(ReadStructList<TagIn>(v, "Tag", &ReadTag, &in->tags));
    } else if (update && key == "GlobalSecondaryIndexUpdates") {
      TERN_RETURN_IF_ERROR(ReadStructList<GsiUpdateIn>(
          v, "GlobalSecondaryIndexUpdate", &ReadGsiUpdate, &in->gsi_updates));
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Request-model constraints (the envelope).

void CheckAttributeName(const std::optional<std::string>& name,
                        const std::string& path,
                        Envelope* envelope) {
  if (!name) {
    envelope->NotNull(path);
    return;
  }
  const size_t length = CharCount(*name);
  if (length < 1) envelope->Violation(*name, path, MinLength(1));
  if (length > 255) envelope->Violation(*name, path, MaxLength(255));
}

void CheckAttributeDefinitions(const std::optional<std::vector<AttributeDefinitionIn>>& defs,
                               bool required,
                               Envelope* envelope) {
  if (!defs) {
    if (required) envelope->NotNull("attributeDefinitions");
    return;
  }
  for (size_t i = 0; i < defs->size(); ++i) {
    const AttributeDefinitionIn& def = (*defs)[i];
    const std::string member = absl::StrCat("attributeDefinitions.", i + 1, ".member");
    CheckAttributeName(def.name, member + ".attributeName", envelope);
    const std::string type_path = member + ".attributeType";
    if (!def.type) {
      envelope->NotNull(type_path);
    } else if (*def.type != "B" && *def.type != "N" && *def.type != "S") {
      envelope->Violation(*def.type, type_path, EnumSet("[B, N, S]"));
    }
  }
}

std::string RenderKeySchema(const std::vector<KeyElementIn>& key_schema) {
  std::vector<std::string> elements;
  for (const KeyElementIn& e : key_schema) {
    elements.push_back(absl::StrCat("KeySchemaElement(attributeName=",
                                    e.name.value_or("null"),
                                    ", keyType=",
                                    e.type.value_or("null"),
                                    ")"));
  }
  return RenderList(elements);
}

// Index key types are not enum-checked here: DynamoDB answers a bad one with
// "Invalid KeySchema: The first KeySchemaElement is not a HASH key type".
void CheckKeySchema(const std::optional<std::vector<KeyElementIn>>& key_schema,
                    const std::string& path,
                    bool check_key_type,
                    size_t max_elements,
                    Envelope* envelope) {
  if (!key_schema) {
    envelope->NotNull(path);
    return;
  }
  if (key_schema->empty()) {
    envelope->Violation("[]", path, MinLength(1));
  } else if (key_schema->size() > max_elements) {
    envelope->Violation(RenderKeySchema(*key_schema), path, MaxLength(max_elements));
  }
  for (size_t i = 0; i < key_schema->size(); ++i) {
    const KeyElementIn& element = (*key_schema)[i];
    const std::string member = absl::StrCat(path, ".", i + 1, ".member");
    CheckAttributeName(element.name, member + ".attributeName", envelope);
    const std::string type_path = member + ".keyType";
    if (!element.type) {
      envelope->NotNull(type_path);
    } else if (check_key_type && *element.type != kHash && *element.type != kRange) {
      envelope->Violation(*element.type, type_path, EnumSet("[HASH, RANGE]"));
    }
  }
}

void CheckUnits(const std::optional<int64_t>& units, const std::string& path, Envelope* envelope) {
  if (!units) {
    envelope->NotNull(path);
  } else if (*units < 1) {
    envelope->Violation(absl::StrCat(*units), path, MinValue(1));
  }
}

void CheckThroughput(const std::optional<ThroughputIn>& throughput,
                     const std::string& path,
                     bool required,
                     Envelope* envelope) {
  if (!throughput) {
    if (required) envelope->NotNull(path);
    return;
  }
  CheckUnits(throughput->write, path + ".writeCapacityUnits", envelope);
  CheckUnits(throughput->read, path + ".readCapacityUnits", envelope);
}

void CheckProjection(const std::optional<ProjectionIn>& projection,
                     const std::string& path,
                     Envelope* envelope) {
  if (!projection) {
    envelope->NotNull(path);
    return;
  }
  if (projection->type && *projection->type != "ALL" && *projection->type != kInclude &&
      *projection->type != "KEYS_ONLY") {
    envelope->Violation(
        *projection->type, path + ".projectionType", EnumSet("[ALL, INCLUDE, KEYS_ONLY]"));
  }
  if (projection->non_key) {
    const std::string non_key_path = path + ".nonKeyAttributes";
    if (projection->non_key->empty()) {
      envelope->Violation("[]", non_key_path, MinLength(1));
    } else if (projection->non_key->size() > kMaxNonKeyAttributesPerIndex) {
      envelope->Violation(
          RenderList(*projection->non_key), non_key_path, MaxLength(kMaxNonKeyAttributesPerIndex));
    }
  }
}

void CheckIndexName(const std::optional<std::string>& name,
                    const std::string& path,
                    Envelope* envelope) {
  if (!name) {
    envelope->NotNull(path);
  } else {
    CheckName(*name, path, envelope);
  }
}

void CheckLocalIndex(const IndexIn& index, const std::string& member, Envelope* envelope) {
  CheckProjection(index.projection, member + ".projection", envelope);
  CheckIndexName(index.name, member + ".indexName", envelope);
  CheckKeySchema(index.key_schema, member + ".keySchema", false, kMaxTableKeyElements, envelope);
}

void CheckGlobalIndex(const IndexIn& index, const std::string& member, Envelope* envelope) {
  CheckProjection(index.projection, member + ".projection", envelope);
  CheckIndexName(index.name, member + ".indexName", envelope);
  CheckThroughput(index.throughput, member + ".provisionedThroughput", false, envelope);
  CheckKeySchema(
      index.key_schema, member + ".keySchema", false, kMaxGlobalIndexKeyElements, envelope);
}

void CheckBillingMode(const std::optional<std::string>& mode, Envelope* envelope) {
  if (mode && *mode != kProvisioned && *mode != kPayPerRequest) {
    envelope->Violation(*mode, "billingMode", EnumSet("[PROVISIONED, PAY_PER_REQUEST]"));
  }
}

bool IsStreamViewType(absl::string_view type) {
  return type == "KEYS_ONLY" || type == "NEW_IMAGE" || type == "OLD_IMAGE" ||
         type == "NEW_AND_OLD_IMAGES";
}

void CheckStream(const std::optional<StreamIn>& stream, Envelope* envelope) {
  if (!stream) return;
  if (!stream->enabled) envelope->NotNull("streamSpecification.streamEnabled");
  if (stream->view_type && !IsStreamViewType(*stream->view_type)) {
    envelope->Violation(*stream->view_type,
                        "streamSpecification.streamViewType",
                        EnumSet("[OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]"));
  }
}

void CheckSse(const std::optional<SseIn>& sse, Envelope* envelope) {
  if (sse && sse->type && *sse->type != "AES256" && *sse->type != "KMS") {
    envelope->Violation(*sse->type, "sSESpecification.sSEType", EnumSet("[AES256, KMS]"));
  }
}

// ---------------------------------------------------------------------------
// Semantic rules, one error at a time.

std::vector<std::string> KeyNames(const std::vector<KeyElementIn>& key_schema) {
  std::vector<std::string> names;
  for (const KeyElementIn& e : key_schema) names.push_back(e.name.value_or(""));
  return names;
}

// REQUIRES: the envelope passed (names and types present, 1..2 elements).
absl::Status CheckKeySchemaShape(const std::vector<KeyElementIn>& key_schema) {
  if (key_schema.size() == 2 && *key_schema[0].name == *key_schema[1].name) {
    return ValidationError(
        "Both the Hash Key and the Range Key element in the KeySchema have the same name");
  }
  if (*key_schema[0].type != kHash) {
    return ValidationError("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  }
  if (key_schema.size() == 2 && *key_schema[1].type != kRange) {
    return ValidationError(
        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  }
  return absl::OkStatus();
}

absl::Status CheckKeysDefined(const std::vector<std::string>& keys,
                              const std::vector<std::string>& definitions) {
  for (const std::string& key : keys) {
    if (!Contains(definitions, key)) {
      return InvalidParameter(
          absl::StrCat("Some index key attributes are not defined in AttributeDefinitions. Keys: ",
                       RenderReversed(keys),
                       ", AttributeDefinitions: ",
                       RenderReversed(definitions)));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckProjectionRules(const ProjectionIn& projection) {
  if (!projection.type) return InvalidParameter("Unknown ProjectionType: null");
  if (projection.non_key && *projection.type != kInclude) {
    return InvalidParameter(absl::StrCat(
        "ProjectionType is ", *projection.type, ", but NonKeyAttributes is specified"));
  }
  if (!projection.non_key && *projection.type == kInclude) {
    return InvalidParameter("ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
  }
  if (projection.non_key) {
    std::set<std::string> seen;
    for (const std::string& name : *projection.non_key) {
      if (!seen.insert(name).second) {
        return InvalidParameter(absl::StrCat("Duplicate element in NonKeyAttributes: ", name));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckOutOfBounds(const ThroughputIn& throughput) {
  if (*throughput.read > kMaxCapacityUnits) {
    return ValidationError(
        absl::StrCat("Given value ", *throughput.read, " for ReadCapacityUnits is out of bounds"));
  }
  if (*throughput.write > kMaxCapacityUnits) {
    return ValidationError(absl::StrCat(
        "Given value ", *throughput.write, " for WriteCapacityUnits is out of bounds"));
  }
  return absl::OkStatus();
}

absl::Status CheckTableMaximum(const ThroughputIn& throughput, const TableLimits& limits) {
  const auto check = [&](int64_t requested, absl::string_view units, int64_t maximum) {
    if (requested <= maximum) return absl::OkStatus();
    return LimitExceeded(absl::StrCat("The requested ",
                                      units,
                                      ", ",
                                      requested,
                                      ", is above the per table maximum for the account in ",
                                      limits.region,
                                      ". Per table maximum: ",
                                      maximum,
                                      ". ",
                                      kReferToGuide));
  };
  TERN_RETURN_IF_ERROR(
      check(*throughput.read, "ReadCapacityUnits", limits.max_read_capacity_units));
  return check(*throughput.write, "WriteCapacityUnits", limits.max_write_capacity_units);
}

absl::Status CheckIndexMaximum(absl::string_view index,
                               const ThroughputIn& throughput,
                               const TableLimits& limits) {
  const auto check = [&](int64_t requested, absl::string_view units, int64_t maximum) {
    if (requested <= maximum) return absl::OkStatus();
    return LimitExceeded(absl::StrCat("The requested ",
                                      units,
                                      " for index ",
                                      index,
                                      ", ",
                                      requested,
                                      ", is above the per index maximum for the account in ",
                                      limits.region,
                                      ". Per index maximum: ",
                                      maximum,
                                      ". ",
                                      kReferToGuide));
  };
  TERN_RETURN_IF_ERROR(
      check(*throughput.read, "ReadCapacityUnits", limits.max_read_capacity_units));
  return check(*throughput.write, "WriteCapacityUnits", limits.max_write_capacity_units);
}

absl::Status CheckSseRules(const SseIn& sse) {
  if (sse.enabled && !*sse.enabled) {
    if (sse.type) return InvalidParameter("SSEType can not be specified if Enabled is false");
    if (sse.key) {
      return InvalidParameter("KMSMasterKeyId can not be specified if Enabled is false");
    }
    return absl::OkStatus();
  }
  if (sse.type && *sse.type == "AES256") return InvalidParameter("SSEType AES256 is not supported");
  if (sse.key && (!sse.type || *sse.type != "KMS")) {
    return InvalidParameter("SSEType KMS is required if KMSMasterKeyId is specified");
  }
  return absl::OkStatus();
}

// {} asks for nothing, {SSEType: KMS} enables, {Enabled: b} says it all.
bool SseRequestsEncryption(const SseIn& sse) {
  return sse.enabled ? *sse.enabled : sse.type.has_value();
}

absl::Status CheckTableClass(const std::optional<std::string>& table_class) {
  if (table_class && *table_class != kStandard && *table_class != kStandardInfrequentAccess) {
    return ValidationError(
        "Invalid table-class parameter provided. Please try again with a valid table-class "
        "value: [STANDARD, STANDARD_INFREQUENT_ACCESS].");
  }
  return absl::OkStatus();
}

absl::Status CheckTags(const std::vector<TagIn>& tags) {
  for (const TagIn& tag : tags) {
    if (!tag.key || tag.key->empty() || CharCount(*tag.key) > kMaxTagKeyLength ||
        !IsValidTagText(*tag.key)) {
      return ValidationError(
          absl::StrCat("The Tag Key provided is invalid, Key: ", tag.key.value_or("null")));
    }
    if (absl::StartsWithIgnoreCase(*tag.key, "aws:")) {
      return ValidationError(absl::StrCat("Tag Key cannot be prefixed with aws:, Key: ", *tag.key));
    }
    if (!tag.value || CharCount(*tag.value) > kMaxTagValueLength || !IsValidTagText(*tag.value)) {
      return ValidationError(
          absl::StrCat("The Tag Value provided is invalid, Value: ", tag.value.value_or("null")));
    }
  }
  std::set<std::string> seen;
  for (const TagIn& tag : tags) {
    if (!seen.insert(*tag.key).second) {
      return ValidationError(
          absl::StrCat("Duplicate Tag Keys provided as input: Duplicate Tag Key found ", *tag.key));
    }
  }
  if (tags.size() > kMaxTags) {
    return ValidationError("Number of Tags exceed the current limit for the provided ResourceArn");
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Descriptor building.

tern::v1::KeyType ToKeyType(absl::string_view type) {
  return type == kHash ? tern::v1::KEY_TYPE_HASH : tern::v1::KEY_TYPE_RANGE;
}

absl::string_view KeyTypeName(tern::v1::KeyType type) {
  switch (type) {
    case tern::v1::KEY_TYPE_HASH:
      return kHash;
    case tern::v1::KEY_TYPE_RANGE:
      return kRange;
    default:
      return "";
  }
}

tern::v1::ScalarType ToScalarType(absl::string_view type) {
  if (type == "S") return tern::v1::SCALAR_TYPE_S;
  if (type == "N") return tern::v1::SCALAR_TYPE_N;
  return tern::v1::SCALAR_TYPE_B;
}

absl::string_view ScalarTypeName(tern::v1::ScalarType type) {
  switch (type) {
    case tern::v1::SCALAR_TYPE_S:
      return "S";
    case tern::v1::SCALAR_TYPE_N:
      return "N";
    case tern::v1::SCALAR_TYPE_B:
      return "B";
    default:
      return "";
  }
}

void FillKeySchema(const std::vector<KeyElementIn>& in,
                   google::protobuf::RepeatedPtrField<tern::v1::KeySchemaElement>* out) {
  for (const KeyElementIn& e : in) {
    tern::v1::KeySchemaElement* element = out->Add();
    element->set_attribute_name(*e.name);
    element->set_key_type(ToKeyType(*e.type));
  }
}

void FillIndex(const IndexIn& in, tern::v1::SecondaryIndex* out) {
  out->set_name(*in.name);
  FillKeySchema(*in.key_schema, out->mutable_key_schema());
  out->mutable_projection()->set_projection_type(*in.projection->type);
  if (in.projection->non_key) {
    for (const std::string& name : *in.projection->non_key) {
      out->mutable_projection()->add_non_key_attributes(name);
    }
  }
}

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
// CreateTable's semantic rules, in DynamoDB's order.

absl::Status CheckCreateTable(const TableRequestIn& in, const TableLimits& limits) {
  const std::string billing = in.billing_mode.value_or(std::string(kProvisioned));
  const bool on_demand = billing == kPayPerRequest;
  if (on_demand) {
    if (in.throughput) {
      return InvalidParameter(
          "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
          "PAY_PER_REQUEST");
    }
  } else {
    if (!in.throughput) return InvalidParameter(kNoTableThroughput);
    TERN_RETURN_IF_ERROR(CheckOutOfBounds(*in.throughput));
  }

  std::vector<std::string> definitions;
  for (const AttributeDefinitionIn& def : *in.attribute_definitions) {
    if (Contains(definitions, *def.name)) {
      return ValidationError(absl::StrCat("Attribute Name is duplicated: ", *def.name));
    }
    definitions.push_back(*def.name);
  }
  const std::vector<std::string> keys = KeyNames(*in.key_schema);
  if (keys.size() > definitions.size()) {
    return ValidationError("Invalid KeySchema: Some index key attribute have no definition");
  }
  TERN_RETURN_IF_ERROR(CheckKeysDefined(keys, definitions));
  TERN_RETURN_IF_ERROR(CheckKeySchemaShape(*in.key_schema));

  const bool has_indexes = in.local_indexes.has_value() || in.global_indexes.has_value();
  if (in.local_indexes && in.local_indexes->empty()) {
    return InvalidParameter("List of LocalSecondaryIndexes is empty");
  }
  if (in.global_indexes && in.global_indexes->empty()) {
    return InvalidParameter("List of GlobalSecondaryIndexes is empty");
  }
  if (in.local_indexes && keys.size() != 2) {
    return InvalidParameter(
        "Table KeySchema does not have a range key, which is required when specifying a "
        "LocalSecondaryIndex");
  }
  std::vector<std::string> used = keys;
  for (const auto* indexes : {&in.local_indexes, &in.global_indexes}) {
    if (!*indexes) continue;
    for (const IndexIn& index : **indexes) {
      const std::vector<std::string> index_keys = KeyNames(*index.key_schema);
      TERN_RETURN_IF_ERROR(CheckKeysDefined(index_keys, definitions));
      for (const std::string& key : index_keys) {
        if (!Contains(used, key)) used.push_back(key);
      }
    }
  }
  if (!has_indexes) {
    if (keys.size() != definitions.size()) {
      return InvalidParameter(
          "Number of attributes in KeySchema does not exactly match number of attributes defined "
          "in AttributeDefinitions");
    }
  } else {
    for (const std::string& definition : definitions) {
      if (!Contains(used, definition)) {
        return InvalidParameter(absl::StrCat("Some AttributeDefinitions are not used. ",
                                             "AttributeDefinitions: ",
                                             RenderReversed(definitions),
                                             ", keys used: ",
                                             RenderReversed(used)));
      }
    }
  }

  std::set<std::string> index_names;
  size_t projected = 0;
  if (in.local_indexes) {
    for (const IndexIn& index : *in.local_indexes) {
      TERN_RETURN_IF_ERROR(CheckKeySchemaShape(*index.key_schema));
      if (index.key_schema->size() != 2) {
        return InvalidParameter(
            absl::StrCat("Index KeySchema does not have a range key for index: ", *index.name));
      }
      const std::string& index_hash = *(*index.key_schema)[0].name;
      if (index_hash != keys[0]) {
        return InvalidParameter(absl::StrCat(
            "Index KeySchema does not have the same leading hash key as table KeySchema for "
            "index: ",
            *index.name,
            ". index hash key: ",
            index_hash,
            ", table hash key: ",
            keys[0]));
      }
      TERN_RETURN_IF_ERROR(CheckProjectionRules(*index.projection));
      if (!index_names.insert(*index.name).second) {
        return InvalidParameter(absl::StrCat("Duplicate index name: ", *index.name));
      }
      if (index.projection->non_key) projected += index.projection->non_key->size();
    }
    if (in.local_indexes->size() > kMaxLocalIndexes) {
      return InvalidParameter(absl::StrCat(
          "Number of LocalSecondaryIndexes exceeds per-table limit of ", kMaxLocalIndexes));
    }
  }
  if (in.global_indexes) {
    for (const IndexIn& index : *in.global_indexes) {
      if (index.key_schema->size() > kMaxTableKeyElements) {
        return InvalidParameter(absl::StrCat(
            "Tern does not support global secondary index keys with more than 2 attributes "
            "(index: ",
            *index.name,
            ")"));
      }
      TERN_RETURN_IF_ERROR(CheckKeySchemaShape(*index.key_schema));
      TERN_RETURN_IF_ERROR(CheckProjectionRules(*index.projection));
      if (on_demand && index.throughput) {
        return InvalidParameter(
            absl::StrCat("ProvisionedThroughput should not be specified for "
                         "index: ",
                         *index.name,
                         " when BillingMode is PAY_PER_REQUEST"));
      }
      if (!on_demand && !index.throughput) {
        return InvalidParameter(
            absl::StrCat("ProvisionedThroughput is not specified for index: ", *index.name));
      }
      if (!index_names.insert(*index.name).second) {
        return InvalidParameter(absl::StrCat("Duplicate index name: ", *index.name));
      }
      if (index.projection->non_key) projected += index.projection->non_key->size();
    }
    if (in.global_indexes->size() > kMaxGlobalIndexes) {
      return InvalidParameter(absl::StrCat(
          "GlobalSecondaryIndex count exceeds the per-table limit of ", kMaxGlobalIndexes));
    }
  }
  if (projected > kMaxProjectedAttributes) {
    return InvalidParameter(
        absl::StrCat("Number of projected attributes in all indexes exceeds limit of ",
                     kMaxProjectedAttributes,
                     ", number of projected attributes:",
                     projected));
  }

  if (in.stream) {
    if (*in.stream->enabled && !in.stream->view_type) {
      return InvalidParameter(
          "Table is being created with a stream enabled, UpdateViewType is required");
    }
    if (!*in.stream->enabled && in.stream->view_type) {
      return InvalidParameter(
          "Table is being created with a stream disabled, UpdateViewType should not be "
          "specified");
    }
  }
  if (in.sse) TERN_RETURN_IF_ERROR(CheckSseRules(*in.sse));
  TERN_RETURN_IF_ERROR(CheckTableClass(in.table_class));
  if (in.tags) TERN_RETURN_IF_ERROR(CheckTags(*in.tags));

  // Account quotas come last: DynamoDB checks them after the request is valid.
  if (!on_demand) {
    TERN_RETURN_IF_ERROR(CheckTableMaximum(*in.throughput, limits));
    if (in.global_indexes) {
      for (const IndexIn& index : *in.global_indexes) {
        TERN_RETURN_IF_ERROR(CheckIndexMaximum(*index.name, *index.throughput, limits));
      }
    }
  }
  return absl::OkStatus();
}

tern::v1::TableDescriptor BuildTable(const TableRequestIn& in, absl::Time now) {
  const int64_t now_ms = absl::ToUnixMillis(now);
  const std::string billing = in.billing_mode.value_or(std::string(kProvisioned));
  tern::v1::TableDescriptor table;
  table.set_name(*in.table_name);
  FillKeySchema(*in.key_schema, table.mutable_key_schema());
  for (const AttributeDefinitionIn& def : *in.attribute_definitions) {
    tern::v1::AttributeDefinition* out = table.add_attribute_definitions();
    out->set_attribute_name(*def.name);
    out->set_attribute_type(ToScalarType(*def.type));
  }
  table.set_status("CREATING");
  table.set_creation_time_ms(now_ms);
  table.set_billing_mode(billing);
  if (billing == kPayPerRequest) {
    table.set_billing_mode_last_update_ms(now_ms);
  } else {
    table.mutable_throughput()->set_read_capacity_units(*in.throughput->read);
    table.mutable_throughput()->set_write_capacity_units(*in.throughput->write);
  }
  if (in.local_indexes) {
    for (const IndexIn& index : *in.local_indexes) FillIndex(index, table.add_local_indexes());
  }
  if (in.global_indexes) {
    for (const IndexIn& index : *in.global_indexes) {
      tern::v1::SecondaryIndex* out = table.add_global_indexes();
      FillIndex(index, out);
      out->set_status("CREATING");
      if (index.throughput) {
        out->mutable_throughput()->set_read_capacity_units(*index.throughput->read);
        out->mutable_throughput()->set_write_capacity_units(*index.throughput->write);
      }
    }
  }
  if (in.stream && *in.stream->enabled) {
    table.mutable_stream()->set_enabled(true);
    table.mutable_stream()->set_view_type(*in.stream->view_type);
    table.mutable_stream()->set_label(StreamLabel(now));
  }
  if (in.tags) {
    for (const TagIn& tag : *in.tags) {
      tern::v1::Tag* out = table.add_tags();
      out->set_key(*tag.key);
      out->set_value(*tag.value);
    }
  }
  if (in.sse && SseRequestsEncryption(*in.sse)) {
    table.mutable_sse()->set_enabled(true);
    table.mutable_sse()->set_sse_type("KMS");
    if (in.sse->key) table.mutable_sse()->set_kms_master_key_id(*in.sse->key);
  }
  table.set_deletion_protection(in.deletion_protection.value_or(false));
  table.set_table_class(in.table_class.value_or(std::string(kStandard)));
  return table;
}

// ---------------------------------------------------------------------------
// Rendering.

double EpochSeconds(int64_t millis) { return static_cast<double>(millis) / 1000.0; }

json::array KeySchemaJson(
    const google::protobuf::RepeatedPtrField<tern::v1::KeySchemaElement>& key_schema) {
  json::array out;
  for (const tern::v1::KeySchemaElement& e : key_schema) {
    json::object element;
    element["AttributeName"] = e.attribute_name();
    element["KeyType"] = std::string(KeyTypeName(e.key_type()));
    out.push_back(std::move(element));
  }
  return out;
}

json::object ProjectionJson(const tern::v1::Projection& projection) {
  json::object out;
  out["ProjectionType"] = projection.projection_type();
  if (projection.non_key_attributes_size() > 0) {
    json::array names;
    for (const std::string& name : projection.non_key_attributes())
      names.push_back(json::value(name));
    out["NonKeyAttributes"] = std::move(names);
  }
  return out;
}

json::object ThroughputJson(const tern::v1::ProvisionedThroughput& throughput, bool on_demand) {
  json::object out;
  if (!on_demand && throughput.last_increase_ms() != 0) {
    out["LastIncreaseDateTime"] = EpochSeconds(throughput.last_increase_ms());
  }
  if (!on_demand && throughput.last_decrease_ms() != 0) {
    out["LastDecreaseDateTime"] = EpochSeconds(throughput.last_decrease_ms());
  }
  out["NumberOfDecreasesToday"] = throughput.decreases_today();
  out["ReadCapacityUnits"] = on_demand ? 0 : throughput.read_capacity_units();
  out["WriteCapacityUnits"] = on_demand ? 0 : throughput.write_capacity_units();
  return out;
}

void AddBillingModeSummary(const tern::v1::TableDescriptor& table, json::object* out) {
  const bool on_demand = table.billing_mode() == kPayPerRequest;
  if (!on_demand && table.billing_mode_last_update_ms() == 0) return;
  json::object summary;
  summary["BillingMode"] = on_demand ? std::string(kPayPerRequest) : std::string(kProvisioned);
  if (table.billing_mode_last_update_ms() != 0) {
    summary["LastUpdateToPayPerRequestDateTime"] =
        EpochSeconds(table.billing_mode_last_update_ms());
  }
  (*out)["BillingModeSummary"] = std::move(summary);
}

std::string KmsKeyArn(absl::string_view key, absl::string_view region, absl::string_view account) {
  if (absl::StartsWith(key, "arn:")) return std::string(key);
  const std::string prefix = absl::StrCat("arn:aws:kms:", region, ":", account, ":");
  if (key.empty()) return absl::StrCat(prefix, "alias/aws/dynamodb");
  if (absl::StartsWith(key, "alias/")) return absl::StrCat(prefix, key);
  return absl::StrCat(prefix, "key/", key);
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

// ---------------------------------------------------------------------------
// Public API.

absl::StatusOr<tern::v1::TableDescriptor> ParseCreateTable(const boost::json::object& request,
                                                           absl::Time now,
                                                           const TableLimits& limits) {
  TableRequestIn in;
  TERN_RETURN_IF_ERROR(ReadTableRequest(request, /*update=*/false, &in));
  if (!in.table_name) return ValidationError(kTableNameRequired);

  ValidationErrors errors;
  Envelope envelope(&errors);
  CheckAttributeDefinitions(in.attribute_definitions, /*required=*/true, &envelope);
  CheckName(*in.table_name, "tableName", &envelope);
  CheckBillingMode(in.billing_mode, &envelope);
  CheckThroughput(in.throughput, "provisionedThroughput", /*required=*/false, &envelope);
  CheckKeySchema(
      in.key_schema, "keySchema", /*check_key_type=*/true, kMaxTableKeyElements, &envelope);
  if (in.local_indexes) {
    for (size_t i = 0; i < in.local_indexes->size(); ++i) {
      CheckLocalIndex((*in.local_indexes)[i],
                      absl::StrCat("localSecondaryIndexes.", i + 1, ".member"),
                      &envelope);
    }
  }
  if (in.global_indexes) {
    for (size_t i = 0; i < in.global_indexes->size(); ++i) {
      CheckGlobalIndex((*in.global_indexes)[i],
                       absl::StrCat("globalSecondaryIndexes.", i + 1, ".member"),
                       &envelope);
    }
  }
  CheckStream(in.stream, &envelope);
  CheckSse(in.sse, &envelope);
  TERN_RETURN_IF_ERROR(errors.ToStatus());

  TERN_RETURN_IF_ERROR(CheckCreateTable(in, limits));
  return BuildTable(in, now);
}

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

void ValidateTableName(const boost::json::value* value, ValidationErrors* errors) {
  Envelope envelope(errors);
  if (value == nullptr || value->is_null()) {
    envelope.NotNull("tableName");
    return;
  }
  if (const boost::json::string* name = value->if_string()) {
    CheckName(ToStd(*name), "tableName", &envelope);
  }
}

absl::Status ValidateTableNameMember(const boost::json::object& request) {
  const boost::json::value* value = request.if_contains("TableName");
  if (value == nullptr || value->is_null()) return ValidationError(kTableNameRequired);
  TERN_RETURN_IF_ERROR(ExpectString(*value));
  ValidationErrors errors;
  ValidateTableName(value, &errors);
  return errors.ToStatus();
}

absl::Status ValidateListTables(const boost::json::object& request) {
  std::optional<int64_t> limit;
  std::optional<std::string> start;
  for (const boost::json::key_value_pair& member : request) {
    if (member.key() == "Limit") {
      TERN_RETURN_IF_ERROR(ReadLong(member.value(), "Integer", &limit));
    } else if (member.key() == "ExclusiveStartTableName") {
      TERN_RETURN_IF_ERROR(ReadString(member.value(), &start));
    }
  }
  ValidationErrors errors;
  Envelope envelope(&errors);
  if (limit && *limit < 1) envelope.Violation(absl::StrCat(*limit), "limit", MinValue(1));
  if (limit && *limit > 100) envelope.Violation(absl::StrCat(*limit), "limit", MaxValue(100));
  if (start) CheckName(*start, "exclusiveStartTableName", &envelope);
  return errors.ToStatus();
}

std::string TableArn(absl::string_view region, absl::string_view account, absl::string_view name) {
  return absl::StrCat("arn:aws:dynamodb:", region, ":", account, ":table/", name);
}

boost::json::object TableDescriptionJson(const tern::v1::TableDescriptor& table,
                                         const TableStats& stats,
                                         absl::string_view region,
                                         absl::string_view account) {
  const bool on_demand = table.billing_mode() == kPayPerRequest;
  const std::string arn = TableArn(region, account, table.name());
  json::object out;
  json::array definitions;
  for (const tern::v1::AttributeDefinition& def : table.attribute_definitions()) {
    json::object element;
    element["AttributeName"] = def.attribute_name();
    element["AttributeType"] = std::string(ScalarTypeName(def.attribute_type()));
    definitions.push_back(std::move(element));
  }
  out["AttributeDefinitions"] = std::move(definitions);
  out["TableName"] = table.name();
  out["KeySchema"] = KeySchemaJson(table.key_schema());
  out["TableStatus"] = table.status();
  out["CreationDateTime"] = EpochSeconds(table.creation_time_ms());
  out["ProvisionedThroughput"] = ThroughputJson(table.throughput(), on_demand);
  out["TableSizeBytes"] = stats.size_bytes;
  out["ItemCount"] = stats.item_count;
  out["TableArn"] = arn;
  if (!table.table_uuid().empty()) out["TableId"] = table.table_uuid();
  AddBillingModeSummary(table, &out);
  if (table.local_indexes_size() > 0) {
    json::array indexes;
    for (const tern::v1::SecondaryIndex& index : table.local_indexes()) {
      json::object element;
      element["IndexName"] = index.name();
      element["KeySchema"] = KeySchemaJson(index.key_schema());
      element["Projection"] = ProjectionJson(index.projection());
      element["IndexSizeBytes"] = 0;
      element["ItemCount"] = 0;
      element["IndexArn"] = absl::StrCat(arn, "/index/", index.name());
      indexes.push_back(std::move(element));
    }
    out["LocalSecondaryIndexes"] = std::move(indexes);
  }
  if (table.global_indexes_size() > 0) {
    json::array indexes;
    for (const tern::v1::SecondaryIndex& index : table.global_indexes()) {
      json::object element;
      element["IndexName"] = index.name();
      element["KeySchema"] = KeySchemaJson(index.key_schema());
      element["Projection"] = ProjectionJson(index.projection());
      element["IndexStatus"] = index.status().empty() ? std::string("ACTIVE") : index.status();
      element["ProvisionedThroughput"] = ThroughputJson(index.throughput(), on_demand);
      element["IndexSizeBytes"] = 0;
      element["ItemCount"] = 0;
      element["IndexArn"] = absl::StrCat(arn, "/index/", index.name());
      indexes.push_back(std::move(element));
    }
    out["GlobalSecondaryIndexes"] = std::move(indexes);
  }
  if (table.stream().enabled()) {
    json::object spec;
    spec["StreamEnabled"] = true;
    spec["StreamViewType"] = table.stream().view_type();
    out["StreamSpecification"] = std::move(spec);
  }
  if (!table.stream().label().empty()) {
    out["LatestStreamLabel"] = table.stream().label();
    out["LatestStreamArn"] = absl::StrCat(arn, "/stream/", table.stream().label());
  }
  if (table.sse().enabled()) {
    json::object sse;
    sse["Status"] = "ENABLED";
    sse["SSEType"] = table.sse().sse_type().empty() ? std::string("KMS") : table.sse().sse_type();
    sse["KMSMasterKeyArn"] = KmsKeyArn(table.sse().kms_master_key_id(), region, account);
    out["SSEDescription"] = std::move(sse);
  }
  if (!table.table_class().empty() && table.table_class() != kStandard) {
    json::object summary;
    summary["TableClass"] = table.table_class();
    out["TableClassSummary"] = std::move(summary);
  }
  out["DeletionProtectionEnabled"] = table.deletion_protection();
  return out;
}

boost::json::object DeleteTableDescriptionJson(const tern::v1::TableDescriptor& table,
                                               const TableStats& stats,
                                               absl::string_view region,
                                               absl::string_view account) {
  json::object out;
  out["TableName"] = table.name();
  out["TableStatus"] = table.status();
  out["ProvisionedThroughput"] =
      ThroughputJson(table.throughput(), table.billing_mode() == kPayPerRequest);
  out["TableSizeBytes"] = stats.size_bytes;
  out["ItemCount"] = stats.item_count;
  out["TableArn"] = TableArn(region, account, table.name());
  if (!table.table_uuid().empty()) out["TableId"] = table.table_uuid();
  AddBillingModeSummary(table, &out);
  return out;
}

}  // namespace tern::router
