// maillage-bench-ceilings [--seconds=N] [--only=PART] [--log=LEVEL]: prints the ceilings of this
// machine (see ceilings.h) at 1 and at N in flight, and the overhead per call of maillage's gRPC
// server (and client) over a bare gRPC echo. PART is one of postgres, http, grpc (the three
// echoes), or one echo alone at 1 in flight: grpc-bare, grpc-server (server::Server, bare channel),
// grpc-maillage (server::Server, MakeChannel). PostgreSQL: MAILLAGE_TEST_DATABASE_URL, or a private
// cluster.
//
// Instructions per call, independent of the machine's load (callgrind counts only the calls):
//   valgrind --tool=callgrind --instr-atstart=no maillage-bench-ceilings --only=grpc-bare
//   valgrind --tool=callgrind --instr-atstart=no maillage-bench-ceilings --only=grpc-server
// then divide the "Collected" instructions by the number of calls printed.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "bench/ceilings.h"
#include "common/log/log.h"
#include "common/testing/postgres.h"

int main(int argc, char** argv) {
  int seconds = 3;
  std::string only;
  std::string log_level = "warn";
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--seconds=") && absl::SimpleAtoi(arg, &seconds) &&
        seconds >= 1) {
      continue;
    }
    if (absl::ConsumePrefix(&arg, "--log=")) {
      log_level = std::string(arg);
      continue;
    }
    if (absl::ConsumePrefix(&arg, "--only=")) {
      only = std::string(arg);
      continue;
    }
    std::fprintf(
        stderr,
        "usage: maillage-bench-ceilings [--seconds=N] "
        "[--only=postgres|http|grpc|grpc-bare|grpc-server|grpc-maillage] [--log=warn|info]\n");
    return 2;
  }
  auto wanted = [&](const std::string& part) {
    return only.empty() || only == part || (only == "grpc" && part.rfind("grpc", 0) == 0);
  };
  using maillage::bench::LoadResult;
  using maillage::bench::PrintResult;
  const std::chrono::milliseconds duration(seconds * 1000);
  // Per-call access logs would measure the terminal; benches run with warnings only unless
  // --log=info asks for the access line of every call (send stderr to /dev/null).
  maillage::log::Init("bench", log_level);

  std::printf(
      "ceilings of this machine, %d s per figure (closed loop, client and server share "
      "the cores)\n",
      seconds);
  if (wanted("postgres")) {
    maillage::testing::TestDatabase database("bench_ceilings");
    for (int in_flight : {1, 8}) {
      LoadResult r = maillage::bench::MeasurePgSelect(database.url(), in_flight, duration);
      PrintResult("postgres primary-key SELECT via db::Pool", r);
    }
  }
  const bool one_echo = only.rfind("grpc-", 0) == 0;
  for (int in_flight : {1, 32}) {
    if (one_echo && in_flight > 1) break;
    LoadResult bare, server, ours;
    if (wanted("grpc-bare")) {
      bare = maillage::bench::MeasureBareGrpcEcho(in_flight, duration);
      PrintResult("gRPC echo, bare grpc::Server and channel", bare);
    }
    if (wanted("grpc-server")) {
      server = maillage::bench::MeasureGrpcEcho(in_flight, duration, false);
      PrintResult("gRPC echo on server::Server, bare channel", server, &bare, "bare");
    }
    if (wanted("grpc-maillage")) {
      ours = maillage::bench::MeasureGrpcEcho(in_flight, duration, true);
      PrintResult("gRPC echo on server::Server, MakeChannel", ours, &bare, "bare");
    }
    if (one_echo) {
      const LoadResult& r = only == "grpc-bare" ? bare : only == "grpc-server" ? server : ours;
      std::printf("  calls %lld (instructions per call: callgrind's Collected / calls)\n",
                  static_cast<long long>(r.calls));
    }
    if (in_flight == 1 && bare.qps() > 0) {
      std::printf(
          "  overhead per call over the bare echo: server::Server %+.1f us, "
          "with MakeChannel's client too %+.1f us\n",
          maillage::bench::OverheadMicros(server, bare),
          maillage::bench::OverheadMicros(ours, bare));
    }
  }
  if (wanted("http")) {
    for (int connections : {1, 32}) {
      LoadResult r = maillage::bench::MeasureHttpEcho(connections, duration);
      PrintResult("HTTP echo on cpp-httplib (keep-alive)", r);
    }
  }
  return 0;
}
