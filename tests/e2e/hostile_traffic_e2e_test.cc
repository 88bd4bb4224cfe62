// End to end: hostile traffic against the gateway's door, the four real binaries on a real
// PostgreSQL. Slow sockets, a flood of made-up keys, a key hammering what it may not call, a
// native gRPC call without a deadline: a valid client is still answered, the database is not
// hit once per made-up key, refusals are limited and audited in runs, every call ends by the
// gateway's maximum time. Then HTTPS through the real gateway with a private CA.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "maillage/gateway/v1/gateway_admin_service.pb.h"
#include "tests/e2e/suite.h"
#include "tests/e2e/traffic.h"
#include "tests/support/hostile_clients.h"

namespace maillage::testing {
namespace {

namespace gw = gateway::v1;
using Clock = std::chrono::steady_clock;
using ::testing::HasSubstr;

constexpr int kPreAuthBurst = 20;
constexpr int kPreAuthRps = 5;

class HostileTrafficE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SuiteOptions options;
    options.env = {{"MAILLAGE_HTTP_HEADER_TIMEOUT", "3s"},
                   {"MAILLAGE_PRE_AUTH_RPS", std::to_string(kPreAuthRps)},
                   {"MAILLAGE_PRE_AUTH_BURST", std::to_string(kPreAuthBurst)},
                   {"MAILLAGE_REFUSAL_AUDIT_WINDOW", "2s"},
                   {"MAILLAGE_REQUEST_TIMEOUT", "2s"},
                   {"MAILLAGE_MAX_REQUEST_TIMEOUT", "2s"}};
    suite_ = new Suite(options);
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }

  // gateway_api_key_lookups_total from the admin port's /metrics; -1 when absent.
  static double KeyLookups() {
    httplib::Client admin("127.0.0.1", suite_->ports().admin);
    auto metrics = admin.Get("/metrics");
    if (!metrics || metrics->status != 200) return -1;
    for (absl::string_view line : absl::StrSplit(metrics->body, '\n')) {
      if (absl::ConsumePrefix(&line, "gateway_api_key_lookups_total ")) {
        double value = 0;
        if (absl::SimpleAtod(line, &value)) return value;
      }
    }
    return -1;
  }

  // A valid client's GET from 127.0.0.1: the status (0 when no answer) and its duration.
  static std::pair<int, Clock::duration> ValidGet(httplib::Client& client) {
    const Clock::time_point start = Clock::now();
    auto r = client.Get("/v1/actors?pageSize=1");
    return {r ? r->status : 0, Clock::now() - start};
  }

  static Suite* suite_;
};

Suite* HostileTrafficE2eTest::suite_ = nullptr;

