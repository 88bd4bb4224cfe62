// End to end: hostile input through the gateway's HTTP/JSON door, against the four real
// binaries on a real PostgreSQL. Every hostile request gets the right 4xx naming the field at
// fault (or, for text that is merely unusual, is stored and returned byte for byte), nothing is
// written by a refused request, and every binary is still healthy afterwards.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite_fixture.h"
#include "tests/e2e/traffic.h"

namespace maillage::testing {
namespace {

using nlohmann::json;

// The fields named by the BadRequest of an error envelope (empty when there is none).
std::vector<std::string> FieldsOf(const std::string& body) {
  std::vector<std::string> fields;
  json envelope = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!envelope.is_object() || !envelope.contains("error")) return fields;
  for (const json& detail : envelope["error"].value("details", json::array())) {
    if (detail.value("@type", "") != "type.googleapis.com/google.rpc.BadRequest") continue;
    for (const json& v : detail.value("fieldViolations", json::array())) {
      fields.push_back(v.value("field", ""));
    }
  }
  return fields;
}

// The ErrorInfo reason of an error envelope.
std::string ReasonOf(const std::string& body) {
  json envelope = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!envelope.is_object() || !envelope.contains("error")) return "";
  for (const json& detail : envelope["error"].value("details", json::array())) {
    if (detail.value("@type", "") == "type.googleapis.com/google.rpc.ErrorInfo") {
      return detail.value("reason", "");
    }
  }
  return "";
}

