#include "common/expr/ast.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace tern::expr {

std::string PathToString(const Path& path) {
  std::string out = "[";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0) out += ", ";
    if (path[i].is_index) {
      absl::StrAppend(&out, "[", path[i].index, "]");
    } else {
      out += path[i].name;
    }
  }
  out += "]";
  return out;
}

const char* ComparatorText(Comparator comparator) {
  switch (comparator) {
    case Comparator::kEq:
      return "=";
    case Comparator::kNe:
      return "<>";
    case Comparator::kLt:
      return "<";
    case Comparator::kLe:
      return "<=";
    case Comparator::kGt:
      return ">";
    case Comparator::kGe:
      return ">=";
  }
  return "?";
}

}  // namespace tern::expr
