// meetings_bench: GetIndicators over 10,000 meetings and 200,000 participants (goal p99 <= 100
// ms), and check-ins per second beside the raw write ceiling of the same database measured in
// the same run. The service runs on an in-process gRPC server over a throwaway PostgreSQL
// (TestDatabase); the directory is the stand-in of services/meetings/test_peers.h.
//
//   meetings_bench [meetings=10000] [participants=200000] [checkins=2000]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/migrations.h"
#include "common/server/client.h"
#include "common/server/server.h"
#include "common/testing/postgres.h"
#include "common/testing/principal.h"
#include "services/meetings/meetings_service.h"
#include "services/meetings/test_peers.h"

namespace maillage::meetings {
const std::vector<db::Migration>& Migrations();
}  // namespace maillage::meetings

namespace {

using namespace maillage;
using Clock = std::chrono::steady_clock;

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(p * (values.size() - 1))];
}

// Closed meetings of actions/fa3 (kinds and days spread over 2023) with their participants
// (roles, statuses and 77 actors spread), loaded with SQL.
void Load(db::Pool& pool, int meetings, int participants) {
  absl::Status status = pool.Transact(db::Deadline::max(), [&](pqxx::work& txn) {
    txn.exec_params(
        "INSERT INTO meetings (title, kind, format, action, start_time, end_time, "
        "commune_insee_code, state, calendar_uid) "
        "SELECT 'Réunion ' || i, (ARRAY['MEETING_KIND_ACTORS_WORKSHOP', "
        "'MEETING_KIND_ELECTED_OFFICIALS_MEETING', 'MEETING_KIND_RESTITUTION_DAY'])[1 + i % 3], "
        "'MEETING_FORMAT_IN_PERSON', 'actions/fa3', "
        "'2023-01-01'::timestamptz + (i % 365) * interval '1 day', "
        "'2023-01-01'::timestamptz + (i % 365) * interval '1 day' + interval '2 hours', "
        "'21231', 'MEETING_STATE_CLOSED', 'bench-' || i FROM generate_series(1, $1) i",
        meetings);
    txn.exec_params(
        "INSERT INTO participants (meeting_id, actor, role, status) "
        "SELECT (SELECT min(id) FROM meetings) + i % $2, "
        "CASE WHEN i % 5 = 0 THEN '' ELSE 'actors/' || (1 + i % 77) END, "
        "(ARRAY['PARTICIPANT_ROLE_ESS_ACTOR', 'PARTICIPANT_ROLE_ELECTED_OFFICIAL', "
        "'PARTICIPANT_ROLE_TECHNICIAN'])[1 + i % 3], "
        "(ARRAY['PARTICIPANT_STATUS_ATTENDED', 'PARTICIPANT_STATUS_INVITED', "
        "'PARTICIPANT_STATUS_NO_SHOW', 'PARTICIPANT_STATUS_EXCUSED'])[1 + i % 4] "
        "FROM generate_series(1, $1) i",
        participants, meetings);
    txn.exec("ANALYZE");
    return absl::OkStatus();
  });
  if (!status.ok()) {
    std::fprintf(stderr, "load: %s\n", status.ToString().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // The bench calls the service directly, in the gateway\'s place: its calls are signed.
  maillage::testing::TrustTestCalls();
  int meetings = argc > 1 ? std::atoi(argv[1]) : 10000;
  int participants = argc > 2 ? std::atoi(argv[2]) : 200000;
  int checkins = argc > 3 ? std::atoi(argv[3]) : 2000;

  testing::TestDatabase database("meetings_bench");
  db::PoolOptions options;
  options.url = database.url();
  options.size = 16;
  db::Pool pool(options);
  if (!db::Migrate(pool, "meetings", meetings::Migrations()).ok()) return 1;

  meetings::testing::TestDirectoryService directory;
  meetings::testing::TestBudgetService budget;
  budget.AddAction("actions/fa3");
  for (int i = 1; i <= 77; ++i) {
    directory.AddActor(i, {i % 2 ? "culture" : "iae"}, i % 3 ? "21231" : "21617");
  }
  server::Server peers(server::ServerOptions{}, {&directory, &budget});
  if (!peers.Start().ok()) return 1;
  peers.SetServing(true);
  auto peer_channel = server::MakeChannel(absl::StrCat("127.0.0.1:", peers.port()));
  meetings::DirectoryClient directory_client(peer_channel);
  meetings::BudgetActionRegistry actions(peer_channel);
  meetings::MeetingPlanner planner(pool, actions, directory_client);
  meetings::ParticipantRoster roster(pool, directory_client);
  meetings::OutputCatalog outputs(pool, directory_client);
  meetings::Roadmap roadmap(pool, actions);
  meetings::IndicatorReport indicators(pool, directory_client);
  meetings::MeetingsServiceImpl service(planner, roster, outputs, roadmap, indicators);
  server::Server server(server::ServerOptions{}, {&service});
  if (!server.Start().ok()) return 1;
  server.SetServing(true);
  auto stub = meetings::v1::MeetingsService::NewStub(
      server::MakeChannel(absl::StrCat("127.0.0.1:", server.port())));

  auto load_start = Clock::now();
  Load(pool, meetings, participants);
  std::printf("loaded %d meetings, %d participants in %.1f s\n", meetings, participants,
              std::chrono::duration<double>(Clock::now() - load_start).count());

  // GetIndicators latency.
  std::vector<double> latencies;
  meetings::v1::GetIndicatorsRequest request;
  request.set_action("actions/fa3");
  for (int i = 0; i < 60; ++i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    meetings::v1::Indicators out;
    auto start = Clock::now();
    grpc::Status status = stub->GetIndicators(&context, request, &out);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!status.ok()) {
      std::fprintf(stderr, "GetIndicators: %s\n", status.error_message().c_str());
      return 1;
    }
    if (i >= 10) latencies.push_back(ms);  // the first ones warm the caches
    if (i == 0) {
      std::printf("indicators: held %d, invitations %d, attended %d, actors mobilised %d\n",
                  out.meetings_held(), out.invitations(), out.attended(),
                  out.distinct_actors_mobilized());
    }
  }
  std::printf("GetIndicators: p50 %.1f ms, p99 %.1f ms (goal p99 <= 100 ms)\n",
              Percentile(latencies, 0.5), Percentile(latencies, 0.99));

  // Check-ins per second: a meeting of today with `checkins` invited participants, checked in
  // by 4 client threads.
  int64_t meeting_id = 0;
  std::vector<int64_t> ids;
  absl::Status prepared = pool.Transact(db::Deadline::max(), [&](pqxx::work& txn) {
    meeting_id = txn.exec(
                        "INSERT INTO meetings (title, kind, format, action, start_time, end_time, "
                        "commune_insee_code, state, calendar_uid) VALUES ('Aujourd''hui', "
                        "'MEETING_KIND_ACTORS_WORKSHOP', 'MEETING_FORMAT_IN_PERSON', "
                        "'actions/fa3', now() - interval '1 minute', now() + interval '2 hours', "
                        "'21231', 'MEETING_STATE_PLANNED', 'bench-today') RETURNING id")[0][0]
                     .as<int64_t>();
    for (const pqxx::row& row :
         txn.exec_params("INSERT INTO participants (meeting_id, person_display_name, role, status) "
                         "SELECT $1, 'Personne ' || i, 'PARTICIPANT_ROLE_INHABITANT', "
                         "'PARTICIPANT_STATUS_INVITED' FROM generate_series(1, $2) i RETURNING id",
                         meeting_id, checkins)) {
      ids.push_back(row[0].as<int64_t>());
    }
    return absl::OkStatus();
  });
  if (!prepared.ok()) return 1;
  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  auto checkin_start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < ids.size(); i = next++) {
        meetings::v1::CheckInRequest check_in;
        check_in.set_name(absl::StrCat("meetings/", meeting_id, "/participants/", ids[i]));
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        meetings::v1::Participant out;
        if (!stub->CheckIn(&context, check_in, &out).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  double checkin_seconds = std::chrono::duration<double>(Clock::now() - checkin_start).count();
  double checkin_rate = ids.size() / checkin_seconds;

  // Raw write ceiling: the same number of one-row UPDATE transactions, 4 threads, no gRPC.
  next = 0;
  threads.clear();
  auto raw_start = Clock::now();
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < ids.size(); i = next++) {
        absl::Status s = pool.Transact(db::Deadline::max(), [&](pqxx::work& txn) {
          txn.exec_params("UPDATE participants SET revision = revision + 1 WHERE id = $1", ids[i]);
          return absl::OkStatus();
        });
        if (!s.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  double raw_rate = ids.size() / std::chrono::duration<double>(Clock::now() - raw_start).count();
  std::printf(
      "CheckIn: %.0f/s; raw one-row write transactions: %.0f/s; ratio %.2f "
      "(%d failures)\n",
      checkin_rate, raw_rate, checkin_rate / raw_rate, failures.load());
  server.Shutdown();
  peers.Shutdown();
  return failures.load() == 0 ? 0 : 1;
}
