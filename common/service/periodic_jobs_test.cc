#include "common/service/periodic_jobs.h"

#include <atomic>

#include "absl/status/status.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/service/service_main.h"
#include "common/testing/postgres.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

namespace maillage::service {
namespace {

using testing::IsOk;

const absl::Time kStart = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

TEST(PeriodicJobsTest, RunsEachJobFirstThenEveryIntervalOfTheClock) {
  ManualClock clock(kStart);
  PeriodicJobs jobs(clock);
  std::vector<absl::Time> hourly, daily;
  jobs.Add({"hourly", absl::Hours(1), [&](absl::Time now) -> absl::StatusOr<int64_t> {
              hourly.push_back(now);
              return 0;
            }});
  jobs.Add({"daily", absl::Hours(24), [&](absl::Time now) -> absl::StatusOr<int64_t> {
              daily.push_back(now);
              return 1;
            }});
  EXPECT_EQ(jobs.RunDue(), 2);
  EXPECT_EQ(jobs.RunDue(), 0);
  clock.Advance(absl::Minutes(59));
  EXPECT_EQ(jobs.RunDue(), 0);
  clock.Advance(absl::Minutes(1));
  EXPECT_EQ(jobs.RunDue(), 1);
  clock.Advance(absl::Hours(23));
  EXPECT_EQ(jobs.RunDue(), 2);
  EXPECT_EQ(hourly,
            (std::vector<absl::Time>{kStart, kStart + absl::Hours(1), kStart + absl::Hours(24)}));
  EXPECT_EQ(daily, (std::vector<absl::Time>{kStart, kStart + absl::Hours(24)}));
}

TEST(PeriodicJobsTest, AFailedJobIsRetriedAtItsNextInterval) {
  ManualClock clock(kStart);
  PeriodicJobs jobs(clock);
  int calls = 0;
  jobs.Add({"flaky", absl::Hours(1), [&](absl::Time) -> absl::StatusOr<int64_t> {
              ++calls;
              if (calls == 1) return absl::UnavailableError("database down");
              return 3;
            }});
  EXPECT_EQ(jobs.RunDue(), 1);
  EXPECT_EQ(jobs.RunDue(), 0);  // not before its interval
  clock.Advance(absl::Hours(1));
  EXPECT_EQ(jobs.RunDue(), 1);
  EXPECT_EQ(calls, 2);
}

TEST(PeriodicJobsTest, TheThreadRunsJobsUntilStopped) {
  PeriodicJobs jobs;  // the real clock
  std::atomic<int> calls{0};
  jobs.Add({"often", absl::Milliseconds(20), [&](absl::Time) -> absl::StatusOr<int64_t> {
              ++calls;
              return 0;
            }});
  jobs.Start();
  for (int i = 0; i < 200 && calls < 3; ++i) absl::SleepFor(absl::Milliseconds(10));
  jobs.Stop();
  int seen = calls;
  EXPECT_GE(seen, 3);
  absl::SleepFor(absl::Milliseconds(60));
  EXPECT_EQ(calls, seen);
}

TEST(PeriodicJobsTest, RequestIdRetentionJobPurgesRecordsOlderThan24HoursOfTheClock) {
  testing::TestDatabase database("periodic_jobs");
  db::PoolOptions options;
  options.url = database.url();
  db::Pool pool(options);
  ASSERT_THAT(pool.Transact(db::Deadline::max(),
                            [](pqxx::work& txn) {
                              txn.exec(
                                  "CREATE TABLE request_ids (caller text NOT NULL DEFAULT '', "
                                  "request_id uuid NOT NULL, method text NOT NULL, fingerprint "
                                  "text NOT NULL, response bytea, resources text[] NOT NULL "
                                  "DEFAULT '{}', create_time timestamptz NOT NULL DEFAULT now(), "
                                  "PRIMARY KEY (caller, request_id));"
                                  "INSERT INTO request_ids (request_id, method, fingerprint, "
                                  "create_time) VALUES "
                                  "('123e4567-e89b-42d3-a456-426614174000', 'M', '', "
                                  " now() - interval '1 hour'),"
                                  "('223e4567-e89b-42d3-a456-426614174000', 'M', '', "
                                  " now() - interval '20 hours')");
                              return absl::OkStatus();
                            }),
              IsOk());
  auto count = [&] {
    return *pool.ReadOnly<int64_t>(
        db::Deadline::max(), [](pqxx::work& txn) -> absl::StatusOr<int64_t> {
          return txn.exec("SELECT count(*) FROM request_ids")[0][0].as<int64_t>();
        });
  };
  ManualClock clock(absl::Now());
  PeriodicJobs jobs(clock);
  jobs.Add(RequestIdRetentionJob(pool, absl::Hours(1)));
  jobs.RunDue();
  EXPECT_EQ(count(), 2);  // both younger than 24 h
  clock.Advance(absl::Hours(5));
  jobs.RunDue();
  EXPECT_EQ(count(), 1);  // the 20-hour-old one is now 25 hours old
  clock.Advance(absl::Hours(20));
  jobs.RunDue();
  EXPECT_EQ(count(), 0);
}

}  // namespace
}  // namespace maillage::service
