// Authorize on a real in-process gRPC server: a tiny service whose handler authorizes the
// method named in the request, as an adapter does at the top of each handler.
#include "common/auth/authorizer.h"

#include <memory>
#include <string>

#include "common/server/server.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/status_matchers.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "maillage/testing/v1/echo.grpc.pb.h"

using maillage::testing::IsOk;

namespace maillage::auth {
namespace {

namespace echo = ::maillage::testing::v1;
namespace gw = ::maillage::gateway::v1;

constexpr char kSecret[] = "test-principal-secret";
constexpr char kListActors[] = "/maillage.directory.v1.DirectoryService/ListActors";
constexpr char kListContacts[] = "/maillage.directory.v1.DirectoryService/ListContacts";
constexpr char kListBudgets[] = "/maillage.budget.v1.BudgetService/ListBudgets";
constexpr char kEcho[] = "/maillage.testing.v1.EchoService/Echo";

// Echo authorizes request.message as the method name and answers "<key_name> <role>".
class AuthorizingEcho final : public echo::EchoService::Service {
 public:
  grpc::Status Echo(grpc::ServerContext* context, const echo::EchoRequest* request,
                    echo::EchoResponse* response) override {
    absl::StatusOr<Principal> principal = Authorize(*context, request->message(), kSecret);
    if (!principal.ok()) return ToGrpcStatus(principal.status(), "test.maillage");
    response->set_message(principal->key_name + " " + gw::Role_Name(principal->role));
    return grpc::Status::OK;
  }
};

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::ServerOptions options;
    options.service_name = "auth-test";
    options.error_domain = "test.maillage";
    options.host = "127.0.0.1";
    options.threads = 4;
    server_ = std::make_unique<server::Server>(options, std::vector<grpc::Service*>{&service_});
    ASSERT_THAT(server_->Start(), IsOk());
    stub_ = echo::EchoService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }

  // Calls Echo asking to authorize `method`, with each of `tokens` as principal metadata.
  absl::StatusOr<std::string> Call(const std::string& method,
                                   const std::vector<std::string>& tokens) {
    grpc::ClientContext context;
    for (const std::string& token : tokens) context.AddMetadata(kPrincipalMetadataKey, token);
    echo::EchoRequest request;
    request.set_message(method);
    echo::EchoResponse response;
    grpc::Status status = stub_->Echo(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response.message();
  }

  // A principal of `role` signed for `audience`.
  static std::string Token(Role role, absl::string_view audience,
                           absl::Duration lifetime = absl::Seconds(30),
                           absl::string_view secret = kSecret) {
    return SignPrincipal({"apiKeys/3", role, absl::ToUnixMillis(absl::Now() + lifetime), "req-1",
                          std::string(audience)},
                         secret);
  }

  AuthorizingEcho service_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<echo::EchoService::Stub> stub_;
};

std::string Reason(const absl::Status& status) {
  auto info = GetErrorInfo(status);
  return info.has_value() ? info->domain() + "/" + info->reason() : "<no ErrorInfo>";
}

TEST_F(AuthorizerTest, AllowedRoleReachesTheHandlerWithItsPrincipal) {
  absl::StatusOr<std::string> answer = Call(kListActors, {Token(gw::ROLE_PARTNER, kListActors)});
  ASSERT_THAT(answer, IsOk()) << answer.status();
  EXPECT_EQ(*answer, "apiKeys/3 ROLE_PARTNER");
  answer = Call(kListContacts, {Token(gw::ROLE_STAFF, kListContacts)});
  ASSERT_THAT(answer, IsOk()) << answer.status();
  EXPECT_EQ(*answer, "apiKeys/3 ROLE_STAFF");
}

TEST_F(AuthorizerTest, RoleOutsideTheTableIsPermissionDeniedWithRoleAndMethod) {
  absl::StatusOr<std::string> answer =
      Call(kListContacts, {Token(gw::ROLE_PARTNER, kListContacts)});
  ASSERT_EQ(answer.status().code(), absl::StatusCode::kPermissionDenied) << answer.status();
  EXPECT_EQ(Reason(answer.status()), "auth.maillage/PERMISSION_DENIED");
  auto info = GetErrorInfo(answer.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("role"), "ROLE_PARTNER");
  EXPECT_EQ(info->metadata().at("method"), kListContacts);

  answer = Call(kEcho, {Token(gw::ROLE_ADMIN, kEcho)});
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kPermissionDenied) << "unknown method";
}

TEST_F(AuthorizerTest, MissingForgedExpiredOrDoubledPrincipalIsUnauthenticated) {
  struct Case {
    const char* name;
    std::vector<std::string> tokens;
    const char* reason;
  };
  for (const char* method : {kListActors, "/no.Such/Method"}) {
    const Case kCases[] = {
        {"missing", {}, "auth.maillage/PRINCIPAL_MISSING"},
        {"wrong secret",
         {Token(gw::ROLE_ADMIN, method, absl::Seconds(30), "guess")},
         "auth.maillage/PRINCIPAL_INVALID"},
        {"garbage", {"not-a-token"}, "auth.maillage/PRINCIPAL_INVALID"},
        {"expired",
         {Token(gw::ROLE_ADMIN, method, absl::Seconds(-1))},
         "auth.maillage/PRINCIPAL_EXPIRED"},
        {"two principals",
         {Token(gw::ROLE_PARTNER, method), Token(gw::ROLE_ADMIN, method)},
         "auth.maillage/PRINCIPAL_INVALID"},
        {"signed for another method",
         {Token(gw::ROLE_ADMIN, kListContacts)},
         "auth.maillage/PRINCIPAL_WRONG_AUDIENCE"},
    };
    // Unauthenticated comes first, even for a method nobody may call.
    for (const Case& c : kCases) {
      absl::StatusOr<std::string> answer = Call(method, c.tokens);
      EXPECT_EQ(answer.status().code(), absl::StatusCode::kUnauthenticated) << c.name;
      EXPECT_EQ(Reason(answer.status()), c.reason) << c.name << " at " << method;
    }
  }
}

TEST_F(AuthorizerTest, PrincipalSignedForOneMethodOpensNoOther) {
  // Method A's token on method B of the same service, and a directory token at the budget
  // service: both refused, naming what the token was signed for.
  const std::string for_list_actors = Token(gw::ROLE_ADMIN, kListActors);
  ASSERT_THAT(Call(kListActors, {for_list_actors}), IsOk());
  for (const char* other : {kListContacts, kListBudgets}) {
    absl::StatusOr<std::string> answer = Call(other, {for_list_actors});
    ASSERT_EQ(answer.status().code(), absl::StatusCode::kUnauthenticated) << other;
    EXPECT_EQ(Reason(answer.status()), "auth.maillage/PRINCIPAL_WRONG_AUDIENCE") << other;
    auto info = GetErrorInfo(answer.status());
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->metadata().at("audience"), kListActors);
    EXPECT_EQ(info->metadata().at("method"), other);
  }
}

}  // namespace
}  // namespace maillage::auth
