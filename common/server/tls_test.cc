// TLS and mutual TLS on real in-process servers, with certificates made by openssl for the test:
// the installation's CA admits its own clients and refuses a plaintext client, a client that
// does not trust the CA, a client without a certificate and one whose certificate another CA
// issued; files are re-read when they change; unusable files stop Start with a clear message.
#include "common/server/tls.h"

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "common/server/client.h"
#include "common/server/server.h"
#include "common/server/test_echo_service.h"
#include "common/testing/certificates.h"
#include "common/testing/status_matchers.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

namespace maillage::server {
namespace {

namespace echo = ::maillage::testing::v1;

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new testing::TestCertificates(testing::MakeTestCertificates());
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(certs_->dir);
    delete certs_;
  }

  // A server with `tls`, started.
  std::unique_ptr<Server> StartServer(const TlsFiles& tls) {
    ServerOptions options;
    options.service_name = "tls-test";
    options.error_domain = "test.maillage";
    options.host = "127.0.0.1";
    options.threads = 4;
    options.tls = tls;
    auto server = std::make_unique<Server>(options, std::vector<grpc::Service*>{&service_});
    EXPECT_THAT(server->Start(), IsOk());
    return server;
  }

  // Echo through a new channel to `server` with `credentials`.
  static grpc::Status Echo(const Server& server,
                           std::shared_ptr<grpc::ChannelCredentials> credentials) {
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()), credentials);
    auto stub = echo::EchoService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    echo::EchoRequest request;
    request.set_message("over tls");
    echo::EchoResponse response;
    grpc::Status status = stub->Echo(&context, request, &response);
    if (status.ok()) {
      EXPECT_EQ(response.message(), "over tls");
    }
    return status;
  }

  static testing::TestCertificates* certs_;
  TestEchoService service_;
};

testing::TestCertificates* TlsTest::certs_ = nullptr;

TEST_F(TlsTest, MutualTlsAdmitsAClientOfTheSameCa) {
  std::unique_ptr<Server> server = StartServer(certs_->Server());
  EXPECT_THAT(Echo(*server, ChannelCredentialsFor(certs_->Client())), IsOk());
}

TEST_F(TlsTest, MutualTlsRefusesEveryOtherClient) {
  std::unique_ptr<Server> server = StartServer(certs_->Server());
  struct Case {
    const char* name;
    std::shared_ptr<grpc::ChannelCredentials> credentials;
  };
  const Case kCases[] = {
      {"plaintext", grpc::InsecureChannelCredentials()},
      {"trusting another CA",
       ChannelCredentialsFor({certs_->client_cert, certs_->client_key, certs_->foreign_ca})},
      {"no client certificate", ChannelCredentialsFor({"", "", certs_->ca})},
      {"a certificate another CA issued",
       ChannelCredentialsFor({certs_->foreign_cert, certs_->foreign_key, certs_->ca})},
  };
  for (const Case& c : kCases) {
    grpc::Status status = Echo(*server, c.credentials);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << c.name << ": " << status.error_message();
  }
}

