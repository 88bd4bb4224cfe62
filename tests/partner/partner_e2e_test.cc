// A partner integrates from the published contract alone: against the real binaries (seeded),
// a client generated from /openapi.json by openapi-typescript + openapi-fetch
// (openapi_client.sh, scenario.ts) and a Python gRPC client built only from the gateway's
// server reflection (reflection_client.py) each list the actors of a category, follow the
// change feed to caught_up and download a GeoJSON, with a partner key sent as
// `Authorization: Bearer`. Neither client uses code of the project; this harness only starts
// the suite and makes the key.
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "maillage/directory/v1/directory_service.pb.h"
#include "maillage/gateway/v1/gateway_admin_service.pb.h"
#include "tests/e2e/suite.h"

namespace maillage::testing {
namespace {

class PartnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    suite_ = new Suite();
    CommandResult seeded = suite_->Seed();
    ASSERT_EQ(seeded.exit_code, 0) << seeded.output;
    httplib::Client admin("127.0.0.1", suite_->ports().http);
    admin.set_read_timeout(15, 0);
    admin.set_default_headers({{"x-api-key", Suite::kAdminKey}});
    auto created = admin.Post("/v1/apiKeys", R"({"displayName":"CRESS","role":"ROLE_PARTNER"})",
                              "application/json");
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 200) << created->body;
    gateway::v1::CreateApiKeyResponse response;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(created->body, &response).ok());
    key_ = new std::string(response.key());
    // The seed's actors have no coordinates, and a GeoJSON feature needs some: the staff
    // places two actors of the category on the map (Dijon), as a network would.
    auto listed = admin.Get("/v1/actors?pageSize=2&filter=network_category%3A%22iae%22");
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->status, 200) << listed->body;
    directory::v1::ListActorsResponse actors;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(listed->body, &actors).ok());
    ASSERT_EQ(actors.actors_size(), 2);
    for (const auto& actor : actors.actors()) {
      auto placed = admin.Patch(absl::StrCat("/v1/", actor.name()),
                                R"({"coordinates":{"latitude":47.3220,"longitude":5.0415}})",
                                "application/json");
      ASSERT_TRUE(placed);
      ASSERT_EQ(placed->status, 200) << placed->body;
    }
  }
  static void TearDownTestSuite() {
    delete suite_;
    delete key_;
  }

  static Suite* suite_;
  static std::string* key_;
};
Suite* PartnerTest::suite_ = nullptr;
std::string* PartnerTest::key_ = nullptr;

TEST_F(PartnerTest, ClientGeneratedFromOpenApiRunsThePartnerScenario) {
  CommandResult run = RunCommand(absl::StrCat(
      MAILLAGE_PARTNER_DIR, "/openapi_client.sh http://127.0.0.1:", suite_->ports().http, " ",
      *key_, " ", MAILLAGE_PARTNER_WORK_DIR, " 2>&1"));
  std::printf("%s", run.output.c_str());  // the scenario's figures, in the test's log
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("OK: partner scenario over the generated OpenAPI client"),
            std::string::npos);
}

TEST_F(PartnerTest, GrpcClientBuiltFromReflectionAloneRunsThePartnerScenario) {
  CommandResult run =
      RunCommand(absl::StrCat("/usr/bin/python3 ", MAILLAGE_PARTNER_DIR,
                              "/reflection_client.py 127.0.0.1:", suite_->ports().gateway_grpc, " ",
                              *key_, " ", MAILLAGE_PARTNER_WORK_DIR, " 2>&1"));
  std::printf("%s", run.output.c_str());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("OK: partner scenario over gRPC, from reflection alone"),
            std::string::npos);
}

}  // namespace
}  // namespace maillage::testing
