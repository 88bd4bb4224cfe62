// The staff console's door end to end, through the four binaries: an account made with
// `maillage-gateway users`, its pages (CSP), login and its cookie, API calls made with the
// session (CSRF on writes, the role's permissions), logout, a disabled account, and the audit.
#include <cstdio>
#include <regex>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite.h"
#include "tests/support/child_process.h"

namespace maillage::testing {
namespace {

// tests/console, its npm packages (puppeteer-core, axe-core) installed once: the scenarios run
// in parallel, so under a lock, and only when a previous install did not finish.
std::string ConsoleScenarios() {
  const std::string folder = absl::StrCat(MAILLAGE_SOURCE_DIR, "/tests/console");
  CommandResult installed = RunCommand(
      absl::StrCat("cd '", folder,
                   "' && flock .npm-install.lock sh -c \"test -f node_modules/.installed || "
                   "(npm ci --no-audit --no-fund && touch node_modules/.installed)\" 2>&1"));
  EXPECT_EQ(installed.exit_code, 0) << installed.output;
  return folder;
}

using json = nlohmann::json;

class ConsoleE2eTest : public ::testing::Test {
 protected:
  // The seed first: it loads nothing into a directory that already lists an actor.
  static void SetUpTestSuite() {
    suite_ = new Suite();
    CommandResult seeded = suite_->Seed();
    ASSERT_EQ(seeded.exit_code, 0) << seeded.output;
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }

  // `maillage-gateway users ...` against the suite's gateway database.
  static CommandResult Users(const std::string& arguments) {
    return RunCommand(absl::StrCat("MAILLAGE_DATABASE_URL='", suite_->DatabaseUrl("gateway"), "' ",
                                   BinaryPath("maillage-gateway"), " users ", arguments, " 2>&1"));
  }
  // A new account of `role`; its generated password.
  static std::string AddUser(const std::string& email, const std::string& role) {
    CommandResult made =
        Users(absl::StrCat("add --email ", email, " --role ", role, " --generate-password"));
    EXPECT_EQ(made.exit_code, 0) << made.output;
    std::smatch match;
    EXPECT_TRUE(
        std::regex_search(made.output, match, std::regex("password \\(shown once\\): (\\S+)")))
        << made.output;
    return match.size() > 1 ? match[1].str() : "";
  }

  static httplib::Client Http() {
    httplib::Client client("127.0.0.1", suite_->ports().http);
    client.set_read_timeout(15, 0);
    return client;
  }

  struct Login {
    std::string cookie;  // "maillage_session=..."
    std::string csrf;
    std::string set_cookie;
  };
  static Login LogIn(const std::string& email, const std::string& password) {
    auto response =
        Http().Post("/console/api/login", json{{"email", email}, {"password", password}}.dump(),
                    "application/json");
    EXPECT_TRUE(response && response->status == 200) << (response ? response->body : "none");
    Login login;
    if (!response || response->status != 200) return login;
    login.set_cookie = response->get_header_value("Set-Cookie");
    login.cookie = login.set_cookie.substr(0, login.set_cookie.find(';'));
    login.csrf = json::parse(response->body)["csrfToken"];
    return login;
  }
  static std::string Reason(const std::string& body) {
    json error = json::parse(body, nullptr, false);
    if (error.is_discarded()) return "";
    for (const json& detail : error["error"]["details"]) {
      if (detail.contains("reason")) return detail["reason"];
    }
    return "";
  }

