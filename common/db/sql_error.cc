// SQLSTATE → absl::Status mapping (see sql_error.h for the table).
#include "common/db/sql_error.h"

#include <pqxx/except>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/errors.h"

namespace maillage::db {
namespace {

// The server's primary message: the first line of what(), without the "ERROR:  " prefix that
// libpq puts in front. DETAIL and HINT lines (which may quote row values) are left out.
absl::string_view PrimaryMessage(absl::string_view what) {
  absl::string_view line = what.substr(0, what.find('\n'));
  for (absl::string_view severity : {"ERROR:  ", "FATAL:  ", "PANIC:  "}) {
    if (absl::StartsWith(line, severity)) return line.substr(severity.size());
  }
  return line;
}

// The identifier quoted right after `marker` in a server message, e.g. the constraint name in
// `duplicate key value violates unique constraint "actors_siret_key"`; "" when absent.
std::string QuotedAfter(absl::string_view message, absl::string_view marker) {
  size_t at = message.find(marker);
  if (at == absl::string_view::npos) return "";
  size_t start = at + marker.size();
  if (start >= message.size() || message[start] != '"') return "";
  size_t end = message.find('"', start + 1);
  if (end == absl::string_view::npos) return "";
  return std::string(message.substr(start + 1, end - start - 1));
}

bool IsConnectionState(absl::string_view sqlstate) {
  return absl::StartsWith(sqlstate, "08") || absl::StartsWith(sqlstate, "57P") ||
         sqlstate == "53300";  // too_many_connections
}

absl::Status ConstraintError(absl::StatusCode code, absl::string_view domain,
                             absl::string_view reason, absl::string_view sqlstate,
                             absl::string_view primary, absl::string_view what_failed) {
  std::string constraint = QuotedAfter(primary, "constraint ");
  Metadata metadata{{"sqlstate", std::string(sqlstate)}};
  if (constraint.empty()) return MakeError(code, domain, reason, what_failed, metadata);
  metadata["constraint"] = constraint;
  return MakeError(code, domain, reason,
                   absl::StrCat(what_failed, " (constraint ", constraint, ")"), metadata);
}

absl::Status FromSqlState(absl::string_view sqlstate, absl::string_view what,
                          absl::string_view domain) {
  absl::string_view primary = PrimaryMessage(what);
  const Metadata state{{"sqlstate", std::string(sqlstate)}};
  if (sqlstate == "23505") {
    return ConstraintError(absl::StatusCode::kAlreadyExists, domain, kReasonUniqueViolation,
                           sqlstate, primary, "a row with the same unique value already exists");
  }
  if (sqlstate == "23503" || sqlstate == "23001") {
    return ConstraintError(absl::StatusCode::kFailedPrecondition, domain,
                           kReasonForeignKeyViolation, sqlstate, primary,
                           "the row refers to a row that does not exist, or is still referred to");
  }
  if (sqlstate == "23514") {
    return ConstraintError(absl::StatusCode::kInvalidArgument, domain, kReasonCheckViolation,
                           sqlstate, primary, "a value breaks a check constraint");
  }
  if (sqlstate == "23502") {
    std::string column = QuotedAfter(primary, "column ");
    if (column.empty()) {
      return MakeError(absl::StatusCode::kInvalidArgument, domain, kReasonNotNullViolation,
                       "a required value is missing", state);
    }
    return MakeError(absl::StatusCode::kInvalidArgument, domain, kReasonNotNullViolation,
                     absl::StrCat("column ", column, " must not be null"),
                     {{"sqlstate", std::string(sqlstate)}, {"column", column}});
  }
  if (absl::StartsWith(sqlstate, "22")) {
    // Data exceptions describe the value, not the statement ("value too long for type
    // character varying(14)", "invalid input syntax for type uuid: ..."): safe to pass on.
    return MakeError(absl::StatusCode::kInvalidArgument, domain, kReasonInvalidData,
                     absl::StrCat("invalid value: ", primary), state);
  }
  if (sqlstate == "40001") {
    return MakeError(absl::StatusCode::kAborted, domain, kReasonSerializationFailure,
                     "the transaction conflicted with a concurrent one; retry", state);
  }
  if (sqlstate == "40P01") {
    return MakeError(absl::StatusCode::kAborted, domain, kReasonDeadlockDetected,
                     "the transaction deadlocked with a concurrent one; retry", state);
  }
  if (sqlstate == "57014") {
    return MakeError(absl::StatusCode::kDeadlineExceeded, domain, kReasonStatementTimeout,
                     "a database statement ran out of time (deadline or statement timeout)", state);
  }
  if (IsConnectionState(sqlstate)) {
    return MakeError(absl::StatusCode::kUnavailable, domain, kReasonDatabaseUnavailable,
                     absl::StrCat("the database is unavailable: ", primary), state);
  }
  log::Error("database error", {{"sqlstate", std::string(sqlstate)}, {"error", std::string(what)}});
  return MakeError(absl::StatusCode::kInternal, domain, kReasonDatabaseError,
                   absl::StrCat("internal database error (SQLSTATE ", sqlstate, ")"), state);
}

}  // namespace

std::string SqlState(const std::exception& e) {
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) return sql->sqlstate();
  // libpqxx 6.4 throws the transaction rollback class (40xxx) outside sql_error, without the
  // state: the exception's type is all that is left of it.
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) != nullptr) return "40001";
  if (dynamic_cast<const pqxx::deadlock_detected*>(&e) != nullptr) return "40P01";
  if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e) != nullptr) return "40003";
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr) return "40000";
  return "";
}

bool IsConnectionLost(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) return true;
  return IsConnectionState(SqlState(e));
}

absl::Status StatusFromException(const std::exception& e, absl::string_view domain) {
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return MakeError(absl::StatusCode::kUnavailable, domain, kReasonCommitInDoubt,
                     "the database connection was lost during COMMIT: the transaction may or "
                     "may not have been applied");
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return MakeError(absl::StatusCode::kUnavailable, domain, kReasonDatabaseUnavailable,
                     absl::StrCat("the database connection was lost: ", PrimaryMessage(e.what())));
  }
  std::string sqlstate = SqlState(e);
  if (!sqlstate.empty()) return FromSqlState(sqlstate, e.what(), domain);
  log::Error("unexpected error in a database transaction", {{"error", e.what()}});
  return MakeError(absl::StatusCode::kInternal, domain, kReasonDatabaseError,
                   "internal error in a database transaction");
}

bool IsRetryableSerializationFailure(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kAborted) return false;
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  return info.has_value() && (info->reason() == kReasonSerializationFailure ||
                              info->reason() == kReasonDeadlockDetected);
}

}  // namespace maillage::db
