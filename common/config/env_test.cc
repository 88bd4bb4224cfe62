#include "common/config/env.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::config {
namespace {

TEST(EnvTest, DefaultsWhenUnset) {
  Env env(std::map<std::string, std::string>{});
  EXPECT_EQ(env.Port("P", 9101), 9101);
  EXPECT_EQ(env.String("S", "x"), "x");
  EXPECT_TRUE(env.Bool("B", true));
  EXPECT_EQ(env.Duration("D", std::chrono::milliseconds(5)), std::chrono::milliseconds(5));
  EXPECT_THAT(env.Finish(), IsOk());
}

TEST(EnvTest, ParsesValues) {
  Env env({{"P", "0"}, {"D", "5s"}, {"E", "250ms"}, {"M", "2m"}, {"B", "off"}, {"L", "debug"}});
  EXPECT_EQ(env.Port("P", 1), 0);
  EXPECT_EQ(env.Duration("D", {}), std::chrono::milliseconds(5000));
  EXPECT_EQ(env.Duration("E", {}), std::chrono::milliseconds(250));
  EXPECT_EQ(env.Duration("M", {}), std::chrono::milliseconds(120000));
  EXPECT_FALSE(env.Bool("B", true));
  EXPECT_EQ(env.OneOf("L", "info", {"debug", "info"}), "debug");
  EXPECT_THAT(env.Finish(), IsOk());
}

TEST(EnvTest, EveryErrorInOneLine) {
  Env env({{"MAILLAGE_GRPC_PORT", "70000"},
           {"MAILLAGE_DB_POOL_SIZE", "lots"},
           {"MAILLAGE_LOG_LEVEL", "loud"}});
  env.Port("MAILLAGE_GRPC_PORT", 9101);
  env.Int("MAILLAGE_DB_POOL_SIZE", 8, 1, 256);
  env.Required("MAILLAGE_DATABASE_URL");
  env.OneOf("MAILLAGE_LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  absl::Status s = env.Finish();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  std::string m(s.message());
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_NE(m.find("MAILLAGE_GRPC_PORT=70000: expected an integer from 0 to 65535"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("MAILLAGE_DB_POOL_SIZE=lots"), std::string::npos) << m;
  EXPECT_NE(m.find("MAILLAGE_DATABASE_URL is required"), std::string::npos) << m;
  EXPECT_NE(m.find("MAILLAGE_LOG_LEVEL=loud: expected one of debug, info, warn, error"),
            std::string::npos)
      << m;
}

}  // namespace
}  // namespace maillage::config

namespace maillage::config {
namespace {

TEST(EnvTest, SecretsMustBeLongEnoughAndAreNeverShown) {
  Env env({{"SHORT", "abc123"}, {"GOOD", std::string(40, 'k')}});
  EXPECT_EQ(env.Secret("GOOD", 32), std::string(40, 'k'));
  EXPECT_EQ(env.Secret("SHORT", 32), "");
  EXPECT_EQ(env.Secret("MISSING", 32), "");
  absl::Status status = env.Finish();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("SHORT: too short (6 bytes; at least 32"),
            absl::string_view::npos)
      << status.message();
  EXPECT_NE(status.message().find("MISSING is required"), absl::string_view::npos);
  EXPECT_EQ(status.message().find("abc123"), absl::string_view::npos) << "the value leaked";
}

// Every placeholder value of the example Secrets (deploy/k8s/secrets.example.yaml, read here so
// that a new placeholder is checked too) makes start-up fail, as a secret, inside a database URL
// or in PGPASSWORD; the message names the variable and never shows the value.
TEST(EnvTest, ThePlaceholdersThisRepositoryPublishesAreRefused) {
  std::ifstream file(std::string(MAILLAGE_SOURCE_DIR) + "/deploy/k8s/secrets.example.yaml");
  ASSERT_TRUE(file) << "cannot read deploy/k8s/secrets.example.yaml";
  std::vector<std::string> placeholders;
  bool in_data = false;
  for (std::string line; std::getline(file, line);) {
    if (line.rfind("stringData:", 0) == 0) {
      in_data = true;
      continue;
    }
    if (line.empty() || line[0] != ' ') in_data = false;
    if (!in_data || line.find(':') == std::string::npos) continue;
    std::string value(absl::StripAsciiWhitespace(line.substr(line.find(':') + 1)));
    if (!value.empty()) placeholders.push_back(value);
  }
  ASSERT_GE(placeholders.size(), 6u);
  for (const std::string& placeholder : placeholders) {
    EXPECT_TRUE(IsPublishedSecret(placeholder)) << placeholder;
    Env env({{"MAILLAGE_PRINCIPAL_SECRET", placeholder},
             {"MAILLAGE_DATABASE_URL",
              "postgresql://ess_directory:" + placeholder + "@postgres:5432/ess_directory"},
             {"PGPASSWORD", placeholder}});
    env.Secret("MAILLAGE_PRINCIPAL_SECRET", 8);
    env.Required("MAILLAGE_DATABASE_URL");
    env.RefusePublishedSecret("PGPASSWORD");
    absl::Status status = env.Finish();
    ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << placeholder;
    for (const char* name : {"MAILLAGE_PRINCIPAL_SECRET", "MAILLAGE_DATABASE_URL", "PGPASSWORD"}) {
      EXPECT_NE(status.message().find(absl::StrCat(name, ": holds an example placeholder")),
                std::string::npos)
          << status.message();
    }
    EXPECT_EQ(status.message().find(placeholder), std::string::npos) << status.message();
  }
  // In any case, and a generated secret is of course accepted.
  EXPECT_TRUE(IsPublishedSecret("changeme-please-0123456789abcdef0123456789"));
  Env good({{"MAILLAGE_PRINCIPAL_SECRET", "9f2c4e1a7b3d5f60812a4c6e8b0d2f4a6c8e0b2d4f6a8c0e"},
            {"PGPASSWORD", "3b1f0c9d8e7a6b5c"}});
  good.Secret("MAILLAGE_PRINCIPAL_SECRET", 32);
  good.RefusePublishedSecret("PGPASSWORD");
  EXPECT_THAT(good.Finish(), IsOk());
}

}  // namespace
}  // namespace maillage::config