  static Suite* suite_;
};

Suite* ConsoleE2eTest::suite_ = nullptr;

TEST_F(ConsoleE2eTest, PagesAreServedWithAStrictContentSecurityPolicy) {
  auto page = Http().Get("/console/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  const std::string csp = page->get_header_value("Content-Security-Policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(page->body.find("Connexion"), std::string::npos);
  auto script = Http().Get("/console/app.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  // Nothing outside the console's folder.
  for (const char* path : {"/console/../../etc/passwd", "/console/%2e%2e/CMakeLists.txt",
                           "/console/.hidden.js", "/console/CMakeLists.txt"}) {
    auto outside = Http().Get(path);
    ASSERT_TRUE(outside) << path;
    EXPECT_EQ(outside->status, 404) << path << ": " << outside->body.substr(0, 200);
  }
  auto redirect = Http().Get("/console");
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->status, 308);
  EXPECT_EQ(redirect->get_header_value("Location"), "/console/");
}

TEST_F(ConsoleE2eTest, APersonLogsInWorksThroughTheApiWithTheSessionAndLogsOut) {
  const std::string password = AddUser("anne@pes21.fr", "staff");

  auto wrong =
      Http().Post("/console/api/login",
                  json{{"email", "anne@pes21.fr"}, {"password", "not her password"}}.dump(),
                  "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(Reason(wrong->body), "LOGIN_FAILED");
  EXPECT_TRUE(wrong->get_header_value("Set-Cookie").empty());

  Login login = LogIn("Anne@PES21.fr", password);
  EXPECT_NE(login.set_cookie.find("HttpOnly"), std::string::npos) << login.set_cookie;
  EXPECT_NE(login.set_cookie.find("Secure"), std::string::npos) << login.set_cookie;
  EXPECT_NE(login.set_cookie.find("SameSite=Strict"), std::string::npos) << login.set_cookie;
  ASSERT_FALSE(login.csrf.empty());

  httplib::Headers session = {{"Cookie", login.cookie}};
  auto current = Http().Get("/console/api/session", session);
  ASSERT_TRUE(current);
  EXPECT_EQ(current->status, 200);
  EXPECT_EQ(json::parse(current->body)["email"], "anne@pes21.fr");
  EXPECT_EQ(json::parse(current->body)["role"], "ROLE_STAFF");

  // A read with the session alone.
  auto list = Http().Get("/v1/actors?pageSize=5", session);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200) << list->body;

  // A write needs the CSRF token as well.
  const std::string actor = json{{"displayName", "Atelier vélo de la console"}}.dump();
  auto forged = Http().Post("/v1/actors", session, actor, "application/json");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(Reason(forged->body), "CSRF_TOKEN_INVALID");
  httplib::Headers writing = {{"Cookie", login.cookie}, {"X-CSRF-Token", login.csrf}};
  auto created = Http().Post("/v1/actors", writing, actor, "application/json");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 200) << created->body;

  // What a staff key may not do, a staff person may not do either.
  auto keys = Http().Get("/v1/apiKeys", session);
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->status, 403);
  EXPECT_EQ(Reason(keys->body), "PERMISSION_DENIED");

  // The audit log names the person: the login, the failed one, the write.
  httplib::Headers admin = {{"x-api-key", Suite::kAdminKey}};
  auto audit = Http().Get("/v1/auditEntries?pageSize=100", admin);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->status, 200) << audit->body;
  int logins = 0, failed = 0, writes = 0;
  const json entries = json::parse(audit->body)["auditEntries"];
  for (const json& entry : entries) {
    if (entry["reason"] == "AUDIT_REASON_LOGIN" && entry["outcome"] == "OK") ++logins;
    if (entry["reason"] == "AUDIT_REASON_LOGIN" && entry["outcome"] == "UNAUTHENTICATED" &&
        entry["apiKeyPrefix"] == "anne@pes21.fr") {
      ++failed;
    }
    if (entry["reason"] == "AUDIT_REASON_WRITE" && entry["staffAccount"] != "" &&
        entry["method"] == "/maillage.directory.v1.DirectoryService/CreateActor") {
      ++writes;
    }
  }
  EXPECT_GE(logins, 1) << audit->body.substr(0, 3000);
  EXPECT_GE(failed, 1);
  EXPECT_EQ(writes, 1);

