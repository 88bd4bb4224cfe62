// End to end: the funder's report served by the gateway from the three services, the seed
// loaded through the APIs. The JSON figures are those of the seed; with the budget binary
// stopped the report still comes back, its budget section marked partial; the printable page
// is opened in headless Chromium (Debian's chromium), its key figures read from the rendered
// DOM, a screenshot and a PDF saved under MAILLAGE_REPORT_OUTPUT_DIR.
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite_fixture.h"
#include "tests/e2e/traffic.h"

namespace maillage::testing {
namespace {

using nlohmann::json;

#define NNBSP "\xE2\x80\xAF"
#define EURO "\xE2\x82\xAC"

// Seed figures (deploy/seed): the 2023 forecast of FA3 as written, chapters 60 (200), 61 (0),
// 62 (400) and 64 (9 400) on the charges side, 6 000 of subsidy on the income side; 10 000 €
// announced and 6 000 € committed by Dijon Métropole.
constexpr int64_t kSeedForecastCharges2023 = 1000000;
constexpr int64_t kSeedForecastIncome2023 = 600000;
constexpr int64_t kSeedAnnounced = 1000000;

int CountDataLines(const std::string& file) {
  std::ifstream in(absl::StrCat(MAILLAGE_SOURCE_DIR, "/deploy/seed/", file));
  std::string line;
  int lines = -1;  // the header
  while (std::getline(in, line)) {
    if (!line.empty()) ++lines;
  }
  return lines;
}

class ReportsE2eTest : public SuiteFixture<Seeded::kYes> {
 protected:
  // The one place the tests' HTTP client of the gateway is made.
  static httplib::Client Http() { return GatewayClient(*suite_, std::chrono::seconds(20)); }
  static json GetJson(const std::string& path, int want_status = 200) {
    auto response = Http().Get(path.c_str());
    EXPECT_TRUE(response) << path;
    if (!response) return json();
    EXPECT_EQ(response->status, want_status) << path << ": " << response->body;
    return json::parse(response->body, nullptr, false);
  }
};

const json* PartialFor(const json& report, const std::string& section) {
  if (!report.contains("partialSections")) return nullptr;
  for (const json& p : report["partialSections"]) {
    if (p.value("section", "") == section) return &p;
  }
  return nullptr;
}

TEST_F(ReportsE2eTest, JsonReportHasTheSeedFigures) {
  json report = GetJson("/v1/actions/fa3/report?year=2023");
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["action"], "actions/fa3");
  EXPECT_EQ(report["year"], 2023);
  EXPECT_TRUE(report["partialSections"].empty()) << report["partialSections"].dump();

  EXPECT_EQ(report["summary"]["code"], "FA3");
  EXPECT_EQ(report["summary"]["announcedAmountCents"], std::to_string(kSeedAnnounced));
  EXPECT_EQ(report["summary"]["staffingFteHundredths"], 13);
  ASSERT_EQ(report["summary"]["funders"].size(), 1u);
  EXPECT_EQ(report["summary"]["funders"][0]["displayName"], "Dijon Métropole");
  EXPECT_EQ(report["summary"]["funders"][0]["committedCents"], "600000");

  const json& budget = report["budget"];
  EXPECT_EQ(budget["forecastChargesCents"], std::to_string(kSeedForecastCharges2023));
  EXPECT_EQ(budget["forecastIncomeCents"], std::to_string(kSeedForecastIncome2023));
  EXPECT_EQ(budget["announcedAmountCents"], std::to_string(kSeedAnnounced));
  EXPECT_EQ(budget["actualBudget"], "") << "the seed has no actual budget";
  EXPECT_EQ(budget["forecastVersion"], 1);
  std::set<std::string> rules;
  for (const json& f : budget["findings"]) rules.insert(f["rule"].get<std::string>());
  for (const char* rule : {"FINDING_RULE_DETAIL_SUM_MISMATCH", "FINDING_RULE_CHAPTERS_SUM_MISMATCH",
                           "FINDING_RULE_ANNOUNCED_AMOUNT_MISMATCH"}) {
    EXPECT_TRUE(rules.count(rule)) << rule << " missing from " << budget["findings"].dump();
  }
  EXPECT_GE(budget["errorCount"].get<int>(), 3);
  EXPECT_EQ(budget["findings"][0]["severity"], "FINDING_SEVERITY_ERROR");
  int64_t chapter_sum = 0;
  for (const json& c : budget["chapters"]) {
    if (c["side"] == "BUDGET_SIDE_CHARGE" && c.contains("forecastCents")) {
      chapter_sum += std::stoll(c["forecastCents"].get<std::string>());
    }
  }
  EXPECT_EQ(chapter_sum, kSeedForecastCharges2023);

