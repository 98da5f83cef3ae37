#include "common/base/check.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace tern::base::internal {

CheckFailure::CheckFailure(const char* condition, const char* file, int line) {
  stream_ << "FATAL " << file << ":" << line << " check failed: " << condition << " ";
}

CheckFailure::~CheckFailure() {
  std::string message = stream_.str();
  message.push_back('\n');
  // One write(2) so that the line is not interleaved with other threads' output.
  ssize_t ignored = ::write(STDERR_FILENO, message.data(), message.size());
  (void)ignored;
  std::abort();
}

}  // namespace tern::base::internal
