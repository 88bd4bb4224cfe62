// Faults survived (issue #8): the real binaries on a real PostgreSQL, steady writes through the
// gateway, and one fault at a time. Each test asserts what users rely on:
//  - a failed call fails with 503 UNAVAILABLE (or 504 at its deadline), never hangs past its
//    deadline, never crashes a process;
//  - every acknowledged write is there afterwards, once; a write reported failed is either
//    absent or, replayed with its request_id, created once — never half-applied (every actor
//    has its change-feed entry and its request_id record, checked in the database);
//  - the services recover by themselves, within seconds.
#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/testing/postgres.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite.h"
#include "tests/e2e/traffic.h"

namespace maillage::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kCallTimeout{3000};
// A call may take its deadline plus this much (the gateway's answer, the HTTP round trip on
// a loaded 2-core machine) before it counts as a hang.
constexpr milliseconds kSlack{1500};

// Failures allowed during a fault: 503 UNAVAILABLE, or 504 DEADLINE_EXCEEDED at the deadline.
bool CleanFailure(const Outcome& o) {
  return (o.http_status == 503 && o.error_status == "UNAVAILABLE") ||
         (o.http_status == 504 && o.error_status == "DEADLINE_EXCEEDED");
}

struct Tally {
  int ok = 0, clean_failures = 0, bad = 0;
};

// Checks every outcome: 200 or a clean failure, within the deadline.
Tally CheckOutcomes(const std::vector<Outcome>& outcomes, milliseconds timeout) {
  Tally tally;
  for (const Outcome& o : outcomes) {
    EXPECT_LE(o.latency, timeout + kSlack)
        << (o.write ? "write " : "read ") << o.request_id << " took " << o.latency.count()
        << " ms (HTTP " << o.http_status << ")";
    if (o.http_status == 200) {
      ++tally.ok;
    } else if (CleanFailure(o)) {
      ++tally.clean_failures;
    } else {
      ++tally.bad;
      ADD_FAILURE() << (o.write ? "write " : "read ") << o.request_id << ": HTTP " << o.http_status
                    << " " << o.error_status << " after " << o.latency.count() << " ms";
    }
  }
  return tally;
}

int64_t Count(const std::string& url, const std::string& sql) {
  pqxx::connection connection(url);
  pqxx::work txn(connection);
  return txn.exec1(sql)[0].as<int64_t>();
}

// Nothing half-applied in the directory's database: every actor has its change-feed entry;
// when every write of the test carried a request_id, there are as many request_id records as
// actors.
void ExpectNothingHalfApplied(const std::string& url, bool every_write_had_a_request_id) {
  int64_t actors = Count(url, "SELECT count(*) FROM actors");
  int64_t without_change =
      Count(url,
            "SELECT count(*) FROM actors a WHERE NOT EXISTS (SELECT 1 FROM changes c "
            "WHERE c.resource_name = 'actors/' || a.id)");
  EXPECT_GT(actors, 0);
  EXPECT_EQ(without_change, 0) << "actors without their change-feed entry";
  if (every_write_had_a_request_id) {
    EXPECT_EQ(Count(url, "SELECT count(*) FROM request_ids"), actors)
        << "request_id records and actors differ";
  }
}

// Every acknowledged write is there once, with the name it was acknowledged with. Then every
// write is replayed with its request_id: an acknowledged one answers the same actor, a failed
// one is created (or found, if it had happened); in the end each display name exists once.
void ExpectAcknowledgedPresentAndReplaysCreateNothingTwice(Suite& suite,
                                                           const std::vector<Outcome>& outcomes,
                                                           const std::string& prefix) {
  auto actors = ActorsByDisplayName(suite, prefix);
  int writes = 0;
  for (const Outcome& o : outcomes) {
    if (!o.write) continue;
    ++writes;
    if (o.http_status != 200) continue;
    auto it = actors.find(o.display_name);
    ASSERT_NE(it, actors.end()) << o.display_name << " acknowledged but missing";
    EXPECT_EQ(it->second, std::vector<std::string>{o.actor_name}) << o.display_name;
  }
  httplib::Client client = GatewayClient(suite);
  for (const Outcome& o : outcomes) {
    if (!o.write) continue;
    Outcome replay = CreateActor(client, o.request_id, o.display_name, seconds(10));
    ASSERT_EQ(replay.http_status, 200) << o.display_name << ": " << replay.error_status;
    if (o.http_status == 200) {
      EXPECT_EQ(replay.actor_name, o.actor_name) << o.display_name;
    }
  }
  actors = ActorsByDisplayName(suite, prefix);
  EXPECT_EQ(actors.size(), static_cast<size_t>(writes));
  for (const auto& [display_name, names] : actors) {
    EXPECT_EQ(names.size(), 1u) << display_name << " created more than once";
  }
}

