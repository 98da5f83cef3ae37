#include "router/api/sigv4_check.h"

#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/base/error_details.h"

namespace tern::router {
namespace {

constexpr absl::string_view kAlgorithm = "AWS4-HMAC-SHA256";

}  // namespace

absl::StatusOr<SigV4Credential> CheckSigV4(absl::string_view authorization, bool has_date) {
  absl::string_view header = absl::StripAsciiWhitespace(authorization);
  if (!absl::StartsWith(header, kAlgorithm)) {
    return base::Error(base::ErrorKind::kMissingAuthenticationToken,
                       "Request is missing Authentication Token");
  }
  absl::string_view rest = header.substr(kAlgorithm.size());
  std::map<std::string, std::string> params;
  for (absl::string_view part : absl::StrSplit(rest, absl::ByAnyChar(", "), absl::SkipEmpty())) {
    size_t eq = part.find('=');
    if (eq == absl::string_view::npos) continue;
    params[std::string(part.substr(0, eq))] = std::string(part.substr(eq + 1));
  }
  std::vector<std::string> problems;
  for (const char* required : {"Credential", "Signature", "SignedHeaders"}) {
    auto it = params.find(required);
    if (it == params.end() || it->second.empty()) {
      problems.push_back(absl::StrCat("Authorization header requires '", required, "' parameter."));
    }
  }
  if (!has_date) {
    problems.push_back(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (!problems.empty()) {
    return base::Error(base::ErrorKind::kIncompleteSignature,
                       absl::StrCat(absl::StrJoin(problems, " "), " Authorization=", header));
  }
  const std::string& credential = params["Credential"];
  std::vector<std::string> scope = absl::StrSplit(credential, '/');
  if (scope.size() != 5) {
    return base::Error(base::ErrorKind::kIncompleteSignature,
                       absl::StrCat("Credential must have exactly 5 slash-delimited elements, "
                                    "e.g. keyid/date/region/service/term, got '",
                                    credential,
                                    "'"));
  }
  return SigV4Credential{scope[0], scope[1], scope[2], scope[3]};
}

}  // namespace tern::router
