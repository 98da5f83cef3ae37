#include "common/expr/printer.h"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/expr/ast.h"

namespace tern::expr {
namespace {

// Binding strength of a condition node: OR < AND < NOT < everything else.
int Precedence(Condition::Kind kind) {
  switch (kind) {
    case Condition::Kind::kOr:
      return 1;
    case Condition::Kind::kAnd:
      return 2;
    case Condition::Kind::kNot:
      return 3;
    default:
      return 4;
  }
}

class Printer {
 public:
  WireExpression Finish() && { return std::move(out_); }

  void PrintCondition(const Condition& c) {
    switch (c.kind) {
      case Condition::Kind::kAnd:
      case Condition::Kind::kOr: {
        // Left-associative: a left child of the same precedence needs no
        // parentheses, a right one does. Printing chains without them keeps
        // the nesting depth of long AND / OR chains at one.
        const int p = Precedence(c.kind);
        const char* op = c.kind == Condition::Kind::kAnd ? " AND " : " OR ";
        if (c.children.size() != 2) return Append("<malformed>");
        PrintChild(c.children[0], Precedence(c.children[0].kind) < p);
        Append(op);
        PrintChild(c.children[1], Precedence(c.children[1].kind) <= p);
        return;
      }
      case Condition::Kind::kNot:
        if (c.children.size() != 1) return Append("<malformed>");
        Append("NOT ");
        // NOT binds tighter than AND / OR; "NOT NOT x" and "NOT a = b" parse.
        PrintChild(c.children[0], Precedence(c.children[0].kind) < Precedence(c.kind));
        return;
      case Condition::Kind::kCompare:
        if (c.operands.size() != 2) return Append("<malformed>");
        PrintOperand(c.operands[0]);
        Append(" ", ComparatorText(c.comparator), " ");
        PrintOperand(c.operands[1]);
        return;
      case Condition::Kind::kBetween:
        if (c.operands.size() != 3) return Append("<malformed>");
        PrintOperand(c.operands[0]);
        Append(" BETWEEN ");
        PrintOperand(c.operands[1]);
        Append(" AND ");
        PrintOperand(c.operands[2]);
        return;
      case Condition::Kind::kIn:
        if (c.operands.size() < 2) return Append("<malformed>");
        PrintOperand(c.operands[0]);
        Append(" IN (");
        for (size_t i = 1; i < c.operands.size(); ++i) {
          if (i > 1) Append(", ");
          PrintOperand(c.operands[i]);
        }
        Append(")");
        return;
      case Condition::Kind::kAttributeExists:
        return PrintCall("attribute_exists", c.operands);
      case Condition::Kind::kAttributeNotExists:
        return PrintCall("attribute_not_exists", c.operands);
      case Condition::Kind::kAttributeType:
        return PrintCall("attribute_type", c.operands);
      case Condition::Kind::kBeginsWith:
        return PrintCall("begins_with", c.operands);
      case Condition::Kind::kContains:
        return PrintCall("contains", c.operands);
    }
  }

  void PrintPath(const Path& path) {
    for (size_t i = 0; i < path.size(); ++i) {
      const PathElement& e = path[i];
      if (e.is_index) {
        Append("[", e.index, "]");
      } else {
        if (i > 0) Append(".");
        Append(NamePlaceholder(e.name));
      }
    }
  }

  template <typename... Args>
  void Append(const Args&... args) {
    absl::StrAppend(&out_.text, args...);
  }

 private:
  void PrintChild(const Condition& child, bool parens) {
    if (parens) Append("(");
    PrintCondition(child);
    if (parens) Append(")");
  }

  void PrintCall(absl::string_view function, const std::vector<Operand>& operands) {
    Append(function, "(");
    for (size_t i = 0; i < operands.size(); ++i) {
      if (i > 0) Append(", ");
      PrintOperand(operands[i]);
    }
    Append(")");
  }

  void PrintOperand(const Operand& operand) {
    switch (operand.kind) {
      case Operand::Kind::kPath:
        return PrintPath(operand.path);
      case Operand::Kind::kSize:
        Append("size(");
        PrintPath(operand.path);
        return Append(")");
      case Operand::Kind::kValue: {
        std::string placeholder = absl::StrCat(":v", out_.values.size());
        Append(placeholder);
        out_.values.emplace(std::move(placeholder), operand.value);
        return;
      }
    }
  }

  const std::string& NamePlaceholder(const std::string& name) {
    auto [it, inserted] = placeholders_.try_emplace(name);
    if (inserted) {
      it->second = absl::StrCat("#n", placeholders_.size() - 1);
      out_.names.emplace(it->second, name);
    }
    return it->second;
  }

  WireExpression out_;
  std::map<std::string, std::string> placeholders_;  // name -> "#nK"
};

}  // namespace

WireExpression PrintCondition(const Condition& condition) {
  Printer printer;
  printer.PrintCondition(condition);
  return std::move(printer).Finish();
}

WireExpression PrintProjection(const std::vector<Path>& paths) {
  Printer printer;
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i > 0) printer.Append(", ");
    printer.PrintPath(paths[i]);
  }
  return std::move(printer).Finish();
}

}  // namespace tern::expr
