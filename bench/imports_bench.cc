// imports_bench: the directory filled and read through the gateway as partners use it, with the
// resident set of every process (gateway, directory, meetings, budget) at each step, so that
// issue #14's "every service <= 100 MB" is checked in one run:
//   1. a synthetic SIRENE establishments extract of `sirene_mb` MB (INSEE's exact columns,
//      tests/support/sirene_files.h; one row in 200 in the territory) POSTed chunked to
//      /v1/actors:importSirene?createMissing=true: MB/s, rows/s (0: skipped);
//   2. `actors` new actors by ImportActors calls of `batch` rows, raw text/csv bodies
//      (services/gateway/routing/upload_routes.h): rows/s;
//   3. the usual reads: every actor listed by ListActors pages of 1000, SearchActors, the whole
//      directory exported as CSV and as GeoJSON (GET /v1/actors:export, streamed),
//      FindDuplicates pages, and the whole change feed (ListChanges pages of 1000);
//   4. `settle_seconds` of idleness, then each process's settled resident set.
// Each step prints, per process, the peak of that step (VmHWM, reset before the step through
// /proc/PID/clear_refs) and the resident set when it ends; the run ends with a table of the
// peak of the whole run and the settled size (anonymous + file-backed) of every process.
// The four binaries run as processes on a throwaway PostgreSQL (tests/e2e/suite.h).
//
//   maillage-bench-imports [sirene_mb=300] [actors=100000] [batch=5000] [settle_seconds=10]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite.h"
#include "tests/e2e/traffic.h"
#include "tests/support/sirene_files.h"

namespace {

using Clock = std::chrono::steady_clock;

const char* const kProcesses[] = {"gateway", "directory", "meetings", "budget"};
// Long calls (an import batch, a search over 100,000 actors on a loaded machine) get this long;
// the gateway is started with the same ceiling (MAILLAGE_MAX_REQUEST_TIMEOUT).
constexpr char kCallTimeout[] = "300s";

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// The memory of a process from /proc/PID/status, in MiB (-1 when unknown).
struct Memory {
  double peak = -1;  // VmHWM: the peak resident set since start or since ResetPeak
  double rss = -1;   // VmRSS
  double anon = -1;  // RssAnon: the heap, arenas, stacks
  double file = -1;  // RssFile: code and libraries mapped from files
};

Memory ReadMemory(int pid) {
  Memory memory;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  const std::pair<const char*, double*> fields[] = {{"VmHWM:", &memory.peak},
                                                    {"VmRSS:", &memory.rss},
                                                    {"RssAnon:", &memory.anon},
                                                    {"RssFile:", &memory.file}};
  while (std::getline(status, line)) {
    for (const auto& [name, value] : fields) {
      if (line.rfind(name, 0) == 0) *value = std::atof(line.c_str() + strlen(name)) / 1024;
    }
  }
  return memory;
}

// Makes VmHWM start again from the current resident set (Linux >= 4.0); false when refused.
bool ResetPeak(int pid) {
  std::ofstream clear_refs("/proc/" + std::to_string(pid) + "/clear_refs");
  clear_refs << "5";
  clear_refs.flush();
  return static_cast<bool>(clear_refs);
}

// The peaks of every process over the steps, printed step by step.
class MemoryLog {
 public:
  explicit MemoryLog(const maillage::testing::Suite& suite) : suite_(suite) {
    for (const char* name : kProcesses) resets_ &= ResetPeak(suite_.Pid(name));
    if (!resets_) std::printf("  (VmHWM cannot be reset here: each step's peak is the run's)\n");
  }

  // Prints the peak of the step that just ended and the resident set now, then starts the
  // next step's peak.
  void Step(const std::string& step) {
    std::string line = absl::StrCat("  ", step, ":");
    line.resize(std::max<size_t>(line.size(), 30), ' ');
    for (const char* name : kProcesses) {
      const Memory memory = ReadMemory(suite_.Pid(name));
      absl::StrAppend(&line, " ", name, " ", Fixed(memory.peak), "/", Fixed(memory.rss));
      if (memory.peak > run_peak_[name]) {
        run_peak_[name] = memory.peak;
        peak_step_[name] = step;
      }
      ResetPeak(suite_.Pid(name));
    }
    std::printf("%s  (MiB, peak of the step/now)\n", line.c_str());
    std::fflush(stdout);
  }

  void PrintTable(int settle_seconds) {
    std::printf(
        "\n| process | peak RSS MiB (step) | settled RSS MiB after %d s idle (anon + file) |\n",
        settle_seconds);
    std::printf("|---|---|---|\n");
    for (const char* name : kProcesses) {
      const Memory memory = ReadMemory(suite_.Pid(name));
      std::printf("| %s | %s (%s) | %s (%s + %s) |\n", name, Fixed(run_peak_[name]).c_str(),
                  peak_step_[name].c_str(), Fixed(memory.rss).c_str(), Fixed(memory.anon).c_str(),
                  Fixed(memory.file).c_str());
    }
  }

