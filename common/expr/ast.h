// The syntax trees of DynamoDB's expression language, as the parsers in
// common/expr/parser.h produce them and the evaluators in
// common/expr/evaluator.h consume them.
//
// Representation: plain structs of vectors (a Condition owns its children by
// value), chosen over a class hierarchy because the node set is small and
// closed, values are cheap to copy into tests, and evaluation is one switch.
// A tree that a parser returns is already validated and substituted: every
// "#name" is replaced by the attribute name it stands for, every ":value" by
// its AttributeValue, and each node has exactly the operands its kind needs
// (documented per field below). Trees built by hand must follow the same
// shape; the evaluators never crash on a malformed tree but answer false.
//
// Value types, thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/model/attribute_value.h"

namespace tern::expr {

// One step of a document path: a map key (attribute name) or a list index.
struct PathElement {
  bool is_index = false;
  std::string name;    // when !is_index: the attribute name, substituted
  uint32_t index = 0;  // when is_index

  static PathElement Name(std::string name) { return PathElement{false, std::move(name), 0}; }
  static PathElement Index(uint32_t index) { return PathElement{true, std::string(), index}; }
  friend bool operator==(const PathElement& a, const PathElement& b) {
    return a.is_index == b.is_index && (a.is_index ? a.index == b.index : a.name == b.name);
  }
};

// A document path: a.b[2].c is {Name(a), Name(b), Index(2), Name(c)}. The
// first element is always a name.
using Path = std::vector<PathElement>;

// DynamoDB's rendering of a path in messages: "[a, b, [2], c]".
std::string PathToString(const Path& path);

// An operand of a comparison or function.
struct Operand {
  enum class Kind {
    kPath,   // the value at path in the item (possibly missing)
    kValue,  // the constant value
    kSize,   // size(path): a number, or missing when path is missing or unsized
  };
  Kind kind = Kind::kValue;
  Path path;                    // kPath, kSize
  model::AttributeValue value;  // kValue

  static Operand OfPath(Path path) { return Operand{Kind::kPath, std::move(path), {}}; }
  static Operand OfValue(model::AttributeValue value) {
    return Operand{Kind::kValue, {}, std::move(value)};
  }
  static Operand OfSize(Path path) { return Operand{Kind::kSize, std::move(path), {}}; }

  // Structural equality over the fields the kind uses.
  friend bool operator==(const Operand& a, const Operand& b) {
    if (a.kind != b.kind) return false;
    return a.kind == Kind::kValue ? a.value == b.value : a.path == b.path;
  }
  friend bool operator!=(const Operand& a, const Operand& b) { return !(a == b); }
};

enum class Comparator { kEq, kNe, kLt, kLe, kGt, kGe };

// The text of comparator: "=", "<>", "<", "<=", ">", ">=".
const char* ComparatorText(Comparator comparator);

// A ConditionExpression / FilterExpression (and KeyConditionExpression, which
// uses a subset).
struct Condition {
  enum class Kind {
    kCompare,             // operands[0] <comparator> operands[1]
    kBetween,             // operands[0] BETWEEN operands[1] AND operands[2]
    kIn,                  // operands[0] IN (operands[1], ..., operands[n])
    kAnd,                 // children[0] AND children[1]
    kOr,                  // children[0] OR children[1]
    kNot,                 // NOT children[0]
    kAttributeExists,     // attribute_exists(operands[0]), a kPath
    kAttributeNotExists,  // attribute_not_exists(operands[0]), a kPath
    kAttributeType,       // attribute_type(operands[0] (kPath), operands[1] (kValue of type S))
    kBeginsWith,          // begins_with(operands[0], operands[1])
    kContains,            // contains(operands[0], operands[1])
  };
  Kind kind = Kind::kAnd;
  Comparator comparator = Comparator::kEq;  // kCompare only
  std::vector<Operand> operands;
  std::vector<Condition> children;

  // Structural equality (the comparator counts for kCompare only).
  friend bool operator==(const Condition& a, const Condition& b) {
    return a.kind == b.kind && (a.kind != Kind::kCompare || a.comparator == b.comparator) &&
           a.operands == b.operands && a.children == b.children;
  }
  friend bool operator!=(const Condition& a, const Condition& b) { return !(a == b); }
};

// An operand of a SET action in an UpdateExpression.
struct UpdateOperand {
  enum class Kind {
    kPath,         // the value at path in the item before the update (must exist)
    kValue,        // the constant value
    kListAppend,   // list_append(args[0], args[1]): both lists
    kIfNotExists,  // if_not_exists(path, args[0]): path's value if present, else args[0]
  };
  Kind kind = Kind::kValue;
  Path path;                        // kPath, kIfNotExists
  model::AttributeValue value;      // kValue
  std::vector<UpdateOperand> args;  // kListAppend: 2; kIfNotExists: 1
};

// SET path = operands[0], or operands[0] + operands[1], or operands[0] - operands[1].
struct SetAction {
  enum class Op { kAssign, kPlus, kMinus };
  Path path;
  Op op = Op::kAssign;
  std::vector<UpdateOperand> operands;  // 1 for kAssign, else 2
};

// ADD path value (a number or a set) and DELETE path value (a set).
struct ValueAction {
  Path path;
  model::AttributeValue value;
};

// An UpdateExpression: its four clauses, each action in written order.
struct UpdateExpression {
  std::vector<SetAction> set;
  std::vector<Path> remove;
  std::vector<ValueAction> add;
  std::vector<ValueAction> del;
};

}  // namespace tern::expr