  // The seed's 2023 programme, every meeting still planned.
  const int seed_meetings = CountDataLines("meetings_2023.csv");
  const json& meetings = report["meetings"];
  EXPECT_EQ(meetings["meetingsPlanned"], seed_meetings);
  EXPECT_EQ(meetings["meetingsHeld"], 0);
  EXPECT_EQ(meetings["meetings"].size(), static_cast<size_t>(seed_meetings));
  EXPECT_FALSE(meetings["participationRate"].contains("basisPoints")) << "no held meeting";

  // Reach: the directory's active actors, the same count as its own listing.
  json actors = GetJson("/v1/actors?pageSize=1");
  const json& reach = report["reach"];
  EXPECT_EQ(reach["actorsTotal"], std::to_string(actors["totalSize"].get<int>()));
  EXPECT_EQ(reach["actorsTotal"], std::to_string(CountDataLines("network_partners.csv")));
  EXPECT_EQ(reach["actorsMobilized"], "0");
  EXPECT_EQ(reach["communesTotal"], CountDataLines("communes.csv"));
  json categories = GetJson("/v1/networkCategories?pageSize=100");
  EXPECT_EQ(reach["byNetworkCategory"].size(), categories["networkCategories"].size());
  int64_t category_actors = 0;
  for (const json& g : reach["byNetworkCategory"]) {
    category_actors += std::stoll(g["actors"].get<std::string>());
  }
  EXPECT_GE(category_actors, std::stoll(reach["actorsTotal"].get<std::string>()))
      << "every seed actor has at least one network category";
}

TEST_F(ReportsE2eTest, ReportTimeIsPrinted) {
  // Not a benchmark: a figure for the README, the three backends on the same machine.
  constexpr int kCalls = 20;
  httplib::Client http = Http();
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kCalls; ++i) {
    auto response = http.Get("/v1/actions/fa3/report?year=2023");
    ASSERT_TRUE(response);
    ASSERT_EQ(response->status, 200);
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  std::cout << "report: " << elapsed.count() / kCalls / 1000.0 << " ms per call (" << kCalls
            << " sequential calls)\n";
}

TEST_F(ReportsE2eTest, BackendCallsCarryTheRequestId) {
  const std::string id = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f";
  auto response =
      Http().Get("/v1/actions/fa3/report?year=2023", httplib::Headers{{"X-Request-Id", id}});
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200);
  for (const char* backend : {"budget", "meetings", "directory"}) {
    std::ifstream in(absl::StrCat(suite_->log_dir(), "/", backend, ".log"));
    std::stringstream log;
    log << in.rdbuf();
    EXPECT_NE(log.str().find(id), std::string::npos) << backend << " never saw the request id";
  }
}

TEST_F(ReportsE2eTest, PageIsFrenchHtml) {
  auto response = Http().Get("/v1/actions/fa3/report.html?year=2023");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(response->body.find("id=\"forecast-charges\">10" NNBSP "000" NNBSP EURO),
            std::string::npos);
  EXPECT_EQ(response->body.find("Section partielle"), std::string::npos);
}

TEST_F(ReportsE2eTest, BadRequestsAndUnknownAction) {
  json bad = GetJson("/v1/actions/fa3/report?year=1800", 400);
  EXPECT_NE(bad.dump().find("\"year\""), std::string::npos) << bad.dump();
  json no_year = GetJson("/v1/actions/fa3/report", 400);
  EXPECT_NE(no_year.dump().find("\"year\""), std::string::npos) << no_year.dump();
  json bad_action = GetJson("/v1/actions/FA_3/report.html?year=2023", 400);
  EXPECT_NE(bad_action.dump().find("\"action\""), std::string::npos) << bad_action.dump();
  json missing = GetJson("/v1/actions/nope/report?year=2023", 404);
  EXPECT_EQ(missing["error"]["status"], "NOT_FOUND");
}

// Chromium as root needs --no-sandbox; the network flags keep it from calling out.
std::string Chromium(const std::string& user_data_dir, const std::string& args) {
  return absl::StrCat(
      "timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--disable-dev-shm-usage --hide-scrollbars --user-data-dir=",
      user_data_dir, " ", args, " 2>/dev/null");
}

