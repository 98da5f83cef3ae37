// CredentialStore: the access keys a router accepts, read from its
// --credentials_file (one "ACCESS_KEY_ID SECRET_ACCESS_KEY" per line).
// Immutable once loaded; thread-safe.
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tern::router {

class CredentialStore {
 public:
  // Parses a credentials file: lines "ACCESS_KEY_ID SECRET_ACCESS_KEY"
  // (separated by spaces or tabs); blank lines and lines starting with '#'
  // are skipped. kInvalidArgument, naming the line, for anything else or a
  // key id given twice; an empty store is an error too.
  static absl::StatusOr<CredentialStore> Parse(absl::string_view text);

  // Reads and parses the file at path.
  static absl::StatusOr<CredentialStore> Load(const std::string& path);

  // The secret of access_key_id, or nullptr when the key is unknown.
  const std::string* SecretFor(absl::string_view access_key_id) const;

  size_t size() const { return secrets_.size(); }

 private:
  absl::flat_hash_map<std::string, std::string> secrets_;
};

}  // namespace tern::router