// 200 sockets trickling a header byte every second (the attack that closed the door before:
// 0 answers out of 7 in 20 s with 100 such sockets) while a valid client reads: every read is
// answered promptly, and the slow sockets are closed at the header timeout (3 s here).
TEST_F(HostileTrafficE2eTest, SlowLorisSocketsLeaveTheDoorOpen) {
  SlowLoris slow(suite_->ports().http, 200, std::chrono::seconds(1), "127.0.0.2");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_GE(slow.open(), 150) << "the attack is in place";
  httplib::Client client = GatewayClient(*suite_, std::chrono::seconds(5));
  int answered = 0;
  for (int i = 0; i < 16; ++i) {
    auto [status, took] = ValidGet(client);
    EXPECT_EQ(status, 200) << i;
    EXPECT_LT(took, std::chrono::seconds(2)) << i;
    if (status == 200) ++answered;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_EQ(answered, 16);
  EXPECT_GE(slow.closed_by_server(), 200) << "each slow socket is cut at the header timeout";
}

// Made-up keys from one address as fast as it is answered: after the address's burst, 429
// without a database lookup, so the lookups stay within burst + rate × time, and each 429 is
// held back a second (MAILLAGE_PRE_AUTH_DELAY) so the flood is paced by its connections; a
// valid client from another address is served throughout.
TEST_F(HostileTrafficE2eTest, RandomKeyFloodIsLimitedBeforeTheDatabase) {
  const double lookups_before = KeyLookups();
  ASSERT_GE(lookups_before, 0) << "gateway_api_key_lookups_total is exported";
  const Clock::time_point start = Clock::now();
  KeyFlood flood(suite_->ports().http, 4, "127.0.0.3", "/v1/actors/1");
  httplib::Client client = GatewayClient(*suite_, std::chrono::seconds(5));
  for (int i = 0; i < 10; ++i) {
    auto [status, took] = ValidGet(client);
    EXPECT_EQ(status, 200) << i;
    EXPECT_LT(took, std::chrono::seconds(2)) << i;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  flood.Stop();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::map<int, int64_t> statuses = flood.statuses();
  EXPECT_GT(statuses[429], 0);
  EXPECT_EQ(statuses[429] + statuses[401], flood.sent()) << "every key answered";
  EXPECT_LE(statuses[401], kPreAuthBurst + kPreAuthRps * seconds + 2);
  EXPECT_LE(flood.sent(), kPreAuthBurst + kPreAuthRps * seconds + 4 * (seconds + 1))
      << "the refusals are paced: one a second per connection";
  const double lookups = KeyLookups() - lookups_before;
  EXPECT_LE(lookups, kPreAuthBurst + kPreAuthRps * seconds + 5)
      << flood.sent() << " made-up keys sent in " << seconds << " s";
  // The refusal says why, and when to come back: the next made-up keys from that address, once
  // what refilled meanwhile is spent.
  int fd = ConnectFrom("127.0.0.3", suite_->ports().http);
  std::string body;
  int status = 0;
  for (int i = 0; i < kPreAuthBurst + 10 && status != 429; ++i) {
    status = RawExchange(
        fd, "GET /v1/actors/1 HTTP/1.1\r\nHost: x\r\nx-api-key: " + RandomApiKey() + "\r\n\r\n",
        std::chrono::seconds(5), &body);
  }
  EXPECT_EQ(status, 429);
  EXPECT_THAT(body, HasSubstr("TOO_MANY_AUTHENTICATION_ATTEMPTS"));
  ::close(fd);
}

// A partner key calling, again and again, a method it may not call: refused 403 only until its
// bucket is empty (429 after), and the audit holds a run of lines whose counts add up to the
// 403s, not one line per refusal.
TEST_F(HostileTrafficE2eTest, DeniedCallsAreRateLimitedAndAuditedInRuns) {
  httplib::Client admin = GatewayClient(*suite_);
  auto created = admin.Post(
      "/v1/apiKeys",
      R"({"displayName":"hammer","role":"ROLE_PARTNER","rateLimit":{"requestsPerSecond":1,"burst":10}})",
      "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  gw::CreateApiKeyResponse key;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(created->body, &key).ok());
  httplib::Client partner("127.0.0.1", suite_->ports().http);
  partner.set_default_headers({{"x-api-key", key.key()}});
  int denied = 0, limited = 0;
  for (int i = 0; i < 40; ++i) {
    auto r = partner.Get("/v1/apiKeys");
    ASSERT_TRUE(r);
    if (r->status == 403) ++denied;
    if (r->status == 429) ++limited;
  }
  EXPECT_LE(denied, 12);  // the burst, and what refills meanwhile
  EXPECT_GE(limited, 28);
  std::this_thread::sleep_for(std::chrono::seconds(4));  // the 2 s window ends, its run written
  auto lines = admin.Get(absl::StrCat("/v1/auditEntries?pageSize=100&filter=",
                                      httplib::detail::encode_query_param(absl::StrCat(
                                          "api_key_prefix = \"", key.api_key().prefix(), "\""))));
  ASSERT_TRUE(lines);
  ASSERT_EQ(lines->status, 200) << lines->body;
  gw::ListAuditEntriesResponse entries;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(lines->body, &entries).ok());
  int counted = 0;
  for (const gw::AuditEntry& entry : entries.audit_entries()) {
    EXPECT_EQ(entry.reason(), gw::AUDIT_REASON_ACCESS_DENIED);
    EXPECT_EQ(entry.client_address(), "127.0.0.1");
    counted += entry.call_count();
  }
  EXPECT_LE(entries.audit_entries_size(), 4) << lines->body;
  EXPECT_EQ(counted, denied) << lines->body;
}

// A native gRPC call with no deadline to a backend that never answers (stopped) ends at the
// gateway's maximum (MAILLAGE_MAX_REQUEST_TIMEOUT, 2 s here) with DEADLINE_EXCEEDED.
TEST_F(HostileTrafficE2eTest, NativeGrpcCallsEndAtTheMaximumTime) {
  auto stub = directory::v1::DirectoryService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", suite_->ports().gateway_grpc),
                          grpc::InsecureChannelCredentials()));
  {  // the channel and the key's cache warm
    grpc::ClientContext context;
    context.AddMetadata("x-api-key", Suite::kAdminKey);
    directory::v1::ListActorsRequest request;
    directory::v1::ListActorsResponse response;
    ASSERT_TRUE(stub->ListActors(&context, request, &response).ok());
  }
  suite_->Kill("directory", SIGSTOP);
  grpc::ClientContext context;  // no deadline
  context.AddMetadata("x-api-key", Suite::kAdminKey);
  directory::v1::ListActorsRequest request;
  directory::v1::ListActorsResponse response;
  const Clock::time_point start = Clock::now();
  grpc::Status status = stub->ListActors(&context, request, &response);
  const Clock::duration took = Clock::now() - start;
  suite_->Kill("directory", SIGCONT);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  EXPECT_GE(took, std::chrono::milliseconds(1900));
  EXPECT_LT(took, std::chrono::seconds(5));
}