// Field names compared without case and underscores: "budget_line.amount_cents" and
// "budgetLine.amountCents" are the same field.
std::string Folded(absl::string_view field) {
  std::string out;
  for (char c : field) {
    if (c != '_') out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Asserts `response` is `status` with a BadRequest naming a field that contains `field`.
::testing::AssertionResult RefusedNaming(const httplib::Result& response, int status,
                                         absl::string_view field) {
  if (!response) {
    return ::testing::AssertionFailure() << "no HTTP response (" << response.error() << ")";
  }
  if (response->status != status) {
    return ::testing::AssertionFailure()
           << "HTTP " << response->status << " instead of " << status << ": " << response->body;
  }
  std::vector<std::string> fields = FieldsOf(response->body);
  for (const std::string& f : fields) {
    if (absl::StrContains(Folded(f), Folded(field))) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no field containing '" << field << "' in ["
                                       << absl::StrJoin(fields, ", ") << "]: " << response->body;
}

class HostileInputE2eTest : public SuiteFixture<Seeded::kNo> {
 protected:
  // The one place that makes an HTTP client of the gateway (credentials go here).
  static httplib::Client Http() {
    httplib::Client client = GatewayClient(*suite_, std::chrono::seconds(20));
    client.set_write_timeout(20, 0);  // oversized bodies take their time
    return client;
  }

  static httplib::Result Post(const std::string& path, const std::string& body) {
    return Http().Post(path, body, "application/json");
  }
  static httplib::Result Get(const std::string& path) { return Http().Get(path); }

  // Every actor name, all pages.
  static std::vector<std::string> ActorNames() {
    std::vector<std::string> names;
    std::string token;
    do {
      std::string path = "/v1/actors?pageSize=1000&filter=" +
                         httplib::detail::encode_query_param("state = ACTIVE OR state = ARCHIVED");
      if (!token.empty()) path += "&pageToken=" + token;
      auto page = Get(path);
      EXPECT_TRUE(page && page->status == 200) << (page ? page->body : "no response");
      if (!page || page->status != 200) break;
      json body = json::parse(page->body);
      for (const json& a : body.value("actors", json::array())) names.push_back(a["name"]);
      token = body.value("nextPageToken", "");
    } while (!token.empty());
    return names;
  }

  // An actor created through the gateway; its name.
  static std::string CreateActor(const json& actor) {
    auto created = Post("/v1/actors", actor.dump());
    EXPECT_TRUE(created && created->status == 200) << (created ? created->body : "no response");
    if (!created || created->status != 200) return "";
    return json::parse(created->body)["name"];
  }

  // Lines of the test budget.
  static size_t LineCount() {
    auto lines = Get("/v1/" + budget_ + "/lines?pageSize=1000");
    EXPECT_TRUE(lines && lines->status == 200) << (lines ? lines->body : "no response");
    if (!lines || lines->status != 200) return 0;
    return json::parse(lines->body).value("budgetLines", json::array()).size();
  }

  // An action and a draft forecast budget to write lines into (once).
  static void EnsureBudget() {
    if (!budget_.empty()) return;
    json action = {{"code", "HX1"},
                   {"title", "Action des tests hostiles"},
                   {"startYear", 2024},
                   {"endYear", 2025}};
    auto created = Post("/v1/actions?actionId=hx1", action.dump());
    ASSERT_TRUE(created && created->status == 200) << (created ? created->body : "no response");
    json budget = {{"year", 2024}, {"kind", "BUDGET_KIND_FORECAST"}, {"title", "Prévisionnel"}};
    auto made = Post("/v1/actions/hx1/budgets", budget.dump());
    ASSERT_TRUE(made && made->status == 200) << (made ? made->body : "no response");
    budget_ = json::parse(made->body)["name"];
  }

  // Every binary still answers: health SERVING, the gateway ready, a read through it.
  static void ExpectHealthy() {
    for (int port : {suite_->ports().directory, suite_->ports().meetings, suite_->ports().budget}) {
      EXPECT_EQ(HealthOf(absl::StrCat("127.0.0.1:", port)), "SERVING") << port;
    }
    httplib::Client admin("127.0.0.1", suite_->ports().admin);
    auto ready = admin.Get("/readyz");
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->status, 200) << ready->body;
    auto read = Get("/v1/actors?pageSize=1");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->status, 200) << read->body;
  }

  void TearDown() override { ExpectHealthy(); }

  static std::string budget_;
};

std::string HostileInputE2eTest::budget_;

TEST_F(HostileInputE2eTest, SqlInjectionAndControlCharactersAreStoredAndReturnedVerbatim) {
  const std::string injection = "Robert'); DROP TABLE actors; -- \" OR 1=1 /* $1 \\";
  const std::string controls =
      std::string("tab\there, newline\nthere, cr\r, bell\a, esc\x1b[31m, ") +
      "del\x7f, unicode \u2028 \u202e end";
  json actor = {{"displayName", injection},
                {"description", controls},
                {"address", {{"city", "Dijon'; SELECT pg_sleep(10); --"}}}};
  const std::string name = CreateActor(actor);
  ASSERT_FALSE(name.empty());

  auto got = Get("/v1/" + name);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->status, 200) << got->body;
  json back = json::parse(got->body);
  EXPECT_EQ(back["displayName"], injection);
  EXPECT_EQ(back["description"], controls);
  EXPECT_EQ(back["address"]["city"], "Dijon'; SELECT pg_sleep(10); --");

  // In a filter, the same text is a value: it matches nothing, it runs nothing.
  auto filtered =
      Get("/v1/actors?filter=" + httplib::detail::encode_query_param("commune = \"x' OR '1'='1\""));
  ASSERT_TRUE(filtered);
  EXPECT_EQ(filtered->status, 200) << filtered->body;
  EXPECT_TRUE(json::parse(filtered->body).value("actors", json::array()).empty());
  // Searched for, it finds the actor and nothing else broke.
  auto searched =
      Get("/v1/actors:search?query=" + httplib::detail::encode_query_param("Robert'); DROP"));
  ASSERT_TRUE(searched);
  ASSERT_EQ(searched->status, 200) << searched->body;
  std::vector<std::string> found;
  for (const json& result : json::parse(searched->body).value("results", json::array())) {
    found.push_back(result["actor"]["name"]);
  }
  EXPECT_THAT(found, ::testing::Contains(name));
  EXPECT_FALSE(ActorNames().empty());
}

TEST_F(HostileInputE2eTest, DeeplyNestedJsonIsRefusedNamingTheBody) {
  const size_t before = ActorNames().size();
  for (size_t depth : {200u, 100000u}) {
    std::string nested = std::string(depth, '[') + std::string(depth, ']');
    EXPECT_TRUE(
        RefusedNaming(Post("/v1/actors", "{\"displayName\": " + nested + "}"), 400, "actor"))
        << depth;
    std::string objects;
    for (size_t i = 0; i < depth; ++i) objects += "{\"a\":";
    objects += "1" + std::string(depth, '}');
    auto r = Post("/v1/actors", "{\"labels\": " + objects + "}");
    EXPECT_TRUE(RefusedNaming(r, 400, "actor")) << depth;
  }
  // A deeply nested filter (the parser stops at 32 levels).
  for (size_t depth : {40u, 500u}) {
    std::string filter = std::string(depth, '(') + "kind = ORGANISATION" + std::string(depth, ')');
    EXPECT_TRUE(RefusedNaming(
        Get("/v1/actors?filter=" + httplib::detail::encode_query_param(filter)), 400, "filter"))
        << depth;
  }
  // One too long for a URL is refused by the HTTP layer before any parsing (no field to name).
  std::string filter = std::string(5000, '(') + "kind = ORGANISATION" + std::string(5000, ')');
  auto too_long = Get("/v1/actors?filter=" + httplib::detail::encode_query_param(filter));
  ASSERT_TRUE(too_long);
  EXPECT_EQ(too_long->status, 414) << too_long->body;
  EXPECT_EQ(ReasonOf(too_long->body), "BAD_HTTP_REQUEST") << too_long->body;
  EXPECT_EQ(ActorNames().size(), before);
}

TEST_F(HostileInputE2eTest, HugeNumbersAreRefusedNamingTheField) {
  const size_t before = ActorNames().size();
  EXPECT_TRUE(RefusedNaming(Get("/v1/actors?pageSize=99999999999999999999"), 400, "page_size"));
  EXPECT_TRUE(RefusedNaming(Get("/v1/actors?pageSize=-1"), 400, "page_size"));
  EXPECT_TRUE(RefusedNaming(Get("/v1/actors?pageSize=1e400"), 400, "page_size"));
  json actor = {{"displayName", "Grand nombre"},
                {"coordinates", {{"latitude", 1e308}, {"longitude", 4.0}}}};
  EXPECT_TRUE(RefusedNaming(Post("/v1/actors", actor.dump()), 400, "coordinates"));
  // Beyond the range of a double, the JSON itself is refused (naming the body field).
  std::string raw =
      R"({"displayName": "Trop grand", "coordinates": {"latitude": 1e999, "longitude": 4}})";
  EXPECT_TRUE(RefusedNaming(Post("/v1/actors", raw), 400, "actor"));
  EXPECT_EQ(ActorNames().size(), before);

  EnsureBudget();
  const size_t lines = LineCount();
  for (const char* amount :
       {"9223372036854775808", "99999999999999999999999999", "1e30", "\"12abc\"", "1.5"}) {
    std::string line = absl::StrCat(
        R"({"side": "SIDE_CHARGE", "accountCode": "606", "label": "x", "amountCents": )", amount,
        "}");
    EXPECT_TRUE(RefusedNaming(Post("/v1/" + budget_ + "/lines", line), 400, "amount_cents"))
        << amount;
  }
  json year = {{"year", 99999999999LL}, {"kind", "BUDGET_KIND_FORECAST"}};
  EXPECT_TRUE(RefusedNaming(Post("/v1/actions/hx1/budgets", year.dump()), 400, "year"));
  EXPECT_EQ(LineCount(), lines);
}

TEST_F(HostileInputE2eTest, NegativeAndOverflowingAmounts) {
  EnsureBudget();
  const size_t lines = LineCount();
  // Above the ceiling of a line (10^13 euros), and the largest int64.
  for (const char* cents : {"1000000000000001", "9223372036854775807", "-9223372036854775808"}) {
    json line = {{"side", "SIDE_CHARGE"},
                 {"accountCode", "606"},
                 {"label", "Achats"},
                 {"amountCents", cents}};
    EXPECT_TRUE(RefusedNaming(Post("/v1/" + budget_ + "/lines", line.dump()), 400, "amount_cents"))
        << cents;
  }
  EXPECT_EQ(LineCount(), lines);

  // Amounts that must be positive.
  json action = {{"code", "HX2"},
                 {"title", "Montants négatifs"},
                 {"startYear", 2024},
                 {"endYear", 2024},
                 {"years", {{{"year", 2024}, {"announcedAmountCents", "-100"}}}}};
  EXPECT_TRUE(RefusedNaming(Post("/v1/actions?actionId=hx2", action.dump()), 400,
                            "announced_amount_cents"));
  action["years"] = {{{"year", 2024}, {"announcedAmountCents", "9223372036854775807"}}};
  EXPECT_TRUE(RefusedNaming(Post("/v1/actions?actionId=hx2", action.dump()), 400,
                            "announced_amount_cents"));
  auto missing = Get("/v1/actions/hx2");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404) << missing->body;

  // A negative line is what people write (a refund): kept as written, and validation names it.
  json refund = {{"side", "SIDE_CHARGE"},
                 {"accountCode", "606"},
                 {"label", "Avoir fournisseur"},
                 {"amountCents", "-5000"}};
  auto stored = Post("/v1/" + budget_ + "/lines", refund.dump());
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->status, 200) << stored->body;
  EXPECT_EQ(json::parse(stored->body)["amountCents"], "-5000");
  auto validated = Get("/v1/" + budget_ + ":validate");
  ASSERT_TRUE(validated);
  ASSERT_EQ(validated->status, 200) << validated->body;
  EXPECT_TRUE(absl::StrContains(validated->body, "NEGATIVE_AMOUNT")) << validated->body;
}