TEST_F(ReportsE2eTest, PrintablePageInChromium) {
  ASSERT_EQ(RunCommand("command -v chromium").exit_code, 0)
      << "chromium is not installed (deploy/maillage installs it)";
  // Chromium cannot send the gateway's API key: a local forwarder adds what Http() sends.
  httplib::Server forwarder;
  forwarder.Get(".*", [](const httplib::Request& request, httplib::Response& response) {
    auto answer = Http().Get(request.target.c_str());
    if (!answer) {
      response.status = 502;
      return;
    }
    response.status = answer->status;
    response.set_content(answer->body, answer->get_header_value("Content-Type").c_str());
  });
  int port = forwarder.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { forwarder.listen_after_bind(); });
  const std::string url =
      absl::StrCat("http://127.0.0.1:", port, "/v1/actions/fa3/report.html?year=2023");

  char profile_template[] = "/tmp/maillage-chromium-XXXXXX";
  const std::string profile = mkdtemp(profile_template);
  const std::string out_dir = MAILLAGE_REPORT_OUTPUT_DIR;
  mkdir(out_dir.c_str(), 0755);
  const std::string png = out_dir + "/report_fa3_2023.png";
  const std::string pdf = out_dir + "/report_fa3_2023.pdf";
  std::remove(png.c_str());
  std::remove(pdf.c_str());

  CommandResult dom = RunCommand(Chromium(profile, "--dump-dom '" + url + "'"));
  CommandResult shot = RunCommand(
      Chromium(profile, absl::StrCat("--window-size=794,1123 --screenshot=", png, " '", url, "'")));
  CommandResult print = RunCommand(Chromium(
      profile, absl::StrCat("--no-pdf-header-footer --print-to-pdf=", pdf, " '", url, "'")));
  forwarder.stop();
  serving.join();
  RunCommand("rm -rf " + profile);

  ASSERT_EQ(dom.exit_code, 0) << dom.output;
  // The rendered DOM carries the key figures, written the French way.
  EXPECT_NE(dom.output.find("<h1>FA3 – Animation du réseau"), std::string::npos)
      << dom.output.substr(0, 2000);
  EXPECT_NE(dom.output.find("id=\"forecast-charges\">10" NNBSP "000" NNBSP EURO "<"),
            std::string::npos);
  EXPECT_NE(dom.output.find("id=\"forecast-income\">6" NNBSP "000" NNBSP EURO "<"),
            std::string::npos);
  EXPECT_NE(dom.output.find("id=\"announced\">10" NNBSP "000" NNBSP EURO "<"), std::string::npos);
  EXPECT_NE(dom.output.find(
                absl::StrCat("id=\"actors-total\">", CountDataLines("network_partners.csv"), "<")),
            std::string::npos);
  EXPECT_NE(dom.output.find("<svg"), std::string::npos);

  ASSERT_EQ(shot.exit_code, 0) << shot.output;
  struct stat png_stat {};
  ASSERT_EQ(stat(png.c_str(), &png_stat), 0) << "no screenshot at " << png;
  EXPECT_GT(png_stat.st_size, 20000) << "a screenshot of a blank page is small";

  ASSERT_EQ(print.exit_code, 0) << print.output;
  std::ifstream in(pdf, std::ios::binary);
  ASSERT_TRUE(in) << "no PDF at " << pdf;
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string data = bytes.str();
  const std::regex page_object("/Type\\s*/Page[^s]");
  const auto pages = std::distance(std::sregex_iterator(data.begin(), data.end(), page_object),
                                   std::sregex_iterator());
  EXPECT_GE(pages, 1);
  EXPECT_LE(pages, 3) << "the report should print on one to three A4 pages";
  std::cout << "report page: " << png << " and " << pdf << " (" << pages << " pages)\n";
}

