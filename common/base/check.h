// Fail-stop checks for invariant violations and corrupt persistent state.
// TERN_CHECK(cond) << "context" aborts the process, printing the condition, the
// location and the streamed context, when cond is false. TERN_DCHECK does the
// same in debug builds only. Never use these for bad input from clients: that
// is an absl::Status.
#pragma once

#include <sstream>

namespace tern::base::internal {

class CheckFailure {
 public:
  CheckFailure(const char* condition, const char* file, int line);
  [[noreturn]] ~CheckFailure();
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

// Swallows the stream expression so that both branches of the ?: have void type.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace tern::base::internal

#define TERN_CHECK(cond)                       \
  (cond) ? (void)0                             \
         : ::tern::base::internal::Voidify() & \
               ::tern::base::internal::CheckFailure(#cond, __FILE__, __LINE__).stream()

#ifdef NDEBUG
#define TERN_DCHECK(cond) \
  while (false) TERN_CHECK(cond)
#else
#define TERN_DCHECK(cond) TERN_CHECK(cond)
#endif
