// End to end: links that a calendar, a browser or a map can open (services/gateway/links), and
// the public read mode, through the real gateway and the three services, seeded.
//   - Share links: a STAFF key issues them; a client without any header opens them (the
//     calendar feed parsed with libical as a calendar program would, the report page, the
//     GeoJSON); forged, revoked, expired links and links of a revoked key are refused without
//     saying what they were for; a partner cannot issue one; every use is audited with the
//     issuer, never with the token; ETag/304, Cache-Control, the per-link limit.
//   - Public read mode: off, an anonymous read is 401; on, anonymous reads get the public fields
//     of active actors and public meetings only (a contact's e-mail never appears), 304 on
//     If-None-Match, 429 past the per-address limit.
#include <libical/ical.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite.h"
#include "tests/e2e/traffic.h"

namespace maillage::testing {
namespace {

using nlohmann::json;

// A client that sends nothing but the request line and Host: a calendar program subscribed to
// webcal://host/links/..., a browser, a map.
httplib::Client Bare(const Suite& suite) {
  httplib::Client client("127.0.0.1", suite.ports().http);
  client.set_read_timeout(20, 0);
  return client;
}

json Call(const Suite& suite, const std::string& key, const std::string& method,
          const std::string& path, const json& body = json::object(), int want = 200) {
  httplib::Client client("127.0.0.1", suite.ports().http);
  client.set_read_timeout(20, 0);
  client.set_default_headers({{"x-api-key", key}});
  httplib::Result r = method == "GET" ? client.Get(path.c_str())
                                      : client.Post(path.c_str(), body.dump(), "application/json");
  EXPECT_TRUE(r) << method << " " << path;
  if (!r) return json::object();
  EXPECT_EQ(r->status, want) << method << " " << path << ": " << r->body;
  return json::parse(r->body, nullptr, false);
}

// The VEVENTs of an iCalendar text, parsed by libical: their SUMMARY lines.
std::vector<std::string> EventSummaries(const std::string& ics) {
  std::vector<std::string> summaries;
  icalcomponent* calendar = icalparser_parse_string(ics.c_str());
  if (calendar == nullptr) return summaries;
  EXPECT_EQ(icalcomponent_isa(calendar), ICAL_VCALENDAR_COMPONENT);
  for (icalcomponent* event = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT);
       event != nullptr;
       event = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT)) {
    const char* summary = icalcomponent_get_summary(event);
    summaries.push_back(summary == nullptr ? "" : summary);
  }
  icalcomponent_free(calendar);
  return summaries;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ShareLinksE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SuiteOptions options;
    options.env = {{"MAILLAGE_SHARE_LINK_RPS", "1"}, {"MAILLAGE_SHARE_LINK_BURST", "5"}};
    suite_ = new Suite(options);
    CommandResult seed = suite_->Seed();
    ASSERT_EQ(seed.exit_code, 0) << seed.output;
    staff_ = new json(Call(*suite_, Suite::kAdminKey, "POST", "/v1/apiKeys",
                           {{"displayName", "links staff"}, {"role", "ROLE_STAFF"}}));
  }
  static void TearDownTestSuite() {
    delete staff_;
    delete suite_;
    suite_ = nullptr;
  }
  static std::string Staff() { return (*staff_)["key"]; }
  static json Issue(const std::string& key, const json& link, int want = 200) {
    return Call(*suite_, key, "POST", "/v1/shareLinks", link, want);
  }
  // The audit lines of uses of `link` ("shareLinks/7").
  static json UsesOf(const std::string& link) {
    const std::string filter =
        absl::StrCat("reason = AUDIT_REASON_SHARE_LINK_USE AND resource = \"", link, "\"");
    json page = Call(*suite_, Suite::kAdminKey, "GET",
                     absl::StrCat("/v1/auditEntries?pageSize=100&filter=",
                                  httplib::detail::encode_query_param(filter)));
    return page.value("auditEntries", json::array());
  }

  static Suite* suite_;
  static json* staff_;
};

