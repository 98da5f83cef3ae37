// Validation and substitution of parsed expressions, internal to common/expr:
// the raw trees the parser in parser.cc builds, and the checks that turn them
// into the AST of ast.h with DynamoDB's precedence of errors (see the message
// table at the top of parser.cc). Every Check* function sets *error to the
// highest-precedence error message (without the "Invalid <Kind>: " prefix),
// or to nullopt, and returns the substituted tree (meaningless on error).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/expr/ast.h"
#include "common/expr/parser.h"

namespace tern::expr::internal {

// --- Raw trees (before substitution and validation) --------------------------

struct RawPathElement {
  enum Kind { kName, kRef, kIndex } kind = kName;
  std::string text;
  uint32_t index = 0;
};

struct RawOperand {
  enum Kind { kPath, kValue, kFunction } kind = kPath;
  std::vector<RawPathElement> path;  // kPath
  std::string text;                  // kValue: ":v"; kFunction: the name
  std::vector<RawOperand> args;      // kFunction
  int parens = 0;
};

struct RawCondition {
  enum Kind { kCompare, kBetween, kIn, kAnd, kOr, kNot, kFunction } kind = kCompare;
  Comparator comparator = Comparator::kEq;
  std::vector<RawOperand> operands;  // kFunction: operands[0] is the call
  std::vector<RawCondition> children;
  int parens = 0;
};

struct RawSetAction {
  std::vector<RawPathElement> path;
  SetAction::Op op = SetAction::Op::kAssign;
  std::vector<RawOperand> operands;
};

struct RawValueAction {
  std::vector<RawPathElement> path;
  std::string value;  // ":v"
};

struct RawUpdate {
  std::vector<std::string> sections;  // clause keywords in written order
  std::vector<RawSetAction> set;
  std::vector<std::vector<RawPathElement>> remove;
  std::vector<RawValueAction> add;
  std::vector<RawValueAction> del;
};

// --- Validation and substitution ---------------------------------------------

// A ConditionExpression (or filter or key condition).
Condition CheckCondition(const RawCondition& raw,
                         const Substitutions& substitutions,
                         SubstitutionUse* use,
                         std::optional<std::string>* error);

// The paths of a ProjectionExpression, in order (overlaps are not checked).
std::vector<Path> CheckProjection(const std::vector<std::vector<RawPathElement>>& raw,
                                  const Substitutions& substitutions,
                                  SubstitutionUse* use,
                                  std::optional<std::string>* error);

// An UpdateExpression, with the precedence of dynalite's update grammar.
UpdateExpression CheckUpdate(const RawUpdate& raw,
                             const Substitutions& substitutions,
                             SubstitutionUse* use,
                             std::optional<std::string>* error);

// "overlap" when one path is a prefix of (or equal to) the other, "conflict"
// when they agree up to a step that is a name in one and an index in the
// other; empty otherwise.
absl::string_view PathRelation(const Path& a, const Path& b);

}  // namespace tern::expr::internal
