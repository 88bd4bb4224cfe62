// Tests of the timeout headers of HTTP requests.
#include "services/gateway/http/request_timeout.h"

#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::gateway {
namespace {

using std::chrono::milliseconds;

const TimeoutPolicy kPolicy{milliseconds(10000), milliseconds(60000)};

milliseconds TimeoutOf(const char* x_request_timeout, const char* grpc_timeout) {
  absl::StatusOr<milliseconds> t = RequestTimeout(x_request_timeout, grpc_timeout, kPolicy);
  EXPECT_THAT(t, IsOk()) << x_request_timeout << " / " << grpc_timeout << ": " << t.status();
  return t.ok() ? *t : milliseconds(-1);
}

TEST(RequestTimeoutTest, DefaultWhenNoHeader) { EXPECT_EQ(TimeoutOf("", ""), milliseconds(10000)); }

TEST(RequestTimeoutTest, ReadsXRequestTimeoutDurations) {
  EXPECT_EQ(TimeoutOf("250ms", ""), milliseconds(250));
  EXPECT_EQ(TimeoutOf("1.5s", ""), milliseconds(1500));
  EXPECT_EQ(TimeoutOf("30s", ""), milliseconds(30000));
  EXPECT_EQ(TimeoutOf("100us", ""), milliseconds(1));  // rounded up, never zero
}

TEST(RequestTimeoutTest, ReadsGrpcTimeoutUnits) {
  EXPECT_EQ(TimeoutOf("", "2S"), milliseconds(2000));
  EXPECT_EQ(TimeoutOf("", "250m"), milliseconds(250));
  EXPECT_EQ(TimeoutOf("", "1500000u"), milliseconds(1500));
  EXPECT_EQ(TimeoutOf("", "99999999n"), milliseconds(100));
  EXPECT_EQ(TimeoutOf("", "1M"), milliseconds(60000));
}

TEST(RequestTimeoutTest, TakesTheSmallerAndCapsAtTheMaximum) {
  EXPECT_EQ(TimeoutOf("3s", "2S"), milliseconds(2000));
  EXPECT_EQ(TimeoutOf("1s", "2S"), milliseconds(1000));
  EXPECT_EQ(TimeoutOf("1h", ""), milliseconds(60000));
  EXPECT_EQ(TimeoutOf("", "5H"), milliseconds(60000));
}

TEST(RequestTimeoutTest, RefusesBadValuesNamingTheHeader) {
  const std::vector<std::pair<std::pair<const char*, const char*>, const char*>> cases = {
      {{"soon", ""}, "X-Request-Timeout"},  {{"5", ""}, "X-Request-Timeout"},
      {{"0s", ""}, "X-Request-Timeout"},    {{"-1s", ""}, "X-Request-Timeout"},
      {{"", "5"}, "grpc-timeout"},          {{"", "5s"}, "grpc-timeout"},
      {{"", "123456789S"}, "grpc-timeout"}, {{"", "0m"}, "grpc-timeout"},
      {{"", "-5m"}, "grpc-timeout"},
  };
  for (const auto& [headers, name] : cases) {
    absl::StatusOr<milliseconds> t = RequestTimeout(headers.first, headers.second, kPolicy);
    ASSERT_FALSE(t.ok()) << headers.first << " / " << headers.second;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(t.status());
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->reason(), "INVALID_REQUEST_TIMEOUT");
    EXPECT_EQ(info->metadata().at("field"), name);
  }
}

}  // namespace
}  // namespace maillage::gateway
