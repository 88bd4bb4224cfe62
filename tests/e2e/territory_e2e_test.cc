// End to end: a second, made-up network (tests/territory/: three communes of the Finistère, five
// network categories, its themes and meeting kinds, one action with its programme and budget)
// set up from files only. The real binaries start on its reference files
// (MAILLAGE_TERRITORY_FILE, MAILLAGE_CATEGORIES_FILE, MAILLAGE_THEMES_FILE,
// MAILLAGE_MEETING_KINDS_FILE), maillage-seed loads its seed folder, and the
// directory and indicator checks run through the gateway. A bad reference file stops the
// directory with an error naming the file, the line and the field.
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite.h"
#include "tests/e2e/traffic.h"

namespace maillage::testing {
namespace {

using nlohmann::json;

const std::string kTerritory = absl::StrCat(MAILLAGE_SOURCE_DIR, "/tests/territory");

class TerritoryE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SuiteOptions options;
    options.env = {{"MAILLAGE_TERRITORY_FILE", kTerritory + "/communes.csv"},
                   {"MAILLAGE_CATEGORIES_FILE", kTerritory + "/network_categories.csv"},
                   {"MAILLAGE_THEMES_FILE", kTerritory + "/themes.csv"},
                   {"MAILLAGE_MEETING_KINDS_FILE", kTerritory + "/meeting_kinds.csv"}};
    suite_ = new Suite(options);
    CommandResult seed = suite_->Seed(kTerritory + "/seed");
    ASSERT_EQ(seed.exit_code, 0) << seed.output;
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }
  static httplib::Client Http() { return GatewayClient(*suite_, std::chrono::seconds(10)); }
  static json GetJson(const std::string& path) {
    auto response = Http().Get(path.c_str());
    EXPECT_TRUE(response) << path;
    if (!response) return json();
    EXPECT_EQ(response->status, 200) << path << ": " << response->body;
    return json::parse(response->body, nullptr, false);
  }
  static std::set<std::string> Codes(const json& list, const char* field, const char* key) {
    std::set<std::string> codes;
    for (const json& entry : list[field]) codes.insert(entry[key].get<std::string>());
    return codes;
  }
  static Suite* suite_;
};

Suite* TerritoryE2eTest::suite_ = nullptr;

TEST_F(TerritoryE2eTest, ReferenceListsAreTheTerritorysFiles) {
  EXPECT_EQ(Codes(GetJson("/v1/communes?pageSize=100"), "communes", "inseeCode"),
            (std::set<std::string>{"29019", "29075", "29212"}));
  EXPECT_EQ(Codes(GetJson("/v1/networkCategories?pageSize=100"), "networkCategories", "code"),
            (std::set<std::string>{"tiers-lieux", "recycleries", "economie-maritime",
                                   "alimentation", "accompagnement"}));
  EXPECT_EQ(Codes(GetJson("/v1/themes?pageSize=100"), "themes", "code"),
            (std::set<std::string>{"littoral", "reemploi", "cooperation"}));
}

TEST_F(TerritoryE2eTest, ActorsListedByTheTerritorysCategories) {
  json all = GetJson("/v1/actors?pageSize=100");
  EXPECT_EQ(all["actors"].size(), 6u);
  json recycleries = GetJson("/v1/actors?pageSize=100&filter=network_category:recycleries");
  std::set<std::string> names;
  for (const json& actor : recycleries["actors"]) {
    names.insert(actor["displayName"].get<std::string>());
  }
  EXPECT_EQ(names, (std::set<std::string>{"La Recyclerie du Ponant", "Ressourceries"}));
  json types = GetJson("/v1/actors?pageSize=100&filter=kind%20%3D%20STRUCTURE_TYPE");
  ASSERT_EQ(types["actors"].size(), 1u);
  EXPECT_EQ(types["actors"][0]["displayName"], "Ressourceries");
  // A category of Dijon's embedded list is unknown here.
  auto dijon = Http().Post("/v1/actors",
                           R"({"displayName":"MJC","kind":"ACTOR_KIND_ORGANISATION",)"
                           R"("networkCategories":["education-populaire"]})",
                           "application/json");
  ASSERT_TRUE(dijon);
  EXPECT_EQ(dijon->status, 400) << dijon->body;
}