  // Logout needs the CSRF token too; afterwards the cookie opens nothing.
  auto forged_logout = Http().Post("/console/api/logout", session, "", "application/json");
  ASSERT_TRUE(forged_logout);
  EXPECT_EQ(forged_logout->status, 403);
  auto logout = Http().Post("/console/api/logout", writing, "", "application/json");
  ASSERT_TRUE(logout);
  EXPECT_EQ(logout->status, 204);
  EXPECT_NE(logout->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  auto after = Http().Get("/v1/actors?pageSize=5", session);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
  EXPECT_EQ(Reason(after->body), "SESSION_EXPIRED");
}

TEST_F(ConsoleE2eTest, DisablingAnAccountEndsItsSessionsAndItsLogins) {
  const std::string password = AddUser("paul@pes21.fr", "funder --funder dijon-metropole");
  Login login = LogIn("paul@pes21.fr", password);
  httplib::Headers session = {{"Cookie", login.cookie}};
  auto before = Http().Get("/console/api/session", session);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 200);

  CommandResult disabled = Users("disable --email paul@pes21.fr");
  EXPECT_EQ(disabled.exit_code, 0) << disabled.output;
  auto after = Http().Get("/console/api/session", session);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
  auto again = Http().Post("/console/api/login",
                           json{{"email", "paul@pes21.fr"}, {"password", password}}.dump(),
                           "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 401);

  CommandResult listed = Users("list");
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_NE(listed.output.find("paul@pes21.fr"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("disabled"), std::string::npos) << listed.output;
}

TEST_F(ConsoleE2eTest, EnsureAdminCreatesTheFirstAdminOnceAndItsPasswordWorks) {
  CommandResult first = Users("ensure-admin --email admin@localhost.test");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  std::smatch match;
  ASSERT_TRUE(
      std::regex_search(first.output, match, std::regex("password \\(shown once\\): (\\S+)")))
      << first.output;
  Login login = LogIn("admin@localhost.test", match[1].str());
  auto keys = Http().Get("/v1/apiKeys", {{"Cookie", login.cookie}});
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->status, 200) << keys->body;
  CommandResult second = Users("ensure-admin --email admin@localhost.test");
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(second.output, "");
}

// The console in Debian's Chromium (tests/console/scenario.mjs, puppeteer-core and axe-core
// installed from npm on first run): accessibility of each page, login, a search with a typo on
// the seed, the 360 px phone width, reload and logout. Screenshots under
// MAILLAGE_CONSOLE_SCREENSHOT_DIR.
TEST_F(ConsoleE2eTest, InARealBrowserTheSeedIsFoundDespiteATypo) {
  const std::string password = AddUser("claire@pes21.fr", "staff");
  const std::string folder = ConsoleScenarios();
  CommandResult scenario = RunCommand(absl::StrCat(
      "cd '", folder, "' && node scenario.mjs --url http://127.0.0.1:", suite_->ports().http,
      " --email claire@pes21.fr --password '", password, "' --screenshots '",
      MAILLAGE_CONSOLE_SCREENSHOT_DIR, "' 2>&1"));
  EXPECT_EQ(scenario.exit_code, 0) << scenario.output;
  std::printf("console in the browser: %s\n", scenario.output.c_str());
}

// The staff accounts through the public admin API (GatewayAdminService): an admin key and an
// admin's session create, list, change and disable them; a staff session and a staff key are
// refused; every write is audited without the password.
TEST_F(ConsoleE2eTest, StaffAccountsAreAdministeredThroughThePublicApiByAdminsOnly) {
  const std::string admin_password = AddUser("gerante@pes21.fr", "admin");
  const std::string staff_password = AddUser("benevole@pes21.fr", "staff");
  Login admin = LogIn("gerante@pes21.fr", admin_password);
  Login staff = LogIn("benevole@pes21.fr", staff_password);
  httplib::Headers as_admin = {{"Cookie", admin.cookie}, {"X-CSRF-Token", admin.csrf}};
  httplib::Headers as_staff = {{"Cookie", staff.cookie}, {"X-CSRF-Token", staff.csrf}};

  // Refused to a non-admin, by session and by key, reads and writes alike.
  const std::string account =
      json{{"staffAccount", {{"email", "marc@pes21.fr"}, {"role", "ROLE_STAFF"}}}}.dump();
  auto list_by_staff = Http().Get("/v1/staffAccounts", as_staff);
  ASSERT_TRUE(list_by_staff);
  EXPECT_EQ(list_by_staff->status, 403);
  EXPECT_EQ(Reason(list_by_staff->body), "PERMISSION_DENIED");
  auto made_by_staff = Http().Post("/v1/staffAccounts", as_staff, account, "application/json");
  ASSERT_TRUE(made_by_staff);
  EXPECT_EQ(made_by_staff->status, 403);
  CommandResult staff_key = RunCommand(absl::StrCat(
      "MAILLAGE_DATABASE_URL='", suite_->DatabaseUrl("gateway"), "' ",
      BinaryPath("maillage-gateway"), " keys create --name 'appli du réseau' --role staff 2>&1"));
  ASSERT_EQ(staff_key.exit_code, 0) << staff_key.output;
  std::smatch key;
  ASSERT_TRUE(std::regex_search(staff_key.output, key, std::regex("(mlg_\\S+)")))
      << staff_key.output;
  auto list_by_key = Http().Get("/v1/staffAccounts", {{"x-api-key", key[1].str()}});
  ASSERT_TRUE(list_by_key);
  EXPECT_EQ(list_by_key->status, 403);

  // An admin's session creates (the password generated and shown once), lists, changes a role.
  auto made = Http().Post("/v1/staffAccounts", as_admin, account, "application/json");
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 200) << made->body;
  const json created = json::parse(made->body);
  const std::string marc = created["staffAccount"]["name"];
  const std::string marc_password = created["generatedPassword"];
  EXPECT_EQ(marc_password.size(), 24u);
  EXPECT_EQ(created["staffAccount"]["state"], "STAFF_ACCOUNT_STATE_ACTIVE");
  Login marc_login = LogIn("marc@pes21.fr", marc_password);
  ASSERT_FALSE(marc_login.cookie.empty());
  auto again = Http().Post("/v1/staffAccounts", as_admin, account, "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(Reason(again->body), "STAFF_ACCOUNT_EXISTS");

  auto listed = Http().Get("/v1/staffAccounts?pageSize=1000", {{"x-api-key", Suite::kAdminKey}});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  EXPECT_NE(listed->body.find("marc@pes21.fr"), std::string::npos);
  EXPECT_EQ(listed->body.find("argon2"), std::string::npos);

  auto promoted = Http().Patch(absl::StrCat("/v1/", marc).c_str(), as_admin,
                               json{{"role", "ROLE_ADMIN"}}.dump(), "application/json");
  ASSERT_TRUE(promoted);
  ASSERT_EQ(promoted->status, 200) << promoted->body;
  EXPECT_EQ(json::parse(promoted->body)["role"], "ROLE_ADMIN");
  auto keys = Http().Get("/v1/apiKeys", {{"Cookie", marc_login.cookie}});
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->status, 200) << "the new role applies to the open session: " << keys->body;