// Invalid UTF-8 in a JSON string or a query parameter: 400 naming the string's own field.
TEST_F(HostileInputE2eTest, InvalidUtf8IsRefusedNamingTheField) {
  const size_t before = ActorNames().size();
  std::string body = "{\"displayName\": \"caf\xC3\x28 \xFF\xFE\"}";
  EXPECT_TRUE(RefusedNaming(Post("/v1/actors", body), 400, "display_name"));
  EXPECT_TRUE(RefusedNaming(Get("/v1/actors?filter=commune%20%3D%20%22%C3%28%22"), 400, "filter"));
  EXPECT_EQ(ActorNames().size(), before);
}

TEST_F(HostileInputE2eTest, OversizedBodiesAndHeadersAreRefused) {
  const size_t before = ActorNames().size();
  json actor = {{"displayName", "Gros"}, {"description", std::string(5 << 20, 'x')}};
  auto big = Post("/v1/actors", actor.dump());
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413) << big->body.substr(0, 500);
  EXPECT_EQ(ReasonOf(big->body), "BODY_TOO_LARGE") << big->body.substr(0, 500);
  // Under the body limit but over the field's: named.
  actor["description"] = std::string(20000, 'x');
  EXPECT_TRUE(RefusedNaming(Post("/v1/actors", actor.dump()), 400, "description"));

  httplib::Client client = Http();
  httplib::Headers headers = {{"X-Padding", std::string(64 << 10, 'h')},
                              {"x-api-key", Suite::kAdminKey}};
  auto huge_header = client.Get("/v1/actors?pageSize=1", headers);
  if (huge_header) {
    EXPECT_GE(huge_header->status, 400);
    EXPECT_LT(huge_header->status, 500) << huge_header->body;
  }  // or the connection is closed: refused either way
  headers = {{"X-Request-Timeout", std::string(5000, '9') + "s"}, {"x-api-key", Suite::kAdminKey}};
  EXPECT_TRUE(
      RefusedNaming(client.Get("/v1/actors?pageSize=1", headers), 400, "x-request-timeout"));
  EXPECT_EQ(ActorNames().size(), before);
}

