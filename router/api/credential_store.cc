#include "router/api/credential_store.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tern::router {

absl::StatusOr<CredentialStore> CredentialStore::Parse(absl::string_view text) {
  CredentialStore store;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "credentials line ", number, ": expected \"ACCESS_KEY_ID SECRET_ACCESS_KEY\""));
    }
    if (!store.secrets_.emplace(fields[0], fields[1]).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("credentials line ", number, ": access key ", fields[0], " given twice"));
    }
  }
  if (store.secrets_.empty()) return absl::InvalidArgumentError("no credentials");
  return store;
}

absl::StatusOr<CredentialStore> CredentialStore::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<CredentialStore> store = Parse(text.str());
  if (!store.ok()) {
    return absl::Status(store.status().code(), absl::StrCat(path, ": ", store.status().message()));
  }
  return store;
}

const std::string* CredentialStore::SecretFor(absl::string_view access_key_id) const {
  auto it = secrets_.find(access_key_id);
  return it == secrets_.end() ? nullptr : &it->second;
}

}  // namespace tern::router
