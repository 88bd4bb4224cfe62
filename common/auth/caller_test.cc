// The caller scope on real in-process gRPC servers: a front service authorizes its caller with
// AuthorizedCall and calls a back service through server::MakeChannel; the back service must
// see the same key and role, signed anew.
#include "common/auth/caller.h"

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/server/client.h"
#include "common/server/server.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"

using maillage::testing::IsOk;

namespace maillage::auth {
namespace {

namespace directory = ::maillage::directory::v1;
namespace gw = ::maillage::gateway::v1;

constexpr char kSecret[] = "caller-test-secret-of-enough-length";
// Methods the permission table knows: ListActors is open to partners, CreateActor is not.
constexpr char kListActors[] = "/maillage.directory.v1.DirectoryService/ListActors";
constexpr char kCreateActor[] = "/maillage.directory.v1.DirectoryService/CreateActor";

// A directory of two methods. ListActors authorizes its caller and answers, in
// next_page_token, "<key_name> <role> <audience>" of the principal it received; when `next` is
// set it calls `next` instead (ListActors, or CreateActor when the filter is "create") and
// answers what it answered. CreateActor authorizes and answers the same in display_name.
class Relay final : public directory::DirectoryService::Service {
 public:
  std::unique_ptr<directory::DirectoryService::Stub> next;

  grpc::Status ListActors(grpc::ServerContext* context, const directory::ListActorsRequest* request,
                          directory::ListActorsResponse* response) override {
    AuthorizedCall call(*context, kListActors);
    if (!call.ok()) return ToGrpcStatus(call.status(), "test.maillage");
    if (next == nullptr) {
      response->set_next_page_token(Describe(call.principal()));
      return grpc::Status::OK;
    }
    grpc::ClientContext forward;
    forward.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (request->filter() != "create") return next->ListActors(&forward, *request, response);
    directory::CreateActorRequest create;
    directory::Actor actor;
    grpc::Status status = next->CreateActor(&forward, create, &actor);
    response->set_next_page_token(actor.display_name());
    return status;
  }

  grpc::Status CreateActor(grpc::ServerContext* context, const directory::CreateActorRequest*,
                           directory::Actor* actor) override {
    AuthorizedCall call(*context, kCreateActor);
    if (!call.ok()) return ToGrpcStatus(call.status(), "test.maillage");
    actor->set_display_name(Describe(call.principal()));
    return grpc::Status::OK;
  }

 private:
  static std::string Describe(const Principal& principal) {
    return principal.key_name + " " + gw::Role_Name(principal.role) + " " + principal.audience;
  }
};

class CallerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetProcessSecret(kSecret);
    back_ = Start(back_service_);
    front_service_.next =
        directory::DirectoryService::NewStub(server::MakeChannel(Address(*back_)));
    front_ = Start(front_service_);
    front_stub_ = directory::DirectoryService::NewStub(server::MakeChannel(Address(*front_)));
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

  // ListActors at the front, which calls the back's ListActors, or its CreateActor when
  // `create`; returns what the back saw.
  absl::StatusOr<std::string> CallFront(bool create = false) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    directory::ListActorsRequest request;
    if (create) request.set_filter("create");
    directory::ListActorsResponse response;
    grpc::Status status = front_stub_->ListActors(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response.next_page_token();
  }

  Relay back_service_, front_service_;
  std::unique_ptr<server::Server> back_, front_;
  std::unique_ptr<directory::DirectoryService::Stub> front_stub_;
};

TEST_F(CallerTest, TheCallerTravelsThroughAServiceToTheNext) {
  CallerScope scope({"apiKeys/9", gw::ROLE_PARTNER, 0, "req-9"});
  absl::StatusOr<std::string> answer = CallFront();
  ASSERT_THAT(answer, IsOk()) << answer.status();
  EXPECT_EQ(*answer, absl::StrCat("apiKeys/9 ROLE_PARTNER ", kListActors));
}

TEST_F(CallerTest, TheNextCallIsSignedAnewForTheMethodItCalls) {
  // The front received a principal for its ListActors; the back's CreateActor gets one of its
  // own, with the same key and role.
  CallerScope scope({"apiKeys/4", gw::ROLE_ADMIN, 0, "req-4", kListActors});
  absl::StatusOr<std::string> answer = CallFront(/*create=*/true);
  ASSERT_THAT(answer, IsOk()) << answer.status();
  EXPECT_EQ(*answer, absl::StrCat("apiKeys/4 ROLE_ADMIN ", kCreateActor));
}

TEST_F(CallerTest, TheNextServiceJudgesTheSameRole) {
  CallerScope scope({"apiKeys/9", gw::ROLE_PARTNER, 0, "req-9"});
  absl::StatusOr<std::string> answer = CallFront(/*create=*/true);
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kPermissionDenied) << answer.status();
}

TEST_F(CallerTest, WithoutACallerNothingIsSignedAndTheServiceRefuses) {
  absl::StatusOr<std::string> answer = CallFront();
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

TEST_F(CallerTest, OutgoingTokenIsShortLivedBoundToItsMethodAndNeedsASecret) {
  CallerScope scope({"apiKeys/2", gw::ROLE_STAFF, 0, "req-2"});
  std::string token = OutgoingPrincipalToken(kListActors);
  absl::StatusOr<Principal> principal = VerifyPrincipal(token, kSecret, absl::Now(), kListActors);
  ASSERT_THAT(principal, IsOk()) << principal.status();
  EXPECT_EQ(principal->key_name, "apiKeys/2");
  EXPECT_EQ(principal->audience, kListActors);
  EXPECT_LE(principal->expire_unix_ms, absl::ToUnixMillis(absl::Now() + kOutgoingLifetime));
  EXPECT_FALSE(VerifyPrincipal(token, kSecret, absl::Now() + absl::Seconds(31), kListActors).ok());
  EXPECT_EQ(VerifyPrincipal(token, kSecret, absl::Now(), kCreateActor).status().code(),
            absl::StatusCode::kUnauthenticated);
  SetProcessSecret("");
  EXPECT_EQ(OutgoingPrincipalToken(kListActors), "");
}

TEST_F(CallerTest, OutgoingTokenExpiresWithTheCallsDeadline) {
  CallerScope scope({"apiKeys/2", gw::ROLE_STAFF, 0, "req-2"});
  const absl::Time deadline = absl::Now() + absl::Seconds(2);
  absl::StatusOr<Principal> principal = VerifyPrincipal(
      OutgoingPrincipalToken(kListActors, deadline), kSecret, absl::Now(), kListActors);
  ASSERT_THAT(principal, IsOk()) << principal.status();
  EXPECT_LE(principal->expire_unix_ms, absl::ToUnixMillis(deadline + kClockSkewAllowance));
  EXPECT_EQ(VerifyPrincipal(OutgoingPrincipalToken(kListActors, deadline), kSecret,
                            deadline + kClockSkewAllowance, kListActors)
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);

  // Through a channel: the back sees a principal that ends with the call.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  directory::ListActorsRequest request;
  directory::ListActorsResponse response;
  auto back = directory::DirectoryService::NewStub(server::MakeChannel(Address(*back_)));
  ASSERT_TRUE(back->ListActors(&context, request, &response).ok());
}

}  // namespace
}  // namespace maillage::auth