// Last: stops the budget binary, then starts it again.
// A funder's key names its funder: Dijon Métropole's reads FA3 (the action, its indicators,
// its whole report with the directory figures) and is refused an action it does not fund,
// through the real binaries.
TEST_F(ReportsE2eTest, AFunderKeyReadsTheActionsItFundsWithTheirDirectoryFigures) {
  httplib::Client admin = Http();
  // FA7, funded by the Région alone.
  auto created = admin.Post("/v1/actions?actionId=fa7",
                            R"({"code":"FA7","title":"Tiers-lieux de l'ESS","startYear":2024,)"
                            R"("endYear":2025,"funders":[{"funderId":"region-bfc",)"
                            R"("displayName":"Région Bourgogne-Franche-Comté",)"
                            R"("kind":"FUNDER_KIND_REGION"}]})",
                            "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  // A funder key must name its funder.
  auto nameless = admin.Post("/v1/apiKeys", R"({"displayName":"Métropole","role":"ROLE_FUNDER"})",
                             "application/json");
  ASSERT_TRUE(nameless);
  EXPECT_EQ(nameless->status, 400) << nameless->body;
  auto key = admin.Post("/v1/apiKeys",
                        R"({"displayName":"Dijon Métropole - suivi FA3","role":"ROLE_FUNDER",)"
                        R"("funderId":"dijon-metropole"})",
                        "application/json");
  ASSERT_TRUE(key);
  ASSERT_EQ(key->status, 200) << key->body;
  json created_key = json::parse(key->body);
  EXPECT_EQ(created_key["apiKey"]["funderId"], "dijon-metropole");
  httplib::Client funder("127.0.0.1", suite_->ports().http);
  funder.set_read_timeout(20, 0);
  funder.set_default_headers({{"x-api-key", created_key["key"].get<std::string>()}});
  auto get = [&](const std::string& path) {
    auto response = funder.Get(path.c_str());
    EXPECT_TRUE(response) << path;
    return response ? std::make_pair(response->status, json::parse(response->body, nullptr, false))
                    : std::make_pair(0, json());
  };
  auto reason = [](const json& body) {
    for (const json& detail : body["error"]["details"]) {
      if (detail.contains("reason")) return detail["reason"].get<std::string>();
    }
    return std::string();
  };

  auto [fa3_status, fa3] = get("/v1/actions/fa3");
  EXPECT_EQ(fa3_status, 200);
  EXPECT_EQ(fa3["code"], "FA3");
  auto [list_status, list] = get("/v1/actions");
  EXPECT_EQ(list_status, 200);
  ASSERT_EQ(list["actions"].size(), 1u) << list.dump();
  EXPECT_EQ(list["actions"][0]["code"], "FA3");
  for (const char* refused :
       {"/v1/actions/fa7", "/v1/actions/fa7/budgets", "/v1/actions/fa7/indicators",
        "/v1/actions/fa7/report?year=2024", "/v1/actions/absent"}) {
    auto [status, body] = get(refused);
    EXPECT_EQ(status, 403) << refused << ": " << body.dump();
    EXPECT_EQ(reason(body), "ACTION_NOT_FUNDED") << refused << ": " << body.dump();
  }

  // Its indicators and its report have the directory's figures, though the key may not read
  // the directory itself.
  auto [actors_status, actors] = get("/v1/actors");
  EXPECT_EQ(actors_status, 403);
  auto [indicators_status, indicators] = get("/v1/actions/fa3/indicators");
  EXPECT_EQ(indicators_status, 200);
  EXPECT_TRUE(indicators.contains("directoryDataTime")) << indicators.dump();
  EXPECT_EQ(indicators["coverageByCommune"].size(),
            static_cast<size_t>(CountDataLines("communes.csv")));
  auto [report_status, report] = get("/v1/actions/fa3/report?year=2023");
  ASSERT_EQ(report_status, 200) << report.dump();
  EXPECT_TRUE(report["partialSections"].empty()) << report["partialSections"].dump();
  EXPECT_EQ(report["reach"]["actorsTotal"], std::to_string(CountDataLines("network_partners.csv")));
  EXPECT_EQ(report["reach"]["communesTotal"], CountDataLines("communes.csv"));
  EXPECT_EQ(report["meetings"]["meetingsPlanned"], CountDataLines("meetings_2023.csv"));
  EXPECT_EQ(report["budget"]["forecastChargesCents"], std::to_string(kSeedForecastCharges2023));
  // The funder reads its own participation as the seed records it (requested).
  ASSERT_EQ(report["budget"]["grants"].size(), 1u) << report["budget"].dump();
  EXPECT_EQ(report["budget"]["grants"][0]["state"], "GRANT_STATE_REQUESTED");
  EXPECT_EQ(report["budget"]["grants"][0]["requestedCents"], "600000");
}

TEST_F(ReportsE2eTest, TheSeedsGrantsAreInTheReportOfEachYear) {
  // deploy/seed/grants.csv: Dijon Métropole's 6 000 € a year, 2023-2025, requested by the fiche
  // action and never notified in the seed (tools/seed/seed_grants.cc says why).
  ASSERT_EQ(CountDataLines("grants.csv"), 3);
  for (int year : {2023, 2024, 2025}) {
    json report = GetJson(absl::StrCat("/v1/actions/fa3/report?year=", year));
    const json& grants = report["budget"]["grants"];
    ASSERT_EQ(grants.size(), 1u) << year << ": " << report["budget"].dump();
    const json& grant = grants[0];
    EXPECT_EQ(grant["funderDisplayName"], "Dijon Métropole") << year;
    EXPECT_EQ(grant["state"], "GRANT_STATE_REQUESTED") << year;
    EXPECT_EQ(grant["stateLabel"], "Demandée") << year;
    EXPECT_EQ(grant["requestedCents"], "600000") << year;
    EXPECT_FALSE(grant.contains("notifiedCents")) << year << ": nothing was notified";
    EXPECT_FALSE(grant.contains("remainingCents")) << year;
    EXPECT_EQ(grant["paidCents"], "0") << year;
    EXPECT_FALSE(grant.contains("justificationDueDate")) << year;

    // The budget service's own record: dated, explained, on the seed's forecast of the year.
    json stored = GetJson(absl::StrCat("/v1/", grant["grant"].get<std::string>()));
    EXPECT_EQ(stored["year"], year);
    EXPECT_EQ(stored["requestDate"]["year"], 2023);
    EXPECT_NE(stored["note"].get<std::string>().find("fiche action 3"), std::string::npos);
    json forecast = GetJson(absl::StrCat("/v1/", stored["budget"].get<std::string>()));
    EXPECT_EQ(forecast["year"], year);
    EXPECT_EQ(forecast["kind"], "BUDGET_KIND_FORECAST");
  }
  auto page = Http().Get("/v1/actions/fa3/report.html?year=2024");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("<td>Dijon Métropole</td><td>Demandée</td><td class=\"n\">6" NNBSP
                            "000" NNBSP EURO "</td>"),
            std::string::npos);
  EXPECT_EQ(page->body.find("Aucune subvention enregistrée"), std::string::npos);

  // Seeding again adds none.
  CommandResult again = suite_->Seed();
  ASSERT_EQ(again.exit_code, 0) << again.output;
  json all = GetJson("/v1/actions/fa3/grants");
  EXPECT_EQ(all["grants"].size(), 3u) << all.dump();
}

