// TLS end to end, through the real binaries, with certificates made by openssl for the run: the
// gateway serves its public gRPC port over TLS (MAILLAGE_TLS_CERT_FILE / _KEY_FILE), and every
// call between the binaries uses mutual TLS with the installation's private CA
// (MAILLAGE_INTERNAL_TLS_CA_FILE / _CERT_FILE / _KEY_FILE): the gateway reaches the services,
// meetings reaches the directory, the seed loader and the health probes get in; a client without
// the CA, without a certificate or with a certificate of another CA is refused at the handshake.
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/server/tls.h"
#include "common/testing/certificates.h"
#include "common/testing/status_matchers.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "maillage/gateway/v1/gateway_admin_service.grpc.pb.h"
#include "tests/e2e/suite.h"

using maillage::testing::IsOk;

namespace maillage::testing {
namespace {

namespace gw = ::maillage::gateway::v1;
namespace directory = ::maillage::directory::v1;

constexpr char kListActors[] = "/maillage.directory.v1.DirectoryService/ListActors";

class TlsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new TestCertificates(MakeTestCertificates());
    // Every binary (and the seed loader) inherits the internal TLS from this process's
    // environment; this process uses it for its health checks.
    setenv("MAILLAGE_INTERNAL_TLS_CA_FILE", certs_->ca.c_str(), 1);
    setenv("MAILLAGE_INTERNAL_TLS_CERT_FILE", certs_->server_cert.c_str(), 1);
    setenv("MAILLAGE_INTERNAL_TLS_KEY_FILE", certs_->server_key.c_str(), 1);
    server::SetInternalTls(certs_->Client());
    SuiteOptions options;
    options.env = {{"MAILLAGE_TLS_CERT_FILE", certs_->server_cert},
                   {"MAILLAGE_TLS_KEY_FILE", certs_->server_key}};
    suite_ = new Suite(options);
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
    server::SetInternalTls({});
    for (const char* name : {"MAILLAGE_INTERNAL_TLS_CA_FILE", "MAILLAGE_INTERNAL_TLS_CERT_FILE",
                             "MAILLAGE_INTERNAL_TLS_KEY_FILE"}) {
      unsetenv(name);
    }
    std::filesystem::remove_all(certs_->dir);
    delete certs_;
  }

  static std::string GatewayGrpc() {
    return absl::StrCat("127.0.0.1:", suite_->ports().gateway_grpc);
  }

  // ListActors with the admin key through the gateway's public gRPC port.
  static grpc::Status ListActorsThroughTheGateway(
      std::shared_ptr<grpc::ChannelCredentials> credentials) {
    auto stub =
        directory::DirectoryService::NewStub(grpc::CreateChannel(GatewayGrpc(), credentials));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.AddMetadata("x-api-key", Suite::kAdminKey);
    directory::ListActorsRequest request;
    request.set_page_size(5);
    directory::ListActorsResponse response;
    return stub->ListActors(&context, request, &response);
  }

  // ListActors straight at the directory with a genuine admin principal.
  static grpc::Status ListActorsAtTheDirectory(
      std::shared_ptr<grpc::ChannelCredentials> credentials) {
    auto stub = directory::DirectoryService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", suite_->ports().directory), credentials));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.AddMetadata(auth::kPrincipalMetadataKey,
                        auth::SignPrincipal({"tests/tls", gw::ROLE_ADMIN,
                                             absl::ToUnixMillis(absl::Now() + absl::Seconds(20)),
                                             "tls", kListActors},
                                            kTestPrincipalSecret));
    directory::ListActorsRequest request;
    directory::ListActorsResponse response;
    return stub->ListActors(&context, request, &response);
  }

  static TestCertificates* certs_;
  static Suite* suite_;
};

TestCertificates* TlsE2eTest::certs_ = nullptr;
Suite* TlsE2eTest::suite_ = nullptr;

TEST_F(TlsE2eTest, TheGatewayServesGrpcOverTlsAndReachesTheServicesOverMutualTls) {
  // A public client needs only to trust the gateway's certificate; the directory behind it
  // accepts only the gateway's client certificate, so an answer proves both legs.
  auto public_client = server::ChannelCredentialsFor({"", "", certs_->ca});
  EXPECT_THAT(ListActorsThroughTheGateway(public_client), IsOk());

  auto admin = gw::GatewayAdminService::NewStub(grpc::CreateChannel(GatewayGrpc(), public_client));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  context.AddMetadata("x-api-key", Suite::kAdminKey);
  gw::ListApiKeysRequest request;
  gw::ListApiKeysResponse response;
  EXPECT_THAT(admin->ListApiKeys(&context, request, &response), IsOk());
}

TEST_F(TlsE2eTest, TheGatewayRefusesClientsThatDoNotSpeakTlsWithItsCertificate) {
  EXPECT_EQ(ListActorsThroughTheGateway(grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ListActorsThroughTheGateway(server::ChannelCredentialsFor({"", "", certs_->foreign_ca}))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsE2eTest, AServiceAdmitsOnlyClientsWithACertificateOfItsCa) {
  // Even a genuine principal does not get a plaintext or foreign client in.
  EXPECT_THAT(ListActorsAtTheDirectory(server::ChannelCredentialsFor(certs_->Client())), IsOk());
  struct Case {
    const char* name;
    std::shared_ptr<grpc::ChannelCredentials> credentials;
  };
  const Case kCases[] = {
      {"plaintext", grpc::InsecureChannelCredentials()},
      {"no client certificate", server::ChannelCredentialsFor({"", "", certs_->ca})},
      {"a certificate another CA issued",
       server::ChannelCredentialsFor({certs_->foreign_cert, certs_->foreign_key, certs_->ca})},
      {"without the CA", server::ChannelCredentialsFor(
                             {certs_->client_cert, certs_->client_key, certs_->foreign_ca})},
  };
  for (const Case& c : kCases) {
    grpc::Status status = ListActorsAtTheDirectory(c.credentials);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << c.name << ": " << status.error_message();
  }
}

TEST_F(TlsE2eTest, ServicesCallEachOtherAndTheSeedLoaderOverMutualTls) {
  // The seed loader reaches the three services, and meetings checks every actor it references
  // with the directory: all over mutual TLS.
  CommandResult seeded = suite_->Seed();
  ASSERT_EQ(seeded.exit_code, 0) << seeded.output;
  EXPECT_EQ(HealthOf(absl::StrCat("127.0.0.1:", suite_->ports().meetings)), "SERVING");
}

}  // namespace
}  // namespace maillage::testing