 private:
  static std::string Fixed(double mib) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", mib);
    return text;
  }

  const maillage::testing::Suite& suite_;
  bool resets_ = true;
  std::map<std::string, double> run_peak_;
  std::map<std::string, std::string> peak_step_;
};

// ImportActors rows [begin, end): new actors of Dijon with their points, a few hundred bytes
// each.
std::string ActorsCsv(int begin, int end) {
  std::string csv =
      "display_name,legal_name,description,email,website,address.lines,address.postal_code,"
      "address.city,address.commune_insee_code,coordinates.latitude,coordinates.longitude\n";
  for (int i = begin; i < end; ++i) {
    absl::StrAppend(&csv, "Acteur du banc ", i, ",Association du banc ", i,
                    ",Atelier de réparation et de réemploi ouvert à toutes et tous numéro ", i,
                    ",contact", i, "@banc.example.org,https://banc", i, ".example.org,", 1 + i % 90,
                    " rue de la Liberté,21000,Dijon,21231,", 47.30 + (i % 400) * 0.0001, ",",
                    5.00 + (i / 400 % 400) * 0.0002, "\n");
  }
  return csv;
}

const httplib::Headers kLongCall{{"X-Request-Timeout", kCallTimeout}};

// Step 1; false when the import failed.
bool ImportSirene(httplib::Client& http, int sirene_mb) {
  // Chunked as it is generated (never held whole by this client either).
  maillage::testing::SyntheticSireneOptions options;
  options.rows = int64_t{1} << 40;  // cut by size below
  options.territory_every = 200;
  maillage::testing::SyntheticSireneExtract extract(options);
  const size_t target = static_cast<size_t>(sirene_mb) << 20;
  size_t sent = 0;
  int64_t rows = 0;
  const Clock::time_point start = Clock::now();
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
  const double seconds = Seconds(start);
  if (!response || response->status != 200) {
    std::printf("SIRENE import failed: %s\n",
                response ? response->body.substr(0, 500).c_str() : "no answer");
    return false;
  }
  nlohmann::json report = nlohmann::json::parse(response->body, nullptr, false);
  std::printf(
      "SIRENE extract: %.1f MB, %lld rows (header included) in %.1f s: %.1f MB/s, %.0f rows/s; "
      "kept %s, created %s\n",
      sent / 1048576.0, static_cast<long long>(rows), seconds, sent / 1048576.0 / seconds,
      rows / seconds, report.value("keptCount", "?").c_str(),
      report.value("createdCount", "?").c_str());
  return true;
}

// Step 2; false when a call failed (with the dry run's issues).
bool ImportActors(httplib::Client& http, MemoryLog& memory, int actors, int batch) {
  const Clock::time_point start = Clock::now();
  for (int begin = 0; begin < actors; begin += batch) {
    const int end = std::min(actors, begin + batch);
    const Clock::time_point call = Clock::now();
    auto imported = http.Post("/v1/actors:import", kLongCall, ActorsCsv(begin, end), "text/csv");
    if (!imported || imported->status != 200) {
      std::printf("ImportActors failed at row %d: %s\n", begin,
                  imported ? imported->body.substr(0, 500).c_str() : "no answer");
      auto checked = http.Post("/v1/actors:import?validateOnly=true", kLongCall,
                               ActorsCsv(begin, end), "text/csv");
      if (checked) {
        nlohmann::json report = nlohmann::json::parse(checked->body, nullptr, false);
        std::printf("the dry run says: %s\n",
                    report.value("issues", nlohmann::json::array()).dump().substr(0, 800).c_str());
      }
      return false;
    }
    if ((begin / batch) % 5 == 4 || end == actors) {
      memory.Step(absl::StrCat("ImportActors to ", end, " (", Seconds(call), " s)"));
    }
  }
  const double seconds = Seconds(start);
  std::printf("ImportActors: %d rows in %.1f s: %.0f rows/s\n", actors, seconds, actors / seconds);
  return true;
}