  // Disabled: the session ends; enabled: the person logs in again.
  auto disabled = Http().Post(absl::StrCat("/v1/", marc, ":disable").c_str(), as_admin, "{}",
                              "application/json");
  ASSERT_TRUE(disabled);
  ASSERT_EQ(disabled->status, 200) << disabled->body;
  EXPECT_EQ(json::parse(disabled->body)["state"], "STAFF_ACCOUNT_STATE_DISABLED");
  auto ended = Http().Get("/console/api/session", {{"Cookie", marc_login.cookie}});
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->status, 401);
  auto enabled = Http().Post(absl::StrCat("/v1/", marc, ":enable").c_str(),
                             {{"x-api-key", Suite::kAdminKey}}, "{}", "application/json");
  ASSERT_TRUE(enabled);
  ASSERT_EQ(enabled->status, 200) << enabled->body;
  EXPECT_FALSE(LogIn("marc@pes21.fr", marc_password).cookie.empty());

  // Audited as writes of the admin's person, without the password.
  auto audit = Http().Get(
      "/v1/auditEntries?pageSize=200&filter=method%20%3D%20%22%2Fmaillage.gateway.v1."
      "GatewayAdminService%2FCreateStaffAccount%22",
      {{"x-api-key", Suite::kAdminKey}});
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->status, 200) << audit->body;
  int creations = 0;
  const json entries = json::parse(audit->body)["auditEntries"];
  for (const json& entry : entries) {
    if (entry["reason"] == "AUDIT_REASON_WRITE" && entry["outcome"] == "OK" &&
        entry["staffAccount"] != "") {
      ++creations;
    }
  }
  EXPECT_EQ(creations, 1) << audit->body;
  EXPECT_EQ(audit->body.find(marc_password), std::string::npos);
}

