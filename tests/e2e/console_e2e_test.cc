// The staff console's door end to end, through the four binaries: an account made with
// `maillage-gateway users`, its pages (CSP), login and its cookie, API calls made with the
// session (CSRF on writes, the role's permissions), logout, a disabled account, and the audit.
#include <cstdio>
#include <regex>
#include <string>

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
  const std::string folder = absl::StrCat(MAILLAGE_SOURCE_DIR, "/tests/console");
  CommandResult installed = RunCommand(absl::StrCat(
      "cd '", folder,
      "' && (test -d node_modules/puppeteer-core || npm ci --no-audit --no-fund) 2>&1"));
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  CommandResult scenario = RunCommand(absl::StrCat(
      "cd '", folder, "' && node scenario.mjs --url http://127.0.0.1:", suite_->ports().http,
      " --email claire@pes21.fr --password '", password, "' --screenshots '",
      MAILLAGE_CONSOLE_SCREENSHOT_DIR, "' 2>&1"));
  EXPECT_EQ(scenario.exit_code, 0) << scenario.output;
  std::printf("console in the browser: %s\n", scenario.output.c_str());
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
    const std::string folder = absl::StrCat(MAILLAGE_SOURCE_DIR, "/tests/console");
    CommandResult installed = RunCommand(absl::StrCat(
        "cd '", folder,
        "' && (test -d node_modules/puppeteer-core || npm ci --no-audit --no-fund) 2>&1"));
    EXPECT_EQ(installed.exit_code, 0) << installed.output;
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
