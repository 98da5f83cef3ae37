// ValidationErrors: collects DynamoDB's constraint violations for one request
// and renders them in DynamoDB's envelope:
//   "1 validation error detected: Value 'x' at 'tableName' failed to satisfy
//    constraint: Member must have length greater than or equal to 3"
//   "2 validation errors detected: <first>; <second>"
// Thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tern::router {

class ValidationErrors {
 public:
  // Adds "Value '<value>' at '<path>' failed to satisfy constraint: <constraint>".
  // value is rendered as DynamoDB renders it (strings verbatim; lists as
  // "[a, b]").
  void AddConstraint(absl::string_view value, absl::string_view path, absl::string_view constraint);
  // Adds "Value null at '<path>' failed to satisfy constraint: <constraint>",
  // for a member that is absent or JSON null.
  void AddMissing(absl::string_view path, absl::string_view constraint);
  // Adds a finished sentence as is.
  void Add(std::string message);

  bool empty() const { return errors_.empty(); }
  // OK when empty; otherwise a ValidationException status with the envelope.
  absl::Status ToStatus() const;

 private:
  std::vector<std::string> errors_;
};

// A ValidationException with a free-text message (no envelope), e.g.
// "One or more parameter values were invalid: ...".
absl::Status ValidationError(absl::string_view message);

}  // namespace tern::router