// The budget's life in Debian's Chromium (tests/console/budget.mjs): a coordinator makes a
// clean draft, edits a line into an error and sees the finding beside it, fixes it, submits;
// an admin approves, revises, reads the diff, downloads the CERFA files, and administers the
// staff accounts (refused to the coordinator); a funder reads without the buttons. Runs after
// the seed's scenario (InARealBrowserTheSeedIsFoundDespiteATypo opens the first budget).
TEST_F(ConsoleE2eTest, InARealBrowserABudgetIsSubmittedApprovedRevisedAndAccountsAdministered) {
  const std::string staff_password = AddUser("coordination@pes21.fr", "staff");
  const std::string admin_password = AddUser("direction@pes21.fr", "admin");
  const std::string folder = ConsoleScenarios();
  CommandResult scenario = RunCommand(absl::StrCat(
      "cd '", folder, "' && node budget.mjs --url http://127.0.0.1:", suite_->ports().http,
      " --email coordination@pes21.fr --password '", staff_password,
      "' --admin-email direction@pes21.fr --admin-password '", admin_password, "' --screenshots '",
      MAILLAGE_CONSOLE_SCREENSHOT_DIR, "' 2>&1"));
  EXPECT_EQ(scenario.exit_code, 0) << scenario.output;
  std::printf("budget console in the browser: %s\n", scenario.output.c_str());
}

