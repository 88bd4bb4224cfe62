// End to end: raw file uploads through the real gateway (services/gateway/routing/
// upload_routes.h): a CSV of actors in Windows-1252 as French Excel writes it, a dry run that
// writes nothing, a SIRENE extract larger than the JSON body limit streamed as it is sent, a
// budget table, and the 413 / 415 refusals.
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite_fixture.h"
#include "tests/e2e/traffic.h"
#include "tests/support/hostile_clients.h"
#include "tests/support/sirene_files.h"

namespace maillage::testing {
namespace {

using nlohmann::json;

constexpr size_t kJsonLimit = 4 << 20;  // the gateway's MAILLAGE_MAX_BODY_BYTES default

class UploadsE2eTest : public SuiteFixture<Seeded::kNo> {
 protected:
  static httplib::Client Http() { return GatewayClient(*suite_, std::chrono::seconds(120)); }

  static json Parse(const httplib::Result& response) {
    return json::parse(response->body, nullptr, false);
  }

  // The actors of `commune` whose display name is `name`.
  static int CountNamed(const std::string& name, const std::string& commune) {
    httplib::Params params{{"filter", absl::StrCat("commune = \"", commune, "\"")},
                           {"pageSize", "1000"}};
    auto response = Http().Get("/v1/actors", params, httplib::Headers{});
    EXPECT_TRUE(response);
    if (!response) return -1;
    EXPECT_EQ(response->status, 200) << response->body;
    int count = 0;
    for (const json& actor : Parse(response).value("actors", json::array())) {
      count += actor.value("displayName", "") == name;
    }
    return count;
  }

  // The status and body of a request sent over a raw socket (headers as given, no body).
  static int RawStatus(const std::string& request, std::string* body) {
    int fd = ConnectFrom("127.0.0.1", suite_->ports().http);
    const int status = RawExchange(fd, request, std::chrono::seconds(10), body);
    ::close(fd);
    return status;
  }
};

// "Épicerie Solidaire de Chenôve" as French Excel saves it: Windows-1252, semicolons.
const char kWindows1252Csv[] =
    "display_name;address.city;address.commune_insee_code\r\n"
    "\xC9picerie Solidaire de Chen\xF4ve;Chen\xF4ve;21166\r\n";

TEST_F(UploadsE2eTest, AWindows1252CsvIsImportedAsTheRawBody) {
  auto response =
      Http().Post("/v1/actors:import", kWindows1252Csv, "text/csv; charset=windows-1252");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  json report = Parse(response);
  EXPECT_EQ(report["createdCount"], 1);
  EXPECT_EQ(report["detectedEncoding"], "TEXT_ENCODING_WINDOWS_1252");
  EXPECT_EQ(report["detectedSeparator"], "CSV_SEPARATOR_SEMICOLON");
  EXPECT_EQ(CountNamed("Épicerie Solidaire de Chenôve", "21166"), 1);

  // Without a charset, the encoding is detected as the importer does: the same file again
  // matches the same actor and changes nothing.
  response = Http().Post("/v1/actors:import", kWindows1252Csv, "text/csv");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  report = Parse(response);
  EXPECT_EQ(report["unchangedCount"], 1);
  EXPECT_EQ(report["detectedEncoding"], "TEXT_ENCODING_WINDOWS_1252");
}

TEST_F(UploadsE2eTest, ADryRunReportsAndWritesNothing) {
  const std::string csv =
      "display_name,address.city,address.commune_insee_code\nRessourcerie à l'essai,Talant,21617\n";
  auto response =
      Http().Post("/v1/actors:import?validateOnly=true", csv, "text/csv; charset=utf-8");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  json report = Parse(response);
  EXPECT_EQ(report["createdCount"], 1);
  EXPECT_EQ(report["detectedEncoding"], "TEXT_ENCODING_UTF8");
  EXPECT_EQ(CountNamed("Ressourcerie à l'essai", "21617"), 0);
}

// A file refused for many rows: the error reaches the client as a 400 naming the first rows and
// how many more (the details are bounded so that they fit in gRPC's trailers; unbounded, they
// came back as a 429 "metadata size exceeds limit").
TEST_F(UploadsE2eTest, AFileRefusedForManyRowsIsA400NamingTheFirstRows) {
  std::string csv = "display_name,siret,address.city,address.commune_insee_code\n";
  for (int row = 0; row < 300; ++row) {
    absl::StrAppend(&csv, "Atelier ", row, ",12345678901234,Dijon,21231\n");
  }
  auto response = Http().Post("/v1/actors:import", csv, "text/csv; charset=utf-8");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 400) << response->body.substr(0, 500);
  json error = Parse(response)["error"];
  EXPECT_EQ(error["status"], "INVALID_ARGUMENT");
  bool more = false;
  for (const json& detail : error["details"]) {
    if (!detail.contains("fieldViolations")) continue;
    const json& violations = detail["fieldViolations"];
    ASSERT_GT(violations.size(), 1u);
    EXPECT_NE(violations[0]["field"].get<std::string>().find("siret"), std::string::npos);
    more = violations.back()["description"].get<std::string>().find("more field violation") !=
           std::string::npos;
  }
  EXPECT_TRUE(more) << response->body.substr(0, 2000);
}

// A SIRENE extract of more than the JSON body limit, sent chunked as it is generated: the
// gateway streams it to the directory, which reads every row.
TEST_F(UploadsE2eTest, ASireneExtractLargerThanTheJsonLimitIsStreamed) {
  SyntheticSireneOptions options;
  options.rows = 20000;
  options.territory_every = 1000;
  SyntheticSireneExtract extract(options);
  size_t sent = 0;
  httplib::Client http = Http();
  auto response = http.Post(
      "/v1/actors:importSirene?extractDate=2026-12-01&createMissing=true",
      [&](size_t, httplib::DataSink& sink) {
        std::string chunk;
        if (extract.Next(chunk, 256 << 10)) {
          sent += chunk.size();
          sink.write(chunk.data(), chunk.size());
        } else {
          sink.done();
        }
        return true;
      },
      "text/csv");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_GT(sent, kJsonLimit);
  json report = Parse(response);
  EXPECT_EQ(report["rowsRead"], std::to_string(options.rows));
  EXPECT_EQ(report["keptCount"], std::to_string(extract.territory_rows()));
  EXPECT_EQ(report["createdCount"], std::to_string(extract.ess_rows()));
  EXPECT_EQ(report["provenance"]["source"], "sirene") << report.dump();
}

TEST_F(UploadsE2eTest, ABudgetTableIsImportedAsTheRawBody) {
  auto action = Http().Post(
      "/v1/actions",
      json{{"code", "UP1"}, {"title", "Téléversement"}, {"startYear", 2025}, {"endYear", 2026}}
          .dump(),
      "application/json");
  ASSERT_TRUE(action);
  ASSERT_EQ(action->status, 200) << action->body;
  const std::string name = Parse(action)["name"];
  const std::string table =
      "CHARGES;Montant;PRODUITS;Montant\r\n"
      "60 - Achats;200;70 - Ventes de produits;200\r\n"
      "606 - Fournitures non stock\xE9"
      "es;200;;\r\n"
      "TOTAL;200;TOTAL;200\r\n";
  auto response = Http().Post(absl::StrCat("/v1/", name,
                                           "/budgets:import?year=2025&kind=BUDGET_KIND_FORECAST"
                                           "&validateOnly=true")
                                  .c_str(),
                              table, "text/csv; charset=windows-1252");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  json report = Parse(response);
  EXPECT_GT(report["rowsRead"].get<int>(), 0) << report.dump();
  EXPECT_NE(report.dump().find("Fournitures non stockées"), std::string::npos) << report.dump();
}

TEST_F(UploadsE2eTest, OversizedUploadsAre413NamingTheRouteLimit) {
  // Announced too large: refused before a byte of the body is read.
  std::string body;
  EXPECT_EQ(
      RawStatus(absl::StrCat(
                    "POST /v1/actors:import HTTP/1.1\r\nHost: x\r\nx-api-key: ", Suite::kAdminKey,
                    "\r\nContent-Type: text/csv\r\nContent-Length: ", 64 << 20, "\r\n\r\n"),
                &body),
      413);
  EXPECT_NE(body.find("BODY_TOO_LARGE"), std::string::npos) << body;
  EXPECT_NE(body.find(std::to_string((8 << 20) - (64 << 10))), std::string::npos) << body;

  // Sent chunked without a length: cut when it passes the budget table's 4 MiB.
  size_t sent = 0;
  httplib::Client http = Http();
  auto response = http.Post(
      "/v1/actions/1/budgets:import?year=2025&kind=BUDGET_KIND_FORECAST",
      [&](size_t, httplib::DataSink& sink) {
        if (sent > (8u << 20)) {
          sink.done();
          return true;
        }
        const std::string rows(64 << 10, 'a');
        sent += rows.size();
        return sink.write(rows.data(), rows.size());
      },
      "text/csv");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413) << response->body;
  EXPECT_NE(response->body.find(std::to_string(4 << 20)), std::string::npos) << response->body;
}

