// End to end: the exchange formats of the ESS ecosystem downloaded from the real gateway and held
// to their published rules by tools that are not maillage's (tests/formats/validate.mjs: ajv,
// jsonld, @placemarkio/check-geojson, installed from npm at test time into tests/formats); and
// the CSV for French spreadsheets (semicolons, UTF-8 byte-order mark) by default.
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite_fixture.h"
#include "tests/e2e/traffic.h"

namespace maillage::testing {
namespace {

using nlohmann::json;

class FormatsE2eTest : public SuiteFixture<Seeded::kNo> {
 protected:
  static httplib::Client Http() { return GatewayClient(*suite_, std::chrono::seconds(30)); }

  static std::string CreateActor(const json& actor) {
    auto response = Http().Post("/v1/actors", actor.dump(), "application/json");
    EXPECT_TRUE(response);
    if (!response) return "";
    EXPECT_EQ(response->status, 200) << response->body;
    return json::parse(response->body, nullptr, false).value("name", "");
  }
};

TEST_F(FormatsE2eTest, ExportsPassTheirFormatsPublishedRules) {
  CreateActor({{"displayName", "Recyclerie de Chenôve"},
               {"legalName", "Association La Recyclerie"},
               {"description",
                "Collecte, remise en état et revente d'objets du quotidien, ateliers de "
                "réparation et chantier d'insertion."},
               {"website", "https://recyclerie.example.org"},
               {"email", "contact@recyclerie.example.org"},
               {"phone", "03 80 00 00 00"},
               {"address",
                {{"lines", {"2 rue des Corroyeurs", "Bâtiment B"}},
                 {"postalCode", "21300"},
                 {"city", "Chenôve"},
                 {"communeInseeCode", "21166"}}},
               {"coordinates", {{"latitude", 47.2931}, {"longitude", 5.0083}}},
               {"siret", "35600000000048"},
               {"essFamily", "ESS_FAMILY_ASSOCIATION"},
               {"networkCategories", {"iae"}},
               {"themes", {"circuits-courts"}},
               {"labels", {{"siaeTypes", {"SIAE_TYPE_ACI"}}}}});
  CreateActor(
      {{"displayName", "Épicerie \"Le Panier\"."},
       {"description", "Épicerie coopérative en circuits courts, ouverte à toutes et tous."},
       {"coordinates", {{"latitude", 47.32}, {"longitude", 5.04}}}});
  CreateActor({{"displayName", "CAE"}, {"kind", "ACTOR_KIND_STRUCTURE_TYPE"}});

  std::string dir = absl::StrCat(suite_->log_dir(), "/exports");
  mkdir(dir.c_str(), 0755);
  const std::pair<const char*, const char*> exports[] = {{"GEOJSON", "actors.geojson"},
                                                         {"DATA_INCLUSION", "data_inclusion.json"},
                                                         {"JSON_LD", "jsonld.json"},
                                                         {"GOGOCARTO", "gogocarto.json"}};
  for (const auto& [format, file] : exports) {
    auto response =
        Http().Get(absl::StrCat("/v1/actors:export?format=EXPORT_FORMAT_", format).c_str());
    ASSERT_TRUE(response) << format;
    ASSERT_EQ(response->status, 200) << format << ": " << response->body;
    std::ofstream(absl::StrCat(dir, "/", file), std::ios::binary) << response->body;
  }

  std::string tools = absl::StrCat(MAILLAGE_SOURCE_DIR, "/tests/formats");
  struct stat st;
  if (stat(absl::StrCat(tools, "/node_modules/ajv").c_str(), &st) != 0) {
    CommandResult install =
        RunCommand(absl::StrCat("cd ", tools, " && npm ci --no-audit --no-fund 2>&1"));
    ASSERT_EQ(install.exit_code, 0) << install.output;
  }
  CommandResult check = RunCommand(absl::StrCat("node ", tools, "/validate.mjs ", dir, " 2>&1"));
  EXPECT_EQ(check.exit_code, 0) << check.output;
  std::cout << check.output;
}

TEST_F(FormatsE2eTest, CsvExportIsForFrenchSpreadsheetsByDefault) {
  CreateActor({{"displayName", "Café des Pratiques"}});
  auto response = Http().Get("/v1/actors:export?format=EXPORT_FORMAT_CSV");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->body.rfind("\xEF\xBB\xBFname;display_name;", 0), 0u)
      << response->body.substr(0, 80);
  EXPECT_NE(response->body.find("Café des Pratiques"), std::string::npos);
}

}  // namespace
}  // namespace maillage::testing
