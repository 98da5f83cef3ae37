// The client history of a simulation run and a linearizability checker for
// it: each key is a register with put, compare-and-set and get. The search is
// Wing & Gong's with Lowe's memoization of (linearized set, register value).
// An operation whose outcome is unknown (timed out) may or may not have taken
// effect, at any point after its invocation; a failed one never did.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tests/sim/event_queue.h"

namespace tern::sim {

enum class OpType { kPut, kCas, kGet };
enum class Outcome { kOk, kFail, kUnknown };
enum class ReadPath { kLog, kReadIndex, kLease };

constexpr Time kNever = std::numeric_limits<Time>::max();

struct Op {
  uint64_t id = 0;
  int client = 0;
  OpType type = OpType::kGet;
  std::string key;
  std::string value;               // put: the value written; cas: the new value
  std::string expected;            // cas: the value compared with ("" means absent)
  ReadPath path = ReadPath::kLog;  // get only
  Time invoke = 0;
  Time complete = kNever;  // kNever while pending and for kUnknown
  Outcome outcome = Outcome::kUnknown;
  std::string result;   // get: the value read ("" means absent)
  bool cas_ok = false;  // cas: whether it swapped
};

std::string OpString(const Op& op);

struct LinearizabilityResult {
  bool ok = true;
  std::string key;      // the first key whose history is not linearizable
  std::string details;  // that key's history
  uint64_t ops_checked = 0;
  uint64_t states = 0;  // search states explored
};

// Checks every key's sub-history; at most 63 non-failed operations per key.
LinearizabilityResult CheckLinearizable(const std::vector<Op>& history);

}  // namespace tern::sim
