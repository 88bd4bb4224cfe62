#include "common/db/idempotency.h"

#include <thread>
#include <vector>

#include "common/db/pool.h"
#include "common/status/errors.h"
#include "common/testing/postgres.h"
#include "common/testing/status_matchers.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::db {
namespace {

constexpr absl::string_view kDomain = "test.maillage";
constexpr absl::string_view kId = "123e4567-e89b-42d3-a456-426614174000";

using google::rpc::ErrorInfo;  // any message serves as request and response here

class IdempotencyTest : public ::testing::Test {
 protected:
  IdempotencyTest() : pool_(Options()) {
    EXPECT_THAT(pool_.Transact(Deadline::max(),
                               [](pqxx::work& txn) {
                                 txn.exec(
                                     "CREATE TABLE request_ids (request_id uuid PRIMARY KEY, "
                                     "method text NOT NULL, fingerprint text NOT NULL, response "
                                     "bytea NOT NULL, create_time timestamptz NOT NULL DEFAULT "
                                     "now());"
                                     "CREATE TABLE writes (n serial PRIMARY KEY)");
                                 return absl::OkStatus();
                               }),
                IsOk());
  }
  PoolOptions Options() {
    PoolOptions options;
    options.url = database_.url();
    return options;
  }
  // One write: inserts a row and answers with its number, unless `fail`.
  absl::StatusOr<ErrorInfo> Write(absl::string_view request_id, const ErrorInfo& request,
                                  bool fail = false) {
    return pool_.Transact<ErrorInfo>(Deadline::max(), [&](pqxx::work& txn) {
      return RunIdempotent<ErrorInfo>(
          txn, request_id, "Write", request, kDomain, [&]() -> absl::StatusOr<ErrorInfo> {
            pqxx::result r = txn.exec("INSERT INTO writes DEFAULT VALUES RETURNING n");
            if (fail) return absl::FailedPreconditionError("refused");
            ErrorInfo response;
            response.set_reason(r[0][0].as<std::string>());
            return response;
          });
    });
  }
  int Rows() {
    return *pool_.ReadOnly<int>(Deadline::max(), [](pqxx::work& txn) -> absl::StatusOr<int> {
      return txn.exec("SELECT count(*) FROM writes")[0][0].as<int>();
    });
  }

  testing::TestDatabase database_{"idempotency"};
  Pool pool_;
};

TEST_F(IdempotencyTest, ReplayReturnsTheOriginalResult) {
  ErrorInfo request;
  request.set_domain("a");
  auto first = Write(kId, request);
  auto again = Write(kId, request);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(first->reason(), again->reason());
  EXPECT_EQ(Rows(), 1);
  // Upper case is the same UUID.
  auto upper = Write("123E4567-E89B-42D3-A456-426614174000", request);
  ASSERT_THAT(upper, IsOk());
  EXPECT_EQ(Rows(), 1);
}

TEST_F(IdempotencyTest, WithoutIdEveryCallWrites) {
  ErrorInfo request;
  ASSERT_THAT(Write("", request), IsOk());
  ASSERT_THAT(Write("", request), IsOk());
  EXPECT_EQ(Rows(), 2);
}

TEST_F(IdempotencyTest, SameIdDifferentRequestRefused) {
  ErrorInfo request;
  request.set_domain("a");
  ASSERT_THAT(Write(kId, request), IsOk());
  request.set_domain("b");
  auto other = Write(kId, request);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetBadRequest(other.status())->field_violations(0).field(), "request_id");
  EXPECT_EQ(Rows(), 1);
}

TEST_F(IdempotencyTest, MalformedIdRefused) {
  auto bad = Write("not-a-uuid", ErrorInfo());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Rows(), 0);
}

TEST_F(IdempotencyTest, FailedWriteIsNotRecordedNorKept) {
  ErrorInfo request;
  EXPECT_EQ(Write(kId, request, /*fail=*/true).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Rows(), 0);
  ASSERT_THAT(Write(kId, request), IsOk());
  EXPECT_EQ(Rows(), 1);
}

TEST_F(IdempotencyTest, ConcurrentReplaysWriteOnce) {
  ErrorInfo request;
  std::vector<std::thread> threads;
  std::vector<std::string> answers(6);
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      auto r = Write(kId, request);
      if (r.ok()) answers[i] = r->reason();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(Rows(), 1);
  for (const std::string& a : answers) EXPECT_EQ(a, answers[0]);
}

}  // namespace
}  // namespace maillage::db