// Polls `probe` until it is true; the time it took, or -1 s when `timeout` passed.
milliseconds TimeUntil(const std::function<bool()>& probe, milliseconds timeout) {
  auto start = Clock::now();
  while (Clock::now() - start < timeout) {
    if (probe()) return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    std::this_thread::sleep_for(milliseconds(50));
  }
  return milliseconds(-1000);
}

bool WriteSucceeds(Suite& suite, const std::string& display_name) {
  httplib::Client client = GatewayClient(suite, seconds(10));
  return CreateActor(client, NewUuid(), display_name, kCallTimeout).http_status == 200;
}

// Threads of a process (from /proc).
int ThreadCount(pid_t pid) {
  int n = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(absl::StrCat("/proc/", pid, "/task"))) {
    (void)entry;
    ++n;
  }
  return n;
}

// The health of `address` sampled every 50 ms until stopped; the sequence of distinct states.
class HealthWatch {
 public:
  explicit HealthWatch(std::string address)
      : address_(std::move(address)), thread_([this] { Run(); }) {}
  ~HealthWatch() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<std::string> states() {
    std::lock_guard<std::mutex> lock(mu_);
    return states_;
  }

 private:
  void Run() {
    while (!stop_) {
      std::string state = HealthOf(address_);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (states_.empty() || states_.back() != state) states_.push_back(state);
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  std::string address_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::string> states_;
  std::thread thread_;
};

// PostgreSQL restarted (fast shutdown, then start) under a steady write load.
TEST(FaultsTest, PostgresRestartedUnderWrites) {
  std::unique_ptr<TestPostgres> postgres = TestPostgres::StartPrivate();
  SuiteOptions options;
  options.postgres = postgres.get();
  Suite suite(options);
  const pid_t directory_pid = suite.Process("directory").pid();
  HealthWatch health(suite.Address("directory"));

  Traffic traffic(suite, "pg-restart", kCallTimeout);
  traffic.Start(/*writers=*/3, /*readers=*/1);
  std::this_thread::sleep_for(milliseconds(1500));
  postgres->Stop();
  std::this_thread::sleep_for(seconds(3));  // longer than the services' 2 s health check
  postgres->Start();
  milliseconds recovery =
      TimeUntil([&] { return WriteSucceeds(suite, "recovery probe"); }, seconds(20));
  std::this_thread::sleep_for(seconds(1));
  traffic.Stop();
  // Health follows a database ping every 2 s: SERVING again within one or two of them.
  milliseconds serving_again = TimeUntil(
      [&] {
        std::vector<std::string> seen = health.states();
        return seen.size() >= 3 && seen.back() == "SERVING";
      },
      seconds(10));
  health.Stop();
  EXPECT_GE(serving_again.count(), 0) << "health did not come back to SERVING";

  std::vector<Outcome> outcomes = traffic.Outcomes();
  Tally tally = CheckOutcomes(outcomes, kCallTimeout);
  std::printf(
      "postgres restart: %zu calls, %d ok, %d failed cleanly, %d bad; writes again "
      "%lld ms after the start\n",
      outcomes.size(), tally.ok, tally.clean_failures, tally.bad,
      static_cast<long long>(recovery.count()));
  std::vector<std::string> states = health.states();
  std::string sequence;
  for (const std::string& state : states) sequence += state + " ";
  std::printf("postgres restart: directory health %s\n", sequence.c_str());
  EXPECT_GT(tally.clean_failures, 0) << "the outage was not seen at all";
  EXPECT_GE(recovery.count(), 0) << "writes did not come back within 20 s";
  EXPECT_LE(recovery, seconds(5));
  // Health: SERVING, NOT_SERVING during the outage, SERVING again; the same process.
  ASSERT_GE(states.size(), 3u) << sequence;
  EXPECT_EQ(states.front(), "SERVING");
  EXPECT_NE(std::find(states.begin(), states.end(), "NOT_SERVING"), states.end());
  EXPECT_EQ(states.back(), "SERVING");
  EXPECT_TRUE(suite.Process("directory").running());
  EXPECT_EQ(suite.Process("directory").pid(), directory_pid);
  EXPECT_TRUE(suite.Process("gateway").running());

  ExpectAcknowledgedPresentAndReplaysCreateNothingTwice(suite, outcomes, "pg-restart ");
  ExpectNothingHalfApplied(suite.DatabaseUrl("directory"), true);
}

// The directory killed with SIGKILL in the middle of writes, then restarted.
TEST(FaultsTest, ServiceKilledUnderWritesLosesNoAcknowledgedWrite) {
  Suite suite;
  Traffic traffic(suite, "sigkill", kCallTimeout);
  traffic.Start(/*writers=*/3, /*readers=*/1);
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_EQ(suite.Kill("directory", SIGKILL), 128 + SIGKILL);
  std::this_thread::sleep_for(seconds(1));
  suite.Restart("directory");
  std::this_thread::sleep_for(milliseconds(1500));
  traffic.Stop();

  std::vector<Outcome> outcomes = traffic.Outcomes();
  Tally tally = CheckOutcomes(outcomes, kCallTimeout);
  std::printf("sigkill: %zu calls, %d ok, %d failed cleanly, %d bad\n", outcomes.size(), tally.ok,
              tally.clean_failures, tally.bad);
  EXPECT_GT(tally.clean_failures, 0) << "the directory was down: some calls must have failed";
  EXPECT_TRUE(suite.Process("gateway").running());
  ExpectAcknowledgedPresentAndReplaysCreateNothingTwice(suite, outcomes, "sigkill ");
  ExpectNothingHalfApplied(suite.DatabaseUrl("directory"), true);
}

// The directory's connections cut by PostgreSQL (pg_terminate_backend) while their
// transactions wait on a lock, in the middle of inserting.
TEST(FaultsTest, ConnectionsTerminatedMidTransactionFailCleanlyAndThePoolRecovers) {
  SuiteOptions options;
  options.env["MAILLAGE_DB_POOL_SIZE"] = "8";  // room for the 6 blocked inserts
  Suite suite(options);
  const std::string url = suite.DatabaseUrl("directory");
  ASSERT_TRUE(WriteSucceeds(suite, "terminate warm-up"));  // the pool has connections

  // Inserts block on this lock: their transactions are in progress when they are cut.
  pqxx::connection locker(url);
  pqxx::work lock(locker);
  lock.exec("LOCK TABLE actors IN SHARE MODE");

  std::vector<Outcome> outcomes(6);
  std::vector<std::thread> writers;
  for (int i = 0; i < 6; ++i) {
    writers.emplace_back([&, i] {
      httplib::Client client = GatewayClient(suite, seconds(30));
      // Without request_id (i < 3), the gateway must not repeat the call: it is reported
      // failed. With one, the gateway repeats it on a fresh connection.
      std::string request_id = i < 3 ? "" : NewUuid();
      httplib::Headers headers;
      headers.emplace("X-Request-Timeout", "8s");
      Outcome& o = outcomes[i];
      o.write = true;
      o.request_id = request_id;
      o.display_name = absl::StrCat("terminated ", i);
      o.started = Clock::now();
      nlohmann::json body = {{"displayName", o.display_name}};
      std::string path = "/v1/actors";
      if (!request_id.empty()) path += "?requestId=" + request_id;
      auto response = client.Post(path.c_str(), headers, body.dump(), "application/json");
      o.latency = std::chrono::duration_cast<milliseconds>(Clock::now() - o.started);
      if (!response) return;
      o.http_status = response->status;
      nlohmann::json parsed = nlohmann::json::parse(response->body, nullptr, false);
      if (response->status == 200) {
        o.actor_name = parsed.value("name", "");
      } else if (!parsed.is_discarded() && parsed.contains("error")) {
        o.error_status = parsed["error"].value("status", "");
      }
    });
  }
  // Every insert waiting on the lock, then their backends terminated, then the lock released.
  milliseconds waited = TimeUntil(
      [&] {
        return Count(url,
                     "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND wait_event_type = 'Lock'") >= 6;
      },
      seconds(10));
  // (On failure, go on: the threads must be joined before the test ends.)
  EXPECT_GE(waited.count(), 0) << "the inserts never waited on the lock";
  pqxx::result cut = lock.exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
      "current_database() AND pid <> pg_backend_pid()");
  EXPECT_GE(cut.size(), 6u);
  lock.commit();
  for (std::thread& t : writers) t.join();

  int reported_failed = 0;
  for (const Outcome& o : outcomes) {
    EXPECT_LE(o.latency, seconds(8) + kSlack) << o.display_name;
    if (o.http_status == 200) continue;
    ++reported_failed;
    EXPECT_TRUE(CleanFailure(o)) << o.display_name << ": HTTP " << o.http_status << " "
                                 << o.error_status;
    // A write without request_id reported failed: nothing of it remains.
    if (o.request_id.empty()) {
      EXPECT_EQ(Count(url, absl::StrCat("SELECT count(*) FROM actors WHERE display_name = '",
                                        o.display_name, "'")),
                0)
          << o.display_name << " reported failed but present";
    }
  }
  // The cut calls without request_id are reported failed (not silently repeated).
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(outcomes[i].http_status, 503) << outcomes[i].display_name;
  }
  std::printf("terminate: %d of 6 writes reported failed\n", reported_failed);

