// StatusFromException on libpqxx exceptions built by hand, as the server would report them.
#include "common/db/sql_error.h"

#include <pqxx/except>
#include <stdexcept>
#include <string>

#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace maillage::db {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kDomain[] = "directory.maillage";
constexpr char kQuery[] = "INSERT INTO actors (siret) VALUES ($1) -- secret_sql_marker";

struct Case {
  std::string sqlstate;
  std::string what;
  absl::StatusCode code;
  std::string reason;
  std::string constraint;  // expected in metadata, "" when none
  std::string column;
};

TEST(StatusFromExceptionTest, MapsSqlStates) {
  const Case cases[] = {
      {"23505",
       "ERROR:  duplicate key value violates unique constraint \"actors_siret_key\"\n"
       "DETAIL:  Key (siret)=(35600000000048) already exists.\n",
       absl::StatusCode::kAlreadyExists, "UNIQUE_VIOLATION", "actors_siret_key", ""},
      {"23503",
       "ERROR:  insert or update on table \"contacts\" violates foreign key constraint "
       "\"contacts_actor_id_fkey\"\nDETAIL:  Key (actor_id)=(7) is not present.\n",
       absl::StatusCode::kFailedPrecondition, "FOREIGN_KEY_VIOLATION", "contacts_actor_id_fkey",
       ""},
      {"23001",
       "ERROR:  update or delete on table \"a\" violates RESTRICT setting of foreign key "
       "constraint \"b_a_fkey\" on table \"b\"\n",
       absl::StatusCode::kFailedPrecondition, "FOREIGN_KEY_VIOLATION", "b_a_fkey", ""},
      {"23514",
       "ERROR:  new row for relation \"lines\" violates check constraint \"lines_amount_check\"\n"
       "DETAIL:  Failing row contains (1, -5).\n",
       absl::StatusCode::kInvalidArgument, "CHECK_VIOLATION", "lines_amount_check", ""},
      {"23502",
       "ERROR:  null value in column \"display_name\" of relation \"actors\" violates not-null "
       "constraint\nDETAIL:  Failing row contains (1, null).\n",
       absl::StatusCode::kInvalidArgument, "NOT_NULL_VIOLATION", "", "display_name"},
      {"22001", "ERROR:  value too long for type character varying(14)\n",
       absl::StatusCode::kInvalidArgument, "INVALID_DATA", "", ""},
      {"22P02", "ERROR:  invalid input syntax for type integer: \"abc\"\n",
       absl::StatusCode::kInvalidArgument, "INVALID_DATA", "", ""},
      {"40001", "ERROR:  could not serialize access due to concurrent update\n",
       absl::StatusCode::kAborted, "SERIALIZATION_FAILURE", "", ""},
      {"40P01", "ERROR:  deadlock detected\nDETAIL:  Process 1 waits for ShareLock\n",
       absl::StatusCode::kAborted, "DEADLOCK_DETECTED", "", ""},
      {"57014", "ERROR:  canceling statement due to statement timeout\n",
       absl::StatusCode::kDeadlineExceeded, "STATEMENT_TIMEOUT", "", ""},
      {"57P01", "FATAL:  terminating connection due to administrator command\n",
       absl::StatusCode::kUnavailable, "DATABASE_UNAVAILABLE", "", ""},
      {"08006", "server closed the connection unexpectedly\n", absl::StatusCode::kUnavailable,
       "DATABASE_UNAVAILABLE", "", ""},
      {"42601", "ERROR:  syntax error at or near \"secret_sql_marker\"\n",
       absl::StatusCode::kInternal, "DATABASE_ERROR", "", ""},
      {"25006", "ERROR:  cannot execute INSERT in a read-only transaction\n",
       absl::StatusCode::kInternal, "DATABASE_ERROR", "", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sqlstate);
    pqxx::sql_error error(c.what, kQuery, c.sqlstate.c_str());
    absl::Status status = StatusFromException(error, kDomain);
    EXPECT_EQ(status.code(), c.code) << status;
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("secret_sql_marker")));
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("DETAIL")));
    std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->domain(), kDomain);
    EXPECT_EQ(info->reason(), c.reason);
    EXPECT_EQ(info->metadata().at("sqlstate"), c.sqlstate);
    if (!c.constraint.empty()) {
      EXPECT_EQ(info->metadata().at("constraint"), c.constraint);
      EXPECT_THAT(std::string(status.message()), HasSubstr(c.constraint));
    }
    if (!c.column.empty()) {
      EXPECT_EQ(info->metadata().at("column"), c.column);
    }
  }
}

