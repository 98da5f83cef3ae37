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
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "boost/json/object.hpp"
#include "boost/json/string.hpp"
#include "boost/json/value.hpp"
#include "common/base/error_details.h"
#include "common/base/status_macros.h"
#include "router/api/table_schema_internal.h"
#include "router/api/validation.h"

namespace tern::router {
namespace internal {
namespace {

// ---------------------------------------------------------------------------
// Text helpers.

bool MatchesNamePattern(absl::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
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

// ---------------------------------------------------------------------------
// Descriptor building.

tern::v1::KeyType ToKeyType(absl::string_view type) {
  return type == kHash ? tern::v1::KEY_TYPE_HASH : tern::v1::KEY_TYPE_RANGE;
}

tern::v1::ScalarType ToScalarType(absl::string_view type) {
  if (type == "S") return tern::v1::SCALAR_TYPE_S;
  if (type == "N") return tern::v1::SCALAR_TYPE_N;
  return tern::v1::SCALAR_TYPE_B;
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

}  // namespace

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

// ---------------------------------------------------------------------------
// Text helpers.

std::string ToStd(json::string_view s) { return std::string(s.data(), s.size()); }

// Length as DynamoDB counts it (characters, not UTF-8 bytes).
size_t CharCount(absl::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
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

// DynamoDB's StreamLabel: the creation time, ISO 8601 with milliseconds, UTC.
std::string StreamLabel(absl::Time now) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3S", now, absl::UTCTimeZone());
}

}  // namespace internal

using internal::BuildTable;
using internal::CheckAttributeDefinitions;
using internal::CheckBillingMode;
using internal::CheckCreateTable;
using internal::CheckGlobalIndex;
using internal::CheckKeySchema;
using internal::CheckLocalIndex;
using internal::CheckName;
using internal::CheckSse;
using internal::CheckStream;
using internal::CheckThroughput;
using internal::Envelope;
using internal::ExpectString;
using internal::kMaxTableKeyElements;
using internal::kTableNameRequired;
using internal::MaxValue;
using internal::MinValue;
using internal::ReadLong;
using internal::ReadString;
using internal::ReadTableRequest;
using internal::TableRequestIn;
using internal::ToStd;

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

}  // namespace tern::router