  // The pool recovers at once, without a restart.
  milliseconds recovery =
      TimeUntil([&] { return WriteSucceeds(suite, "terminated after"); }, seconds(10));
  EXPECT_GE(recovery.count(), 0);
  EXPECT_LE(recovery, seconds(2));
  EXPECT_TRUE(suite.Process("directory").running());
  ExpectNothingHalfApplied(url, false);
  auto actors = ActorsByDisplayName(suite, "terminated ");
  for (const Outcome& o : outcomes) {
    if (o.http_status == 200) {
      EXPECT_EQ(actors[o.display_name], std::vector<std::string>{o.actor_name});
    }
  }
}

// SIGTERM while calls are in flight: they finish, new calls are refused cleanly, exit 0.
TEST(FaultsTest, SigtermDrainsInFlightCallsRefusesNewOnesAndExitsZero) {
  Suite suite;
  const std::string url = suite.DatabaseUrl("directory");
  ASSERT_TRUE(WriteSucceeds(suite, "sigterm warm-up"));

  // In-flight calls: inserts held by a lock for a while.
  pqxx::connection locker(url);
  pqxx::work lock(locker);
  lock.exec("LOCK TABLE actors IN SHARE MODE");
  std::vector<Outcome> in_flight(3);
  std::vector<std::thread> writers;
  for (int i = 0; i < 3; ++i) {
    writers.emplace_back([&, i] {
      httplib::Client client = GatewayClient(suite, seconds(30));
      in_flight[i] =
          CreateActor(client, NewUuid(), absl::StrCat("sigterm in flight ", i), seconds(8));
    });
  }
  milliseconds waited = TimeUntil(
      [&] {
        return Count(url,
                     "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND wait_event_type = 'Lock'") >= 3;
      },
      seconds(10));
  EXPECT_GE(waited.count(), 0) << "the inserts never waited on the lock";

  suite.Process("directory").Signal(SIGTERM);
  std::this_thread::sleep_for(milliseconds(500));
  // New calls while it drains: refused at once, cleanly.
  httplib::Client client = GatewayClient(suite, seconds(30));
  std::vector<Outcome> refused;
  for (int i = 0; i < 3; ++i) {
    refused.push_back(
        CreateActor(client, NewUuid(), absl::StrCat("sigterm refused ", i), seconds(5)));
  }
  EXPECT_TRUE(suite.Process("directory").running()) << "exited before its calls finished";
  lock.commit();  // the in-flight inserts go on
  for (std::thread& t : writers) t.join();
  int exit_code = suite.Process("directory").Wait(seconds(15));

  for (const Outcome& o : in_flight) {
    EXPECT_EQ(o.http_status, 200) << o.display_name << ": " << o.error_status;
  }
  for (const Outcome& o : refused) {
    EXPECT_EQ(o.http_status, 503) << o.display_name << ": " << o.error_status;
    EXPECT_EQ(o.error_status, "UNAVAILABLE");
    EXPECT_LT(o.latency, seconds(1)) << "a refused call must not wait";
  }
  EXPECT_EQ(exit_code, 0) << suite.Process("directory").Log();
  suite.Restart("directory");
  // The gateway reconnects within its reconnection backoff (at most 2 s, common/server/client.h).
  milliseconds recovery =
      TimeUntil([&] { return WriteSucceeds(suite, "sigterm after"); }, seconds(10));
  EXPECT_GE(recovery.count(), 0);
  EXPECT_LE(recovery, seconds(3));
  auto actors = ActorsByDisplayName(suite, "sigterm ");
  for (const Outcome& o : in_flight) {
    EXPECT_EQ(actors[o.display_name], std::vector<std::string>{o.actor_name});
  }
  for (const Outcome& o : refused) EXPECT_EQ(actors.count(o.display_name), 0u);
}