TEST_F(TlsTest, ServerTlsWithoutCaAsksNoClientCertificate) {
  // The gateway's public port: a certificate and its key, any client that trusts it.
  std::unique_ptr<Server> server = StartServer({certs_->server_cert, certs_->server_key, ""});
  EXPECT_THAT(Echo(*server, ChannelCredentialsFor({"", "", certs_->ca})), IsOk());
  EXPECT_EQ(Echo(*server, grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Echo(*server, ChannelCredentialsFor({"", "", certs_->foreign_ca})).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, MakeChannelUsesTheInternalTls) {
  std::unique_ptr<Server> server = StartServer(certs_->Server());
  const std::string address = "127.0.0.1:" + std::to_string(server->port());
  auto call = [&] {
    auto stub = echo::EchoService::NewStub(MakeChannel(address));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    echo::EchoRequest request;
    echo::EchoResponse response;
    return stub->Echo(&context, request, &response);
  };
  EXPECT_EQ(call().error_code(), grpc::StatusCode::UNAVAILABLE) << "plaintext by default";
  SetInternalTls(certs_->Client());
  EXPECT_THAT(call(), IsOk());
  SetInternalTls({});
}

TEST_F(TlsTest, ChangedFilesAreReadAgainWithoutARestart) {
  // The server starts with a certificate of the installation's CA, then its files are replaced
  // by a certificate of the other CA: clients trusting that one get in within the refresh.
  const std::string dir = certs_->dir + "/rotating";
  std::filesystem::create_directories(dir);
  auto copy = [&](const std::string& from, const char* to) {
    std::filesystem::copy_file(from, dir + "/" + to,
                               std::filesystem::copy_options::overwrite_existing);
  };
  copy(certs_->server_cert, "tls.crt");
  copy(certs_->server_key, "tls.key");
  TlsFiles files{dir + "/tls.crt", dir + "/tls.key", ""};
  files.refresh_seconds = 1;
  std::unique_ptr<Server> server = StartServer(files);
  auto trusting_foreign = ChannelCredentialsFor({"", "", certs_->foreign_ca});
  ASSERT_THAT(Echo(*server, ChannelCredentialsFor({"", "", certs_->ca})), IsOk());
  ASSERT_EQ(Echo(*server, trusting_foreign).error_code(), grpc::StatusCode::UNAVAILABLE);

  copy(certs_->foreign_cert, "tls.crt");
  copy(certs_->foreign_key, "tls.key");
  grpc::Status status;
  for (int i = 0; i < 50; ++i) {  // at most 10 s
    status = Echo(*server, trusting_foreign);
    if (status.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_THAT(status, IsOk()) << "the new certificate was not picked up";
}

TEST_F(TlsTest, UnusableFilesStopStartNamingTheFile) {
  ServerOptions options;
  options.service_name = "tls-test";
  options.error_domain = "test.maillage";
  options.host = "127.0.0.1";
  options.tls = {certs_->dir + "/missing.crt", certs_->server_key, certs_->ca};
  Server missing(options, {&service_});
  absl::Status status = missing.Start();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(status.message().find("missing.crt: cannot read the file"), std::string::npos)
      << status.message();

  options.tls = {certs_->server_key, certs_->server_key, ""};  // a key where the cert should be
  Server swapped(options, {&service_});
  status = swapped.Start();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(status.message().find("no PEM CERTIFICATE"), std::string::npos) << status.message();

  EXPECT_THAT(CheckTlsFiles({certs_->server_cert, "", ""}, true),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(CheckTlsFiles({"", "", ""}, false), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(CheckTlsFiles(certs_->Client(), false), IsOk());
}

TEST(ReadInternalTlsTest, AllThreeOrNone) {
  config::Env none(std::map<std::string, std::string>{});
  EXPECT_TRUE(ReadInternalTls(none).empty());
  EXPECT_THAT(none.Finish(), IsOk());

  config::Env all({{"MAILLAGE_INTERNAL_TLS_CA_FILE", "/tls/ca.crt"},
                   {"MAILLAGE_INTERNAL_TLS_CERT_FILE", "/tls/tls.crt"},
                   {"MAILLAGE_INTERNAL_TLS_KEY_FILE", "/tls/tls.key"}});
  TlsFiles files = ReadInternalTls(all);
  EXPECT_EQ(files.ca_file, "/tls/ca.crt");
  EXPECT_EQ(files.cert_file, "/tls/tls.crt");
  EXPECT_EQ(files.key_file, "/tls/tls.key");
  EXPECT_THAT(all.Finish(), IsOk());

  config::Env partial(
      std::map<std::string, std::string>{{"MAILLAGE_INTERNAL_TLS_CERT_FILE", "/tls/tls.crt"}});
  ReadInternalTls(partial);
  absl::Status status = partial.Finish();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(status.message().find("MAILLAGE_INTERNAL_TLS_CA_FILE is required"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("MAILLAGE_INTERNAL_TLS_KEY_FILE is required"), std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace maillage::server
