// meetings_bench: GetIndicators over 10,000 closed meetings and 200,000 participants (goal p99
// <= 100 ms), and check-ins per second beside the raw write ceiling of the same database
// measured in the same run (and beside GetParticipant, the floor of any call of the service);
// every figure through bench/load.h's closed loop, with its ratio to the ceilings of
// bench/ceilings.h measured in the same run. The service runs on an in-process
// gRPC server over a throwaway PostgreSQL (TestDatabase); the directory and the budget service
// are the stand-ins of services/meetings/test_peers.h.
//
//   maillage-bench-meetings [meetings=10000] [participants=200000] [seconds=3]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/ceilings.h"
#include "bench/load.h"
#include "common/db/migrations.h"
#include "common/log/log.h"
#include "common/server/client.h"
#include "common/server/server.h"
#include "common/status/grpc_status.h"
#include "common/testing/postgres.h"
#include "common/testing/principal.h"
#include "services/meetings/indicator_store.h"
#include "services/meetings/meetings_service.h"
#include "services/meetings/test_peers.h"

namespace maillage::meetings {
const std::vector<db::Migration>& Migrations();
}  // namespace maillage::meetings

namespace {

using namespace maillage;
namespace v1 = maillage::meetings::v1;
using Clock = std::chrono::steady_clock;

std::chrono::system_clock::time_point Soon() {
  return std::chrono::system_clock::now() + std::chrono::seconds(30);
}

// The one place a client channel to a service of this bench is made.
std::shared_ptr<grpc::Channel> ServiceChannel(int port) {
  return server::MakeChannel(absl::StrCat("127.0.0.1:", port));
}

void Check(const absl::Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
  std::exit(1);
}

// Closed meetings of actions/fa3 (kinds and days spread over 2023) with their participants
// (roles, statuses and 77 actors spread), loaded with SQL; then their attendance summaries,
// written as CloseMeeting writes them.
void Load(db::Pool& pool, int meetings, int participants) {
  Check(pool.Transact(
            db::Deadline::max(),
            [&](pqxx::work& txn) {
              txn.exec_params(
                  "INSERT INTO meetings (title, kind, format, action, start_time, end_time, "
                  "commune_insee_code, state, calendar_uid) "
                  "SELECT 'Réunion ' || i, (ARRAY['MEETING_KIND_ACTORS_WORKSHOP', "
                  "'MEETING_KIND_ELECTED_OFFICIALS_MEETING', "
                  "'MEETING_KIND_RESTITUTION_DAY'])[1 + i % 3], "
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
              std::vector<int64_t> ids;
              for (const pqxx::row& row : txn.exec("SELECT id FROM meetings")) {
                ids.push_back(row[0].as<int64_t>());
              }
              meetings::SummarizeClosedAttendance(txn, ids);
              return absl::OkStatus();
            }),
        "load");
  Check(pool.Transact(db::Deadline::max(),
                      [](pqxx::work& txn) {
                        txn.exec("ANALYZE");
                        return absl::OkStatus();
                      }),
        "analyze");
}

// `count` invited participants of a meeting of today (check-ins are open); their ids.
std::vector<int64_t> MeetingOfToday(db::Pool& pool, int count, const std::string& uid,
                                    int64_t* meeting_id) {
  std::vector<int64_t> ids;
  Check(pool.Transact(
            db::Deadline::max(),
            [&](pqxx::work& txn) {
              *meeting_id =
                  txn.exec_params1(
                         "INSERT INTO meetings (title, kind, format, action, start_time, "
                         "end_time, commune_insee_code, state, calendar_uid) VALUES "
                         "('Aujourd''hui', 'MEETING_KIND_ACTORS_WORKSHOP', "
                         "'MEETING_FORMAT_IN_PERSON', 'actions/fa3', now() - interval '1 minute', "
                         "now() + interval '2 hours', '21231', 'MEETING_STATE_PLANNED', $1) "
                         "RETURNING id",
                         uid)[0]
                      .as<int64_t>();
              for (const pqxx::row& row : txn.exec_params(
                       "INSERT INTO participants (meeting_id, person_display_name, role, status) "
                       "SELECT $1, 'Personne ' || i, 'PARTICIPANT_ROLE_INHABITANT', "
                       "'PARTICIPANT_STATUS_INVITED' FROM generate_series(1, $2) i RETURNING id",
                       *meeting_id, count)) {
                ids.push_back(row[0].as<int64_t>());
              }
              return absl::OkStatus();
            }),
        "meeting of today");
  return ids;
}

}  // namespace

int main(int argc, char** argv) {
  // The bench calls the service directly, in the gateway\'s place: its calls are signed.
  maillage::testing::TrustTestCalls();
  int meetings = argc > 1 ? std::atoi(argv[1]) : 10000;
  int participants = argc > 2 ? std::atoi(argv[2]) : 200000;
  const std::chrono::seconds duration(argc > 3 ? std::atoi(argv[3]) : 3);
  constexpr int kManyInFlight = 16;
  // Per-call access logs would measure the terminal.
  log::Init("bench", "warn");

  testing::TestDatabase database("meetings_bench");
  db::PoolOptions options;
  options.url = database.url();
  options.size = kManyInFlight + 4;
  options.error_domain = "meetings.maillage";
  options.default_statement_timeout = std::chrono::minutes(5);  // the load; calls have deadlines
  db::Pool pool(options);
  Check(db::Migrate(pool, "meetings", meetings::Migrations()), "migrate");

  meetings::testing::TestDirectoryService directory;
  meetings::testing::TestBudgetService budget;
  budget.AddAction("actions/fa3");
  for (int i = 1; i <= 77; ++i) {
    directory.AddActor(i, {i % 2 ? "culture" : "iae"}, i % 3 ? "21231" : "21617");
  }
  server::Server peers(server::ServerOptions{}, {&directory, &budget});
  Check(peers.Start(), "peers");
  peers.SetServing(true);
  auto peer_channel = ServiceChannel(peers.port());
  meetings::DirectoryClient directory_client(peer_channel);
  meetings::BudgetActionRegistry actions(peer_channel);
  meetings::MeetingPlanner planner(pool, actions, directory_client);
  meetings::ParticipantRoster roster(pool, directory_client);
  meetings::OutputCatalog outputs(pool, directory_client);
  meetings::Roadmap roadmap(pool, actions);
  meetings::IndicatorReport indicators(pool, directory_client, actions);
  meetings::MeetingsServiceImpl service(planner, roster, outputs, roadmap, indicators);
  server::ServerOptions server_options;
  server_options.service_name = "meetings";
  server_options.error_domain = "meetings.maillage";
  server_options.host = "127.0.0.1";
  server_options.threads = kManyInFlight + 8;
  server::Server server(server_options, {&service});
  Check(server.Start(), "server");
  server.SetServing(true);
  auto stub = v1::MeetingsService::NewStub(ServiceChannel(server.port()));

  auto load_start = Clock::now();
  Load(pool, meetings, participants);
  std::printf("loaded %d closed meetings, %d participants and their summaries in %.1f s\n",
              meetings, participants,
              std::chrono::duration<double>(Clock::now() - load_start).count());

  // The summaries against the participants themselves (what an auditor would recompute).
  auto read_inputs = [&](auto read) {
    absl::StatusOr<meetings::IndicatorInputs> inputs = pool.ReadOnly<meetings::IndicatorInputs>(
        db::Deadline::max(), [&](pqxx::work& txn) -> absl::StatusOr<meetings::IndicatorInputs> {
          return read(txn, "actions/fa3", "", "");
        });
    Check(inputs.status(), "indicator inputs");
    return *inputs;
  };
  auto raw_start = Clock::now();
  meetings::IndicatorInputs raw = read_inputs(&meetings::ReadIndicatorInputsFromParticipants);
  double raw_ms = std::chrono::duration<double, std::milli>(Clock::now() - raw_start).count();
  auto summaries_start = Clock::now();
  bool same = read_inputs(&meetings::ReadIndicatorInputs) == raw;
  double summaries_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - summaries_start).count();
  std::printf(
      "summaries %s the participants' own counts; read from the summaries in %.0f ms, "
      "recomputed from %d participant rows in %.0f ms\n",
      same ? "match" : "DO NOT MATCH", summaries_ms, participants, raw_ms);

