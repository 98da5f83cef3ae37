// Substitutions: a request's ExpressionAttributeNames and
// ExpressionAttributeValues, with DynamoDB's checks on their shape and on
// undefined and unused entries. The expressions themselves are parsed by
// common/expr, which reports back what it used. Thread-compatible.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/json/object.hpp"
#include "common/expr/parser.h"
#include "common/model/attribute_value.h"

namespace tern::router {

class Substitutions {
 public:
  // Reads ExpressionAttributeNames and ExpressionAttributeValues from request.
  // ValidationException for an empty map, a key without '#'/':' or a bad value.
  static absl::StatusOr<Substitutions> FromRequest(const boost::json::object& request);

  bool has_names() const { return has_names_; }
  bool has_values() const { return has_values_; }

  // "#n" -> its name (marking it used); any other token is itself.
  absl::StatusOr<std::string> Name(absl::string_view token);
  // ":v" -> its value (marking it used).
  absl::StatusOr<model::AttributeValue> Value(absl::string_view token);

  // ValidationException naming the substitutions no expression used.
  absl::Status CheckAllUsed() const;

  // The substitutions as common/expr's parsers take them, and the way back:
  // MarkUsed records what such a parser used.
  expr::Substitutions ForParser() const;
  void MarkUsed(const expr::SubstitutionUse& use);

  // The substitutions themselves ("#n" -> name, ":v" -> value).
  const std::map<std::string, std::string>& names() const { return names_; }
  const model::Item& values() const { return values_; }

 private:
  bool has_names_ = false;
  bool has_values_ = false;
  std::map<std::string, std::string> names_;
  std::map<std::string, model::AttributeValue> values_;
  std::set<std::string> used_names_;
  std::set<std::string> used_values_;
};

}  // namespace tern::router
