// The caller scope on real in-process gRPC servers: a front service authorizes its caller with
// AuthorizedCall and calls a back service through server::MakeChannel; the back service must
// see the same key and role, signed anew.
#include "common/auth/caller.h"

#include <memory>
#include <string>

#include "common/server/client.h"
#include "common/server/server.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "maillage/testing/v1/echo.grpc.pb.h"

using maillage::testing::IsOk;

namespace maillage::auth {
namespace {

namespace echo = ::maillage::testing::v1;
namespace gw = ::maillage::gateway::v1;

constexpr char kSecret[] = "caller-test-secret-of-enough-length";
// Methods the permission table knows: ListActors is open to partners, CreateActor is not.
constexpr char kListActors[] = "/maillage.directory.v1.DirectoryService/ListActors";
constexpr char kCreateActor[] = "/maillage.directory.v1.DirectoryService/CreateActor";

// Authorizes request.message as a method; answers "<key_name> <role>", or, when `next` is set,
// forwards the request to it and answers what it answered.
class Relay final : public echo::EchoService::Service {
 public:
  std::unique_ptr<echo::EchoService::Stub> next;

  grpc::Status Echo(grpc::ServerContext* context, const echo::EchoRequest* request,
                    echo::EchoResponse* response) override {
    AuthorizedCall call(*context, request->message());
    if (!call.ok()) return ToGrpcStatus(call.status(), "test.maillage");
    if (next == nullptr) {
      response->set_message(call.principal().key_name + " " + gw::Role_Name(call.principal().role));
      return grpc::Status::OK;
    }
    grpc::ClientContext forward;
    return next->Echo(&forward, *request, response);
  }
};

class CallerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetProcessSecret(kSecret);
    back_ = Start(back_service_);
    front_service_.next = echo::EchoService::NewStub(server::MakeChannel(Address(*back_)));
    front_ = Start(front_service_);
    front_stub_ = echo::EchoService::NewStub(server::MakeChannel(Address(*front_)));
  }
  void TearDown() override {
    front_->Shutdown();
    back_->Shutdown();
    SetProcessSecret("");
  }

  static std::unique_ptr<server::Server> Start(Relay& service) {
    server::ServerOptions options;
    options.service_name = "caller-test";
    options.error_domain = "test.maillage";
    options.host = "127.0.0.1";
    options.threads = 4;
    auto server = std::make_unique<server::Server>(options, std::vector<grpc::Service*>{&service});
    EXPECT_THAT(server->Start(), IsOk());
    return server;
  }
  static std::string Address(const server::Server& server) {
    return "127.0.0.1:" + std::to_string(server.port());
  }

  absl::StatusOr<std::string> CallFront(const std::string& method) {
    grpc::ClientContext context;
    echo::EchoRequest request;
    request.set_message(method);
    echo::EchoResponse response;
    grpc::Status status = front_stub_->Echo(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response.message();
  }

  Relay back_service_, front_service_;
  std::unique_ptr<server::Server> back_, front_;
  std::unique_ptr<echo::EchoService::Stub> front_stub_;
};

TEST_F(CallerTest, TheCallerTravelsThroughAServiceToTheNext) {
  CallerScope scope({"apiKeys/9", gw::ROLE_PARTNER, 0, "req-9"});
  absl::StatusOr<std::string> answer = CallFront(kListActors);
  ASSERT_THAT(answer, IsOk()) << answer.status();
  EXPECT_EQ(*answer, "apiKeys/9 ROLE_PARTNER");
}

TEST_F(CallerTest, TheNextServiceJudgesTheSameRole) {
  CallerScope scope({"apiKeys/9", gw::ROLE_PARTNER, 0, "req-9"});
  absl::StatusOr<std::string> answer = CallFront(kCreateActor);
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kPermissionDenied) << answer.status();
}

TEST_F(CallerTest, WithoutACallerNothingIsSignedAndTheServiceRefuses) {
  absl::StatusOr<std::string> answer = CallFront(kListActors);
  ASSERT_EQ(answer.status().code(), absl::StatusCode::kUnauthenticated) << answer.status();
  EXPECT_EQ(GetErrorInfo(answer.status())->reason(), "PRINCIPAL_MISSING");
}

TEST_F(CallerTest, ScopesNestAndEnd) {
  EXPECT_EQ(CurrentCaller(), nullptr);
  {
    CallerScope outer(ServicePrincipal("meetings", gw::ROLE_STAFF));
    ASSERT_NE(CurrentCaller(), nullptr);
    EXPECT_EQ(CurrentCaller()->key_name, "services/meetings");
    {
      CallerScope inner({"apiKeys/1", gw::ROLE_FUNDER, 0, ""});
      EXPECT_EQ(CurrentCaller()->role, gw::ROLE_FUNDER);
    }
    EXPECT_EQ(CurrentCaller()->role, gw::ROLE_STAFF);
  }
  EXPECT_EQ(CurrentCaller(), nullptr);
}

TEST_F(CallerTest, OutgoingTokenIsShortLivedAndNeedsASecret) {
  CallerScope scope({"apiKeys/2", gw::ROLE_STAFF, 0, "req-2"});
  std::string token = OutgoingPrincipalToken();
  absl::StatusOr<Principal> principal = VerifyPrincipal(token, kSecret, absl::Now());
  ASSERT_THAT(principal, IsOk()) << principal.status();
  EXPECT_EQ(principal->key_name, "apiKeys/2");
  EXPECT_LE(principal->expire_unix_ms, absl::ToUnixMillis(absl::Now() + kOutgoingLifetime));
  EXPECT_FALSE(VerifyPrincipal(token, kSecret, absl::Now() + absl::Seconds(31)).ok());
  SetProcessSecret("");
  EXPECT_EQ(OutgoingPrincipalToken(), "");
}

}  // namespace
}  // namespace maillage::auth