// Runs a shell command; its exit code and output.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// HTTPS through the real gateway: MAILLAGE_TLS_CERT_FILE / MAILLAGE_TLS_KEY_FILE from a private
// CA; curl trusting that CA is served, curl without it refuses the handshake.
TEST(HttpsE2eTest, TheGatewayServesHttpsWithItsCertificate) {
  const std::string dir = ::testing::TempDir() + "/e2e-tls-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string ca = dir + "/ca.pem", cert = dir + "/gateway.pem", key = dir + "/gateway.key";
  std::ofstream(dir + "/san.ext") << "subjectAltName=IP:127.0.0.1\n";
  for (const std::string& command :
       {"openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=e2e-ca -keyout " + dir +
            "/ca.key -out " + ca,
        "openssl req -newkey rsa:2048 -nodes -subj /CN=gateway -keyout " + key + " -out " + dir +
            "/gateway.csr",
        "openssl x509 -req -days 2 -in " + dir + "/gateway.csr -CA " + ca + " -CAkey " + dir +
            "/ca.key -CAcreateserial -extfile " + dir + "/san.ext -out " + cert}) {
    auto [code, output] = Shell(command);
    ASSERT_EQ(code, 0) << command << "\n" << output;
  }
  SuiteOptions options;
  options.env = {{"MAILLAGE_TLS_CERT_FILE", cert}, {"MAILLAGE_TLS_KEY_FILE", key}};
  Suite suite(options);
  const std::string url =
      absl::StrCat("https://127.0.0.1:", suite.ports().http, "/v1/actors?pageSize=1");
  const std::string curl = absl::StrCat("curl -sS -o /dev/null -w '%{http_code}' --max-time 10 ",
                                        "-H 'x-api-key: ", Suite::kAdminKey, "' ");
  auto [served, status] = Shell(curl + "--cacert " + ca + " " + url);
  EXPECT_EQ(served, 0) << status;
  EXPECT_EQ(status, "200");
  auto [refused, why] = Shell(curl + url);
  EXPECT_EQ(refused, 60) << why;  // curl: the peer's certificate cannot be authenticated
  httplib::Client plain("127.0.0.1", suite.ports().http);
  plain.set_read_timeout(5, 0);
  EXPECT_FALSE(plain.Get("/v1/actors?pageSize=1")) << "no plain HTTP on the HTTPS port";
}

}  // namespace
}  // namespace maillage::testing
