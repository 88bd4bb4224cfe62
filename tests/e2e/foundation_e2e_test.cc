// End to end: the four binaries as processes on a real PostgreSQL, the seed loaded through
// the APIs, the directory listed through the gateway's HTTP/JSON door.
#include <signal.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "common/testing/postgres.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite_fixture.h"
#include "tests/e2e/traffic.h"

namespace maillage::testing {
namespace {

using nlohmann::json;

class FoundationE2eTest : public SuiteFixture<Seeded::kYes> {
 protected:
  static httplib::Client Http() { return GatewayClient(*suite_, std::chrono::seconds(10)); }
};

TEST_F(FoundationE2eTest, EveryBinaryServing) {
  for (int port : {suite_->ports().directory, suite_->ports().meetings, suite_->ports().budget}) {
    EXPECT_EQ(HealthOf(absl::StrCat("127.0.0.1:", port)), "SERVING") << port;
  }
  httplib::Client admin("127.0.0.1", suite_->ports().admin);
  auto healthz = admin.Get("/healthz");
  ASSERT_TRUE(healthz);
  EXPECT_EQ(healthz->status, 200);
}

TEST_F(FoundationE2eTest, SeedActorsListedThroughTheGatewayPageByPage) {
  httplib::Client http = Http();
  std::set<std::string> names;
  std::string token;
  int pages = 0;
  do {
    std::string path = "/v1/actors?pageSize=30";
    if (!token.empty()) path += "&pageToken=" + token;
    auto response = http.Get(path.c_str());
    ASSERT_TRUE(response) << path;
    ASSERT_EQ(response->status, 200) << response->body;
    json page = json::parse(response->body);
    for (const json& actor : page["actors"]) {
      EXPECT_TRUE(names.insert(actor["name"].get<std::string>()).second) << "repeated";
      EXPECT_FALSE(actor["displayName"].get<std::string>().empty());
    }
    token = page.value("nextPageToken", "");
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(names.size(), 77u);
  EXPECT_EQ(pages, 3);
}

TEST_F(FoundationE2eTest, OneActorByNameAndAClearNotFound) {
  httplib::Client http = Http();
  auto list = http.Get("/v1/actors?pageSize=1");
  ASSERT_TRUE(list);
  std::string name = json::parse(list->body)["actors"][0]["name"];
  auto one = http.Get(("/v1/" + name).c_str());
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 200);
  EXPECT_EQ(json::parse(one->body)["name"], name);

  auto missing = http.Get("/v1/actors/999999");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  json error = json::parse(missing->body)["error"];
  EXPECT_EQ(error["status"], "NOT_FOUND");
  EXPECT_EQ(error["details"][0]["@type"], "type.googleapis.com/google.rpc.ErrorInfo");
}

TEST_F(FoundationE2eTest, SeedIsLoadedOnce) {
  CommandResult again = suite_->Seed();
  EXPECT_EQ(again.exit_code, 0) << again.output;
  httplib::Client http = Http();
  auto response = http.Get("/v1/actors?pageSize=1000");
  ASSERT_TRUE(response);
  EXPECT_EQ(json::parse(response->body)["actors"].size(), 77u);
}

TEST_F(FoundationE2eTest, BadInputIsInvalidArgumentNamingTheField) {
  httplib::Client http = Http();
  auto response = http.Get("/v1/actors?pageSize=-1");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  json error = json::parse(response->body)["error"];
  EXPECT_EQ(error["status"], "INVALID_ARGUMENT");
  EXPECT_NE(error["message"].get<std::string>().find("page_size"), std::string::npos);
}

// A bad variable is one line on stderr and exit code 2, for every binary.
TEST(StartupTest, BadEnvironmentIsOneClearLine) {
  char folder[] = "/tmp/maillage-env-XXXXXX";
  std::string dir = mkdtemp(folder);
  for (const char* binary :
       {"maillage-directory", "maillage-meetings", "maillage-budget", "maillage-gateway"}) {
    ChildProcess process(BinaryPath(binary),
                         {{"MAILLAGE_GRPC_PORT", "not-a-port"}, {"MAILLAGE_DATABASE_URL", ""}},
                         absl::StrCat(dir, "/", binary, ".log"));
    EXPECT_EQ(process.Wait(std::chrono::seconds(10)), 2) << binary;
    std::string log = process.Log();
    EXPECT_NE(log.find("MAILLAGE_GRPC_PORT=not-a-port"), std::string::npos) << log;
    EXPECT_NE(log.find("MAILLAGE_DATABASE_URL"), std::string::npos) << log;
    EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  }
}

// The placeholders of deploy/k8s/secrets.example.yaml, copied as they are, stop every binary at
// start-up with one line naming the variables, never the value.
TEST(StartupTest, ExamplePlaceholderSecretsAreRefused) {
  char folder[] = "/tmp/maillage-env-XXXXXX";
  std::string dir = mkdtemp(folder);
  const std::string placeholder = "CHANGE-ME-example-only-at-least-32-bytes";
  for (const char* binary :
       {"maillage-directory", "maillage-meetings", "maillage-budget", "maillage-gateway"}) {
    ChildProcess process(
        BinaryPath(binary),
        {{"MAILLAGE_PRINCIPAL_SECRET", placeholder},
         {"PGPASSWORD", "CHANGE-ME-example-only"},
         {"MAILLAGE_DATABASE_URL", "postgresql://ess_x@127.0.0.1:1/ess_x?sslmode=disable"}},
        absl::StrCat(dir, "/", binary, ".placeholder.log"));
    EXPECT_EQ(process.Wait(std::chrono::seconds(10)), 2) << binary;
    std::string log = process.Log();
    EXPECT_NE(log.find("MAILLAGE_PRINCIPAL_SECRET: holds an example placeholder"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("PGPASSWORD: holds an example placeholder"), std::string::npos) << log;
    EXPECT_EQ(log.find("CHANGE-ME-example-only"), std::string::npos) << "value shown: " << log;
    EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  }
}

// A service started while its database is down keeps retrying, reports NOT_SERVING, turns
// SERVING once the database is back, and exits 0 on SIGTERM.
TEST(StartupTest, WaitsForTheDatabaseThenServes) {
  std::unique_ptr<TestPostgres> postgres = TestPostgres::StartPrivate();
  std::string url = postgres->CreateDatabase("ess_directory");
  postgres->Stop();
  char folder[] = "/tmp/maillage-db-XXXXXX";
  std::string dir = mkdtemp(folder);
  int port = FreePort();
  ChildProcess directory(BinaryPath("maillage-directory"),
                         {{"MAILLAGE_DATABASE_URL", url},
                          {"MAILLAGE_GRPC_PORT", absl::StrCat(port)},
                          {"MAILLAGE_METRICS_PORT", "-1"},
                          {"MAILLAGE_PRINCIPAL_SECRET", kTestPrincipalSecret}},
                         dir + "/directory.log");
  std::string address = absl::StrCat("127.0.0.1:", port);
  EXPECT_EQ(WaitForHealth(address, "NOT_SERVING", std::chrono::seconds(10)), "NOT_SERVING");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(HealthOf(address), "NOT_SERVING");
  EXPECT_TRUE(directory.running()) << directory.Log();

  postgres->Start();
  EXPECT_EQ(WaitForHealth(address, "SERVING", std::chrono::seconds(20)), "SERVING")
      << directory.Log();
  directory.Signal(SIGTERM);
  EXPECT_EQ(directory.Wait(std::chrono::seconds(15)), 0) << directory.Log();
  std::string log = directory.Log();
  EXPECT_EQ(log.find("terminate called"), std::string::npos) << log;
}

}  // namespace
}  // namespace maillage::testing
