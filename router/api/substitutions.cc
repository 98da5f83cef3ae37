#include "router/api/substitutions.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/error_details.h"
#include "common/base/status_macros.h"
#include "router/api/validation.h"

namespace tern::router {
namespace {

// DynamoDB's limit on one ExpressionAttributeNames/Values key, in bytes.
constexpr size_t kMaxKeyBytes = 255;

std::string KeysList(const std::vector<std::string>& keys) {
  return absl::StrCat("{", absl::StrJoin(keys, ", "), "}");
}

// A key of member ("ExpressionAttributeNames" or ...Values) must start with
// prefix and fit in kMaxKeyBytes. The too-long wording is from an emulator's
// conformance table (unverified against DynamoDB).
absl::Status CheckKey(absl::string_view member, absl::string_view key, char prefix) {
  if (key.empty() || key[0] != prefix) {
    return ValidationError(
        absl::StrCat(member, " contains invalid key: Syntax error; key: \"", key, "\""));
  }
  if (key.size() > kMaxKeyBytes) {
    return ValidationError(absl::StrCat(member,
                                        " contains invalid key: The expression attribute map "
                                        "contains a key that is too long; size of key: ",
                                        key.size()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Substitutions> Substitutions::FromRequest(const boost::json::object& request) {
  Substitutions result;
  if (const boost::json::value* names = request.if_contains("ExpressionAttributeNames");
      names != nullptr && !names->is_null()) {
    if (!names->is_object()) {
      return base::Error(base::ErrorKind::kSerialization, "");
    }
    if (names->as_object().empty()) {
      return ValidationError("ExpressionAttributeNames must not be empty");
    }
    result.has_names_ = true;
    for (const auto& [key, value] : names->as_object()) {
      if (!value.is_string()) return base::Error(base::ErrorKind::kSerialization, "");
      TERN_RETURN_IF_ERROR(
          CheckKey("ExpressionAttributeNames", absl::string_view(key.data(), key.size()), '#'));
      result.names_[std::string(key)] = std::string(value.as_string());
    }
  }
  if (const boost::json::value* values = request.if_contains("ExpressionAttributeValues");
      values != nullptr && !values->is_null()) {
    if (!values->is_object()) {
      return base::Error(base::ErrorKind::kSerialization, "");
    }
    if (values->as_object().empty()) {
      return ValidationError("ExpressionAttributeValues must not be empty");
    }
    result.has_values_ = true;
    for (const auto& [key, value] : values->as_object()) {
      TERN_RETURN_IF_ERROR(
          CheckKey("ExpressionAttributeValues", absl::string_view(key.data(), key.size()), ':'));
      TERN_ASSIGN_OR_RETURN(model::AttributeValue parsed, model::ParseAttributeValue(value));
      result.values_[std::string(key)] = std::move(parsed);
    }
  }
  return result;
}

absl::StatusOr<std::string> Substitutions::Name(absl::string_view token) {
  if (token.empty() || token[0] != '#') return std::string(token);
  auto it = names_.find(std::string(token));
  if (it == names_.end()) {
    return ValidationError(absl::StrCat(
        "An expression attribute name used in the document path is not defined; attribute name: ",
        token));
  }
  used_names_.insert(it->first);
  return it->second;
}

absl::StatusOr<model::AttributeValue> Substitutions::Value(absl::string_view token) {
  auto it = values_.find(std::string(token));
  if (it == values_.end()) {
    return ValidationError(absl::StrCat(
        "An expression attribute value used in expression is not defined; attribute value: ",
        token));
  }
  used_values_.insert(it->first);
  return it->second;
}

expr::Substitutions Substitutions::ForParser() const {
  return expr::Substitutions{has_names_ ? &names_ : nullptr, has_values_ ? &values_ : nullptr};
}

void Substitutions::MarkUsed(const expr::SubstitutionUse& use) {
  for (const std::string& name : use.names) {
    if (names_.count(name) > 0) used_names_.insert(name);
  }
  for (const std::string& value : use.values) {
    if (values_.count(value) > 0) used_values_.insert(value);
  }
}

absl::Status Substitutions::CheckAllUsed() const {
  std::vector<std::string> unused_names;
  for (const auto& [key, name] : names_) {
    if (used_names_.count(key) == 0) unused_names.push_back(key);
  }
  if (!unused_names.empty()) {
    return ValidationError(
        absl::StrCat("Value provided in ExpressionAttributeNames unused in expressions: keys: ",
                     KeysList(unused_names)));
  }
  std::vector<std::string> unused_values;
  for (const auto& [key, value] : values_) {
    if (used_values_.count(key) == 0) unused_values.push_back(key);
  }
  if (!unused_values.empty()) {
    return ValidationError(
        absl::StrCat("Value provided in ExpressionAttributeValues unused in expressions: keys: ",
                     KeysList(unused_values)));
  }
  return absl::OkStatus();
}

}  // namespace tern::router