TEST(StatusFromExceptionTest, DerivedLibpqxxClassesKeepTheirState) {
  pqxx::unique_violation error("ERROR:  duplicate key value violates unique constraint \"u\"\n",
                               kQuery, "23505");
  EXPECT_EQ(StatusFromException(error, kDomain).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(SqlState(error), "23505");
}

TEST(StatusFromExceptionTest, RollbackClassesWithoutStateAreRecognisedByType) {
  // libpqxx 6.4 throws these outside pqxx::sql_error, with no SQLSTATE.
  absl::Status serialization =
      StatusFromException(pqxx::serialization_failure("ERROR:  could not serialize"), kDomain);
  EXPECT_EQ(serialization.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(GetErrorInfo(serialization)->reason(), "SERIALIZATION_FAILURE");
  absl::Status deadlock =
      StatusFromException(pqxx::deadlock_detected("ERROR:  deadlock detected"), kDomain);
  EXPECT_EQ(deadlock.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(GetErrorInfo(deadlock)->reason(), "DEADLOCK_DETECTED");
  EXPECT_EQ(SqlState(pqxx::statement_completion_unknown("x")), "40003");
}

TEST(StatusFromExceptionTest, LostConnectionsAreUnavailable) {
  pqxx::broken_connection broken("server closed the connection unexpectedly");
  absl::Status status = StatusFromException(broken, kDomain);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(GetErrorInfo(status)->reason(), "DATABASE_UNAVAILABLE");
  EXPECT_TRUE(IsConnectionLost(broken));

  pqxx::in_doubt_error in_doubt("connection lost while committing");
  status = StatusFromException(in_doubt, kDomain);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(GetErrorInfo(status)->reason(), "COMMIT_IN_DOUBT");
  EXPECT_TRUE(IsConnectionLost(in_doubt));

  EXPECT_TRUE(IsConnectionLost(
      pqxx::sql_error("FATAL:  the database system is shutting down", "", "57P03")));
  EXPECT_FALSE(IsConnectionLost(pqxx::sql_error("ERROR:  x", "", "23505")));
  EXPECT_FALSE(IsConnectionLost(std::runtime_error("x")));
}

TEST(StatusFromExceptionTest, OtherExceptionsAreInternalWithAGenericMessage) {
  absl::Status status = StatusFromException(std::runtime_error("secret_sql_marker"), kDomain);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("secret_sql_marker")));
  EXPECT_EQ(SqlState(std::runtime_error("x")), "");
}

TEST(IsRetryableSerializationFailureTest, OnlySerializationFailuresAndDeadlocks) {
  EXPECT_TRUE(IsRetryableSerializationFailure(
      StatusFromException(pqxx::sql_error("ERROR:  x", "", "40001"), kDomain)));
  EXPECT_TRUE(IsRetryableSerializationFailure(
      StatusFromException(pqxx::sql_error("ERROR:  x", "", "40P01"), kDomain)));
  EXPECT_FALSE(IsRetryableSerializationFailure(Aborted(kDomain, "ETAG_MISMATCH", "stale etag")));
  EXPECT_FALSE(IsRetryableSerializationFailure(absl::AbortedError("no details")));
  EXPECT_FALSE(IsRetryableSerializationFailure(absl::OkStatus()));
}

}  // namespace
}  // namespace maillage::db
