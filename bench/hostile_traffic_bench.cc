// hostile_traffic_bench: a valid client reading one actor through the gateway (HTTP, keep-alive,
// 1 in flight) on a quiet gateway, then while the door is attacked: a flood of made-up API keys
// from 127.0.0.3 on `flood` keep-alive connections (250: just under the gateway's 256 per
// address), each sending again as soon as it is answered (the highest rate this machine can
// send: the gateway paces its 429s), and 200 sockets from 127.0.0.2 trickling a
// header byte every second. The four binaries run as processes on a throwaway PostgreSQL
// (tests/e2e/suite.h), with the seed loaded and the gateway's default limits.
//
//   maillage-bench-hostile [seconds=10] [flood=250]
//
// Goal (issue #13): the valid client's p99 under attack within 3x its quiet p99, 0 errors, and
// the gateway's RSS bounded. Prints the load average: the machine's other work shows there.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/load.h"
#include "httplib.h"
#include "tests/e2e/suite.h"
#include "tests/e2e/traffic.h"
#include "tests/support/hostile_clients.h"

namespace {

// Current resident set (VmRSS) of a process, in MiB; -1 when unknown.
double RssMib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024;
  }
  return -1;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// gateway_api_key_lookups_total on the admin port.
std::string KeyLookups(int admin_port) {
  httplib::Client admin("127.0.0.1", admin_port);
  auto metrics = admin.Get("/metrics");
  if (!metrics) return "?";
  const std::string name = "gateway_api_key_lookups_total ";
  size_t at = metrics->body.find("\n" + name);
  if (at == std::string::npos) return "?";
  at += name.size() + 1;
  return metrics->body.substr(at, metrics->body.find('\n', at) - at);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace maillage;
  const auto duration = std::chrono::seconds(argc > 1 ? std::atoi(argv[1]) : 10);
  const int flood_connections = argc > 2 ? std::atoi(argv[2]) : 250;

  testing::Suite suite;
  testing::CommandResult seeded = suite.Seed();
  if (seeded.exit_code != 0) {
    std::fprintf(stderr, "seed failed: %s\n", seeded.output.c_str());
    return 1;
  }
  const int gateway = suite.Pid("gateway");
  std::printf(
      "hostile_traffic_bench: GET /v1/actors/1 at 1 in flight, %lld s per phase; "
      "flood of made-up keys on %d connections + 200 slow sockets\n",
      static_cast<long long>(duration.count()), flood_connections);
  std::printf("load average at start: %s\n", LoadAverage().c_str());

  httplib::Client client = testing::GatewayClient(suite, std::chrono::seconds(10));
  client.set_keep_alive(true);
  auto read = [&](int) {
    auto response = client.Get("/v1/actors/1");
    return response && response->status == 200;
  };
  bench::RunClosedLoop(1, std::chrono::seconds(1), read);  // warm-up
  const double rss_before = RssMib(gateway);
  const std::string lookups_before = KeyLookups(suite.ports().admin);
  bench::LoadResult quiet = bench::RunClosedLoop(1, duration, read);

  bench::LoadResult attacked;
  std::map<int, int64_t> statuses;
  int64_t sent = 0;
  int slow_open = 0;
  int64_t slow_closed = 0;
  {
    testing::SlowLoris slow(suite.ports().http, 200, std::chrono::seconds(1), "127.0.0.2");
    testing::KeyFlood flood(suite.ports().http, flood_connections, "127.0.0.3", "/v1/actors/1");
    std::this_thread::sleep_for(std::chrono::seconds(2));  // the attack in place
    slow_open = slow.open();
    attacked = bench::RunClosedLoop(1, duration, read);
    flood.Stop();
    slow_closed = slow.closed_by_server();
    slow.Stop();
    statuses = flood.statuses();
    sent = flood.sent();
  }
  const double rss_after = RssMib(gateway);
  std::printf("load average at the end: %s\n", LoadAverage().c_str());

  bench::PrintResult("valid client, quiet gateway", quiet);
  bench::PrintResult("valid client, under attack", attacked, &quiet, "quiet");
  std::string codes;
  for (const auto& [code, count] : statuses) absl::StrAppend(&codes, " ", code, ":", count);
  const double attack_seconds = duration.count() + 2.0;
  std::printf("flood: %lld made-up keys in %.0f s (%.0f/s), answers by status:%s\n",
              static_cast<long long>(sent), attack_seconds, sent / attack_seconds, codes.c_str());
  std::printf("slow sockets: %d open once in place, %lld closed by the gateway (header timeout)\n",
              slow_open, static_cast<long long>(slow_closed));
  std::printf("key lookups in the database: %s before the attack, %s after\n",
              lookups_before.c_str(), KeyLookups(suite.ports().admin).c_str());
  std::printf("gateway RSS: %.1f MiB before, %.1f MiB after (peak %.1f MiB)\n", rss_before,
              rss_after, bench::PeakRssMib(gateway));
  const double q = quiet.percentile_ms(0.99), a = attacked.percentile_ms(0.99);
  const double ratio = q > 0 ? a / q : 0;
  const bool met = ratio <= 3 && attacked.errors == 0;
  std::printf("goal: p99 under attack <= 3x quiet p99, 0 errors: %.2fx, %lld errors (%s)\n", ratio,
              static_cast<long long>(attacked.errors), met ? "met" : "NOT met");
  return 0;
}
