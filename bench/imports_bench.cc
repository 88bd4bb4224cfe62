// imports_bench: the imports through the gateway as a partner sends them, raw text/csv bodies
// (services/gateway/routing/upload_routes.h), with the peak resident set (VmHWM) of the gateway
// and of the directory after each step, to see where memory goes (issue #14: every service
// <= 100 MB):
//   1. a synthetic SIRENE establishments extract of `sirene_mb` MB (INSEE's exact columns,
//      tests/support/sirene_files.h; one row in 200 in the territory) POSTed chunked to
//      /v1/actors:importSirene?createMissing=true: MB/s, rows/s;
//   2. `actors` new actors by ImportActors calls of `batch` rows (text/csv): rows/s;
//   3. the whole directory exported as CSV (GET /v1/actors:export, streamed);
//   4. every actor listed by ListActors pages of 1000.
// The four binaries run as processes on a throwaway PostgreSQL (tests/e2e/suite.h).
//
//   maillage-bench-imports [sirene_mb=300] [actors=100000] [batch=5000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/load.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite.h"
#include "tests/e2e/traffic.h"
#include "tests/support/sirene_files.h"

namespace {

using Clock = std::chrono::steady_clock;
using maillage::bench::PeakRssMib;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Current resident set (VmRSS) of a process, in MiB; -1 when unknown.
double RssMib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024;
  }
  return -1;
}

void PrintMemory(const maillage::testing::Suite& suite, const char* after) {
  const int gateway = suite.Pid("gateway"), directory = suite.Pid("directory");
  std::printf("  %-34s gateway peak %6.1f MiB (now %6.1f), directory peak %6.1f MiB (now %6.1f)\n",
              after, PeakRssMib(gateway), RssMib(gateway), PeakRssMib(directory),
              RssMib(directory));
  std::fflush(stdout);
}

// ImportActors rows [begin, end): new actors of Dijon, a few hundred bytes each.
std::string ActorsCsv(int begin, int end) {
  std::string csv =
      "display_name,legal_name,description,email,website,address.lines,address.postal_code,"
      "address.city,address.commune_insee_code\n";
  for (int i = begin; i < end; ++i) {
    absl::StrAppend(&csv, "Acteur du banc ", i, ",Association du banc ", i,
                    ",Atelier de réparation et de réemploi ouvert à toutes et tous numéro ", i,
                    ",contact", i, "@banc.example.org,https://banc", i, ".example.org,", 1 + i % 90,
                    " rue de la Liberté,21000,Dijon,21231\n");
  }
  return csv;
}

}  // namespace

int main(int argc, char** argv) {
  const int sirene_mb = argc > 1 ? std::atoi(argv[1]) : 300;
  const int actors = argc > 2 ? std::atoi(argv[2]) : 100000;
  const int batch = argc > 3 ? std::atoi(argv[3]) : 5000;
  maillage::testing::Suite suite;
  httplib::Client http = maillage::testing::GatewayClient(suite, std::chrono::seconds(900));
  http.set_write_timeout(std::chrono::seconds(900));
  std::printf("maillage-bench-imports: SIRENE %d MB, %d actors in calls of %d rows\n", sirene_mb,
              actors, batch);
  PrintMemory(suite, "started");

  // 1. The SIRENE extract, chunked as it is generated (never held whole by this client either).
  maillage::testing::SyntheticSireneOptions options;
  options.rows = int64_t{1} << 40;  // cut by size below
  options.territory_every = 200;
  maillage::testing::SyntheticSireneExtract extract(options);
  const size_t target = static_cast<size_t>(sirene_mb) << 20;
  size_t sent = 0;
  int64_t rows = 0;
  Clock::time_point start = Clock::now();
  auto response = http.Post(
      "/v1/actors:importSirene?extractDate=2026-12-01&createMissing=true",
      [&](size_t, httplib::DataSink& sink) {
        std::string chunk;
        if (sent >= target || !extract.Next(chunk, 1 << 20)) {
          sink.done();
          return true;
        }
        for (char c : chunk) rows += c == '\n';
        sent += chunk.size();
        return sink.write(chunk.data(), chunk.size());
      },
      "text/csv");
  double seconds = Seconds(start);
  if (!response || response->status != 200) {
    std::printf("SIRENE import failed: %s\n",
                response ? response->body.substr(0, 500).c_str() : "no answer");
    return 1;
  }
  nlohmann::json report = nlohmann::json::parse(response->body, nullptr, false);
  std::printf(
      "SIRENE extract: %.1f MB, %lld rows (header included) in %.1f s: %.1f MB/s, %.0f rows/s; "
      "kept %s, created %s\n",
      sent / 1048576.0, static_cast<long long>(rows), seconds, sent / 1048576.0 / seconds,
      rows / seconds, report.value("keptCount", "?").c_str(),
      report.value("createdCount", "?").c_str());
  PrintMemory(suite, "after the SIRENE extract");

  // 2. ImportActors, raw CSV bodies.
  start = Clock::now();
  for (int begin = 0; begin < actors; begin += batch) {
    const int end = std::min(actors, begin + batch);
    const Clock::time_point call = Clock::now();
    auto imported = http.Post("/v1/actors:import", httplib::Headers{{"X-Request-Timeout", "60s"}},
                              ActorsCsv(begin, end), "text/csv");
    if ((begin / batch) % 5 == 4 || end == actors) {
      std::printf("  ImportActors rows %d-%d: %.1f s for this call\n", begin, end, Seconds(call));
      PrintMemory(suite, "");
    }
    if (!imported || imported->status != 200) {
      std::printf("ImportActors failed at row %d: %s\n", begin,
                  imported ? imported->body.substr(0, 500).c_str() : "no answer");
      auto checked =
          http.Post("/v1/actors:import?validateOnly=true", ActorsCsv(begin, end), "text/csv");
      if (checked) {
        nlohmann::json report = nlohmann::json::parse(checked->body, nullptr, false);
        std::printf("the dry run says: %s\n",
                    report.value("issues", nlohmann::json::array()).dump().substr(0, 800).c_str());
      }
      return 1;
    }
  }
  seconds = Seconds(start);
  std::printf("ImportActors: %d rows in %.1f s: %.0f rows/s\n", actors, seconds, actors / seconds);
  PrintMemory(suite, "after ImportActors");

  // 3. The whole directory exported.
  start = Clock::now();
  size_t exported = 0;
  auto exported_ok =
      http.Get("/v1/actors:export?format=EXPORT_FORMAT_CSV", [&](const char*, size_t length) {
        exported += length;
        return true;
      });
  std::printf("ExportActors CSV: %.1f MB in %.1f s (%s)\n", exported / 1048576.0, Seconds(start),
              exported_ok && exported_ok->status == 200 ? "200" : "failed");
  PrintMemory(suite, "after ExportActors");

  // 4. Every actor listed, page by page.
  start = Clock::now();
  std::string token;
  int listed = 0, pages = 0;
  do {
    httplib::Params params{{"pageSize", "1000"}};
    if (!token.empty()) params.emplace("pageToken", token);
    auto page = http.Get("/v1/actors", params, httplib::Headers{});
    if (!page || page->status != 200) break;
    nlohmann::json body = nlohmann::json::parse(page->body, nullptr, false);
    listed += static_cast<int>(body.value("actors", nlohmann::json::array()).size());
    token = body.value("nextPageToken", "");
    ++pages;
  } while (!token.empty() && pages < 10000);
  std::printf("ListActors: %d actors in %d pages, %.1f s\n", listed, pages, Seconds(start));
  PrintMemory(suite, "after ListActors");
  return 0;
}
