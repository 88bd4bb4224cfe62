// Migrate against a real PostgreSQL: order, idempotence, refusals, rollback, concurrency.
#include "common/db/migrations.h"

#include <string>
#include <thread>
#include <vector>

#include "common/status/errors.h"
#include "common/testing/postgres.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::db {
namespace {

using ::maillage::testing::TestDatabase;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kDomain[] = "test.maillage";
const Deadline kNoDeadline = Deadline::max();

const Migration kCreate{1, "create_actors", "CREATE TABLE actors (id int PRIMARY KEY, name text)"};
const Migration kInsert{2, "seed_actors", "INSERT INTO actors VALUES (1, 'Artisans du Monde')"};
const Migration kAlter{3, "add_commune", "ALTER TABLE actors ADD COLUMN commune text"};

PoolOptions OptionsFor(const std::string& url) {
  PoolOptions options;
  options.url = url;
  options.error_domain = kDomain;
  return options;
}

std::string Reason(const absl::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : "";
}

class MigrateTest : public ::testing::Test {
 protected:
  // The value of a one-row, one-column query.
  template <typename T>
  T Query(const std::string& sql) {
    absl::StatusOr<T> value = pool_.ReadOnly<T>(
        kNoDeadline,
        [&](pqxx::work& txn) -> absl::StatusOr<T> { return txn.exec1(sql)[0].as<T>(); });
    EXPECT_THAT(value, IsOk()) << value.status();
    return value.ok() ? *value : T();
  }

  absl::Status Execute(const std::string& sql) {
    return pool_.Transact(kNoDeadline, [&](pqxx::work& txn) {
      txn.exec(sql);
      return absl::OkStatus();
    });
  }

  TestDatabase db_{"migrate"};
  Pool pool_{OptionsFor(db_.url())};
};

TEST_F(MigrateTest, AppliesInOrderAndRecordsEachMigration) {
  ASSERT_THAT(Migrate(pool_, "directory", {kCreate, kInsert, kAlter}), IsOk());
  EXPECT_EQ(Query<std::string>("SELECT string_agg(version || ':' || name || ':' || dirty, ',' "
                               "ORDER BY version) FROM schema_migrations"),
            "1:create_actors:false,2:seed_actors:false,3:add_commune:false");
  EXPECT_EQ(Query<int>("SELECT count(*) FROM schema_migrations "
                       "WHERE checksum ~ '^[0-9a-f]{64}$' AND applied_at <= now()"),
            3);
  EXPECT_EQ(Query<int>("SELECT count(*) FROM actors WHERE commune IS NULL"), 1);
}

TEST_F(MigrateTest, SecondRunAppliesNothing) {
  ASSERT_THAT(Migrate(pool_, "directory", {kCreate, kInsert}), IsOk());
  const std::string applied_at =
      Query<std::string>("SELECT max(applied_at)::text FROM schema_migrations");
  ASSERT_THAT(Migrate(pool_, "directory", {kCreate, kInsert}), IsOk());
  EXPECT_EQ(Query<int>("SELECT count(*) FROM actors"), 1);
  EXPECT_EQ(Query<std::string>("SELECT max(applied_at)::text FROM schema_migrations"), applied_at);

  ASSERT_THAT(Migrate(pool_, "directory", {kCreate, kInsert, kAlter}), IsOk());
  EXPECT_EQ(Query<int>("SELECT max(version) FROM schema_migrations"), 3);
  EXPECT_EQ(Query<int>("SELECT count(*) FROM actors"), 1);
}

TEST_F(MigrateTest, RefusesANewerSchema) {
  ASSERT_THAT(Migrate(pool_, "directory", {kCreate, kInsert, kAlter}), IsOk());
  absl::Status status = Migrate(pool_, "directory", {kCreate, kInsert});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(Reason(status), "SCHEMA_MISMATCH");
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("version 3"), HasSubstr("newer"), HasSubstr("(2)")));
}

