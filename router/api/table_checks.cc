// The request-model constraints (the ValidationException envelope) and the
// semantic rules shared by CreateTable and UpdateTable. The message sources
// are listed at the top of table_schema.cc.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/base/status_macros.h"
#include "router/api/table_schema_internal.h"
#include "router/api/validation.h"

namespace tern::router::internal {
namespace {

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

void CheckUnits(const std::optional<int64_t>& units, const std::string& path, Envelope* envelope) {
  if (!units) {
    envelope->NotNull(path);
  } else if (*units < 1) {
    envelope->Violation(absl::StrCat(*units), path, MinValue(1));
  }
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

bool IsStreamViewType(absl::string_view type) {
  return type == "KEYS_ONLY" || type == "NEW_IMAGE" || type == "OLD_IMAGE" ||
         type == "NEW_AND_OLD_IMAGES";
}

}  // namespace

// ---------------------------------------------------------------------------
// Request-model constraints (the envelope).

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

}  // namespace tern::router::internal
