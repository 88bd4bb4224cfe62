// db::ExecStatement against a real PostgreSQL: typed parameters, one preparation per connection
// reused by later transactions, a name given two texts refused.
#include "common/db/statement.h"

#include <string>

#include "absl/status/statusor.h"
#include "common/testing/postgres.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace maillage::db {
namespace {

using ::maillage::testing::IsOk;
using ::maillage::testing::StatusIs;
using ::maillage::testing::TestDatabase;

const Deadline kNoDeadline = Deadline::max();

PoolOptions OneConnection(const std::string& url) {
  PoolOptions options;
  options.url = url;
  options.size = 1;  // every transaction on the same connection
  options.error_domain = "test.maillage";
  return options;
}

const Statement& Echo() {
  static const auto* const kStatement = new Statement{
      "statement_test_echo", "SELECT $1::bigint + 1, $2::text || '!', NOT $3::boolean, $4::int"};
  return *kStatement;
}

TEST(ExecStatementTest, PassesTypedParametersAndPreparesOncePerConnection) {
  TestDatabase database("statement");
  Pool pool(OneConnection(database.url()));
  for (int run = 0; run < 3; ++run) {  // three transactions on the one connection
    absl::StatusOr<std::string> answer = pool.Transact<std::string>(
        kNoDeadline, [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
          pqxx::result rows =
              ExecStatement(txn, Echo(), int64_t{41}, std::string("salut"), false, run);
          pqxx::result prepared = txn.exec(
              "SELECT count(*) FROM pg_prepared_statements WHERE name = 'statement_test_echo'");
          return absl::StrCat(rows[0][0].as<int64_t>(), " ", rows[0][1].as<std::string>(), " ",
                              rows[0][2].as<bool>(), " ", rows[0][3].as<int>(), " prepared ",
                              prepared[0][0].as<int>());
        });
    ASSERT_THAT(answer.status(), IsOk());
    EXPECT_EQ(*answer, absl::StrCat("42 salut! 1 ", run, " prepared 1")) << "run " << run;
  }
}

TEST(ExecStatementTest, SameNameWithAnotherTextIsAnError) {
  TestDatabase database("statement");
  Pool pool(OneConnection(database.url()));
  ASSERT_THAT(pool.Transact(kNoDeadline,
                            [&](pqxx::work& txn) {
                              ExecStatement(txn, Echo(), 1, "a", true, 2);
                              return absl::OkStatus();
                            }),
              IsOk());
  Statement other{"statement_test_echo", "SELECT 1"};
  EXPECT_THAT(pool.Transact(kNoDeadline,
                            [&](pqxx::work& txn) {
                              ExecStatement(txn, other);
                              return absl::OkStatus();
                            }),
              StatusIs(absl::StatusCode::kInternal));
}

}  // namespace
}  // namespace maillage::db