TEST_F(MigrateTest, RefusesAMigrationChangedAfterItWasApplied) {
  ASSERT_THAT(Migrate(pool_, "directory", {kCreate}), IsOk());
  const Migration edited{1, "create_actors", "CREATE TABLE actors (id bigint PRIMARY KEY)"};
  absl::Status status = Migrate(pool_, "directory", {edited, kInsert});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("0001_create_actors"), HasSubstr("checksum")));
  EXPECT_EQ(Query<int>("SELECT count(*) FROM actors"), 0);  // 2 was not applied
}

TEST_F(MigrateTest, RefusesADirtyDatabase) {
  ASSERT_THAT(Migrate(pool_, "directory", {kCreate}), IsOk());
  ASSERT_THAT(Execute("UPDATE schema_migrations SET dirty = true WHERE version = 1"), IsOk());
  absl::Status status = Migrate(pool_, "directory", {kCreate, kInsert});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("0001_create_actors"), HasSubstr("dirty")));
  EXPECT_EQ(Query<int>("SELECT count(*) FROM actors"), 0);
}

TEST_F(MigrateTest, RefusesAMigrationSlippedBeforeAnAppliedOne) {
  ASSERT_THAT(Migrate(pool_, "directory", {kCreate, kAlter}), IsOk());
  absl::Status status = Migrate(pool_, "directory", {kCreate, kInsert, kAlter});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("0002_seed_actors"));
}

TEST_F(MigrateTest, RefusesVersionsThatAreNotIncreasingBeforeTouchingTheDatabase) {
  for (const std::vector<Migration>& migrations :
       {std::vector<Migration>{kInsert, kCreate}, std::vector<Migration>{kCreate, kCreate},
        std::vector<Migration>{{0, "zero", "SELECT 1"}}}) {
    absl::Status status = Migrate(pool_, "directory", migrations);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_EQ(Reason(status), "INVALID_MIGRATIONS");
  }
  EXPECT_FALSE(Query<bool>("SELECT to_regclass('schema_migrations') IS NOT NULL"));
}

TEST_F(MigrateTest, FailingMigrationLeavesNoTrace) {
  const Migration failing{2, "half_done",
                          "CREATE TABLE contacts (id int); INSERT INTO contacts VALUES (1 / 0)"};
  absl::Status status = Migrate(pool_, "directory", {kCreate, failing});
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_EQ(Reason(status), "MIGRATION_FAILED");
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("0002_half_done"), HasSubstr("division by zero")));
  EXPECT_FALSE(Query<bool>("SELECT to_regclass('contacts') IS NOT NULL"));
  EXPECT_EQ(Query<int>("SELECT max(version) FROM schema_migrations"), 1);

  const Migration fixed{2, "half_done", "CREATE TABLE contacts (id int)"};
  EXPECT_THAT(Migrate(pool_, "directory", {kCreate, fixed}), IsOk());
  EXPECT_TRUE(Query<bool>("SELECT to_regclass('contacts') IS NOT NULL"));
}

TEST_F(MigrateTest, ConcurrentRunsApplyEachMigrationOnce) {
  // A slow migration widens the window in which two replicas starting together would race.
  const Migration slow{2, "slow_seed",
                       "SELECT pg_sleep(0.3); INSERT INTO actors VALUES (1, 'Artisans du Monde')"};
  const std::vector<Migration> migrations{kCreate, slow};
  Pool replica_a(OptionsFor(db_.url()));
  Pool replica_b(OptionsFor(db_.url()));
  absl::Status a;
  absl::Status b;
  std::thread thread_a([&] { a = Migrate(replica_a, "directory", migrations); });
  std::thread thread_b([&] { b = Migrate(replica_b, "directory", migrations); });
  thread_a.join();
  thread_b.join();
  EXPECT_THAT(a, IsOk()) << a;
  EXPECT_THAT(b, IsOk()) << b;
  EXPECT_EQ(Query<int>("SELECT count(*) FROM actors"), 1);
  EXPECT_EQ(Query<int>("SELECT count(*) FROM schema_migrations"), 2);
}

TEST(MigrateUnreachableTest, UnavailableWhenTheDatabaseCannotBeReached) {
  PoolOptions options = OptionsFor("postgresql://maillage@127.0.0.1:1/nowhere");
  Pool pool(options);
  EXPECT_EQ(Migrate(pool, "directory", {kCreate}).code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace maillage::db
