#include "router/api/validation.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/error_details.h"

namespace tern::router {

void ValidationErrors::AddConstraint(absl::string_view value,
                                     absl::string_view path,
                                     absl::string_view constraint) {
  errors_.push_back(absl::StrCat(
      "Value '", value, "' at '", path, "' failed to satisfy constraint: ", constraint));
}

void ValidationErrors::AddMissing(absl::string_view path, absl::string_view constraint) {
  errors_.push_back(
      absl::StrCat("Value null at '", path, "' failed to satisfy constraint: ", constraint));
}

void ValidationErrors::Add(std::string message) { errors_.push_back(std::move(message)); }

absl::Status ValidationErrors::ToStatus() const {
  if (errors_.empty()) return absl::OkStatus();
  std::string message = absl::StrCat(
      errors_.size(),
      errors_.size() == 1 ? " validation error detected: " : " validation errors detected: ",
      absl::StrJoin(errors_, "; "));
  return base::Error(base::ErrorKind::kValidation, message);
}

absl::Status ValidationError(absl::string_view message) {
  return base::Error(base::ErrorKind::kValidation, message);
}

}  // namespace tern::router
