#include "router/api/sigv4_check.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/base/error_details.h"

namespace tern::router {
namespace {

constexpr absl::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr char kBasicFormat[] = "%Y%m%dT%H%M%SZ";  // for printing
constexpr char kUnknownKey[] = "The security token included in the request is invalid.";

// The Authorization header split up: its algorithm and the parameters the
// checks read (the last of each when repeated), as views into the header.
struct Authorization {
  absl::string_view algorithm;
  absl::string_view credential;
  absl::string_view signature;
  absl::string_view signed_headers;
};

// Missing-token and incomplete-signature checks shared by both entry points.
// The result points into authorization.
absl::StatusOr<Authorization> ParseAuthorization(absl::string_view authorization, bool has_date) {
  absl::string_view header = absl::StripAsciiWhitespace(authorization);
  if (!absl::StartsWith(header, "AWS4-")) {
    return base::Error(base::ErrorKind::kMissingAuthenticationToken,
                       "Request is missing Authentication Token");
  }
  Authorization parsed;
  size_t space = header.find_first_of(" ,");
  parsed.algorithm = header.substr(0, space);
  absl::string_view rest = space == absl::string_view::npos ? "" : header.substr(space);
  // The name=value parts between commas and spaces (a plain loop: this runs
  // on every request).
  for (size_t at = 0; at < rest.size();) {
    if (rest[at] == ',' || rest[at] == ' ') {
      ++at;
      continue;
    }
    size_t end = at;
    while (end < rest.size() && rest[end] != ',' && rest[end] != ' ') ++end;
    const absl::string_view part = rest.substr(at, end - at);
    at = end;
    const size_t eq = part.find('=');
    if (eq == absl::string_view::npos) continue;
    const absl::string_view name = part.substr(0, eq);
    const absl::string_view value = part.substr(eq + 1);
    if (name == "Credential") {
      parsed.credential = value;
    } else if (name == "Signature") {
      parsed.signature = value;
    } else if (name == "SignedHeaders") {
      parsed.signed_headers = value;
    }
  }
  std::vector<std::string> problems;
  const std::pair<const char*, absl::string_view> required[] = {
      {"Credential", parsed.credential},
      {"Signature", parsed.signature},
      {"SignedHeaders", parsed.signed_headers}};
  for (const auto& [name, value] : required) {
    if (value.empty()) {
      problems.push_back(absl::StrCat("Authorization header requires '", name, "' parameter."));
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
  return parsed;
}

absl::Status CheckAlgorithm(const Authorization& authorization) {
  if (authorization.algorithm == kAlgorithm) return absl::OkStatus();
  return base::Error(base::ErrorKind::kIncompleteSignature,
                     absl::StrCat("Unsupported AWS 'algorithm': '",
                                  authorization.algorithm,
                                  "' (only AWS4-HMAC-SHA256 for now). "));
}

// The credential's five slash-delimited elements (views into credential).
absl::StatusOr<std::vector<absl::string_view>> SplitScope(absl::string_view credential) {
  std::vector<absl::string_view> scope = absl::StrSplit(credential, '/');
  if (scope.size() != 5) {
    return base::Error(base::ErrorKind::kIncompleteSignature,
                       absl::StrCat("Credential must have exactly 5 slash-delimited elements, "
                                    "e.g. keyid/date/region/service/term, got '",
                                    credential,
                                    "'"));
  }
  return scope;
}

// All values of header `name` (lowercase), trimmed, inner whitespace runs
// collapsed, joined with commas; nullopt when the request lacks it.
std::optional<std::string> CanonicalValue(const SigV4Request& request, absl::string_view name) {
  std::vector<std::string> values;
  for (const auto& [field, value] : request.headers) {
    if (!absl::EqualsIgnoreCase(field, name)) continue;
    std::vector<absl::string_view> words =
        absl::StrSplit(value, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    values.push_back(absl::StrJoin(words, " "));
  }
  if (values.empty()) return std::nullopt;
  return absl::StrJoin(values, ",");
}

bool Unreserved(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '~';
}

// SigV4's URI encoding: everything but unreserved characters (and '/' in a
// path) as %XX.
std::string UriEncode(absl::string_view text, bool keep_slash) {
  std::string out;
  for (char c : text) {
    if (Unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      absl::StrAppend(&out, "%", absl::AsciiStrToUpper(absl::BytesToHexString({&c, 1})));
    }
  }
  return out;
}

std::string UriDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        absl::ascii_isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        absl::ascii_isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += absl::HexStringToBytes(text.substr(i + 1, 2));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Path: encoded once more (services other than S3 sign the path twice
// encoded); query: name=value pairs decoded, re-encoded and sorted.
std::pair<std::string, std::string> CanonicalTarget(absl::string_view target) {
  size_t question = target.find('?');
  absl::string_view path = target.substr(0, question);
  std::string canonical_path = path.empty() ? "/" : UriEncode(path, /*keep_slash=*/true);
  std::vector<std::pair<std::string, std::string>> pairs;
  if (question != absl::string_view::npos) {
    for (absl::string_view pair :
         absl::StrSplit(target.substr(question + 1), '&', absl::SkipEmpty())) {
      size_t eq = pair.find('=');
      std::string name = UriDecode(pair.substr(0, eq));
      std::string value = eq == absl::string_view::npos ? "" : UriDecode(pair.substr(eq + 1));
      pairs.emplace_back(UriEncode(name, false), UriEncode(value, false));
    }
  }
  std::sort(pairs.begin(), pairs.end());
  std::string query = absl::StrJoin(pairs, "&", [](std::string* out, const auto& pair) {
    absl::StrAppend(out, pair.first, "=", pair.second);
  });
  return {std::move(canonical_path), std::move(query)};
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString({reinterpret_cast<const char*>(digest), length});
}

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(),
       key.data(),
       static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()),
       data.size(),
       mac,
       &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

// "yyyymmddThhmmssZ" exactly (absl's %Y would take any number of digits).
std::optional<absl::Time> ParseBasic(absl::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  auto number = [text](size_t at, size_t length) {
    int value = 0;
    for (char c : text.substr(at, length)) value = value * 10 + (c - '0');
    return value;
  };
  const absl::CivilSecond civil(
      number(0, 4), number(4, 2), number(6, 2), number(9, 2), number(11, 2), number(13, 2));
  // CivilSecond normalizes (month 13 becomes next January): refuse those.
  if (civil.month() != number(4, 2) || civil.day() != number(6, 2) ||
      civil.hour() != number(9, 2) || civil.minute() != number(11, 2) ||
      civil.second() != number(13, 2)) {
    return std::nullopt;
  }
  return absl::FromCivil(civil, absl::UTCTimeZone());
}

std::string Basic(absl::Time time) {
  return absl::FormatTime(kBasicFormat, time, absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<SigV4Credential> CheckSigV4(absl::string_view authorization, bool has_date) {
  absl::StatusOr<Authorization> parsed = ParseAuthorization(authorization, has_date);
  if (!parsed.ok()) return parsed.status();
  if (absl::Status status = CheckAlgorithm(*parsed); !status.ok()) return status;
  absl::StatusOr<std::vector<absl::string_view>> scope = SplitScope(parsed->credential);
  if (!scope.ok()) return scope.status();
  return SigV4Credential{std::string((*scope)[0]),
                         std::string((*scope)[1]),
                         std::string((*scope)[2]),
                         std::string((*scope)[3])};
}

absl::StatusOr<SigV4Credential> VerifySigV4(const SigV4Request& request,
                                            const CredentialStore& keys,
                                            absl::Time now,
                                            const SigV4Window& window) {
  // An empty X-Amz-Date counts as absent (Date is used then).
  std::optional<std::string> date = CanonicalValue(request, "x-amz-date");
  if (!date || date->empty()) date = CanonicalValue(request, "date");
  if (date && date->empty()) date.reset();
  const std::string header = CanonicalValue(request, "authorization").value_or("");
  absl::StatusOr<Authorization> parsed = ParseAuthorization(header, date.has_value());
  if (!parsed.ok()) return parsed.status();

  std::optional<absl::Time> signed_at = ParseBasic(*date);
  if (!signed_at) {
    return base::Error(base::ErrorKind::kIncompleteSignature,
                       absl::StrCat("Date must be in ISO-8601 'basic format'. Got '",
                                    *date,
                                    "'. See http://en.wikipedia.org/wiki/ISO_8601"));
  }
  if (*signed_at < now - window.max_age) {
    return base::Error(base::ErrorKind::kInvalidSignature,
                       absl::StrCat("Signature expired: ",
                                    *date,
                                    " is now earlier than ",
                                    Basic(now - window.max_age),
                                    " (",
                                    Basic(now),
                                    " - ",
                                    absl::ToInt64Minutes(window.max_age),
                                    " min.)"));
  }
  if (*signed_at > now + window.max_ahead) {
    return base::Error(base::ErrorKind::kInvalidSignature,
                       absl::StrCat("Signature not yet current: ",
                                    *date,
                                    " is still later than ",
                                    Basic(now + window.max_ahead),
                                    " (",
                                    Basic(now),
                                    " + ",
                                    absl::ToInt64Minutes(window.max_ahead),
                                    " min.)"));
  }
  std::vector<std::string> signed_headers =
      absl::StrSplit(parsed->signed_headers, ';', absl::SkipEmpty());
  for (std::string& name : signed_headers) absl::AsciiStrToLower(&name);
  if (std::find(signed_headers.begin(), signed_headers.end(), "host") == signed_headers.end()) {
    return base::Error(base::ErrorKind::kInvalidSignature,
                       "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (absl::Status status = CheckAlgorithm(*parsed); !status.ok()) return status;
  absl::StatusOr<std::vector<absl::string_view>> scope = SplitScope(parsed->credential);
  if (!scope.ok()) return scope.status();
  const absl::string_view key_id = (*scope)[0];
  const absl::string_view scope_date = (*scope)[1];
  const absl::string_view region = (*scope)[2];
  const absl::string_view service = (*scope)[3];
  const absl::string_view terminator = (*scope)[4];

  std::vector<std::string> problems;
  if (region.empty()) {
    problems.push_back(
        absl::StrCat("Credential should be scoped to a valid region, not '", region, "'."));
  }
  if (service != "dynamodb") {
    problems.push_back("Credential should be scoped to correct service: 'dynamodb'.");
  }
  if (terminator != "aws4_request") {
    problems.push_back(
        absl::StrCat("Credential should be scoped with a valid terminator: 'aws4_request', not '",
                     terminator,
                     "'."));
  }
  if (scope_date != date->substr(0, 8)) {
    problems.push_back(absl::StrCat(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '",
        scope_date,
        "' != '",
        date->substr(0, 8),
        "', from '",
        *date,
        "'."));
  }
  if (!problems.empty()) {
    return base::Error(base::ErrorKind::kInvalidSignature, absl::StrJoin(problems, " "));
  }
  const std::string* secret = keys.SecretFor(key_id);
  if (secret == nullptr) return base::Error(base::ErrorKind::kUnrecognizedClient, kUnknownKey);

  auto [path, query] = CanonicalTarget(request.target);
  std::string canonical_headers;
  for (const std::string& name : signed_headers) {
    absl::StrAppend(
        &canonical_headers, name, ":", CanonicalValue(request, name).value_or(""), "\n");
  }
  const std::string canonical_request = absl::StrCat(request.method,
                                                     "\n",
                                                     path,
                                                     "\n",
                                                     query,
                                                     "\n",
                                                     canonical_headers,
                                                     "\n",
                                                     absl::StrJoin(signed_headers, ";"),
                                                     "\n",
                                                     Sha256Hex(request.body));
  const std::string credential_scope =
      absl::StrCat(scope_date, "/", region, "/", service, "/", terminator);
  const std::string string_to_sign = absl::StrCat(
      kAlgorithm, "\n", *date, "\n", credential_scope, "\n", Sha256Hex(canonical_request));
  std::string key = HmacSha256(absl::StrCat("AWS4", *secret), scope_date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  key = HmacSha256(key, terminator);
  const std::string expected = absl::BytesToHexString(HmacSha256(key, string_to_sign));
  const absl::string_view given = parsed->signature;
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return base::Error(
        base::ErrorKind::kInvalidSignature,
        absl::StrCat("The request signature we calculated does not match the signature you "
                     "provided. Check your AWS Secret Access Key and signing method. Consult the "
                     "service documentation for details.\n\nThe Canonical String for this "
                     "request should have been\n'",
                     canonical_request,
                     "'\n\nThe String-to-Sign should have been\n'",
                     string_to_sign,
                     "'\n"));
  }
  if (CanonicalValue(request, "x-amz-security-token")) {
    return base::Error(base::ErrorKind::kUnrecognizedClient, kUnknownKey);
  }
  return SigV4Credential{
      std::string(key_id), std::string(scope_date), std::string(region), std::string(service)};
}

}  // namespace tern::router