Suite* ShareLinksE2eTest::suite_ = nullptr;
json* ShareLinksE2eTest::staff_ = nullptr;

TEST_F(ShareLinksE2eTest, ACalendarSubscribesToTheFeedByTheLinkAlone) {
  json link = Issue(Staff(), {{"kind", "SHARE_LINK_KIND_ACTION_CALENDAR"},
                              {"action", "actions/fa3"},
                              {"description", "Agenda partagé avec la Métropole"}});
  const std::string path = link.value("urlPath", "");
  ASSERT_TRUE(absl::StartsWith(path, "/links/")) << link.dump();
  ASSERT_TRUE(absl::EndsWith(path, ".ics"));
  EXPECT_EQ(link["state"], "SHARE_LINK_STATE_ACTIVE");
  EXPECT_EQ(link["issuer"], (*staff_)["apiKey"]["name"]);
  EXPECT_EQ(link["issuerRole"], "ROLE_STAFF");
  const std::string token = path.substr(7, 43);

  // What the staff key reads with its key, the calendar reads with the link alone.
  httplib::Client with_key = GatewayClient(*suite_);
  auto direct = with_key.Get("/v1/actions/fa3/calendar");
  ASSERT_TRUE(direct);
  ASSERT_EQ(direct->status, 200);
  auto feed = Bare(*suite_).Get(path.c_str());
  ASSERT_TRUE(feed);
  ASSERT_EQ(feed->status, 200) << feed->body;
  EXPECT_TRUE(absl::StartsWith(feed->get_header_value("Content-Type"), "text/calendar"));
  std::vector<std::string> events = EventSummaries(feed->body);
  EXPECT_EQ(events, EventSummaries(direct->body));
  EXPECT_GE(events.size(), 10u);  // the seed's meetings of 2023
  EXPECT_NE(std::find(events.begin(), events.end(), "Journée de restitution aux élus"),
            events.end());

  // Cacheable: an ETag, private, and 304 when the calendar already has it.
  const std::string etag = feed->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(feed->get_header_value("Cache-Control"), "private, max-age=300");
  auto again = Bare(*suite_).Get(path.c_str(), {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());

  // Every use audited, as the issuing key and role, the path without the token.
  json uses = UsesOf(link["name"]);
  ASSERT_EQ(uses.size(), 2u) << uses.dump();
  for (const json& use : uses) {
    EXPECT_EQ(use["apiKey"], (*staff_)["apiKey"]["name"]);
    EXPECT_EQ(use["role"], "ROLE_STAFF");
    EXPECT_EQ(use["method"], "/maillage.meetings.v1.MeetingsService/GetActionCalendar");
    EXPECT_EQ(use["httpPath"], absl::StrCat("/links/", link["name"].get<std::string>()));
    EXPECT_EQ(use.dump().find(token), std::string::npos);
  }
  // Nor is the token in the gateway's log (written in batches: MAILLAGE_LOG_FLUSH_INTERVAL).
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::string gateway_log = ReadFile(absl::StrCat(suite_->log_dir(), "/gateway.log"));
  EXPECT_NE(gateway_log.find("/links/{token}"), std::string::npos);  // the uses are there
  EXPECT_EQ(gateway_log.find(token), std::string::npos);

  // The link is listed with its uses, never with its token.
  json listed = Call(*suite_, Staff(), "GET", "/v1/shareLinks");
  ASSERT_GE(listed["shareLinks"].size(), 1u);
  EXPECT_EQ(listed.dump().find(token), std::string::npos);
  EXPECT_EQ(listed["shareLinks"][0]["name"], link["name"]);
  EXPECT_EQ(listed["shareLinks"][0]["useCount"], "2");

  // The per-link limit (burst 5 in this suite): 429 with Retry-After, not forever.
  int limited = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = Bare(*suite_).Get(path.c_str());
    ASSERT_TRUE(r);
    if (r->status == 429) {
      ++limited;
      EXPECT_FALSE(r->get_header_value("Retry-After").empty());
    }
  }
  EXPECT_GE(limited, 3);
}