TEST_F(ReportsE2eTest, BudgetStoppedGivesAPartialReport) {
  suite_->Kill("budget", SIGTERM);
  json report = GetJson("/v1/actions/fa3/report?year=2023");
  auto page = Http().Get("/v1/actions/fa3/report.html?year=2023");
  suite_->Restart("budget");

  ASSERT_TRUE(report.is_object());
  EXPECT_FALSE(report.contains("budget")) << report.dump();
  EXPECT_FALSE(report.contains("summary"));
  const json* budget = PartialFor(report, "REPORT_SECTION_BUDGET");
  ASSERT_NE(budget, nullptr) << report.dump();
  EXPECT_EQ((*budget)["backend"], "budget");
  EXPECT_EQ((*budget)["code"], "UNAVAILABLE");
  EXPECT_NE((*budget)["message"].get<std::string>().find("indisponible"), std::string::npos);
  EXPECT_NE(PartialFor(report, "REPORT_SECTION_SUMMARY"), nullptr);
  // The other sections are whole.
  EXPECT_EQ(report["meetings"]["meetingsPlanned"], CountDataLines("meetings_2023.csv"));
  EXPECT_EQ(report["reach"]["actorsTotal"], std::to_string(CountDataLines("network_partners.csv")));
  EXPECT_EQ(PartialFor(report, "REPORT_SECTION_MEETINGS"), nullptr);

  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  // Kept beside the screenshots for a person to look at.
  mkdir(MAILLAGE_REPORT_OUTPUT_DIR, 0755);
  std::ofstream(std::string(MAILLAGE_REPORT_OUTPUT_DIR) + "/report_fa3_2023_partial.html")
      << page->body;
  EXPECT_NE(page->body.find("data-partial-section=\"REPORT_SECTION_BUDGET\""), std::string::npos);
  EXPECT_NE(page->body.find("Rapport partiel"), std::string::npos);

  // Back up: the report is whole again once the gateway's channel has reconnected (gRPC's
  // reconnection backoff starts at 1 s).
  json again;
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  do {
    again = GetJson("/v1/actions/fa3/report?year=2023");
    if (again.is_object() && again["partialSections"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  } while (std::chrono::steady_clock::now() < end);
  EXPECT_TRUE(again["partialSections"].empty()) << again["partialSections"].dump();
  EXPECT_EQ(again["budget"]["forecastChargesCents"], std::to_string(kSeedForecastCharges2023));
}

}  // namespace
}  // namespace maillage::testing
