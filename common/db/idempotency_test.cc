#include "common/db/idempotency.h"

#include <future>
#include <thread>
#include <vector>

#include "common/auth/caller.h"
#include "common/db/pool.h"
#include "common/status/errors.h"
#include "common/testing/postgres.h"
#include "common/testing/status_matchers.h"
#include "google/protobuf/api.pb.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

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
                                     "CREATE TABLE request_ids (caller text NOT NULL DEFAULT "
                                     "'', request_id uuid NOT NULL, method text NOT NULL, "
                                     "fingerprint text NOT NULL, response bytea, resources "
                                     "text[] NOT NULL DEFAULT '{}', create_time timestamptz NOT "
                                     "NULL DEFAULT now(), PRIMARY KEY (caller, request_id));"
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
  // A write whose response names resources (an Api and its methods stand for a resource and
  // its children).
  absl::StatusOr<google::protobuf::Api> WriteNamed(absl::string_view request_id,
                                                   const ErrorInfo& request,
                                                   const std::string& name) {
    return pool_.Transact<google::protobuf::Api>(Deadline::max(), [&](pqxx::work& txn) {
      return RunIdempotent<google::protobuf::Api>(
          txn, request_id, "WriteNamed", request, kDomain,
          [&]() -> absl::StatusOr<google::protobuf::Api> {
            txn.exec("INSERT INTO writes DEFAULT VALUES");
            google::protobuf::Api response;
            response.set_name(name);
            response.add_methods()->set_name(name + "/child");
            response.set_version("personal data");
            return response;
          });
    });
  }
  std::string Sql(const std::string& query) {
    return *pool_.ReadOnly<std::string>(
        Deadline::max(), [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
          pqxx::result r = txn.exec(query);
          return r[0][0].is_null() ? std::string("NULL") : r[0][0].as<std::string>();
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

// The record is sent with the first execution's COMMIT (ExecAtCommit): a replay that arrives
// while the first execution is still running waits on the advisory lock, then reads the record
// and answers with the first response, without writing again.
TEST_F(IdempotencyTest, ReplayArrivingDuringTheFirstExecutionWaitsAndGetsItsResponse) {
  ErrorInfo request;
  std::promise<void> first_is_writing;
  std::thread first([&] {
    absl::StatusOr<ErrorInfo> response =
        pool_.Transact<ErrorInfo>(Deadline::max(), [&](pqxx::work& txn) {
          return RunIdempotent<ErrorInfo>(
              txn, kId, "Write", request, kDomain, [&]() -> absl::StatusOr<ErrorInfo> {
                pqxx::result r = txn.exec("INSERT INTO writes DEFAULT VALUES RETURNING n");
                first_is_writing.set_value();
                txn.exec("SELECT pg_sleep(0.3)");
                ErrorInfo out;
                out.set_reason(r[0][0].as<std::string>());
                return out;
              });
        });
    EXPECT_THAT(response, IsOk());
  });
  first_is_writing.get_future().wait();
  absl::StatusOr<ErrorInfo> replay = Write(kId, request);
  first.join();
  ASSERT_THAT(replay, IsOk());
  EXPECT_EQ(replay->reason(), "1");
  EXPECT_EQ(Rows(), 1);
  EXPECT_EQ(Sql("SELECT count(*) FROM request_ids"), "1");
}

// A record that cannot be written at COMMIT fails the whole write: nothing is kept.
TEST_F(IdempotencyTest, WriteWhoseRecordFailsAtCommitKeepsNothing) {
  ASSERT_THAT(pool_.Transact(Deadline::max(),
                             [](pqxx::work& txn) {
                               txn.exec(
                                   "ALTER TABLE request_ids ADD CONSTRAINT short_method "
                                   "CHECK (length(method) < 5)");
                               return absl::OkStatus();
                             }),
              IsOk());
  EXPECT_THAT(Write(kId, ErrorInfo()), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Rows(), 0);
  EXPECT_EQ(Sql("SELECT count(*) FROM request_ids"), "0");
}

TEST_F(IdempotencyTest, RecordsAreKeyedByCaller) {
  ErrorInfo request;
  request.set_domain("a");
  absl::StatusOr<ErrorInfo> first, other;
  {
    auth::CallerScope caller(auth::Principal{"apiKeys/1", gateway::v1::ROLE_STAFF, 0, ""});
    first = Write(kId, request);
  }
  {
    // Another caller with the same id: its own record, its own write, even for another request.
    auth::CallerScope caller(auth::Principal{"apiKeys/2", gateway::v1::ROLE_STAFF, 0, ""});
    request.set_domain("b");
    other = Write(kId, request);
  }
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(other, IsOk());
  EXPECT_NE(first->reason(), other->reason());
  EXPECT_EQ(Rows(), 2);
  {
    auth::CallerScope caller(auth::Principal{"apiKeys/1", gateway::v1::ROLE_STAFF, 0, ""});
    request.set_domain("a");
    auto replay = Write(kId, request);
    ASSERT_THAT(replay, IsOk());
    EXPECT_EQ(replay->reason(), first->reason());
  }
  EXPECT_EQ(Rows(), 2);
  EXPECT_EQ(Sql("SELECT string_agg(caller, ',' ORDER BY caller) FROM request_ids"),
            "apiKeys/1,apiKeys/2");
}

TEST_F(IdempotencyTest, FingerprintIsSha256OfTheRequest) {
  ErrorInfo request;
  request.set_domain("a");
  std::string fingerprint = RequestFingerprint(request);
  EXPECT_EQ(fingerprint.size(), std::string("sha256:").size() + 64) << fingerprint;
  EXPECT_EQ(fingerprint.rfind("sha256:", 0), 0u);
  EXPECT_EQ(RequestFingerprint(request), fingerprint);
  request.set_domain("b");
  EXPECT_NE(RequestFingerprint(request), fingerprint);
  // The type is part of it: the same bytes as another message differ.
  EXPECT_NE(RequestFingerprint(ErrorInfo()), RequestFingerprint(google::rpc::ResourceInfo()));
  ASSERT_THAT(Write(kId, request), IsOk());
  EXPECT_EQ(Sql("SELECT fingerprint FROM request_ids"), RequestFingerprint(request));
}

TEST_F(IdempotencyTest, ResourceNamesFindNestedNames) {
  google::protobuf::Api api;
  api.set_name("actors/1/contacts/2");
  api.add_methods()->set_name("meetings/3/participants/4");
  api.add_methods()->set_name("actors/1/contacts/2");
  api.set_version("not a name");
  EXPECT_EQ(ResourceNames(api),
            (std::vector<std::string>{"actors/1/contacts/2", "meetings/3/participants/4"}));
}

TEST_F(IdempotencyTest, ForgottenRecordsHoldNothingAndRefuseReplay) {
  ErrorInfo request;
  request.set_domain("Camille Durand");
  ASSERT_THAT(WriteNamed(kId, request, "actors/1/contacts/2"), IsOk());
  constexpr absl::string_view kOther = "223e4567-e89b-42d3-a456-426614174000";
  ASSERT_THAT(WriteNamed(kOther, request, "actors/1/contacts/3"), IsOk());
  EXPECT_EQ(Sql("SELECT count(*) FROM request_ids WHERE position('personal data' in "
                "encode(response, 'escape')) > 0"),
            "2");

  int64_t forgotten =
      *pool_.Transact<int64_t>(Deadline::max(), [](pqxx::work& txn) -> absl::StatusOr<int64_t> {
        return ForgetRequestsAbout(txn, {"actors/1/contacts/2/child"});
      });
  EXPECT_EQ(forgotten, 1);
  EXPECT_EQ(Sql("SELECT response FROM request_ids WHERE request_id = "
                "'123e4567-e89b-42d3-a456-426614174000'"),
            "NULL");
  EXPECT_EQ(Sql("SELECT fingerprint || cardinality(resources) FROM request_ids WHERE request_id "
                "= '123e4567-e89b-42d3-a456-426614174000'"),
            "0");
  // A replay neither answers the forgotten response nor writes again.
  EXPECT_THAT(WriteNamed(kId, request, "actors/1/contacts/2").status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Rows(), 2);
  // The other record is intact.
  auto replay = WriteNamed(kOther, request, "actors/1/contacts/3");
  ASSERT_THAT(replay, IsOk());
  EXPECT_EQ(replay->version(), "personal data");
}

TEST_F(IdempotencyTest, PurgeDeletesRecordsOlderThanTheCutoff) {
  ASSERT_THAT(Write(kId, ErrorInfo()), IsOk());
  ASSERT_THAT(pool_.Transact(Deadline::max(),
                             [](pqxx::work& txn) {
                               txn.exec(
                                   "UPDATE request_ids SET create_time = now() - "
                                   "interval '25 hours'");
                               return absl::OkStatus();
                             }),
              IsOk());
  ASSERT_THAT(Write("223e4567-e89b-42d3-a456-426614174000", ErrorInfo()), IsOk());
  int64_t purged =
      *pool_.Transact<int64_t>(Deadline::max(), [](pqxx::work& txn) -> absl::StatusOr<int64_t> {
        return PurgeRequestIds(txn, absl::Now() - kRequestIdRetention);
      });
  EXPECT_EQ(purged, 1);
  EXPECT_EQ(Sql("SELECT count(*) FROM request_ids"), "1");
}

}  // namespace
}  // namespace maillage::db
