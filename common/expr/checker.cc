#include "common/expr/checker.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/expr/ast.h"
#include "common/expr/parser.h"
#include "common/expr/reserved_words.h"
#include "common/model/attribute_value.h"
#include "common/model/base64.h"

namespace tern::expr::internal {
namespace {

using model::AttributeType;
using model::AttributeValue;

// --- Validation and substitution -----------------------------------------------

// Error categories, in DynamoDB's order of precedence; the first error met in
// each category is kept, and the highest-precedence one is reported.
enum Slot {
  kInCount,
  kParens,
  kUnknownFunction,
  kMisusedFunction,
  kReserved,
  kNameValue,
  kOperandCount,
  kDistinct,
  kFunctionArgs,
  kSlotCount,
};

struct FunctionSpec {
  absl::string_view name;
  size_t operands;
};
constexpr FunctionSpec kFunctions[] = {
    {"attribute_exists", 1},
    {"attribute_not_exists", 1},
    {"attribute_type", 2},
    {"begins_with", 2},
    {"contains", 2},
    {"size", 1},
};

const FunctionSpec* FindFunction(absl::string_view name) {
  for (const FunctionSpec& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool ValidTypeName(absl::string_view name) {
  for (absl::string_view t : {"S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"}) {
    if (t == name) return true;
  }
  return false;
}

bool Orderable(AttributeType type) {
  return type == AttributeType::kS || type == AttributeType::kN || type == AttributeType::kB;
}

std::string DescribeValue(const AttributeValue& value) {
  std::string body;
  switch (value.type()) {
    case AttributeType::kS:
      body = value.s();
      break;
    case AttributeType::kN:
      body = value.n().ToString();
      break;
    case AttributeType::kB:
      body = model::Base64Encode(value.b());
      break;
    default:
      break;
  }
  return absl::StrCat("AttributeValue: {", model::AttributeTypeName(value.type()), ":", body, "}");
}

// -1, 0, 1 for S, N, B values of the same type.
int CompareScalars(const AttributeValue& a, const AttributeValue& b) {
  switch (a.type()) {
    case AttributeType::kN:
      return a.n().Compare(b.n());
    case AttributeType::kS: {
      const int c = a.s().compare(b.s());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case AttributeType::kB: {
      const int c = a.b().compare(b.b());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    default:
      return 0;
  }
}

// An operand after substitution, with its type when the parser knows it (a
// constant, or size()).
struct Checked {
  Operand operand;
  std::optional<AttributeType> type;
  bool is_path = false;
};

class Checker {
 public:
  Checker(const Substitutions& substitutions, SubstitutionUse* use)
      : substitutions_(substitutions), use_(use) {}

  std::optional<std::string> FirstError() const {
    for (const auto& error : errors_) {
      if (error) return error;
    }
    return std::nullopt;
  }

  Path CheckPath(const std::vector<RawPathElement>& raw) {
    Path path;
    for (const RawPathElement& element : raw) {
      switch (element.kind) {
        case RawPathElement::kName:
          if (IsReservedWord(element.text)) {
            Set(kReserved,
                absl::StrCat("Attribute name is a reserved keyword; reserved keyword: ",
                             element.text));
          }
          path.push_back(PathElement::Name(element.text));
          break;
        case RawPathElement::kRef: {
          if (use_ != nullptr) use_->names.insert(element.text);
          const std::string* name = nullptr;
          if (substitutions_.names != nullptr) {
            auto it = substitutions_.names->find(element.text);
            if (it != substitutions_.names->end()) name = &it->second;
          }
          if (name == nullptr) {
            Set(kNameValue,
                absl::StrCat("An expression attribute name used in the document path is not "
                             "defined; attribute name: ",
                             element.text));
            path.push_back(PathElement::Name(element.text));
          } else {
            path.push_back(PathElement::Name(*name));
          }
          break;
        }
        case RawPathElement::kIndex:
          path.push_back(PathElement::Index(element.index));
          break;
      }
    }
    return path;
  }

  // The value a ":v" placeholder stands for (its use recorded), or null with
  // the error recorded.
  const AttributeValue* ResolveValue(const std::string& ref) {
    if (use_ != nullptr) use_->values.insert(ref);
    if (substitutions_.values != nullptr) {
      auto it = substitutions_.values->find(ref);
      if (it != substitutions_.values->end()) return &it->second;
    }
    Set(kNameValue,
        absl::StrCat(
            "An expression attribute value used in expression is not defined; attribute value: ",
            ref));
    return nullptr;
  }

  const std::optional<std::string>& ErrorIn(Slot slot) const { return errors_[slot]; }

  Condition CheckCondition(const RawCondition& raw) {
    if (raw.parens >= 2) Set(kParens, "The expression has redundant parentheses;");
    Condition out;
    switch (raw.kind) {
      case RawCondition::kAnd:
      case RawCondition::kOr:
      case RawCondition::kNot:
        out.kind = raw.kind == RawCondition::kAnd  ? Condition::Kind::kAnd
                   : raw.kind == RawCondition::kOr ? Condition::Kind::kOr
                                                   : Condition::Kind::kNot;
        for (const RawCondition& child : raw.children) {
          out.children.push_back(CheckCondition(child));
        }
        return out;
      case RawCondition::kCompare:
        return CheckCompare(raw);
      case RawCondition::kBetween:
        return CheckBetween(raw);
      case RawCondition::kIn:
        return CheckIn(raw);
      case RawCondition::kFunction:
        return CheckFunctionCondition(raw.operands[0]);
    }
    return out;
  }

 private:
  void Set(Slot slot, std::string message) {
    if (!errors_[slot]) errors_[slot] = std::move(message);
  }

  void CheckOrderable(const Checked& operand, absl::string_view op) {
    if (operand.type && !Orderable(*operand.type)) {
      Set(kFunctionArgs,
          absl::StrCat("Incorrect operand type for operator or function; operator or function: ",
                       op,
                       ", operand type: ",
                       model::AttributeTypeName(*operand.type)));
    }
  }

  void CheckDistinct(const Checked& first, const Checked& other, absl::string_view op) {
    if (first.is_path && other.is_path && first.operand.path == other.operand.path) {
      Set(kDistinct,
          absl::StrCat("The first operand must be distinct from the remaining operands for this "
                       "operator or function; operator: ",
                       op,
                       ", first operand: ",
                       PathToString(first.operand.path)));
    }
  }

  // An operand of a comparison, BETWEEN or IN: a function there must be size.
  Checked CheckComparisonOperand(const RawOperand& raw) {
    if (raw.kind == RawOperand::kFunction && raw.text != "size" && FindFunction(raw.text)) {
      Set(kMisusedFunction,
          absl::StrCat(
              "The function is not allowed to be used this way in an expression; function: ",
              raw.text));
    }
    return CheckOperand(raw);
  }

  Checked CheckOperand(const RawOperand& raw) {
    if (raw.parens >= 2) Set(kParens, "The expression has redundant parentheses;");
    Checked out;
    switch (raw.kind) {
      case RawOperand::kPath:
        out.operand = Operand::OfPath(CheckPath(raw.path));
        out.is_path = true;
        return out;
      case RawOperand::kValue: {
        const AttributeValue* value = ResolveValue(raw.text);
        if (value == nullptr) return out;
        out.operand = Operand::OfValue(*value);
        out.type = value->type();
        return out;
      }
      case RawOperand::kFunction:
        return CheckFunctionOperand(raw);
    }
    return out;
  }

  // Checks a call's name, nesting and operand count; returns its checked
  // operands, or nullopt when the name is unknown or the count is wrong.
  std::optional<std::vector<Checked>> CheckCall(const RawOperand& raw) {
    const FunctionSpec* spec = FindFunction(raw.text);
    if (spec == nullptr) {
      Set(kUnknownFunction, absl::StrCat("Invalid function name; function: ", raw.text));
    }
    std::vector<Checked> args;
    for (const RawOperand& arg : raw.args) {
      if (arg.kind == RawOperand::kFunction && arg.text != "size" && FindFunction(arg.text)) {
        Set(kMisusedFunction,
            absl::StrCat(
                "The function is not allowed to be used this way in an expression; function: ",
                arg.text));
      }
      args.push_back(CheckOperand(arg));
    }
    if (spec == nullptr) return std::nullopt;
    if (args.size() != spec->operands) {
      Set(kOperandCount,
          absl::StrCat("Incorrect number of operands for operator or function; operator or "
                       "function: ",
                       raw.text,
                       ", number of operands: ",
                       args.size()));
      return std::nullopt;
    }
    if (args.size() == 2) CheckDistinct(args[0], args[1], raw.text);
    return args;
  }

  void OperandTypeError(absl::string_view function, absl::string_view type) {
    Set(kFunctionArgs,
        absl::StrCat("Incorrect operand type for operator or function; operator or function: ",
                     function,
                     ", operand type: ",
                     type));
  }

  // size(...) as an operand (other functions there are already reported).
  Checked CheckFunctionOperand(const RawOperand& raw) {
    Checked out;
    std::optional<std::vector<Checked>> args = CheckCall(raw);
    if (!args || raw.text != "size") return out;
    Checked& arg = (*args)[0];
    out.type = AttributeType::kN;
    if (arg.type && (*arg.type == AttributeType::kN || *arg.type == AttributeType::kBool ||
                     *arg.type == AttributeType::kNull)) {
      OperandTypeError("size", model::AttributeTypeName(*arg.type));
      return out;
    }
    if (arg.is_path) {
      out.operand = Operand::OfSize(std::move(arg.operand.path));
    } else if (arg.operand.kind == Operand::Kind::kValue && arg.type) {
      // size of a constant is a constant.
      const AttributeValue& v = arg.operand.value;
      int64_t size = 0;
      switch (v.type()) {
        case AttributeType::kS:
          size = static_cast<int64_t>(v.s().size());
          break;
        case AttributeType::kB:
          size = static_cast<int64_t>(v.b().size());
          break;
        case AttributeType::kL:
          size = static_cast<int64_t>(v.l().size());
          break;
        case AttributeType::kM:
          size = static_cast<int64_t>(v.m().size());
          break;
        case AttributeType::kSS:
          size = static_cast<int64_t>(v.ss().size());
          break;
        case AttributeType::kNS:
          size = static_cast<int64_t>(v.ns().size());
          break;
        case AttributeType::kBS:
          size = static_cast<int64_t>(v.bs().size());
          break;
        default:
          break;
      }
      absl::StatusOr<model::Number> n = model::Number::Parse(absl::StrCat(size));
      if (n.ok()) out.operand = Operand::OfValue(AttributeValue::N(*n));
    }
    return out;
  }

  Condition CheckCompare(const RawCondition& raw) {
    Condition out;
    out.kind = Condition::Kind::kCompare;
    out.comparator = raw.comparator;
    Checked a = CheckComparisonOperand(raw.operands[0]);
    Checked b = CheckComparisonOperand(raw.operands[1]);
    CheckDistinct(a, b, ComparatorText(raw.comparator));
    if (raw.comparator != Comparator::kEq && raw.comparator != Comparator::kNe) {
      CheckOrderable(a, ComparatorText(raw.comparator));
      CheckOrderable(b, ComparatorText(raw.comparator));
    }
    out.operands.push_back(std::move(a.operand));
    out.operands.push_back(std::move(b.operand));
    return out;
  }

  Condition CheckBetween(const RawCondition& raw) {
    Condition out;
    out.kind = Condition::Kind::kBetween;
    std::vector<Checked> ops;
    for (const RawOperand& operand : raw.operands) ops.push_back(CheckComparisonOperand(operand));
    for (const Checked& op : ops) CheckOrderable(op, "BETWEEN");
    const Checked& low = ops[1];
    const Checked& high = ops[2];
    if (low.operand.kind == Operand::Kind::kValue && high.operand.kind == Operand::Kind::kValue &&
        low.type && high.type && Orderable(*low.type) && Orderable(*high.type)) {
      const std::string bounds = absl::StrCat("lower bound operand: ",
                                              DescribeValue(low.operand.value),
                                              ", upper bound operand: ",
                                              DescribeValue(high.operand.value));
      if (*low.type != *high.type) {
        Set(kFunctionArgs,
            absl::StrCat(
                "The BETWEEN operator requires same data type for lower and upper bounds; ",
                bounds));
      } else if (CompareScalars(low.operand.value, high.operand.value) > 0) {
        Set(kFunctionArgs,
            absl::StrCat("The BETWEEN operator requires upper bound to be greater than or equal "
                         "to lower bound; ",
                         bounds));
      }
    }
    for (Checked& op : ops) out.operands.push_back(std::move(op.operand));
    return out;
  }

  Condition CheckIn(const RawCondition& raw) {
    Condition out;
    out.kind = Condition::Kind::kIn;
    const size_t count = raw.operands.size() - 1;
    if (count > static_cast<size_t>(kMaxInOperands)) {
      Set(kInCount,
          absl::StrCat("The IN operator is provided with too many operands; number of operands: ",
                       count));
    }
    std::vector<Checked> ops;
    for (const RawOperand& operand : raw.operands) ops.push_back(CheckComparisonOperand(operand));
    for (size_t i = 1; i < ops.size(); ++i) CheckDistinct(ops[0], ops[i], "IN");
    for (Checked& op : ops) out.operands.push_back(std::move(op.operand));
    return out;
  }

  Condition CheckFunctionCondition(const RawOperand& raw) {
    if (raw.parens >= 2) Set(kParens, "The expression has redundant parentheses;");
    Condition out;
    out.kind = Condition::Kind::kAttributeExists;
    if (raw.text == "size") {
      Set(kMisusedFunction,
          "The function is not allowed to be used this way in an expression; function: size");
    }
    std::optional<std::vector<Checked>> args = CheckCall(raw);
    if (!args || raw.text == "size") return out;
    const absl::string_view name = raw.text;
    if (name == "attribute_exists" || name == "attribute_not_exists") {
      out.kind = name == "attribute_exists" ? Condition::Kind::kAttributeExists
                                            : Condition::Kind::kAttributeNotExists;
      RequirePath((*args)[0], name);
    } else if (name == "attribute_type") {
      out.kind = Condition::Kind::kAttributeType;
      RequirePath((*args)[0], name);
      const Checked& type = (*args)[1];
      if (!type.type) {
        OperandTypeError(name, "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
      } else if (*type.type != AttributeType::kS) {
        OperandTypeError(name, model::AttributeTypeName(*type.type));
      } else if (!ValidTypeName(type.operand.value.s())) {
        Set(kFunctionArgs,
            absl::StrCat("Invalid attribute type name found; type: ",
                         type.operand.value.s(),
                         ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"));
      }
    } else if (name == "begins_with") {
      out.kind = Condition::Kind::kBeginsWith;
      for (const Checked& arg : *args) {
        if (arg.type && *arg.type != AttributeType::kS && *arg.type != AttributeType::kB) {
          OperandTypeError(name, model::AttributeTypeName(*arg.type));
          break;
        }
      }
    } else {
      out.kind = Condition::Kind::kContains;
    }
    for (Checked& arg : *args) out.operands.push_back(std::move(arg.operand));
    return out;
  }

  void RequirePath(const Checked& arg, absl::string_view function) {
    if (!arg.is_path) {
      Set(kFunctionArgs,
          absl::StrCat("Operator or function requires a document path; operator or function: ",
                       function));
    }
  }

  const Substitutions& substitutions_;
  SubstitutionUse* use_;
  std::array<std::optional<std::string>, kSlotCount> errors_;
};

// Validates and substitutes an UpdateExpression, with the precedence of
// dynalite's update grammar.
class UpdateChecker {
 public:
  UpdateChecker(const Substitutions& substitutions, SubstitutionUse* use)
      : names_(substitutions, use), substitutions_values_(substitutions.values) {}

  std::optional<std::string> FirstError() const {
    // Reserved words and undefined placeholders are recorded by names_.
    const std::optional<std::string>* order[] = {&names_.ErrorIn(kReserved),
                                                 &errors_[kUnknown],
                                                 &errors_[kSection],
                                                 &names_.ErrorIn(kNameValue),
                                                 &errors_[kOverlap],
                                                 &errors_[kConflict],
                                                 &errors_[kOperand],
                                                 &errors_[kFunction]};
    for (const auto* error : order) {
      if (*error) return *error;
    }
    return std::nullopt;
  }

  UpdateExpression Check(const RawUpdate& raw) {
    std::set<std::string> seen;
    for (const std::string& section : raw.sections) {
      if (!seen.insert(section).second) {
        Set(kSection,
            absl::StrCat(
                "The \"", section, "\" section can only be used once in an update expression;"));
      }
    }
    UpdateExpression out;
    for (const RawSetAction& action : raw.set) {
      SetAction set;
      set.path = Target(action.path);
      set.op = action.op;
      for (const RawOperand& operand : action.operands) set.operands.push_back(Convert(operand));
      if (set.op != SetAction::Op::kAssign) {
        CheckImmediateTypes(
            action.operands, set.op == SetAction::Op::kPlus ? "+" : "-", AttributeType::kN);
      }
      out.set.push_back(std::move(set));
    }
    for (const auto& path : raw.remove) out.remove.push_back(Target(path));
    for (const RawValueAction& action : raw.add) {
      out.add.push_back(ConvertValueAction(action, "ADD"));
    }
    for (const RawValueAction& action : raw.del) {
      out.del.push_back(ConvertValueAction(action, "DELETE"));
    }
    return out;
  }

 private:
  enum UpdateSlot { kUnknown, kSection, kOverlap, kConflict, kOperand, kFunction, kCount };

  void Set(UpdateSlot slot, std::string message) {
    if (!errors_[slot]) errors_[slot] = std::move(message);
  }

  // A path an action writes: checked against every earlier one.
  Path Target(const std::vector<RawPathElement>& raw) {
    Path path = names_.CheckPath(raw);
    for (const Path& earlier : targets_) {
      const absl::string_view relation = PathRelation(earlier, path);
      if (relation.empty()) continue;
      Set(relation == "overlap" ? kOverlap : kConflict,
          absl::StrCat("Two document paths ",
                       relation,
                       " with each other; must remove or rewrite one of these paths; path one: ",
                       PathToString(earlier),
                       ", path two: ",
                       PathToString(path)));
    }
    targets_.push_back(path);
    return path;
  }

  ValueAction ConvertValueAction(const RawValueAction& raw, absl::string_view op) {
    ValueAction action;
    action.path = Target(raw.path);
    const AttributeValue* value = names_.ResolveValue(raw.value);
    if (value == nullptr) return action;
    action.value = *value;
    const char* type_name = nullptr;
    switch (value->type()) {
      case AttributeType::kS:
        type_name = "STRING";
        break;
      case AttributeType::kN:
        type_name = op == "ADD" ? nullptr : "NUMBER";
        break;
      case AttributeType::kB:
        type_name = "BINARY";
        break;
      case AttributeType::kNull:
        type_name = "NULL";
        break;
      case AttributeType::kBool:
        type_name = "BOOLEAN";
        break;
      case AttributeType::kL:
        type_name = "LIST";
        break;
      case AttributeType::kM:
        type_name = "MAP";
        break;
      default:
        break;
    }
    if (type_name != nullptr) {
      Set(kOperand,
          absl::StrCat("Incorrect operand type for operator or function; operator: ",
                       op,
                       ", operand type: ",
                       type_name));
    }
    return action;
  }

  // Constants among operands must have type `want` for function/operator f.
  void CheckImmediateTypes(const std::vector<RawOperand>& operands,
                           absl::string_view f,
                           AttributeType want) {
    for (const RawOperand& operand : operands) {
      if (operand.kind != RawOperand::kValue) continue;
      const AttributeValue* value = Lookup(operand.text);
      if (value != nullptr && value->type() != want) {
        Set(kFunction,
            absl::StrCat("Incorrect operand type for operator or function; operator or function: ",
                         f,
                         ", operand type: ",
                         model::AttributeTypeName(value->type())));
        return;
      }
    }
  }

  // Looks a value up without recording anything (Convert records).
  const AttributeValue* Lookup(const std::string& ref) {
    const model::Item* values = substitutions_values_;
    if (values == nullptr) return nullptr;
    auto it = values->find(ref);
    return it == values->end() ? nullptr : &it->second;
  }

  UpdateOperand Convert(const RawOperand& raw) {
    UpdateOperand out;
    switch (raw.kind) {
      case RawOperand::kPath:
        out.kind = UpdateOperand::Kind::kPath;
        out.path = names_.CheckPath(raw.path);
        return out;
      case RawOperand::kValue: {
        const AttributeValue* value = names_.ResolveValue(raw.text);
        if (value != nullptr) out.value = *value;
        return out;
      }
      case RawOperand::kFunction:
        break;
    }
    const bool list_append = raw.text == "list_append";
    if (!list_append && raw.text != "if_not_exists") {
      Set(kUnknown, absl::StrCat("Invalid function name; function: ", raw.text));
    }
    std::vector<UpdateOperand> args;
    for (const RawOperand& arg : raw.args) args.push_back(Convert(arg));
    if (!list_append && raw.text != "if_not_exists") return out;
    if (args.size() != 2) {
      Set(kFunction,
          absl::StrCat("Incorrect number of operands for operator or function; operator or "
                       "function: ",
                       raw.text,
                       ", number of operands: ",
                       args.size()));
      return out;
    }
    if (list_append) {
      CheckImmediateTypes(raw.args, "list_append", AttributeType::kL);
      out.kind = UpdateOperand::Kind::kListAppend;
      out.args = std::move(args);
      return out;
    }
    if (raw.args[0].kind != RawOperand::kPath) {
      Set(kFunction,
          "Operator or function requires a document path; operator or function: if_not_exists");
      return out;
    }
    out.kind = UpdateOperand::Kind::kIfNotExists;
    out.path = std::move(args[0].path);
    out.args.push_back(std::move(args[1]));
    return out;
  }

  Checker names_;
  const model::Item* substitutions_values_ = nullptr;
  std::vector<Path> targets_;
  std::array<std::optional<std::string>, kCount> errors_;
};

}  // namespace

// "overlap" when one path is a prefix of (or equal to) the other, "conflict"
// when they agree up to a step that is a name in one and an index in the
// other; empty otherwise.
absl::string_view PathRelation(const Path& a, const Path& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i].is_index != b[i].is_index) return "conflict";
    return "";
  }
  return "overlap";
}

Condition CheckCondition(const RawCondition& raw,
                         const Substitutions& substitutions,
                         SubstitutionUse* use,
                         std::optional<std::string>* error) {
  Checker checker(substitutions, use);
  Condition condition = checker.CheckCondition(raw);
  *error = checker.FirstError();
  return condition;
}

std::vector<Path> CheckProjection(const std::vector<std::vector<RawPathElement>>& raw,
                                  const Substitutions& substitutions,
                                  SubstitutionUse* use,
                                  std::optional<std::string>* error) {
  Checker checker(substitutions, use);
  std::vector<Path> paths;
  paths.reserve(raw.size());
  for (const auto& path : raw) paths.push_back(checker.CheckPath(path));
  *error = checker.FirstError();
  return paths;
}

UpdateExpression CheckUpdate(const RawUpdate& raw,
                             const Substitutions& substitutions,
                             SubstitutionUse* use,
                             std::optional<std::string>* error) {
  UpdateChecker checker(substitutions, use);
  UpdateExpression update = checker.Check(raw);
  *error = checker.FirstError();
  return update;
}

}  // namespace tern::expr::internal
