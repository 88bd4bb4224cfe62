// mixed_load_bench: the four binaries started as the end-to-end tests start them (tests/e2e/
// suite.h), the seed loaded through the APIs, then a closed-loop mixed load through the
// gateway's HTTP/JSON door for a fixed duration: reads (GetActor), searches (SearchActors,
// filtered ListActors), writes (UpdateActor on a worker's own actor, CreateBudgetLine) and
// indicators (meetings indicators, budget financial report). Prints throughput, errors and
// p50/p99/p99.9 per operation and in all, each binary's peak RSS (VmHWM), and the ceilings of
// the same run (bench/ceilings.h) beside them.
//
//   maillage-bench-mixed-load [--seconds=N] [--in-flight=N] [--soak-minutes=N]
//
// --soak-minutes=N runs the same mix for N minutes and prints, every minute, the calls, errors
// and each binary's current and peak RSS, so that a leak shows as a climbing column.
// PostgreSQL: MAILLAGE_TEST_DATABASE_URL (a superuser URL), or a private cluster.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bench/ceilings.h"
#include "bench/load.h"
#include "common/log/log.h"
#include "common/testing/postgres.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite.h"
#include "tests/e2e/traffic.h"

namespace {

using maillage::bench::LoadResult;
using nlohmann::json;

// A keep-alive client of the gateway per worker (tests/e2e/traffic.h adds the credentials).
std::unique_ptr<httplib::Client> Http(const maillage::testing::Suite& suite) {
  auto client = std::make_unique<httplib::Client>(maillage::testing::GatewayClient(suite));
  client->set_keep_alive(true);
  return client;
}

// Current resident set size (VmRSS) of a process, in MiB; -1 when unknown.
double RssMib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

enum Op { kRead, kSearch, kList, kUpdate, kLineWrite, kIndicators, kReport, kOpCount };
const char* const kOpNames[kOpCount] = {"read: GET actor",          "search: actors:search",
                                        "search: filtered list",    "write: PATCH own actor",
                                        "write: POST budget line",  "indicators: meetings",
                                        "indicators: budget report"};
// Out of 100 calls: mostly reads, as a directory is used.
const int kOpWeights[kOpCount] = {40, 15, 10, 10, 5, 10, 10};

struct Fixture {
  std::vector<std::string> actors;   // seeded actor names
  std::vector<std::string> own;      // one actor per worker, for its updates
  std::vector<std::string> budgets;  // one draft budget per worker, for its lines
};

// Latencies of one operation, from every worker.
struct OpStats {
  std::mutex mu;
  std::vector<double> latencies_ms;
  int64_t calls = 0, errors = 0;
  std::string first_error;
};

class MixedLoad {
 public:
  MixedLoad(const maillage::testing::Suite& suite, const Fixture& fixture, int in_flight)
      : suite_(suite), fixture_(fixture), in_flight_(in_flight) {
    for (int w = 0; w < in_flight; ++w) {
      clients_.push_back(Http(suite));
      rngs_.emplace_back(1000 + w);
    }
  }

  // One call of a random operation by `worker`; true when it answered 200.
  bool Call(int worker) {
    std::mt19937& rng = rngs_[worker];
    int pick = std::uniform_int_distribution<int>(0, 99)(rng);
    int op = 0;
    while (pick >= kOpWeights[op]) pick -= kOpWeights[op++];
    httplib::Client& http = *clients_[worker];
    auto t0 = std::chrono::steady_clock::now();
    httplib::Result r = Run(static_cast<Op>(op), worker, http, rng);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    bool ok = r && r->status == 200;
    OpStats& s = stats_[op];
    std::lock_guard<std::mutex> lock(s.mu);
    ++s.calls;
    if (!ok) {
      ++s.errors;
      if (s.first_error.empty()) {
        s.first_error = r ? absl::StrCat(r->status, " ", r->body.substr(0, 300))
                          : absl::StrCat("no response: ", httplib::to_string(r.error()));
      }
    }
    if (s.latencies_ms.size() < 2000000) s.latencies_ms.push_back(ms);
    return ok;
  }