TEST_F(ShareLinksE2eTest, TheReportPageAndTheMapOpenByTheirLinks) {
  json report = Issue(
      Staff(),
      {{"kind", "SHARE_LINK_KIND_ACTION_REPORT"}, {"action", "actions/fa3"}, {"reportYear", 2023}});
  ASSERT_TRUE(absl::EndsWith(report.value("urlPath", ""), ".html")) << report.dump();
  auto page = Bare(*suite_).Get(report["urlPath"].get<std::string>().c_str());
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200) << page->body;
  EXPECT_TRUE(absl::StartsWith(page->get_header_value("Content-Type"), "text/html"));
  auto direct = GatewayClient(*suite_).Get("/v1/actions/fa3/report.html?year=2023");
  ASSERT_TRUE(direct);
  EXPECT_EQ(page->body, direct->body);

  // A map's feed: the GeoJSON of the filter the link was issued for, public properties only.
  Call(*suite_, Suite::kAdminKey, "POST", "/v1/actors",
       {{"displayName", "Garage solidaire des liens"},
        {"email", "garage@liens.example.org"},
        {"phone", "03 80 11 22 33"},
        {"themes", {"mobilite"}},
        {"coordinates", {{"latitude", 47.31}, {"longitude", 5.05}}}});
  json map =
      Issue(Staff(), {{"kind", "SHARE_LINK_KIND_DIRECTORY_GEOJSON"}, {"filter", "theme:mobilite"}});
  ASSERT_TRUE(absl::EndsWith(map.value("urlPath", ""), ".geojson")) << map.dump();
  auto geojson = Bare(*suite_).Get(map["urlPath"].get<std::string>().c_str());
  ASSERT_TRUE(geojson);
  ASSERT_EQ(geojson->status, 200) << geojson->body;
  json features = json::parse(geojson->body)["features"];
  auto all = GatewayClient(*suite_).Get(
      "/v1/actors:export?format=EXPORT_FORMAT_GEOJSON&filter=theme%3Amobilite");
  ASSERT_TRUE(all);
  EXPECT_EQ(features.size(), json::parse(all->body)["features"].size());
  bool found = false;
  for (const json& feature : features) {
    found |= feature["properties"].value("name", "") == "Garage solidaire des liens";
  }
  EXPECT_TRUE(found) << geojson->body;
  EXPECT_EQ(geojson->body.find("garage@liens.example.org"), std::string::npos);
  EXPECT_EQ(geojson->body.find("03 80 11 22 33"), std::string::npos);
  EXPECT_EQ(UsesOf(map["name"]).size(), 1u);
}

