// Runs the built maillage-probe against a real in-process server and checks its verdicts.
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "common/server/server.h"
#include "common/server/test_echo_service.h"
#include "common/testing/certificates.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::server {
namespace {

using ::testing::StartsWith;

struct ProbeResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs the probe with `args`, its environment prefixed with `env` ("NAME=value ...").
ProbeResult RunProbe(const std::string& args, const std::string& env = "") {
  ProbeResult result;
  std::string command = env + std::string(MAILLAGE_PROBE_PATH) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  int status = pclose(pipe);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

class ProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.service_name = "test";
    options.error_domain = "test.maillage";
    options.host = "127.0.0.1";
    options.threads = 4;
    server_ = std::make_unique<Server>(options, std::vector<grpc::Service*>{&service_});
    ASSERT_THAT(server_->Start(), IsOk());
    address_ = "127.0.0.1:" + std::to_string(server_->port());
  }

  TestEchoService service_;
  std::unique_ptr<Server> server_;
  std::string address_;
};

TEST_F(ProbeTest, ExitsZeroOnlyWhenServing) {
  ProbeResult not_serving = RunProbe(address_);
  EXPECT_EQ(not_serving.exit_code, 1);
  EXPECT_EQ(not_serving.output, "NOT_SERVING\n");

  server_->SetServing(true);
  ProbeResult serving = RunProbe(address_);
  EXPECT_EQ(serving.exit_code, 0);
  EXPECT_EQ(serving.output, "SERVING\n");

  ProbeResult one_service =
      RunProbe("--timeout=1s --service=maillage.testing.v1.EchoService " + address_);
  EXPECT_EQ(one_service.exit_code, 0);
  EXPECT_EQ(one_service.output, "SERVING\n");

  ProbeResult unknown = RunProbe("--service=no.such.Service " + address_);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.output, "UNKNOWN_SERVICE: no.such.Service\n");
}

TEST_F(ProbeTest, ReportsAnUnreachableServer) {
  std::string address = address_;
  server_->Shutdown();
  server_->Wait();
  ProbeResult result = RunProbe("--timeout=500ms " + address);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, StartsWith("UNREACHABLE: "));
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
}

TEST(ProbeUsageTest, BadArgumentsExitTwo) {
  EXPECT_EQ(RunProbe("").exit_code, 2);
  EXPECT_EQ(RunProbe("--timeout=soon 127.0.0.1:1").exit_code, 2);
  EXPECT_EQ(RunProbe("--colour=blue 127.0.0.1:1").exit_code, 2);
  EXPECT_EQ(RunProbe("127.0.0.1:1 127.0.0.1:2").exit_code, 2);
  EXPECT_EQ(RunProbe("--help").exit_code, 0);
}

TEST(ProbeTlsTest, SpeaksMutualTlsWithTheInternalTlsVariables) {
  testing::TestCertificates certs = testing::MakeTestCertificates();
  ServerOptions options;
  options.service_name = "test";
  options.error_domain = "test.maillage";
  options.host = "127.0.0.1";
  options.threads = 4;
  options.tls = certs.Server();
  TestEchoService service;
  Server server(options, {&service});
  ASSERT_THAT(server.Start(), IsOk());
  server.SetServing(true);
  const std::string address = "127.0.0.1:" + std::to_string(server.port());

  ProbeResult plaintext = RunProbe(address);
  EXPECT_EQ(plaintext.exit_code, 1);
  EXPECT_THAT(plaintext.output, StartsWith("UNREACHABLE"));

  const std::string tls_env = "MAILLAGE_INTERNAL_TLS_CA_FILE=" + certs.ca +
                              " MAILLAGE_INTERNAL_TLS_CERT_FILE=" + certs.client_cert +
                              " MAILLAGE_INTERNAL_TLS_KEY_FILE=" + certs.client_key + " ";
  ProbeResult mutual = RunProbe(address, tls_env);
  EXPECT_EQ(mutual.exit_code, 0) << mutual.output;
  EXPECT_EQ(mutual.output, "SERVING\n");

  ProbeResult partial = RunProbe(address, "MAILLAGE_INTERNAL_TLS_CA_FILE=" + certs.ca + " ");
  EXPECT_EQ(partial.exit_code, 2);
  EXPECT_THAT(partial.output, ::testing::HasSubstr("MAILLAGE_INTERNAL_TLS_CERT_FILE is required"));
  std::filesystem::remove_all(certs.dir);
}

}  // namespace
}  // namespace maillage::server
