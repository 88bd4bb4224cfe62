// The gateway writes its access log in batches (MAILLAGE_LOG_FLUSH_INTERVAL, common/log/
// log_buffer.h): a clean stop (SIGTERM) still leaves every request's line in the log.
#include <signal.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/e2e/suite.h"
#include "tests/e2e/traffic.h"

namespace maillage::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(AccessLogE2eTest, EveryRequestIsInTheLogAfterACleanStop) {
  // Long enough that every line of the run is still waiting when SIGTERM arrives.
  setenv("MAILLAGE_LOG_FLUSH_INTERVAL", "1m", 1);
  Suite suite;
  unsetenv("MAILLAGE_LOG_FLUSH_INTERVAL");
  httplib::Client client = GatewayClient(suite);
  constexpr int kRequests = 300;
  for (int i = 0; i < kRequests; ++i) {
    httplib::Result r =
        client.Get("/v1/actors?pageSize=1", {{"X-Request-Id", absl::StrCat("access-log-", i)}});
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    ASSERT_EQ(r->status, 200) << r->body;
  }
  EXPECT_EQ(suite.Kill("gateway", SIGTERM), 0);

  std::map<std::string, int> lines_per_request;
  for (absl::string_view line :
       absl::StrSplit(ReadFile(absl::StrCat(suite.log_dir(), "/gateway.log")), '\n')) {
    if (!absl::StrContains(line, R"("msg":"http request")")) continue;
    const size_t at = line.find(R"("request_id":"access-log-)");
    if (at == absl::string_view::npos) continue;
    absl::string_view id = line.substr(at + 14);
    ++lines_per_request[std::string(id.substr(0, id.find('"')))];
  }
  EXPECT_EQ(lines_per_request.size(), static_cast<size_t>(kRequests));
  for (const auto& [id, lines] : lines_per_request) EXPECT_EQ(lines, 1) << id;
}

}  // namespace
}  // namespace maillage::testing