TEST_F(ShareLinksE2eTest, ForgedRevokedExpiredAndOrphanedLinksAreRefused) {
  // Forged: 404, and so is a real token with another extension.
  const std::string forged = "/links/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics";
  auto r = Bare(*suite_).Get(forged.c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  json link =
      Issue(Staff(), {{"kind", "SHARE_LINK_KIND_ACTION_CALENDAR"}, {"action", "actions/fa3"}});
  std::string path = link["urlPath"];
  r = Bare(*suite_).Get(absl::StrCat(path.substr(0, path.size() - 4), ".html").c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);

  // Revoked: 410, without naming what it was for.
  json revoked = Call(*suite_, Staff(), "POST",
                      absl::StrCat("/v1/", link["name"].get<std::string>(), ":revoke"));
  EXPECT_EQ(revoked["state"], "SHARE_LINK_STATE_REVOKED");
  r = Bare(*suite_).Get(path.c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 410);
  EXPECT_EQ(r->body.find("fa3"), std::string::npos);
  EXPECT_EQ(r->body.find("calendar"), std::string::npos);
  EXPECT_NE(r->body.find("SHARE_LINK_GONE"), std::string::npos);
  ASSERT_EQ(UsesOf(link["name"]).size(), 1u);  // the refused use is audited too
  EXPECT_EQ(UsesOf(link["name"])[0]["httpStatus"], 410);

  // Expired: 410.
  const auto soon = std::chrono::system_clock::now() + std::chrono::seconds(2);
  const int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(soon.time_since_epoch()).count();
  char expire[32];
  std::time_t t = seconds;
  std::strftime(expire, sizeof expire, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  json brief = Issue(Staff(), {{"kind", "SHARE_LINK_KIND_ACTION_CALENDAR"},
                               {"action", "actions/fa3"},
                               {"expireTime", expire}});
  r = Bare(*suite_).Get(brief["urlPath"].get<std::string>().c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  r = Bare(*suite_).Get(brief["urlPath"].get<std::string>().c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 410);
  // Beyond the longest lifetime, or already past: refused at issue.
  Issue(Staff(),
        {{"kind", "SHARE_LINK_KIND_ACTION_CALENDAR"},
         {"action", "actions/fa3"},
         {"expireTime", "2099-01-01T00:00:00Z"}},
        400);

  // The issuer's key revoked: its links stop opening at once.
  json other = Call(*suite_, Suite::kAdminKey, "POST", "/v1/apiKeys",
                    {{"displayName", "leaving staff"}, {"role", "ROLE_STAFF"}});
  json orphan =
      Issue(other["key"], {{"kind", "SHARE_LINK_KIND_ACTION_CALENDAR"}, {"action", "actions/fa3"}});
  r = Bare(*suite_).Get(orphan["urlPath"].get<std::string>().c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  Call(*suite_, Suite::kAdminKey, "POST",
       absl::StrCat("/v1/", other["apiKey"]["name"].get<std::string>(), ":revoke"));
  r = Bare(*suite_).Get(orphan["urlPath"].get<std::string>().c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 410);
  json listed = Call(*suite_, Suite::kAdminKey, "GET", "/v1/shareLinks");
  bool seen = false;
  for (const json& l : listed["shareLinks"]) {
    if (l["name"] != orphan["name"]) continue;
    seen = true;
    EXPECT_EQ(l["state"], "SHARE_LINK_STATE_ISSUER_REVOKED");
  }
  EXPECT_TRUE(seen);
}

TEST_F(ShareLinksE2eTest, ALinkNeverReadsMoreThanItsIssuer) {
  // Roles that may not make the read cannot grant it: partners and funders issue no link.
  for (const char* role : {"ROLE_PARTNER", "ROLE_FUNDER"}) {
    json key = Call(*suite_, Suite::kAdminKey, "POST", "/v1/apiKeys",
                    {{"displayName", absl::StrCat("no links ", role)},
                     {"role", role},
                     {"funderId", std::string(role) == "ROLE_FUNDER" ? "dijon-metropole" : ""}});
    json refused = Issue(key["key"], {{"kind", "SHARE_LINK_KIND_DIRECTORY_GEOJSON"}}, 403);
    EXPECT_EQ(refused["error"]["status"], "PERMISSION_DENIED") << role;
  }
  // A link is read as its issuer: its audit line names the issuer's key and role, and the read
  // is what that key reads (the staff key's own calendar, byte for byte, in the first test).
  json link = Issue(Staff(), {{"kind", "SHARE_LINK_KIND_DIRECTORY_GEOJSON"}});
  auto r = Bare(*suite_).Get(link["urlPath"].get<std::string>().c_str());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json uses = UsesOf(link["name"]);
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0]["role"], "ROLE_STAFF");
  EXPECT_EQ(uses[0]["apiKey"], (*staff_)["apiKey"]["name"]);
  // Another staff key neither sees nor revokes it.
  json other = Call(*suite_, Suite::kAdminKey, "POST", "/v1/apiKeys",
                    {{"displayName", "other staff"}, {"role", "ROLE_STAFF"}});
  json theirs = Call(*suite_, other["key"], "GET", "/v1/shareLinks");
  EXPECT_EQ(theirs.value("shareLinks", json::array()).size(), 0u);
  Call(*suite_, other["key"], "POST",
       absl::StrCat("/v1/", link["name"].get<std::string>(), ":revoke"), json::object(), 404);
}

TEST_F(ShareLinksE2eTest, AReplayedIssueReturnsTheSameLinkWithoutItsToken) {
  httplib::Client client("127.0.0.1", suite_->ports().http);
  client.set_read_timeout(20, 0);
  const httplib::Headers headers = {{"x-api-key", Staff()},
                                    {"Idempotency-Key", "5f0c7e1a-2b3d-4e5f-8a9b-0c1d2e3f4a5b"}};
  const std::string body =
      json{{"kind", "SHARE_LINK_KIND_ACTION_CALENDAR"}, {"action", "actions/fa3"}}.dump();
  auto first = client.Post("/v1/shareLinks", headers, body, "application/json");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  auto replay = client.Post("/v1/shareLinks", headers, body, "application/json");
  ASSERT_TRUE(replay);
  ASSERT_EQ(replay->status, 200) << replay->body;
  json a = json::parse(first->body), b = json::parse(replay->body);
  EXPECT_EQ(a["name"], b["name"]);
  EXPECT_FALSE(a.value("urlPath", "").empty());
  EXPECT_EQ(b.value("urlPath", ""), "");
}

TEST_F(ShareLinksE2eTest, PublicReadModeIsOffByDefault) {
  auto r = Bare(*suite_).Get("/v1/actors");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  r = Bare(*suite_).Get("/v1/meetings");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

class PublicReadE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SuiteOptions options;
    options.env = {{"MAILLAGE_PUBLIC_READ", "on"},
                   {"MAILLAGE_PUBLIC_READ_RPS", "1"},
                   {"MAILLAGE_PUBLIC_READ_BURST", "40"}};
    suite_ = new Suite(options);
    CommandResult seed = suite_->Seed();
    ASSERT_EQ(seed.exit_code, 0) << seed.output;
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }
  static Suite* suite_;
};

Suite* PublicReadE2eTest::suite_ = nullptr;

TEST_F(PublicReadE2eTest, AnonymousReadsGetPublicFieldsOfActiveActorsAndPublicMeetings) {
  const std::string admin = Suite::kAdminKey;
  json actor = Call(*suite_, admin, "POST", "/v1/actors",
                    {{"displayName", "Ressourcerie publique"},
                     {"email", "accueil@ressourcerie.example.org"},
                     {"coordinates", {{"latitude", 47.3}, {"longitude", 5.0}}}});
  const std::string contact_email = "marie.personne@prive.example.org";
  Call(*suite_, admin, "POST", absl::StrCat("/v1/", actor["name"].get<std::string>(), "/contacts"),
       {{"givenName", "Marie"},
        {"familyName", "Personne"},
        {"email", contact_email},
        {"legalBasis", "LEGAL_BASIS_LEGITIMATE_INTEREST"}});
  json archived = Call(*suite_, admin, "POST", "/v1/actors",
                       {{"displayName", "Association dissoute"},
                        {"coordinates", {{"latitude", 47.3}, {"longitude", 5.0}}}});
  Call(*suite_, admin, "POST",
       absl::StrCat("/v1/", archived["name"].get<std::string>(), ":archive"), json::object());

  httplib::Client anonymous = Bare(*suite_);
  auto list = anonymous.Get("/v1/actors?pageSize=1000");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200) << list->body;
  EXPECT_NE(list->body.find("Ressourcerie publique"), std::string::npos);
  EXPECT_EQ(list->body.find("Association dissoute"), std::string::npos);
  EXPECT_EQ(list->body.find(contact_email), std::string::npos);
  EXPECT_EQ(list->body.find("accueil@ressourcerie.example.org"), std::string::npos);
  EXPECT_EQ(list->get_header_value("Cache-Control"), "public, max-age=60");
  const std::string etag = list->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto cached = anonymous.Get("/v1/actors?pageSize=1000", {{"If-None-Match", etag}});
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->status, 304);

  auto one = anonymous.Get(absl::StrCat("/v1/", actor["name"].get<std::string>()).c_str());
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 200);
  EXPECT_EQ(one->body.find("accueil@"), std::string::npos);
  auto gone = anonymous.Get(absl::StrCat("/v1/", archived["name"].get<std::string>()).c_str());
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
  auto state = anonymous.Get("/v1/actors?filter=state%20%3D%20ARCHIVED");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->body.find("Association dissoute"), std::string::npos);
  auto search = anonymous.Get("/v1/actors:search?query=ressourcerie");
  ASSERT_TRUE(search);
  EXPECT_EQ(search->status, 200) << search->body;
  EXPECT_EQ(search->body.find("accueil@"), std::string::npos);
  auto geojson = anonymous.Get("/v1/actors:export?format=EXPORT_FORMAT_GEOJSON");
  ASSERT_TRUE(geojson);
  ASSERT_EQ(geojson->status, 200) << geojson->body;
  EXPECT_NE(geojson->body.find("Ressourcerie publique"), std::string::npos);
  EXPECT_EQ(geojson->body.find("Association dissoute"), std::string::npos);
  EXPECT_EQ(geojson->body.find("accueil@"), std::string::npos);
  auto csv = anonymous.Get("/v1/actors:export?format=EXPORT_FORMAT_CSV");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 400);

  // Nothing personal: contacts stay behind a key.
  auto contacts =
      anonymous.Get(absl::StrCat("/v1/", actor["name"].get<std::string>(), "/contacts").c_str());
  ASSERT_TRUE(contacts);
  EXPECT_EQ(contacts->status, 401);
  EXPECT_EQ(contacts->body.find(contact_email), std::string::npos);

  // Meetings: the public kinds only, without minutes or attendance.
  auto meetings = anonymous.Get("/v1/meetings?pageSize=1000");
  ASSERT_TRUE(meetings);
  ASSERT_EQ(meetings->status, 200) << meetings->body;
  json listed = json::parse(meetings->body)["meetings"];
  ASSERT_EQ(listed.size(), 2u) << meetings->body;  // the seed's restitution day and Mois de l'ESS
  for (const json& m : listed) {
    EXPECT_TRUE(m["kind"] == "MEETING_KIND_RESTITUTION_DAY" ||
                m["kind"] == "MEETING_KIND_ESS_MONTH_EVENT")
        << m.dump();
    EXPECT_FALSE(m.contains("attendance"));
    EXPECT_EQ(m.value("minutes", ""), "");
  }
  json all = Call(*suite_, admin, "GET", "/v1/meetings?pageSize=1000");
  for (const json& m : all["meetings"]) {
    if (m["kind"] == "MEETING_KIND_RESTITUTION_DAY" || m["kind"] == "MEETING_KIND_ESS_MONTH_EVENT")
      continue;
    auto hidden = anonymous.Get(absl::StrCat("/v1/", m["name"].get<std::string>()).c_str());
    ASSERT_TRUE(hidden);
    EXPECT_EQ(hidden->status, 404);
    break;
  }
  // Writes stay behind a key.
  auto write = anonymous.Post("/v1/actors", R"({"displayName":"x"})", "application/json");
  ASSERT_TRUE(write);
  EXPECT_EQ(write->status, 401);
}

TEST_F(PublicReadE2eTest, AnAddressPastItsLimitGets429) {
  httplib::Client anonymous = Bare(*suite_);
  int limited = 0;
  for (int i = 0; i < 120 && limited == 0; ++i) {
    auto r = anonymous.Get("/v1/actors?pageSize=1");
    ASSERT_TRUE(r);
    if (r->status == 429) {
      ++limited;
      EXPECT_FALSE(r->get_header_value("Retry-After").empty());
      EXPECT_NE(r->body.find("PUBLIC_READ_RATE_LIMITED"), std::string::npos);
    } else {
      EXPECT_EQ(r->status, 200);
    }
  }
  EXPECT_EQ(limited, 1);
}

}  // namespace
}  // namespace maillage::testing