TEST_F(UploadsE2eTest, UnsupportedContentTypesAre415) {
  for (const char* type : {"application/xml", "text/csv; charset=utf-16", "image/png"}) {
    auto response = Http().Post("/v1/actors:import", "a,b\n", type);
    ASSERT_TRUE(response) << type;
    EXPECT_EQ(response->status, 415) << type << ": " << response->body;
    EXPECT_NE(response->body.find("UNSUPPORTED_MEDIA_TYPE"), std::string::npos) << response->body;
  }
  // INSEE's files are UTF-8: the SIRENE import takes no other charset.
  auto response = Http().Post("/v1/actors:importSirene?extractDate=2026-12-01", "siren\n",
                              "text/csv; charset=windows-1252");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 415) << response->body;
  // The JSON request still works on the same routes.
  response =
      Http().Post("/v1/actors:import",
                  json{{"csvData", "ZGlzcGxheV9uYW1lCkpTT04K"}, {"validateOnly", true}}.dump(),
                  "application/json");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
}

// /openapi.json describes the raw bodies: text/csv content and the route's limit.
TEST_F(UploadsE2eTest, TheContractShowsTheCsvBodies) {
  auto response = Http().Get("/openapi.json");
  ASSERT_TRUE(response);
  json openapi = Parse(response);
  json operation = openapi["paths"]["/v1/actors:importSirene"]["post"];
  ASSERT_TRUE(operation["requestBody"]["content"].contains("text/csv")) << operation.dump();
  EXPECT_EQ(operation["x-upload-max-bytes"], size_t{2} << 30);
}

}  // namespace
}  // namespace maillage::testing