  // The figures of one operation since the last Take, as a LoadResult.
  LoadResult Take(int op, double seconds) {
    OpStats& s = stats_[op];
    std::lock_guard<std::mutex> lock(s.mu);
    LoadResult r;
    r.in_flight = in_flight_;
    r.calls = s.calls;
    r.errors = s.errors;
    r.seconds = seconds;
    r.latencies_ms = std::move(s.latencies_ms);
    std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
    if (!s.first_error.empty()) {
      std::printf("    first error of %s: %s\n", kOpNames[op], s.first_error.c_str());
    }
    s.latencies_ms.clear();
    s.calls = s.errors = 0;
    s.first_error.clear();
    return r;
  }

 private:
  httplib::Result Run(Op op, int worker, httplib::Client& http, std::mt19937& rng) {
    const auto& actors = fixture_.actors;
    switch (op) {
      case kRead:
        return http.Get("/v1/" + actors[rng() % actors.size()]);
      case kSearch: {
        static const char* const kWords[] = {"recyclerie",  "dijon",        "insertion", "culture",
                                             "cooperative", "alimentation", "mobilite"};
        return http.Get(absl::StrCat("/v1/actors:search?pageSize=10&query=",
                                     kWords[rng() % (sizeof(kWords) / sizeof(kWords[0]))]));
      }
      case kList:
        return http.Get(
            "/v1/actors?pageSize=20&filter=kind%20%3D%20ORGANISATION&"
            "orderBy=display_name");
      case kUpdate: {
        json patch = {{"description", absl::StrCat("charge ", counter_++)}};
        return http.Patch("/v1/" + fixture_.own[worker] + "?updateMask=description", patch.dump(),
                          "application/json");
      }
      case kLineWrite: {
        json line = {{"side", "SIDE_CHARGE"},
                     {"accountCode", "606"},
                     {"label", absl::StrCat("Fournitures ", counter_++)},
                     {"amountCents", std::to_string(100 + rng() % 10000)}};
        return http.Post("/v1/" + fixture_.budgets[worker] + "/lines", line.dump(),
                         "application/json");
      }
      case kIndicators:
        return http.Get("/v1/actions/fa3/indicators");
      case kReport:
      case kOpCount:
        break;
    }
    return http.Get("/v1/actions/fa3:financialReport?year=2024");
  }