// A slow dependency: the directory stopped (SIGSTOP) answers nothing. Callers through the
// gateway, direct ones (actors) and through meetings (indicators read the directory), get 504
// at their deadline; the gateway and meetings do not pile up threads; all recover on SIGCONT.
TEST(FaultsTest, SlowDirectoryGivesPromptDeadlinesAndNoThreadPileUp) {
  Suite suite;
  ASSERT_TRUE(WriteSucceeds(suite, "slow warm-up"));
  const pid_t gateway_pid = suite.Process("gateway").pid();
  const pid_t meetings_pid = suite.Process("meetings").pid();
  const int gateway_threads = ThreadCount(gateway_pid);
  const int meetings_threads = ThreadCount(meetings_pid);

  EXPECT_EQ(suite.Kill("directory", SIGSTOP), -1);
  constexpr int kCallers = 24;
  std::vector<Outcome> outcomes(kCallers);
  std::vector<std::thread> callers;
  std::atomic<int> peak_gateway{0}, peak_meetings{0};
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      httplib::Client client = GatewayClient(suite, seconds(30));
      httplib::Headers headers;
      headers.emplace("X-Request-Timeout", "1s");
      const char* path = i % 2 == 0 ? "/v1/actors?pageSize=5" : "/v1/actions/1/indicators";
      Outcome& o = outcomes[i];
      o.started = Clock::now();
      auto response = client.Get(path, headers);
      o.latency = std::chrono::duration_cast<milliseconds>(Clock::now() - o.started);
      o.request_id = path;
      if (!response) return;
      o.http_status = response->status;
      nlohmann::json parsed = nlohmann::json::parse(response->body, nullptr, false);
      if (!parsed.is_discarded() && parsed.contains("error")) {
        o.error_status = parsed["error"].value("status", "");
      }
    });
  }
  for (int i = 0; i < 10; ++i) {
    peak_gateway = std::max(peak_gateway.load(), ThreadCount(gateway_pid));
    peak_meetings = std::max(peak_meetings.load(), ThreadCount(meetings_pid));
    std::this_thread::sleep_for(milliseconds(100));
  }
  for (std::thread& t : callers) t.join();
  suite.Kill("directory", SIGCONT);

  int deadlines = 0;
  for (const Outcome& o : outcomes) {
    EXPECT_LE(o.latency, seconds(1) + kSlack) << o.request_id << " HTTP " << o.http_status;
    if (o.http_status == 504) {
      ++deadlines;
      EXPECT_EQ(o.error_status, "DEADLINE_EXCEEDED");
    } else {
      // Meetings may refuse at once when all its threads are busy (no queue): 503.
      EXPECT_TRUE(o.http_status == 503 && o.error_status == "UNAVAILABLE" &&
                  o.request_id != std::string("/v1/actors?pageSize=5"))
          << o.request_id << ": HTTP " << o.http_status << " " << o.error_status;
    }
  }
  std::printf(
      "slow directory: %d of %d callers got 504; threads gateway %d -> peak %d, "
      "meetings %d -> peak %d\n",
      deadlines, kCallers, gateway_threads, peak_gateway.load(), meetings_threads,
      peak_meetings.load());
  EXPECT_GE(deadlines, kCallers / 2);
  // Bounded: the servers' fixed pools (gateway HTTP workers, 16 gRPC threads), not one per call.
  EXPECT_LE(peak_meetings.load(), meetings_threads + 16);
  EXPECT_LE(peak_gateway.load(), gateway_threads + 16);

  milliseconds recovery =
      TimeUntil([&] { return WriteSucceeds(suite, "slow after"); }, seconds(10));
  EXPECT_GE(recovery.count(), 0);
  EXPECT_LE(recovery, seconds(3));
}

}  // namespace
}  // namespace maillage::testing
