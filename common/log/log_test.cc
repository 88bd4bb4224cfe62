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

}  // namespace
}  // namespace maillage::log