  // Ceilings of the same run.
  bench::LoadResult select_1 = bench::MeasurePgSelect(database.url(), 1, duration);
  bench::PrintResult("ceiling: postgres primary-key SELECT", select_1);
  bench::LoadResult select_n = bench::MeasurePgSelect(database.url(), kManyInFlight, duration);
  bench::PrintResult("ceiling: postgres primary-key SELECT", select_n);
  bench::LoadResult echo_1 = bench::MeasureGrpcEcho(1, duration);
  bench::PrintResult("ceiling: gRPC echo", echo_1);
  bench::LoadResult echo_n = bench::MeasureGrpcEcho(kManyInFlight, duration);
  bench::PrintResult("ceiling: gRPC echo", echo_n);

  // GetIndicators of the action over every meeting, at 1 and 16 in flight.
  v1::GetIndicatorsRequest request;
  request.set_action("actions/fa3");
  v1::Indicators first;
  {
    grpc::ClientContext context;
    server::PrepareClientContext(context, Soon());
    Check(FromGrpcStatus(stub->GetIndicators(&context, request, &first)), "GetIndicators");
  }
  std::printf("indicators: held %d, invitations %d, attended %d, actors mobilised %d\n",
              first.meetings_held(), first.invitations(), first.attended(),
              first.distinct_actors_mobilized());
  auto get_indicators = [&](int) {
    grpc::ClientContext context;
    server::PrepareClientContext(context, Soon());
    v1::Indicators out;
    return stub->GetIndicators(&context, request, &out).ok();
  };
  for (int in_flight : {1, kManyInFlight}) {
    bench::LoadResult r = bench::RunClosedLoop(in_flight, duration, get_indicators);
    const bench::LoadResult& ceiling = in_flight == 1 ? echo_1 : echo_n;
    bench::PrintResult(absl::StrCat("GetIndicators (", meetings, " meetings)"), r, &ceiling,
                       "gRPC echo");
    std::printf("  GetIndicators at %d in flight: p50 %.1f ms, p99 %.1f ms (goal p99 <= 100 ms)\n",
                in_flight, r.percentile_ms(0.5), r.percentile_ms(0.99));
  }

