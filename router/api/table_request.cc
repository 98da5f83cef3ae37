// Reading CreateTable and UpdateTable requests into the request model of
// table_schema_internal.h, with DynamoDB's SerializationException texts. The
// message sources are listed at the top of table_schema.cc.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/json/array.hpp"
#include "boost/json/object.hpp"
#include "boost/json/string.hpp"
#include "boost/json/value.hpp"
#include "common/base/status_macros.h"
#include "common/model/attribute_value.h"
#include "router/api/table_schema_internal.h"

namespace tern::router::internal {
namespace {

// ---------------------------------------------------------------------------
// JSON shapes (SerializationException). A null member counts as absent.

bool IsIntegral(const json::value& v) { return v.is_int64() || v.is_uint64(); }

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

}  // namespace

// ---------------------------------------------------------------------------
// JSON shapes (SerializationException). A null member counts as absent.

absl::Status ExpectString(const json::value& v) { return model::CheckJsonString(v); }

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

// ---------------------------------------------------------------------------
// The request model, as read from JSON (every member optional).

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

}  // namespace tern::router::internal
