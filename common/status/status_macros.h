// MAILLAGE_RETURN_IF_ERROR and MAILLAGE_ASSIGN_OR_RETURN: early return on a failed
// absl::Status / absl::StatusOr (Debian's Abseil ships no such macros).
//
//   MAILLAGE_RETURN_IF_ERROR(store.Insert(actor));
//   MAILLAGE_ASSIGN_OR_RETURN(Actor actor, store.Get(id));
//   MAILLAGE_ASSIGN_OR_RETURN(auto rows, pool.Run(...));
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MAILLAGE_STATUS_CONCAT_INNER(a, b) a##b
#define MAILLAGE_STATUS_CONCAT(a, b) MAILLAGE_STATUS_CONCAT_INNER(a, b)

// Evaluates `expr` (an absl::Status); returns it from the enclosing function when not OK.
#define MAILLAGE_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::absl::Status maillage_status_ = (expr);            \
    if (!maillage_status_.ok()) return maillage_status_; \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status when not OK, otherwise moves
// the value into `lhs` (a declaration such as `auto x` or an existing variable).
#define MAILLAGE_ASSIGN_OR_RETURN(lhs, rexpr) \
  MAILLAGE_ASSIGN_OR_RETURN_IMPL(MAILLAGE_STATUS_CONCAT(maillage_statusor_, __LINE__), lhs, rexpr)

#define MAILLAGE_ASSIGN_OR_RETURN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();   \
  lhs = std::move(statusor).value()