  // CheckIn: invited participants of one meeting of today checked in by 4 clients (they share
  // the meeting), beside one-row UPDATE transactions through the same pool on other rows.
  constexpr int kWriters = 4;
  constexpr int kRows = 30000;
  int64_t today = 0, other = 0;
  std::vector<int64_t> checkin_ids = MeetingOfToday(pool, kRows, "bench-today", &today);
  std::vector<int64_t> raw_ids = MeetingOfToday(pool, kRows, "bench-raw", &other);
  std::atomic<size_t> next_raw{0};
  bench::LoadResult raw_writes = bench::RunClosedLoop(kWriters, duration, [&](int) {
    size_t i = next_raw++;
    if (i >= raw_ids.size()) return false;
    return pool
        .Transact(Soon(),
                  [&](pqxx::work& txn) {
                    txn.exec_params("UPDATE participants SET revision = revision + 1 WHERE id = $1",
                                    raw_ids[i]);
                    return absl::OkStatus();
                  })
        .ok();
  });
  bench::PrintResult("ceiling: raw one-row UPDATE transaction", raw_writes);
  std::atomic<size_t> next_checkin{0};
  bench::LoadResult checkins = bench::RunClosedLoop(kWriters, duration, [&](int) {
    size_t i = next_checkin++;
    if (i >= checkin_ids.size()) return false;
    v1::CheckInRequest check_in;
    check_in.set_name(absl::StrCat("meetings/", today, "/participants/", checkin_ids[i]));
    grpc::ClientContext context;
    server::PrepareClientContext(context, Soon());
    v1::Participant out;
    return stub->CheckIn(&context, check_in, &out).ok();
  });
  bench::PrintResult("CheckIn, one meeting", checkins, &raw_writes, "raw UPDATE");
  // The floor of any call of the service: a one-row read (GetParticipant) through the same
  // gRPC server, authorisation and pool, same clients.
  std::atomic<size_t> next_get{0};
  bench::LoadResult gets = bench::RunClosedLoop(kWriters, duration, [&](int) {
    v1::GetParticipantRequest get;
    get.set_name(absl::StrCat("meetings/", today, "/participants/",
                              checkin_ids[next_get++ % checkin_ids.size()]));
    grpc::ClientContext context;
    server::PrepareClientContext(context, Soon());
    v1::Participant out;
    return stub->GetParticipant(&context, get, &out).ok();
  });
  bench::PrintResult("ceiling: GetParticipant, same service", gets, &raw_writes, "raw UPDATE");
  std::printf("  CheckIn: %.2f of raw one-row UPDATE transactions, %.2f of GetParticipant calls\n",
              raw_writes.qps() > 0 ? checkins.qps() / raw_writes.qps() : 0,
              gets.qps() > 0 ? checkins.qps() / gets.qps() : 0);
  std::printf("peak RSS of the bench process (service, PostgreSQL client, load): %.0f MiB\n",
              bench::PeakRssMib(getpid()));

  server.Shutdown();
  peers.Shutdown();
  bool ok = same && checkins.errors == 0 && raw_writes.errors == 0 && gets.errors == 0;
  return ok ? 0 : 1;
}