TEST_F(TerritoryE2eTest, CommunesValidatedAgainstTheTerritory) {
  httplib::Client http = Http();
  auto dijon = http.Post("/v1/actors",
                         R"({"displayName":"Hors territoire","kind":"ACTOR_KIND_ORGANISATION",)"
                         R"("networkCategories":["tiers-lieux"],)"
                         R"("address":{"communeInseeCode":"21231"}})",
                         "application/json");
  ASSERT_TRUE(dijon);
  EXPECT_EQ(dijon->status, 400) << dijon->body;
  EXPECT_NE(dijon->body.find("commune"), std::string::npos) << dijon->body;
  auto guipavas = http.Post("/v1/actors",
                            R"({"displayName":"Tiers-lieu de Guipavas",)"
                            R"("kind":"ACTOR_KIND_ORGANISATION",)"
                            R"("networkCategories":["tiers-lieux"],)"
                            R"("address":{"communeInseeCode":"29075"}})",
                            "application/json");
  ASSERT_TRUE(guipavas);
  ASSERT_EQ(guipavas->status, 200) << guipavas->body;
  json created = json::parse(guipavas->body);
  json in_guipavas = GetJson("/v1/actors?pageSize=100&filter=commune%20%3D%20%2229075%22");
  ASSERT_EQ(in_guipavas["actors"].size(), 1u);
  EXPECT_EQ(in_guipavas["actors"][0]["name"], created["name"]);
  auto archived = http.Post(("/v1/" + created["name"].get<std::string>() + ":archive").c_str(),
                            "{}", "application/json");
  ASSERT_TRUE(archived);
  EXPECT_EQ(archived->status, 200) << archived->body;
}

TEST_F(TerritoryE2eTest, IndicatorReportOfTheTerritorysAction) {
  json report = GetJson("/v1/actions/br1/report?year=2024");
  ASSERT_TRUE(report.is_object());
  // The programme of meetings_2024.csv, every meeting planned, one of a kind of the network's
  // own (meeting_kinds.csv) shown with its label.
  EXPECT_EQ(report["meetings"]["meetingsPlanned"], 3);
  ASSERT_EQ(report["meetings"]["meetings"].size(), 3u);
  const json& fete = report["meetings"]["meetings"][2];
  EXPECT_EQ(fete["kind"], "fete-du-port") << fete.dump();
  EXPECT_EQ(fete["kindLabel"], "Fête du port");
  // Reach over the territory: its actors, its three communes, its five categories.
  EXPECT_EQ(report["reach"]["actorsTotal"], "6");
  EXPECT_EQ(report["reach"]["communesTotal"], 3);
  EXPECT_EQ(report["reach"]["byNetworkCategory"].size(), 5u) << report["reach"].dump();
  // The budget of budgets.csv, imported into the action of action.textproto.
  EXPECT_EQ(report["budget"]["forecastChargesCents"], "500000") << report["budget"].dump();
  EXPECT_EQ(report["budget"]["announcedAmountCents"], "500000");
  json indicators = GetJson("/v1/actions/br1/indicators");
  EXPECT_EQ(indicators["meetingsPlanned"], 3) << indicators.dump();
  bool counted = false;
  for (const json& kind : indicators["byMeetingKind"]) {
    if (kind.value("customKind", "") == "fete-du-port") {
      counted = kind["displayName"] == "Fête du port" && kind["meetingsPlanned"] == 1;
    }
  }
  EXPECT_TRUE(counted) << indicators["byMeetingKind"].dump();
}

// The directory refuses to start on a bad categories file, naming the file, line and field.
TEST_F(TerritoryE2eTest, BadCategoriesFileStopsTheDirectory) {
  std::string bad = absl::StrCat(suite_->log_dir(), "/bad_categories.csv");
  std::ofstream(bad) << "code,display_name,description\ntiers-lieux,Tiers-lieux,\n"
                        "Recycleries,Recycleries,\n";
  ChildProcess directory(BinaryPath("maillage-directory"),
                         {{"MAILLAGE_DATABASE_URL", suite_->DatabaseUrl("directory")},
                          {"MAILLAGE_GRPC_PORT", absl::StrCat(FreePort())},
                          {"MAILLAGE_METRICS_PORT", absl::StrCat(FreePort())},
                          {"MAILLAGE_DB_POOL_SIZE", "2"},
                          {"MAILLAGE_PRINCIPAL_SECRET", kTestPrincipalSecret},
                          {"MAILLAGE_TERRITORY_FILE", kTerritory + "/communes.csv"},
                          {"MAILLAGE_CATEGORIES_FILE", bad}},
                         absl::StrCat(suite_->log_dir(), "/directory-bad.log"));
  EXPECT_EQ(directory.Wait(std::chrono::seconds(30)), 2);  // a configuration error
  EXPECT_THAT(directory.Log(),
              ::testing::HasSubstr("MAILLAGE_CATEGORIES_FILE " + bad + " line 3, field code"));
  // The running directory kept its categories.
  EXPECT_EQ(GetJson("/v1/networkCategories?pageSize=100")["networkCategories"].size(), 5u);
}

}  // namespace
}  // namespace maillage::testing
