// Messages (ValidationException unless noted) and where their text comes from:
//
// [D]  architect/dynalite validations/index.js (validateAttributeConditions,
//      validateConditions, validateExpressionParams) and validations/query.js;
//      dynalite's texts were captured from DynamoDB, but not re-verified here.
// [A]  scylladb/scylladb test/alternator/test_expected.py, run against
//      DynamoDB: which inputs are errors and the NE / NOT_CONTAINS semantics
//      on a missing attribute (no message texts).
// [X]  an ExtendDB conformance test ("dual-target against Amazon DynamoDB",
//      tests of legacy ConditionalOperator validation and mixing): the two
//      ConditionalOperator messages, the order of parameter names in the
//      mixing message, and that KeyConditions only counts as non-expression
//      next to KeyConditionExpression. The same two ConditionalOperator texts
//      appear in the AWS DAX client (aws amazon-dax-client-js
//      RequestValidator) and in a DynamoDB Local error-code table.
//
// | message                                                                 | src |
// |-------------------------------------------------------------------------|-----|
// | Can not use both expression and non-expression parameters in the same   | D X |
// |   request: Non-expression parameters: {A, B} Expression parameters: {C} |     |
// | ConditionalOperator cannot be used without Filter or Expected           |  X  |
// | ConditionalOperator can only be used when Filter or Expected has two or |  X  |
// |   more elements                                                         |     |
// | One or more parameter values were invalid: Value and AttributeValueList | D   |
// |   cannot be used together for Attribute: <a>                            |     |
// | ...: Exists and ComparisonOperator cannot be used together for          | D   |
// |   Attribute: <a>                                                        |     |
// | ...: Value or AttributeValueList must be used with ComparisonOperator:  | D   |
// |   <OP> for Attribute: <a>                                               |     |
// | ...: AttributeValueList can only be used with a ComparisonOperator for  | D   |
// |   Attribute: <a>                                                        |     |
// | ...: Value must be provided when Exists is <true|null> for Attribute: a | D   |
// | ...: Value cannot be used when Exists is false for Attribute: <a>       | D   |
// | ...: Invalid number of argument(s) for the <OP> ComparisonOperator      | D   |
// | ...: AttributeValues inside AttributeValueList must be of same type     | D   |
// | ...: ComparisonOperator <OP> is not valid for <T> AttributeValue type   | D   |
// | The BETWEEN condition was provided a range where the lower bound is     | D   |
// |   greater than the upper bound                                          |     |
// | Either the KeyConditions or KeyConditionExpression parameter must be    | D   |
// |   specified in the request.                                             |     |
// | Conditions can be of length 1 or 2 only                                 | D   |
// | Attempted conditional constraint is not an indexable operation          | D   |
// | (constraint) Value '<x>' at 'expected.<a>.member.comparisonOperator'    | D   |
// |   failed to satisfy constraint: Member must satisfy enum value set:     |     |
// |   [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE,       |     |
// |   BEGINS_WITH, GE, CONTAINS]   (enum order and path scheme: dynalite)   |     |
// | (constraint) Value null at 'queryFilter.<a>.member.comparisonOperator'  | D   |
// |   failed to satisfy constraint: Member must not be null                 |     |
// | (constraint) Value '<x>' at 'conditionalOperator' failed to satisfy     | D   |
// |   constraint: Member must satisfy enum value set: [OR, AND]             |     |
//
// Precedence (Tern's, following dynalite where it has one): JSON shape
// (SerializationException) of the member and of ConditionalOperator; the
// constraint errors; the ConditionalOperator count rule ([X]: it fires before
// a Query's missing-key-condition error); then each entry in request order.
// Within an entry of Expected: Value with AttributeValueList; Exists with
// ComparisonOperator; missing arguments; AttributeValue errors; argument
// count; same type; type allowed for the operator; BETWEEN bounds.
// Unverified choices: the per-operator type table (dynalite's) is applied to
// Expected as well as to filters ([A] shows CONTAINS/IN/BETWEEN with lists or
// sets, and BEGINS_WITH with a number, are ValidationExceptions in Expected);
// KeyConditions with a non-indexable operator fails here, before the key
// schema is looked at (dynalite checks the missing hash key first).
#include "router/api/legacy_conditions.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/error_details.h"
#include "common/model/attribute_value.h"

