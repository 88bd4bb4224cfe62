// maillage-bench-ceilings [--seconds=N]: prints the ceilings of this machine (see ceilings.h)
// at 1 and at N in flight. PostgreSQL: MAILLAGE_TEST_DATABASE_URL, or a private cluster.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "bench/ceilings.h"
#include "common/log/log.h"
#include "common/testing/postgres.h"

int main(int argc, char** argv) {
  int seconds = 3;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (!absl::ConsumePrefix(&arg, "--seconds=") || !absl::SimpleAtoi(arg, &seconds) ||
        seconds < 1) {
      std::fprintf(stderr, "usage: maillage-bench-ceilings [--seconds=N]\n");
      return 2;
    }
  }
  using maillage::bench::LoadResult;
  using maillage::bench::PrintResult;
  const std::chrono::milliseconds duration(seconds * 1000);
  // Per-call access logs would measure the terminal; benches run with warnings only.
  maillage::log::Init("bench", "warn");
  maillage::testing::TestDatabase database("bench_ceilings");

  std::printf(
      "ceilings of this machine, %d s per figure (closed loop, client and server share "
      "the cores)\n",
      seconds);
  for (int in_flight : {1, 8}) {
    LoadResult r = maillage::bench::MeasurePgSelect(database.url(), in_flight, duration);
    PrintResult("postgres primary-key SELECT via db::Pool", r);
  }
  for (int in_flight : {1, 32}) {
    LoadResult r = maillage::bench::MeasureGrpcEcho(in_flight, duration);
    PrintResult("gRPC echo on server::Server", r);
  }
  for (int connections : {1, 32}) {
    LoadResult r = maillage::bench::MeasureHttpEcho(connections, duration);
    PrintResult("HTTP echo on cpp-httplib (keep-alive)", r);
  }
  return 0;
}
