#include "tests/sim/history.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tern::sim {
namespace {

const char* PathName(ReadPath path) {
  switch (path) {
    case ReadPath::kLog:
      return "log";
    case ReadPath::kReadIndex:
      return "readindex";
    case ReadPath::kLease:
      return "lease";
  }
  return "?";
}

std::string Show(const std::string& v) { return v.empty() ? "<absent>" : v; }

class KeyChecker {
 public:
  explicit KeyChecker(std::vector<const Op*> ops) : ops_(std::move(ops)) {
    std::sort(
        ops_.begin(), ops_.end(), [](const Op* a, const Op* b) { return a->invoke < b->invoke; });
    values_.push_back("");
    for (size_t i = 0; i < ops_.size(); ++i) {
      if (ops_[i]->outcome == Outcome::kOk) required_ |= uint64_t{1} << i;
    }
  }

  bool Check() { return Search(0, 0); }
  uint64_t states() const { return memo_.size(); }

 private:
  int Intern(const std::string& value) {
    auto it = ids_.find(value);
    if (it != ids_.end()) return it->second;
    if (value.empty()) return 0;
    values_.push_back(value);
    int id = static_cast<int>(values_.size()) - 1;
    ids_.emplace(value, id);
    return id;
  }

  bool Search(uint64_t done, int state) {
    if ((done & required_) == required_) return true;
    if (!memo_.insert({done, state}).second) return false;
    Time horizon = kNever;
    for (size_t i = 0; i < ops_.size(); ++i) {
      if (!(done >> i & 1) && ops_[i]->outcome == Outcome::kOk) {
        horizon = std::min(horizon, ops_[i]->complete);
      }
    }
    for (size_t i = 0; i < ops_.size(); ++i) {
      if (done >> i & 1) continue;
      const Op& op = *ops_[i];
      if (op.invoke > horizon) break;  // sorted by invoke
      int next = state;
      bool ok = op.outcome != Outcome::kOk;
      switch (op.type) {
        case OpType::kGet:
          ok = ok || Intern(op.result) == state;
          break;
        case OpType::kPut:
          ok = true;
          next = Intern(op.value);
          break;
        case OpType::kCas: {
          bool match = Intern(op.expected) == state;
          if (op.outcome == Outcome::kOk) ok = op.cas_ok == match;
          if (match) next = Intern(op.value);
          break;
        }
      }
      if (ok && Search(done | uint64_t{1} << i, next)) return true;
    }
    return false;
  }

  std::vector<const Op*> ops_;
  uint64_t required_ = 0;
  std::vector<std::string> values_;
  std::map<std::string, int> ids_{{"", 0}};
  std::set<std::pair<uint64_t, int>> memo_;
};

}  // namespace

std::string OpString(const Op& op) {
  std::string s = absl::StrCat("op ",
                               op.id,
                               " c",
                               op.client,
                               " [",
                               op.invoke,
                               ", ",
                               op.complete == kNever ? std::string("-") : absl::StrCat(op.complete),
                               "] ");
  switch (op.type) {
    case OpType::kPut:
      absl::StrAppend(&s, "put ", op.key, "=", op.value);
      break;
    case OpType::kCas:
      absl::StrAppend(&s, "cas ", op.key, " ", Show(op.expected), "->", op.value);
      break;
    case OpType::kGet:
      absl::StrAppend(&s, "get(", PathName(op.path), ") ", op.key);
      break;
  }
  switch (op.outcome) {
    case Outcome::kOk:
      absl::StrAppend(&s, " ok");
      if (op.type == OpType::kGet) absl::StrAppend(&s, " -> ", Show(op.result));
      if (op.type == OpType::kCas) absl::StrAppend(&s, op.cas_ok ? " swapped" : " mismatch");
      break;
    case Outcome::kFail:
      absl::StrAppend(&s, " fail");
      break;
    case Outcome::kUnknown:
      absl::StrAppend(&s, " unknown");
      break;
  }
  return s;
}

LinearizabilityResult CheckLinearizable(const std::vector<Op>& history) {
  LinearizabilityResult result;
  std::map<std::string, std::vector<const Op*>> by_key;
  for (const Op& op : history) {
    if (op.outcome == Outcome::kFail) continue;
    // A get with an unknown outcome constrains nothing.
    if (op.outcome == Outcome::kUnknown && op.type == OpType::kGet) continue;
    by_key[op.key].push_back(&op);
  }
  for (auto& [key, ops] : by_key) {
    result.ops_checked += ops.size();
    bool too_many = ops.size() > 63;
    KeyChecker checker(too_many ? std::vector<const Op*>() : ops);
    bool ok = !too_many && checker.Check();
    result.states += checker.states();
    if (!ok) {
      result.ok = false;
      result.key = key;
      if (too_many) absl::StrAppend(&result.details, "too many operations on one key\n");
      std::vector<const Op*> sorted = ops;
      std::sort(sorted.begin(), sorted.end(), [](const Op* a, const Op* b) {
        return a->invoke < b->invoke;
      });
      for (const Op* op : sorted) absl::StrAppend(&result.details, "  ", OpString(*op), "\n");
      return result;
    }
  }
  return result;
}

}  // namespace tern::sim
