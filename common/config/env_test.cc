#include "common/config/env.h"

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

}  // namespace
}  // namespace maillage::config
