#include "common/server/build_info.h"

#include <string>
#include <vector>

#include "common/server/server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace maillage::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(BuildInfoTest, ValuesAreFilledByTheBuild) {
  const BuildInfo& info = GetBuildInfo();
  EXPECT_FALSE(info.version.empty());
  EXPECT_FALSE(info.revision.empty());
  // The tests are configured as the runner does (-DCMAKE_BUILD_TYPE=Release), never empty.
  EXPECT_NE(info.build_type, "unknown");
  EXPECT_FALSE(info.build_type.empty());
}

TEST(BuildInfoTest, VersionTextNamesTheBuildAndEveryDependency) {
  std::string text = VersionText("maillage-directory");
  const BuildInfo& info = GetBuildInfo();
  EXPECT_THAT(text, HasSubstr("maillage-directory " + info.version));
  EXPECT_THAT(text, HasSubstr("revision " + info.revision));
  EXPECT_THAT(text, HasSubstr(info.build_type));
  for (const char* dependency :
       {"gRPC 1.", "protobuf 3.", "libpq 15.", "libpqxx 6.", "OpenSSL 3."}) {
    EXPECT_THAT(text, HasSubstr(std::string("\n  ") + dependency)) << text;
  }
}

TEST(BuildInfoTest, PrintVersionIfAskedOnlyForTheFlag) {
  char program[] = "/usr/local/bin/maillage-budget";
  char flag[] = "--version";
  char other[] = "replay-erasures";
  char* with_flag[] = {program, flag, nullptr};
  char* without[] = {program, other, nullptr};
  char* alone[] = {program, nullptr};
  EXPECT_FALSE(PrintVersionIfAsked(2, without));
  EXPECT_FALSE(PrintVersionIfAsked(1, alone));
  testing::internal::CaptureStdout();
  EXPECT_TRUE(PrintVersionIfAsked(2, with_flag));
  std::string printed = testing::internal::GetCapturedStdout();
  EXPECT_THAT(printed, HasSubstr("maillage-budget " + GetBuildInfo().version));
  EXPECT_THAT(printed, Not(HasSubstr("/usr/local/bin")));
}

TEST(BuildInfoTest, ServerExportsTheBuildInfoMetric) {
  ServerOptions options;
  options.service_name = "build-info-test";
  Server server(options, {});
  const BuildInfo& info = GetBuildInfo();
  bool found = false;
  for (const prometheus::MetricFamily& family : server.metrics().Collect()) {
    if (family.name != "maillage_build_info") continue;
    ASSERT_EQ(family.metric.size(), 1u);
    const prometheus::ClientMetric& metric = family.metric.front();
    EXPECT_EQ(metric.gauge.value, 1);
    std::vector<std::pair<std::string, std::string>> labels;
    for (const auto& label : metric.label) labels.emplace_back(label.name, label.value);
    EXPECT_THAT(labels,
                testing::UnorderedElementsAre(testing::Pair("version", info.version),
                                              testing::Pair("revision", info.revision),
                                              testing::Pair("build_type", info.build_type)));
    found = true;
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace maillage::server