TEST_F(HostileInputE2eTest, PathTraversalInNamesIsRefusedOrHarmless) {
  for (const char* path :
       {"/v1/actors/..%2F..%2Fetc", "/v1/actors/..%2F..%2Fetc%2Fpasswd", "/v1/actors/%2E%2E",
        "/v1/actors/1%00", "/v1/actors/-1", "/v1/actors/99999999999999999999"}) {
    EXPECT_TRUE(RefusedNaming(Get(path), 400, "name")) << path;
  }
  for (const char* path : {"/v1/actors/../../etc/passwd", "/v1/../../etc/passwd"}) {
    auto r = Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path << ": " << r->body;
    EXPECT_FALSE(absl::StrContains(r->body, "root:")) << path;
  }
  EXPECT_TRUE(RefusedNaming(
      Http().Patch("/v1/actors/..%2F1", R"({"displayName": "x"})", "application/json"), 400,
      "name"));
  // A traversal-looking display name is only text.
  const std::string name = CreateActor({{"displayName", "../../etc/passwd"}});
  ASSERT_FALSE(name.empty());
  auto got = Get("/v1/" + name);
  ASSERT_TRUE(got);
  EXPECT_EQ(json::parse(got->body)["displayName"], "../../etc/passwd");
}

TEST_F(HostileInputE2eTest, ForgedPageTokensAreRefusedNamingPageToken) {
  for (int i = 0; i < 3; ++i) CreateActor({{"displayName", absl::StrCat("Page ", i)}});
  auto first = Get("/v1/actors?pageSize=1");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  const std::string token = json::parse(first->body).value("nextPageToken", "");
  ASSERT_FALSE(token.empty());

  std::string altered = token;
  altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
  for (const std::string& forged :
       {std::string("AAAA"), std::string("not a token"), altered, std::string(5000, 'A'),
        std::string("cDE6cDE"), token + "AAAA"}) {
    EXPECT_TRUE(RefusedNaming(
        Get("/v1/actors?pageSize=1&pageToken=" + httplib::detail::encode_query_param(forged)), 400,
        "page_token"))
        << forged.substr(0, 60);
  }
  // A real token for another query.
  EXPECT_TRUE(RefusedNaming(Get("/v1/actors?pageSize=1&filter=kind%20%3D%20ORGANISATION&"
                                "pageToken=" +
                                token),
                            400, "page_token"));
  // The genuine one still works.
  auto second = Get("/v1/actors?pageSize=1&pageToken=" + token);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200) << second->body;
}

