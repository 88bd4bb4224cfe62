// PostgreSQL errors as maillage statuses: the one place where a libpqxx exception becomes an
// absl::Status (see API_CONVENTIONS.md, "Errors").
//
//   } catch (const std::exception& e) {
//     return StatusFromException(e, "directory.maillage");
//   }
//
// | SQLSTATE                              | code                | ErrorInfo reason         |
// |---------------------------------------|---------------------|--------------------------|
// | 23505 unique                          | ALREADY_EXISTS      | UNIQUE_VIOLATION         |
// | 23503 foreign key, 23001 restrict     | FAILED_PRECONDITION | FOREIGN_KEY_VIOLATION    |
// | 23502 not null                        | INVALID_ARGUMENT    | NOT_NULL_VIOLATION       |
// | 23514 check                           | INVALID_ARGUMENT    | CHECK_VIOLATION          |
// | 22xxx data exception                  | INVALID_ARGUMENT    | INVALID_DATA             |
// | 40001 serialization failure           | ABORTED             | SERIALIZATION_FAILURE    |
// | 40P01 deadlock                        | ABORTED             | DEADLOCK_DETECTED        |
// | 57014 statement timeout / cancel      | DEADLINE_EXCEEDED   | STATEMENT_TIMEOUT        |
// | lost connection, 08xxx, 57P0x, 53300  | UNAVAILABLE         | DATABASE_UNAVAILABLE     |
// | connection lost during COMMIT         | UNAVAILABLE         | COMMIT_IN_DOUBT          |
// | anything else (logged)                | INTERNAL            | DATABASE_ERROR           |
//
// Metadata carries "sqlstate" and, when the server names them, "constraint" or "column".
// Messages never contain SQL text, row values from DETAIL lines, or stack traces.
#pragma once

#include <exception>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace maillage::db {

// ErrorInfo reasons of the errors this library produces.
inline constexpr absl::string_view kReasonUniqueViolation = "UNIQUE_VIOLATION";
inline constexpr absl::string_view kReasonForeignKeyViolation = "FOREIGN_KEY_VIOLATION";
inline constexpr absl::string_view kReasonNotNullViolation = "NOT_NULL_VIOLATION";
inline constexpr absl::string_view kReasonCheckViolation = "CHECK_VIOLATION";
inline constexpr absl::string_view kReasonInvalidData = "INVALID_DATA";
inline constexpr absl::string_view kReasonSerializationFailure = "SERIALIZATION_FAILURE";
inline constexpr absl::string_view kReasonDeadlockDetected = "DEADLOCK_DETECTED";
inline constexpr absl::string_view kReasonStatementTimeout = "STATEMENT_TIMEOUT";
inline constexpr absl::string_view kReasonDatabaseUnavailable = "DATABASE_UNAVAILABLE";
inline constexpr absl::string_view kReasonCommitInDoubt = "COMMIT_IN_DOUBT";
inline constexpr absl::string_view kReasonDatabaseError = "DATABASE_ERROR";
// Produced by Pool and Migrate rather than by StatusFromException.
inline constexpr absl::string_view kReasonPoolExhausted = "POOL_EXHAUSTED";
inline constexpr absl::string_view kReasonDeadlineExceeded = "DEADLINE_EXCEEDED";
inline constexpr absl::string_view kReasonInvalidMigrations = "INVALID_MIGRATIONS";
inline constexpr absl::string_view kReasonSchemaMismatch = "SCHEMA_MISMATCH";
inline constexpr absl::string_view kReasonMigrationFailed = "MIGRATION_FAILED";

// The status for an exception thrown by libpqxx (or by code running inside a transaction),
// with the ErrorInfo domain `domain`, per the table above. An INTERNAL result is logged with
// maillage::log::Error (sqlstate and the server's message); its status message is generic.
absl::Status StatusFromException(const std::exception& e, absl::string_view domain);

// The SQLSTATE of a libpqxx SQL error, "" for any other exception.
std::string SqlState(const std::exception& e);

// True when `e` means the connection it came from is gone or unusable (broken connection,
// SQLSTATE class 08, 57P0x, connection lost during COMMIT): the connection must be discarded.
bool IsConnectionLost(const std::exception& e);

// True when `status` is a serialization failure or a deadlock (ABORTED with reason
// SERIALIZATION_FAILURE or DEADLOCK_DETECTED): running the whole transaction again may succeed.
bool IsRetryableSerializationFailure(const absl::Status& status);

}  // namespace maillage::db
