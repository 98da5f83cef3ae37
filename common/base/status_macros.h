// Status propagation macros used throughout Tern.
//
// TERN_RETURN_IF_ERROR(expr): evaluates expr (an absl::Status) and returns it
// from the enclosing function when it is not OK.
// TERN_ASSIGN_OR_RETURN(lhs, expr): evaluates expr (an absl::StatusOr<T>);
// returns its status when not OK, otherwise moves the value into lhs, which may
// be a declaration (`auto x`) or an existing lvalue.
//
// Abseil's own status macros arrived only in 2026; the pinned Debian Abseil
// (20220623) does not have them.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TERN_RETURN_IF_ERROR(expr)                \
  do {                                            \
    ::absl::Status tern_status_internal = (expr); \
    if (!tern_status_internal.ok()) {             \
      return tern_status_internal;                \
    }                                             \
  } while (false)

#define TERN_STATUS_MACROS_CONCAT_INNER(x, y) x##y
#define TERN_STATUS_MACROS_CONCAT(x, y) TERN_STATUS_MACROS_CONCAT_INNER(x, y)

#define TERN_ASSIGN_OR_RETURN(lhs, expr) \
  TERN_ASSIGN_OR_RETURN_IMPL(TERN_STATUS_MACROS_CONCAT(tern_statusor_, __LINE__), lhs, expr)

#define TERN_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  if (!statusor.ok()) {                                 \
    return std::move(statusor).status();                \
  }                                                     \
  lhs = *std::move(statusor)