  const maillage::testing::Suite& suite_;
  const Fixture& fixture_;
  const int in_flight_;
  std::vector<std::unique_ptr<httplib::Client>> clients_;
  std::vector<std::mt19937> rngs_;
  std::atomic<int64_t> counter_{0};
  OpStats stats_[kOpCount];
};

// Seeded actors, and per worker an actor and a draft budget of its own.
Fixture Prepare(const maillage::testing::Suite& suite, int in_flight) {
  Fixture f;
  auto http = Http(suite);
  std::string token;
  do {
    auto page =
        http->Get("/v1/actors?pageSize=1000" + (token.empty() ? "" : "&pageToken=" + token));
    if (!page || page->status != 200) throw std::runtime_error("cannot list the seeded actors");
    json body = json::parse(page->body);
    for (const json& a : body.value("actors", json::array())) f.actors.push_back(a["name"]);
    token = body.value("nextPageToken", "");
  } while (!token.empty());
  if (f.actors.empty()) throw std::runtime_error("the seed created no actor");
  for (int w = 0; w < in_flight; ++w) {
    json actor = {{"displayName", absl::StrCat("Banc d'essai ", w)}};
    auto created = http->Post("/v1/actors", actor.dump(), "application/json");
    if (!created || created->status != 200) {
      throw std::runtime_error("cannot create an actor: " + (created ? created->body : ""));
    }
    f.own.push_back(json::parse(created->body)["name"]);
    json budget = {{"year", 2030 + w / 2},
                   {"kind", w % 2 == 0 ? "BUDGET_KIND_FORECAST" : "BUDGET_KIND_ACTUAL"},
                   {"title", absl::StrCat("Banc d'essai ", w)}};
    auto made = http->Post("/v1/actions/fa3/budgets", budget.dump(), "application/json");
    if (!made || made->status != 200) {
      throw std::runtime_error("cannot create a budget: " + (made ? made->body : ""));
    }
    f.budgets.push_back(json::parse(made->body)["name"]);
  }
  return f;
}

struct Binary {
  const char* name;
  int pid;
};

void PrintMemory(const std::vector<Binary>& binaries, bool current) {
  for (const Binary& b : binaries) {
    if (current) {
      std::printf("  %-10s rss %7.1f MiB  peak %7.1f MiB", b.name, RssMib(b.pid),
                  maillage::bench::PeakRssMib(b.pid));
    } else {
      std::printf("  %-10s peak RSS %7.1f MiB\n", b.name, maillage::bench::PeakRssMib(b.pid));
    }
  }
  if (current) std::printf("\n");
  std::fflush(stdout);
}

bool Flag(absl::string_view arg, absl::string_view name, int& value) {
  return absl::ConsumePrefix(&arg, name) && absl::SimpleAtoi(arg, &value) && value >= 1;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 10, in_flight = 8, soak_minutes = 0;
  for (int i = 1; i < argc; ++i) {
    if (!Flag(argv[i], "--seconds=", seconds) && !Flag(argv[i], "--in-flight=", in_flight) &&
        !Flag(argv[i], "--soak-minutes=", soak_minutes)) {
      std::fprintf(stderr,
                   "usage: maillage-bench-mixed-load [--seconds=N] [--in-flight=N] "
                   "[--soak-minutes=N]\n");
      return 2;
    }
  }
  maillage::log::Init("bench", "warn");
  std::printf("starting the suite (4 binaries) and loading the seed...\n");
  std::fflush(stdout);
  maillage::testing::Suite suite;
  maillage::testing::CommandResult seed = suite.Seed();
  if (seed.exit_code != 0) {
    std::fprintf(stderr, "maillage-seed failed:\n%s\n", seed.output.c_str());
    return 1;
  }
  const Fixture fixture = Prepare(suite, in_flight);
  const std::vector<Binary> binaries = {{"directory", suite.Pid("directory")},
                                        {"meetings", suite.Pid("meetings")},
                                        {"budget", suite.Pid("budget")},
                                        {"gateway", suite.Pid("gateway")}};
  MixedLoad load(suite, fixture, in_flight);
  auto call = [&](int worker) { return load.Call(worker); };

  if (soak_minutes > 0) {
    std::printf("soak: %d minutes, %d in flight, figures every minute\n", soak_minutes, in_flight);
    int64_t total_errors = 0;
    for (int minute = 1; minute <= soak_minutes; ++minute) {
      LoadResult all = maillage::bench::RunClosedLoop(in_flight, std::chrono::minutes(1), call);
      for (int op = 0; op < kOpCount; ++op) load.Take(op, all.seconds);
      total_errors += all.errors;
      std::printf("minute %3d  %8.0f calls/s  errors %lld (total %lld)\n", minute, all.qps(),
                  static_cast<long long>(all.errors), static_cast<long long>(total_errors));
      PrintMemory(binaries, /*current=*/true);
    }
    return total_errors == 0 ? 0 : 1;
  }

  const std::chrono::milliseconds duration(seconds * 1000);
  std::printf("mixed load through the gateway, %d s, %d in flight, %zu seeded actors\n", seconds,
              in_flight, fixture.actors.size());
  LoadResult all = maillage::bench::RunClosedLoop(in_flight, duration, call);
  maillage::bench::PrintResult("all operations", all);
  for (int op = 0; op < kOpCount; ++op) {
    LoadResult r = load.Take(op, all.seconds);
    maillage::bench::PrintResult(kOpNames[op], r);
  }
  std::printf("peak memory of the binaries:\n");
  PrintMemory(binaries, /*current=*/false);

  std::printf("ceilings of this machine, same run (%d s each):\n", seconds);
  maillage::testing::TestDatabase database("bench_mixed_ceilings");
  LoadResult http = maillage::bench::MeasureHttpEcho(in_flight, duration);
  maillage::bench::PrintResult("ceiling: HTTP echo on cpp-httplib", http);
  LoadResult grpc = maillage::bench::MeasureGrpcEcho(in_flight, duration);
  maillage::bench::PrintResult("ceiling: gRPC echo on server::Server", grpc);
  LoadResult pg = maillage::bench::MeasurePgSelect(database.url(), in_flight, duration);
  maillage::bench::PrintResult("ceiling: postgres primary-key SELECT", pg);
  std::printf("mixed load / HTTP echo ceiling: %.3f\n",
              http.qps() > 0 ? all.qps() / http.qps() : 0);
  return all.errors == 0 ? 0 : 1;
}