// The meetings' pages in Debian's Chromium (tests/console/meetings.mjs): three actors made in
// Chenôve and one in Talant, then a meeting of November 2025 planned, the actors of Chenôve
// invited by commune, two checked in, closed with two proposals; a proposal integrated in a new
// roadmap item whose progress is recorded; the roadmap by state; the programme as a calendar
// (keyboard, 360 px); the indicators of 2025 with their charts; the yearly report page opened.
// Screenshots meetings-*.png under MAILLAGE_CONSOLE_SCREENSHOT_DIR.
TEST_F(ConsoleE2eTest, InARealBrowserAProposalFeedsTheRoadmapAndThePeriodsIndicatorsAreCharted) {
  // Chart.js as Debian ships it (libjs-chart.js), under /console/vendor/, read-only, with the
  // console's CSP; nothing outside /usr/share/javascript.
  for (const char* path : {"/console/vendor/chart.js/chart.mjs",
                           "/console/vendor/chart.js/chunks/helpers.segment.mjs"}) {
    auto module = Http().Get(path);
    ASSERT_TRUE(module) << path;
    EXPECT_EQ(module->status, 200) << path;
    EXPECT_EQ(module->get_header_value("Content-Type"), "text/javascript; charset=utf-8") << path;
    EXPECT_NE(module->get_header_value("Content-Security-Policy").find("script-src 'self'"),
              std::string::npos);
  }
  for (const char* path : {"/console/vendor/chart.js/../../../../etc/passwd",
                           "/console/vendor/%2e%2e/%2e%2e/etc/hostname"}) {
    auto outside = Http().Get(path);
    ASSERT_TRUE(outside) << path;
    EXPECT_EQ(outside->status, 404) << path;
  }
  auto written = Http().Post("/console/vendor/chart.js/chart.mjs", "x", "text/plain");
  ASSERT_TRUE(written);
  EXPECT_EQ(written->status, 405);

  const std::string password = AddUser("lea@pes21.fr", "staff");
  httplib::Headers admin = {{"x-api-key", Suite::kAdminKey}};
  for (const auto& [name, insee, city] :
       {std::tuple("Épicerie solidaire de Chenôve", "21166", "Chenôve"),
        std::tuple("Garage solidaire du Mail", "21166", "Chenôve"),
        std::tuple("Jardins partagés du Mail", "21166", "Chenôve"),
        std::tuple("Ressourcerie de Talant", "21617", "Talant")}) {
    const json actor = {{"displayName", name},
                        {"address", {{"city", city}, {"communeInseeCode", insee}}}};
    auto created = Http().Post("/v1/actors", admin, actor.dump(), "application/json");
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 200) << created->body;
  }
  const std::string folder = ConsoleScenarios();
  CommandResult scenario = RunCommand(absl::StrCat(
      "cd '", folder, "' && node meetings.mjs --url http://127.0.0.1:", suite_->ports().http,
      " --email lea@pes21.fr --password '", password, "' --screenshots '",
      MAILLAGE_CONSOLE_SCREENSHOT_DIR, "' 2>&1"));
  EXPECT_EQ(scenario.exit_code, 0) << scenario.output;
  std::printf("meetings in the browser: %s\n", scenario.output.c_str());
}

// The directory's pages in Debian's Chromium (tests/console/directory.mjs) on a suite of their
// own (they import, merge and archive actors): a CSV import checked row by row before it is
// written, the filters with the search and the count kept in the URL, the map, the duplicates
// with their explanation and a merge, archive and unarchive; then the same pages at 10,000
// actors (tests/console/directory_scale.mjs), timed. Screenshots under
// MAILLAGE_CONSOLE_SCREENSHOT_DIR, named directory-*.
class ConsoleDirectoryE2eTest : public ConsoleE2eTest {
 protected:
  // Runs `script` (in tests/console) as `email`, a new staff account; its output.
  static CommandResult RunScenario(const std::string& script, const std::string& email) {
    const std::string password = AddUser(email, "staff");
    const std::string folder = ConsoleScenarios();
    return RunCommand(absl::StrCat("cd '", folder, "' && node ", script,
                                   " --url http://127.0.0.1:", suite_->ports().http, " --email ",
                                   email, " --password '", password, "' --screenshots '",
                                   MAILLAGE_CONSOLE_SCREENSHOT_DIR, "' 2>&1"));
  }
};

TEST_F(ConsoleDirectoryE2eTest, InARealBrowserActorsAreImportedFilteredMappedMergedAndArchived) {
  CommandResult scenario = RunScenario("directory.mjs", "denise@pes21.fr");
  EXPECT_EQ(scenario.exit_code, 0) << scenario.output;
  std::printf("console directory in the browser: %s\n", scenario.output.c_str());
}

TEST_F(ConsoleDirectoryE2eTest, InARealBrowserTheDirectoryStaysFastAtTenThousandActors) {
  CommandResult scenario = RunScenario("directory_scale.mjs", "etienne@pes21.fr");
  EXPECT_EQ(scenario.exit_code, 0) << scenario.output;
  std::printf("console directory at 10,000 actors: %s\n", scenario.output.c_str());
}

}  // namespace
}  // namespace maillage::testing