// GETs `path` with `params`, page after page (the page token in `token_param`, the next one in
// the answer's `next_field`) until the end or `max_pages`; returns the items of `items_field`
// read, -1 on an error.
int64_t ReadPages(httplib::Client& http, const std::string& path, httplib::Params params,
                  const std::string& items_field, const std::string& token_param,
                  const std::string& next_field, int max_pages, int* pages,
                  const httplib::Headers& headers = kLongCall) {
  int64_t items = 0;
  std::string token;
  for (*pages = 0; *pages < max_pages;) {
    httplib::Params page_params = params;
    if (!token.empty()) page_params.emplace(token_param, token);
    auto page = http.Get(path, page_params, headers);
    if (!page || page->status != 200) {
      std::printf("%s failed: %s\n", path.c_str(),
                  page ? page->body.substr(0, 300).c_str() : "no answer");
      return -1;
    }
    ++*pages;
    nlohmann::json body = nlohmann::json::parse(page->body, nullptr, false);
    items += static_cast<int64_t>(body.value(items_field, nlohmann::json::array()).size());
    const std::string next = body.value(next_field, "");
    // The change feed's cursor never empties: it stops when caught up.
    if (next.empty() || next == token || body.value("caughtUp", false)) break;
    token = next;
  }
  return items;
}

// Step 3.
void Read(httplib::Client& http, MemoryLog& memory) {
  Clock::time_point start = Clock::now();
  int pages = 0;
  int64_t items = ReadPages(http, "/v1/actors", {{"pageSize", "1000"}}, "actors", "pageToken",
                            "nextPageToken", 10000, &pages);
  std::printf("ListActors: %lld actors in %d pages, %.1f s\n", static_cast<long long>(items), pages,
              Seconds(start));
  memory.Step("ListActors");

  start = Clock::now();
  int64_t found = 0;
  const char* const queries[] = {
      "acteur banc", "atelier reparation",  "association",     "reemploi dijon",
      "liberte",     "acteur du banc 4242", "economie sociale"};
  for (const char* query : queries) {
    found += ReadPages(http, "/v1/actors:search", {{"query", query}, {"pageSize", "100"}},
                       "results", "pageToken", "nextPageToken", 5, &pages);
  }
  std::printf("SearchActors: %zu queries, up to 5 pages of 100 each: %lld actors, %.1f s\n",
              std::size(queries), static_cast<long long>(found), Seconds(start));
  memory.Step("SearchActors");

  for (const char* format : {"EXPORT_FORMAT_CSV", "EXPORT_FORMAT_GEOJSON"}) {
    start = Clock::now();
    size_t exported = 0;
    auto response = http.Get(absl::StrCat("/v1/actors:export?format=", format), kLongCall,
                             [&](const char*, size_t length) {
                               exported += length;
                               return true;
                             });
    std::printf("ExportActors %s: %.1f MB in %.1f s (%s)\n", format, exported / 1048576.0,
                Seconds(start), response && response->status == 200 ? "200" : "failed");
    memory.Step(absl::StrCat("ExportActors ", format + 14));
  }

  // The bench's names are all alike ("Acteur du banc 4242"): every pair of them is compared
  // and ranked before the first page (merge_store.cc), so one page, within 120 s.
  start = Clock::now();
  items = ReadPages(http, "/v1/actors:findDuplicates", {{"pageSize", "100"}}, "candidates",
                    "pageToken", "nextPageToken", 1, &pages, {{"X-Request-Timeout", "120s"}});
  std::printf("FindDuplicates: %lld pairs in the first page of 100, %.1f s\n",
              static_cast<long long>(items), Seconds(start));
  memory.Step("FindDuplicates");

  start = Clock::now();
  items = ReadPages(http, "/v1/changes", {{"pageSize", "1000"}}, "changes", "since", "nextCursor",
                    10000, &pages);
  std::printf("ListChanges: %lld changes in %d pages, %.1f s\n", static_cast<long long>(items),
              pages, Seconds(start));
  memory.Step("ListChanges");
}

}  // namespace

int main(int argc, char** argv) {
  const int sirene_mb = argc > 1 ? std::atoi(argv[1]) : 300;
  const int actors = argc > 2 ? std::atoi(argv[2]) : 100000;
  const int batch = argc > 3 ? std::atoi(argv[3]) : 5000;
  const int settle_seconds = argc > 4 ? std::atoi(argv[4]) : 10;
  maillage::testing::SuiteOptions options;
  options.env["MAILLAGE_MAX_REQUEST_TIMEOUT"] = kCallTimeout;
  maillage::testing::Suite suite(options);
  httplib::Client http = maillage::testing::GatewayClient(suite, std::chrono::seconds(900));
  http.set_write_timeout(std::chrono::seconds(900));
  std::printf("maillage-bench-imports: SIRENE %d MB, %d actors in calls of %d rows\n", sirene_mb,
              actors, batch);
  MemoryLog memory(suite);
  memory.Step("started");
  if (sirene_mb > 0) {
    if (!ImportSirene(http, sirene_mb)) return 1;
    memory.Step("SIRENE extract");
  }
  if (!ImportActors(http, memory, actors, batch)) return 1;
  Read(http, memory);
  std::this_thread::sleep_for(std::chrono::seconds(settle_seconds));
  memory.Step(absl::StrCat("idle ", settle_seconds, " s"));
  memory.PrintTable(settle_seconds);
  return 0;
}
