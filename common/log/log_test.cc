#include "common/log/log.h"

#include "gtest/gtest.h"

namespace maillage::log {
namespace {

TEST(LogTest, FormatsOneJsonObject) {
  EXPECT_EQ(FormatLine("2026-01-01T00:00:00.000000Z", Level::kWarn, "directory", "slow query",
                       {{"ms", "120"}}),
            R"({"ts":"2026-01-01T00:00:00.000000Z","level":"warn","service":"directory",)"
            R"("msg":"slow query","ms":"120"})");
}

TEST(LogTest, EscapesControlCharactersAndInvalidUtf8) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\nd\x01 é \xff");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001 é \xEF\xBF\xBD\"");
}

TEST(LogTest, RequestContextIsScoped) {
  EXPECT_EQ(CurrentRequestId(), "");
  {
    ScopedRequestContext outer("r1", "t1");
    EXPECT_EQ(CurrentRequestId(), "r1");
    {
      ScopedRequestContext inner("r2", "");
      EXPECT_EQ(CurrentRequestId(), "r2");
    }
    EXPECT_EQ(CurrentRequestId(), "r1");
    EXPECT_EQ(CurrentTraceparent(), "t1");
  }
  EXPECT_EQ(CurrentRequestId(), "");
}

TEST(LogTest, CopiesPlainRunsAndEscapesBetweenThem) {
  std::string out;
  AppendJsonString(out,
                   "GET /v1/actors/42\t\x7F"
                   "caf\xC3\xA9 \xF0\x9F\x8E\x89 \x80 fin");
  EXPECT_EQ(out, "\"GET /v1/actors/42\\t\\u007fcaf\xC3\xA9 \xF0\x9F\x8E\x89 \xEF\xBF\xBD fin\"");
  out.clear();
  AppendJsonString(out, "");
  EXPECT_EQ(out, "\"\"");
}

TEST(LogTest, EnabledFollowsTheMinimumLevel) {
  Init("log_test", "warn");
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kWarn));
  EXPECT_TRUE(Enabled(Level::kError));
  Init("log_test", "debug");
  EXPECT_TRUE(Enabled(Level::kDebug));
  Init("log_test", "info");
  EXPECT_FALSE(Enabled(Level::kDebug));
  EXPECT_TRUE(Enabled(Level::kInfo));
}

}  // namespace
}  // namespace maillage::log