TEST_F(HostileInputE2eTest, UnknownEnumValuesAreRefusedNamingTheField) {
  const size_t before = ActorNames().size();
  EXPECT_TRUE(RefusedNaming(
      Post("/v1/actors", R"({"displayName": "Vaisseau", "kind": "ACTOR_KIND_SPACESHIP"})"), 400,
      "kind"));
  EXPECT_TRUE(RefusedNaming(Post("/v1/actors", R"({"displayName": "Vaisseau", "kind": 999})"), 400,
                            "kind"));
  EXPECT_TRUE(
      RefusedNaming(Post("/v1/actors", R"({"displayName": "Vaisseau", "essFamily": "PIRATES"})"),
                    400, "ess_family"));
  EXPECT_TRUE(RefusedNaming(Get("/v1/actors?filter=state%20%3D%20FLYING"), 400, "filter"));
  EXPECT_TRUE(RefusedNaming(Get("/v1/actors:export?separator=PIPE"), 400, "separator"));
  EXPECT_EQ(ActorNames().size(), before);

  EnsureBudget();
  const size_t lines = LineCount();
  EXPECT_TRUE(RefusedNaming(
      Post("/v1/" + budget_ + "/lines",
           R"({"side": "SIDE_SIDEWAYS", "accountCode": "606", "label": "x", "amountCents": "1"})"),
      400, "side"));
  EXPECT_TRUE(
      RefusedNaming(Post("/v1/" + budget_ + "/lines",
                         R"({"side": 42, "accountCode": "606", "label": "x", "amountCents": "1"})"),
                    400, "side"));
  EXPECT_EQ(LineCount(), lines);
}

}  // namespace
}  // namespace maillage::testing