namespace tern::router {
namespace {

using boost::json::object;
using boost::json::value;
using expr::Condition;
using expr::Operand;
using model::AttributeType;
using model::AttributeValue;

constexpr absl::string_view kInvalid = "One or more parameter values were invalid: ";

const std::vector<std::string> kComparisonOperators = {"IN",
                                                       "NULL",
                                                       "BETWEEN",
                                                       "LT",
                                                       "NOT_CONTAINS",
                                                       "EQ",
                                                       "GT",
                                                       "NOT_NULL",
                                                       "NE",
                                                       "LE",
                                                       "BEGINS_WITH",
                                                       "GE",
                                                       "CONTAINS"};
const std::vector<std::string> kConditionalOperators = {"OR", "AND"};

absl::Status Serialization() { return base::Error(base::ErrorKind::kSerialization, ""); }

bool Present(const object& request, const char* name) {
  const value* v = request.if_contains(name);
  return v != nullptr && !v->is_null();
}

bool OneOf(const std::string& text, const std::vector<std::string>& allowed) {
  for (const std::string& ok : allowed) {
    if (text == ok) return true;
  }
  return false;
}

std::string EnumConstraint(const std::vector<std::string>& allowed) {
  return absl::StrCat("Member must satisfy enum value set: [", absl::StrJoin(allowed, ", "), "]");
}

std::string LowerFirst(absl::string_view name) {
  std::string out(name);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z')
    out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

// One entry of Expected / QueryFilter / ScanFilter / KeyConditions, read.
struct Entry {
  std::string attribute;
  std::optional<std::string> op;  // ComparisonOperator
  bool has_list = false;          // AttributeValueList present
  std::vector<AttributeValue> list;
  std::optional<AttributeValue> value;  // Value
  std::optional<bool> exists;           // Exists
  absl::Status value_error;             // first validation error of an AttributeValue
};

// Reads one AttributeValue into *out, keeping a validation error in
// entry->value_error; returns serialization errors.
absl::Status ReadValue(const value& json, Entry* entry, AttributeValue* out) {
  absl::StatusOr<AttributeValue> parsed = model::ParseAttributeValue(json);
  if (!parsed.ok()) {
    if (model::IsSerializationError(parsed.status())) return parsed.status();
    if (entry->value_error.ok()) entry->value_error = parsed.status();
    return absl::OkStatus();
  }
  *out = *std::move(parsed);
  return absl::OkStatus();
}

// Checks the JSON shape of ConditionalOperator.
absl::Status CheckConditionalOperatorShape(const object& request) {
  const value* op = request.if_contains("ConditionalOperator");
  if (op == nullptr) return absl::OkStatus();
  return model::CheckJsonString(*op);
}

// Reads request[member] (a map of attribute names to conditions); only the
// JSON shape is checked. Absent or null reads as no entries.
absl::Status ReadEntries(const object& request, const char* member, std::vector<Entry>* entries) {
  const value* map = request.if_contains(member);
  if (map == nullptr || map->is_null()) return absl::OkStatus();
  if (!map->is_object()) return Serialization();
  for (const auto& [name, spec] : map->as_object()) {
    if (spec.is_null()) continue;
    if (!spec.is_object()) return Serialization();
    const object& fields = spec.as_object();
    Entry entry;
    entry.attribute = std::string(name.data(), name.size());
    if (const value* op = fields.if_contains("ComparisonOperator"); op != nullptr) {
      if (absl::Status shape = model::CheckJsonString(*op); !shape.ok()) return shape;
      if (op->is_string()) entry.op = std::string(op->as_string());
    }
    if (const value* list = fields.if_contains("AttributeValueList");
        list != nullptr && !list->is_null()) {
      if (!list->is_array()) return Serialization();
      entry.has_list = true;
      for (const value& element : list->as_array()) {
        if (!element.is_object()) return Serialization();
        entry.list.emplace_back();
        if (absl::Status shape = ReadValue(element, &entry, &entry.list.back()); !shape.ok()) {
          return shape;
        }
      }
    }
    if (const value* v = fields.if_contains("Value"); v != nullptr && !v->is_null()) {
      if (!v->is_object()) return Serialization();
      entry.value.emplace();
      if (absl::Status shape = ReadValue(*v, &entry, &*entry.value); !shape.ok()) return shape;
    }
    if (const value* exists = fields.if_contains("Exists");
        exists != nullptr && !exists->is_null()) {
      if (!exists->is_bool()) return Serialization();
      entry.exists = exists->as_bool();
    }
    entries->push_back(std::move(entry));
  }
  return absl::OkStatus();
}

// Adds the constraint errors of request[member] (when it is a JSON object).
void AddMemberConstraintErrors(const object& request,
                               const char* member,
                               bool operator_required,
                               ValidationErrors* errors) {
  const value* map = request.if_contains(member);
  if (map == nullptr || !map->is_object()) return;
  for (const auto& [name, spec] : map->as_object()) {
    if (!spec.is_object()) continue;
    std::string path = absl::StrCat(LowerFirst(member),
                                    ".",
                                    absl::string_view(name.data(), name.size()),
                                    ".member.comparisonOperator");
    const value* op = spec.as_object().if_contains("ComparisonOperator");
    if (op == nullptr || op->is_null()) {
      if (operator_required) errors->AddMissing(path, "Member must not be null");
      continue;
    }
    if (!op->is_string()) continue;
    std::string text(op->as_string());
    if (!OneOf(text, kComparisonOperators)) {
      errors->AddConstraint(text, path, EnumConstraint(kComparisonOperators));
    }
  }
}

void AddConditionalOperatorError(const object& request, ValidationErrors* errors) {
  const value* op = request.if_contains("ConditionalOperator");
  if (op == nullptr || !op->is_string()) return;
  std::string text(op->as_string());
  if (!OneOf(text, kConditionalOperators)) {
    errors->AddConstraint(text, "conditionalOperator", EnumConstraint(kConditionalOperators));
  }
}

// [X]: a ConditionalOperator needs two or more conditions to join.
absl::Status CheckConditionalOperatorCount(const object& request, size_t conditions) {
  if (!Present(request, "ConditionalOperator")) return absl::OkStatus();
  if (conditions == 0) {
    return ValidationError("ConditionalOperator cannot be used without Filter or Expected");
  }
  if (conditions == 1) {
    return ValidationError(
        "ConditionalOperator can only be used when Filter or Expected has two or more elements");
  }
  return absl::OkStatus();
}

// Total order of two values of the same type S, N or B (bytes unsigned).
int CompareScalars(const AttributeValue& a, const AttributeValue& b) {
  switch (a.type()) {
    case AttributeType::kN:
      return a.n().Compare(b.n());
    case AttributeType::kS:
      return a.s().compare(b.s());
    case AttributeType::kB:
      return a.b().compare(b.b());
    default:
      return 0;
  }
}

bool TypeAllowed(const std::string& op, AttributeType type) {
  const bool scalar =
      type == AttributeType::kS || type == AttributeType::kN || type == AttributeType::kB;
  if (op == "EQ" || op == "NE") {
    return scalar || type == AttributeType::kSS || type == AttributeType::kNS ||
           type == AttributeType::kBS;
  }
  if (op == "BEGINS_WITH") return type == AttributeType::kS || type == AttributeType::kB;
  return scalar;
}

// The argument rules of a ComparisonOperator [D].
absl::Status CheckArguments(const Entry& entry,
                            const std::string& op,
                            const std::vector<AttributeValue>& args) {
  if (!entry.value_error.ok()) return entry.value_error;
  bool count_ok = false;
  if (op == "NULL" || op == "NOT_NULL") {
    count_ok = args.empty();
  } else if (op == "IN") {
    count_ok = !args.empty();
  } else if (op == "BETWEEN") {
    count_ok = args.size() == 2;
  } else {
    count_ok = args.size() == 1;
  }
  if (!count_ok) {
    return ValidationError(absl::StrCat(
        kInvalid, "Invalid number of argument(s) for the ", op, " ComparisonOperator"));
  }
  for (const AttributeValue& arg : args) {
    if (arg.type() != args[0].type()) {
      return ValidationError(
          absl::StrCat(kInvalid, "AttributeValues inside AttributeValueList must be of same type"));
    }
  }
  for (const AttributeValue& arg : args) {
    if (!TypeAllowed(op, arg.type())) {
      return ValidationError(absl::StrCat(kInvalid,
                                          "ComparisonOperator ",
                                          op,
                                          " is not valid for ",
                                          model::AttributeTypeName(arg.type()),
                                          " AttributeValue type"));
    }
  }
  if (op == "BETWEEN" && CompareScalars(args[0], args[1]) > 0) {
    return ValidationError(
        "The BETWEEN condition was provided a range where the lower bound is greater than the "
        "upper bound");
  }
  return absl::OkStatus();
}

expr::Path PathOf(const std::string& attribute) {
  return expr::Path{expr::PathElement::Name(attribute)};
}

Condition Leaf(Condition::Kind kind, std::vector<Operand> operands) {
  Condition c;
  c.kind = kind;
  c.operands = std::move(operands);
  return c;
}

Condition Compare(const std::string& attribute, expr::Comparator comparator, AttributeValue v) {
  Condition c = Leaf(Condition::Kind::kCompare,
                     {Operand::OfPath(PathOf(attribute)), Operand::OfValue(std::move(v))});
  c.comparator = comparator;
  return c;
}

Condition Join(Condition::Kind kind, Condition left, Condition right) {
  Condition c;
  c.kind = kind;
  c.children.push_back(std::move(left));
  c.children.push_back(std::move(right));
  return c;
}

// The condition of a validated ComparisonOperator entry.
Condition FromOperator(const std::string& attribute,
                       const std::string& op,
                       std::vector<AttributeValue> args) {
  using Kind = Condition::Kind;
  if (op == "EQ") return Compare(attribute, expr::Comparator::kEq, std::move(args[0]));
  if (op == "NE") return Compare(attribute, expr::Comparator::kNe, std::move(args[0]));
  if (op == "LT") return Compare(attribute, expr::Comparator::kLt, std::move(args[0]));
  if (op == "LE") return Compare(attribute, expr::Comparator::kLe, std::move(args[0]));
  if (op == "GT") return Compare(attribute, expr::Comparator::kGt, std::move(args[0]));
  if (op == "GE") return Compare(attribute, expr::Comparator::kGe, std::move(args[0]));
  if (op == "NOT_NULL") return Leaf(Kind::kAttributeExists, {Operand::OfPath(PathOf(attribute))});
  if (op == "NULL") return Leaf(Kind::kAttributeNotExists, {Operand::OfPath(PathOf(attribute))});
  if (op == "CONTAINS" || op == "NOT_CONTAINS") {
    Condition contains =
        Leaf(Kind::kContains,
             {Operand::OfPath(PathOf(attribute)), Operand::OfValue(std::move(args[0]))});
    if (op == "CONTAINS") return contains;
    // [A]: legacy NOT_CONTAINS is false when the attribute is missing.
    Condition negated;
    negated.kind = Kind::kNot;
    negated.children.push_back(std::move(contains));
    return Join(Kind::kAnd,
                Leaf(Kind::kAttributeExists, {Operand::OfPath(PathOf(attribute))}),
                std::move(negated));
  }
  if (op == "BEGINS_WITH") {
    return Leaf(Kind::kBeginsWith,
                {Operand::OfPath(PathOf(attribute)), Operand::OfValue(std::move(args[0]))});
  }
  std::vector<Operand> operands = {Operand::OfPath(PathOf(attribute))};
  for (AttributeValue& arg : args) operands.push_back(Operand::OfValue(std::move(arg)));
  return Leaf(op == "IN" ? Kind::kIn : Kind::kBetween, std::move(operands));
}

// Validates and converts one Expected entry.
absl::StatusOr<Condition> ConvertExpectedEntry(Entry entry) {
  const std::string& a = entry.attribute;
  if (entry.has_list && entry.value) {
    return ValidationError(absl::StrCat(
        kInvalid, "Value and AttributeValueList cannot be used together for Attribute: ", a));
  }
  if (entry.op) {
    const std::string& op = *entry.op;
    if (entry.exists) {
      return ValidationError(absl::StrCat(
          kInvalid, "Exists and ComparisonOperator cannot be used together for Attribute: ", a));
    }
    if (op != "NULL" && op != "NOT_NULL" && !entry.has_list && !entry.value) {
      return ValidationError(absl::StrCat(kInvalid,
                                          "Value or AttributeValueList must be used with "
                                          "ComparisonOperator: ",
                                          op,
                                          " for Attribute: ",
                                          a));
    }
    std::vector<AttributeValue> args = std::move(entry.list);
    if (entry.value) args.push_back(std::move(*entry.value));
    if (absl::Status bad = CheckArguments(entry, op, args); !bad.ok()) return bad;
    return FromOperator(a, op, std::move(args));
  }
  if (entry.has_list) {
    return ValidationError(absl::StrCat(
        kInvalid,
        "AttributeValueList can only be used with a ComparisonOperator for Attribute: ",
        a));
  }
  const bool exists = !entry.exists.has_value() || *entry.exists;
  if (exists && !entry.value) {
    return ValidationError(absl::StrCat(kInvalid,
                                        "Value must be provided when Exists is ",
                                        entry.exists ? "true" : "null",
                                        " for Attribute: ",
                                        a));
  }
  if (!exists && entry.value) {
    return ValidationError(
        absl::StrCat(kInvalid, "Value cannot be used when Exists is false for Attribute: ", a));
  }
  if (!entry.value_error.ok()) return entry.value_error;
  if (!exists) return Leaf(Condition::Kind::kAttributeNotExists, {Operand::OfPath(PathOf(a))});
  return Compare(a, expr::Comparator::kEq, std::move(*entry.value));
}

// Joins conditions left to right with ConditionalOperator (AND by default).
std::optional<Condition> JoinAll(const object& request, std::vector<Condition> conditions) {
  if (conditions.empty()) return std::nullopt;
  const value* op = request.if_contains("ConditionalOperator");
  const Condition::Kind kind = op != nullptr && op->is_string() && op->as_string() == "OR"
                                   ? Condition::Kind::kOr
                                   : Condition::Kind::kAnd;
  Condition joined = std::move(conditions[0]);
  for (size_t i = 1; i < conditions.size(); ++i) {
    joined = Join(kind, std::move(joined), std::move(conditions[i]));
  }
  return joined;
}

// Shape, constraint and ConditionalOperator checks shared by Expected and
// the filters; reads the entries of member.
absl::Status ReadConditionMember(const object& request,
                                 const char* member,
                                 bool operator_required,
                                 std::vector<Entry>* entries) {
  if (absl::Status shape = CheckConditionalOperatorShape(request); !shape.ok()) return shape;
  if (absl::Status shape = ReadEntries(request, member, entries); !shape.ok()) return shape;
  ValidationErrors errors;
  AddMemberConstraintErrors(request, member, operator_required, &errors);
  AddConditionalOperatorError(request, &errors);
  if (!errors.empty()) return errors.ToStatus();
  return CheckConditionalOperatorCount(request, entries->size());
}

}  // namespace

void AddLegacyConstraintErrors(const object& request, ValidationErrors* errors) {
  AddMemberConstraintErrors(request, "Expected", false, errors);
  AddMemberConstraintErrors(request, "QueryFilter", true, errors);
  AddMemberConstraintErrors(request, "ScanFilter", true, errors);
  AddMemberConstraintErrors(request, "KeyConditions", true, errors);
  AddConditionalOperatorError(request, errors);
}

absl::Status CheckExpressionMixing(const object& request) {
  // Both lists in the order DynamoDB names them [X]; names that never meet in
  // one operation are merged into one order.
  static const char* const kExpression[] = {"ProjectionExpression",
                                            "UpdateExpression",
                                            "ConditionExpression",
                                            "FilterExpression",
                                            "KeyConditionExpression"};
  static const char* const kNonExpression[] = {"AttributesToGet",
                                               "AttributeUpdates",
                                               "Expected",
                                               "ScanFilter",
                                               "QueryFilter",
                                               "ConditionalOperator",
                                               "KeyConditions"};
  std::vector<std::string> expression;
  for (const char* name : kExpression) {
    if (Present(request, name)) expression.emplace_back(name);
  }
  if (expression.empty()) return absl::OkStatus();
  const bool key_condition_expression = Present(request, "KeyConditionExpression");
  std::vector<std::string> non_expression;
  for (const char* name : kNonExpression) {
    if (!Present(request, name)) continue;
    // [D][X]: KeyConditions only clashes with KeyConditionExpression.
    if (absl::string_view(name) == "KeyConditions" && !key_condition_expression) continue;
    non_expression.emplace_back(name);
  }
  if (non_expression.empty()) return absl::OkStatus();
  return ValidationError(
      absl::StrCat("Can not use both expression and non-expression parameters in the same request: "
                   "Non-expression parameters: {",
                   absl::StrJoin(non_expression, ", "),
                   "} Expression parameters: {",
                   absl::StrJoin(expression, ", "),
                   "}"));
}

absl::StatusOr<std::optional<Condition>> ConvertExpected(const object& request) {
  std::vector<Entry> entries;
  if (absl::Status bad = ReadConditionMember(request, "Expected", false, &entries); !bad.ok()) {
    return bad;
  }
  std::vector<Condition> conditions;
  for (Entry& entry : entries) {
    absl::StatusOr<Condition> condition = ConvertExpectedEntry(std::move(entry));
    if (!condition.ok()) return condition.status();
    conditions.push_back(*std::move(condition));
  }
  return JoinAll(request, std::move(conditions));
}

absl::StatusOr<std::optional<Condition>> ConvertFilter(const object& request, const char* member) {
  std::vector<Entry> entries;
  if (absl::Status bad = ReadConditionMember(request, member, true, &entries); !bad.ok()) {
    return bad;
  }
  std::vector<Condition> conditions;
  for (Entry& entry : entries) {
    // The constraint check guarantees a known operator.
    const std::string op = *entry.op;
    if (absl::Status bad = CheckArguments(entry, op, entry.list); !bad.ok()) return bad;
    conditions.push_back(FromOperator(entry.attribute, op, std::move(entry.list)));
  }
  return JoinAll(request, std::move(conditions));
}

absl::StatusOr<Condition> ConvertKeyConditions(const object& request) {
  std::vector<Entry> entries;
  if (absl::Status shape = ReadEntries(request, "KeyConditions", &entries); !shape.ok()) {
    return shape;
  }
  ValidationErrors errors;
  AddMemberConstraintErrors(request, "KeyConditions", true, &errors);
  if (!errors.empty()) return errors.ToStatus();
  if (!Present(request, "KeyConditions")) {
    return ValidationError(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
        "request.");
  }
  for (const Entry& entry : entries) {
    if (absl::Status bad = CheckArguments(entry, *entry.op, entry.list); !bad.ok()) return bad;
  }
  if (entries.size() != 1 && entries.size() != 2) {
    return ValidationError("Conditions can be of length 1 or 2 only");
  }
  for (const Entry& entry : entries) {
    const std::string& op = *entry.op;
    if (op == "NULL" || op == "NOT_NULL" || op == "NE" || op == "CONTAINS" ||
        op == "NOT_CONTAINS" || op == "IN") {
      return ValidationError("Attempted conditional constraint is not an indexable operation");
    }
  }
  std::vector<Condition> conditions;
  for (Entry& entry : entries) {
    const std::string op = *entry.op;
    conditions.push_back(FromOperator(entry.attribute, op, std::move(entry.list)));
  }
  if (conditions.size() == 1) return std::move(conditions[0]);
  return Join(Condition::Kind::kAnd, std::move(conditions[0]), std::move(conditions[1]));
}

}  // namespace tern::router
