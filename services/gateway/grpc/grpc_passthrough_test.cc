// The gateway's native gRPC pass-through against real in-process servers on port 0: a backend
// running the test echo service, a gateway server (common/server) whose generic service is the
// pass-through, and clients with the generated stubs of the echo contract calling the gateway.
#include "services/gateway/grpc/grpc_passthrough.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/server/client.h"
#include "common/server/server.h"
#include "common/server/test_echo_service.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "maillage/testing/v1/echo.grpc.pb.h"
#include "maillage/testing/v1/transcoding.grpc.pb.h"

using maillage::testing::IsOk;

namespace maillage::gateway {
namespace {

namespace echo = ::maillage::testing::v1;
using Clock = std::chrono::system_clock;
using ::testing::ElementsAre;
using ::testing::Pair;

constexpr char kEchoService[] = "maillage.testing.v1.EchoService";
constexpr char kTraceparent[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
constexpr int kManyMessages = 1000;

server::ServerOptions LocalOptions(const std::string& name) {
  server::ServerOptions options;
  options.service_name = name;
  options.error_domain = "test.maillage";
  options.host = "127.0.0.1";
  options.threads = 16;
  options.reflection = false;
  return options;
}

// Waits up to 5 s for `condition`.
template <typename Condition>
bool Eventually(Condition condition) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// A gateway gRPC server whose only own service is health, passing `channel_of_service` through.
class Gateway {
 public:
  Gateway(const std::map<std::string, std::shared_ptr<grpc::Channel>>& channel_of_service,
          Admit admit, PassthroughOptions options = {})
      : server_(LocalOptions("gateway"), {}) {
    absl::StatusOr<std::unique_ptr<GrpcPassthrough>> passthrough =
        GrpcPassthrough::Create(channel_of_service, std::move(admit), options);
    EXPECT_THAT(passthrough, IsOk()) << passthrough.status();
    passthrough_ = *std::move(passthrough);
    server_.SetGenericService(passthrough_.get());
    absl::Status started = server_.Start();
    EXPECT_THAT(started, IsOk()) << started;
    server_.SetServing(true);
    channel_ = server::MakeChannel(absl::StrCat("127.0.0.1:", server_.port()));
  }
  ~Gateway() { server_.Shutdown(); }

  GrpcPassthrough& passthrough() { return *passthrough_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }

 private:
  std::unique_ptr<GrpcPassthrough> passthrough_;  // outlives server_
  server::Server server_;
  std::shared_ptr<grpc::Channel> channel_;
};

class GrpcPassthroughTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<server::Server>(LocalOptions("backend"),
                                                std::vector<grpc::Service*>{&echo_});
    ASSERT_THAT(backend_->Start(), IsOk());
    backend_->SetServing(true);
    gateway_ = std::make_unique<Gateway>(
        std::map<std::string, std::shared_ptr<grpc::Channel>>{
            {kEchoService, server::MakeChannel(absl::StrCat("127.0.0.1:", backend_->port()))}},
        [this](const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
               const std::string& method,
               const std::string& peer) { return AdmitForTest(metadata, method, peer); });
    stub_ = echo::EchoService::NewStub(gateway_->channel());
  }

  void TearDown() override {
    // Every call is over on both sides once its client has its status.
    EXPECT_TRUE(Eventually([&] { return gateway_->passthrough().calls_in_flight() == 0; }))
        << gateway_->passthrough().calls_in_flight() << " calls still in flight";
    gateway_.reset();
    backend_->Shutdown();
  }

  // The admission of the tests: records what it saw, refuses when `refusal_` is set, adds a
  // principal and records the final statuses.
  absl::StatusOr<AdmittedCall> AdmitForTest(
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata, const std::string& method,
      const std::string& peer) {
    std::lock_guard<std::mutex> lock(mu_);
    admitted_methods_.push_back(method);
    last_peer_ = peer;
    auto key = metadata.find("x-api-key");
    last_api_key_ =
        key == metadata.end() ? "" : std::string(key->second.data(), key->second.size());
    if (!refusal_.ok()) return refusal_;
    AdmittedCall call;
    call.metadata = {{"x-maillage-principal", "signed-by-the-gateway"}};
    call.done = [this](const grpc::Status& status) {
      std::lock_guard<std::mutex> lock(mu_);
      final_codes_.push_back(status.error_code());
    };
    return call;
  }

  std::vector<grpc::StatusCode> final_codes() {
    std::lock_guard<std::mutex> lock(mu_);
    return final_codes_;
  }

  static void Prepare(grpc::ClientContext& context,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    context.set_deadline(Clock::now() + timeout);
  }

  server::TestEchoService echo_{"backend-1"};
  std::unique_ptr<server::Server> backend_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<echo::EchoService::Stub> stub_;

  std::mutex mu_;
  absl::Status refusal_;
  std::vector<std::string> admitted_methods_;
  std::string last_peer_;
  std::string last_api_key_;
  std::vector<grpc::StatusCode> final_codes_;
};

TEST_F(GrpcPassthroughTest, UnaryCallReachesTheBackendWithItsInitialMetadataBack) {
  grpc::ClientContext context;
  Prepare(context);
  echo::EchoRequest request;
  request.set_message("bonjour");
  echo::EchoResponse response;
  grpc::Status status = stub_->Echo(&context, request, &response);
  ASSERT_THAT(status, IsOk()) << status.error_message();
  EXPECT_EQ(response.message(), "bonjour");
  EXPECT_EQ(response.served_by(), "backend-1");
  // The backend's own initial metadata reaches the client.
  auto served_by = context.GetServerInitialMetadata().find("x-echo-served-by");
  ASSERT_NE(served_by, context.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(served_by->second.data(), served_by->second.size()), "backend-1");
  {
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_THAT(admitted_methods_, ElementsAre("/maillage.testing.v1.EchoService/Echo"));
  }
  // The audit hook hears the final status once.
  EXPECT_TRUE(Eventually([&] { return final_codes().size() == 1; }));
  EXPECT_THAT(final_codes(), ElementsAre(grpc::StatusCode::OK));
}

TEST_F(GrpcPassthroughTest, OwnServicesOfTheGatewayServerStillAnswer) {
  auto health = grpc::health::v1::Health::NewStub(gateway_->channel());
  grpc::ClientContext context;
  Prepare(context);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_THAT(health->Check(&context, request, &response), IsOk());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_TRUE(admitted_methods_.empty());  // not a pass-through call
}

TEST_F(GrpcPassthroughTest, RequestIdAndTraceparentAreForwardedAndNothingElseTheClientSent) {
  grpc::ClientContext context;
  Prepare(context);
  context.AddMetadata("x-request-id", "req-passthrough-1");
  context.AddMetadata("traceparent", kTraceparent);
  context.AddMetadata("x-api-key", "mk_secret_key");
  context.AddMetadata("x-maillage-principal", "forged-by-the-client");
  context.AddMetadata("x-custom", "not-forwarded");
  echo::EchoRequest request;
  echo::EchoResponse response;
  ASSERT_THAT(stub_->Echo(&context, request, &response), IsOk());
  EXPECT_EQ(response.request_id(), "req-passthrough-1");

  server::TestEchoService::Seen seen = echo_.last_seen();
  EXPECT_EQ(seen.thread_request_id, "req-passthrough-1");
  EXPECT_EQ(seen.thread_traceparent, kTraceparent);
  EXPECT_EQ(seen.metadata.count("x-api-key"), 0u);
  EXPECT_EQ(seen.metadata.count("x-custom"), 0u);
  // Only the principal the admission added, never the client's.
  auto principal = seen.metadata.equal_range("x-maillage-principal");
  std::vector<std::pair<std::string, std::string>> principals(principal.first, principal.second);
  EXPECT_THAT(principals, ElementsAre(Pair("x-maillage-principal", "signed-by-the-gateway")));
  // The admission saw the client's key.
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(last_api_key_, "mk_secret_key");
}

TEST_F(GrpcPassthroughTest, RequestIdIsGeneratedWhenAbsentAndIsTheSameOnBothSides) {
  grpc::ClientContext context;
  Prepare(context);
  echo::EchoRequest request;
  echo::EchoResponse response;
  ASSERT_THAT(stub_->Echo(&context, request, &response), IsOk());
  ASSERT_EQ(response.request_id().size(), 36u) << response.request_id();
  auto id = context.GetServerInitialMetadata().equal_range("x-request-id");
  ASSERT_EQ(std::distance(id.first, id.second), 1);  // the gateway's, not also the backend's
  EXPECT_EQ(std::string(id.first->second.data(), id.first->second.size()), response.request_id());
}

TEST_F(GrpcPassthroughTest, ServerStreamingDeliversEveryMessageInOrder) {
  grpc::ClientContext context;
  Prepare(context);
  echo::ExpandRequest request;
  request.set_message("m");
  request.set_count(kManyMessages);
  auto reader = stub_->Expand(&context, request);
  echo::EchoResponse response;
  int received = 0;
  while (reader->Read(&response)) {
    ASSERT_EQ(response.message(), absl::StrCat("m-", received));
    ++received;
  }
  grpc::Status status = reader->Finish();
  EXPECT_THAT(status, IsOk()) << status.error_message();
  EXPECT_EQ(received, kManyMessages);
}

TEST_F(GrpcPassthroughTest, ServerStreamingEndsWithTheBackendsErrorAfterItsMessages) {
  grpc::ClientContext context;
  Prepare(context);
  echo::ExpandRequest request;
  request.set_message("partial");
  request.set_count(3);
  request.set_fail_code(static_cast<int>(grpc::StatusCode::ABORTED));
  auto reader = stub_->Expand(&context, request);
  echo::EchoResponse response;
  int received = 0;
  while (reader->Read(&response)) ++received;
  grpc::Status status = reader->Finish();
  EXPECT_EQ(received, 3);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(status.error_message(), "partial");
}

TEST_F(GrpcPassthroughTest, ClientStreamingDeliversEveryMessageInOrder) {
  grpc::ClientContext context;
  Prepare(context);
  echo::CollectResponse response;
  auto writer = stub_->Collect(&context, &response);
  std::string expected;
  for (int i = 0; i < kManyMessages; ++i) {
    echo::EchoRequest request;
    request.set_message(absl::StrCat(i));
    ASSERT_TRUE(writer->Write(request)) << "message " << i;
    absl::StrAppend(&expected, i == 0 ? "" : ",", i);
  }
  ASSERT_TRUE(writer->WritesDone());
  grpc::Status status = writer->Finish();
  ASSERT_THAT(status, IsOk()) << status.error_message();
  EXPECT_EQ(response.count(), kManyMessages);
  EXPECT_EQ(response.messages(), expected);
}

TEST_F(GrpcPassthroughTest, BidiStreamingInLockstepAndInABurst) {
  grpc::ClientContext context;
  Prepare(context);
  auto stream = stub_->Chat(&context);
  echo::EchoRequest request;
  echo::EchoResponse response;
  for (int i = 0; i < kManyMessages / 2; ++i) {  // one by one
    request.set_message(absl::StrCat("ping-", i));
    ASSERT_TRUE(stream->Write(request));
    ASSERT_TRUE(stream->Read(&response));
    ASSERT_EQ(response.message(), absl::StrCat("ping-", i));
  }
  for (int i = 0; i < kManyMessages / 2; ++i) {  // all the writes first
    request.set_message(absl::StrCat("burst-", i));
    ASSERT_TRUE(stream->Write(request));
  }
  ASSERT_TRUE(stream->WritesDone());
  int received = 0;
  while (stream->Read(&response)) {
    ASSERT_EQ(response.message(), absl::StrCat("burst-", received));
    ++received;
  }
  EXPECT_EQ(received, kManyMessages / 2);
  grpc::Status status = stream->Finish();
  EXPECT_THAT(status, IsOk()) << status.error_message();
}

TEST_F(GrpcPassthroughTest, ASlowClientHoldsBackTheBackendInsteadOfFillingTheGateway) {
  // 400 messages of 256 KiB (100 MiB): read one, then stop reading.
  constexpr int kCount = 400;
  grpc::ClientContext context;
  Prepare(context, std::chrono::seconds(60));
  echo::ExpandRequest request;
  request.set_message("big");
  request.set_count(kCount);
  request.set_padding_bytes(256 << 10);
  auto reader = stub_->Expand(&context, request);
  echo::EchoResponse response;
  ASSERT_TRUE(reader->Read(&response));
  // The backend stops: its count no longer moves over 300 ms...
  int sent_while_stalled = -1;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    int sent = echo_.expand_messages_sent();
    if (sent == sent_while_stalled) break;
    sent_while_stalled = sent;
  }
  EXPECT_EQ(echo_.expand_messages_sent(), sent_while_stalled) << "the backend never stopped";
  // ... far from the end of the stream: HTTP/2 windows on both hops and the one message in
  // flight in the gateway, not the whole stream.
  EXPECT_LT(sent_while_stalled, kCount / 2) << "the backend was not held back";
  int received = 1;
  while (reader->Read(&response)) ++received;
  EXPECT_THAT(reader->Finish(), IsOk());
  EXPECT_EQ(received, kCount);
  std::printf("backend messages of 256 KiB sent while the client was stalled: %d of %d\n",
              sent_while_stalled, kCount);
}

TEST_F(GrpcPassthroughTest, ErrorKeepsItsDetailsAndTrailingMetadata) {
  grpc::ClientContext context;
  Prepare(context);
  echo::FailRequest request;
  request.set_code(static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  request.set_message("the meeting is closed");
  request.set_reason("MEETING_CLOSED");
  echo::FailResponse response;
  grpc::Status status = stub_->Fail(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "the meeting is closed");
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(FromGrpcStatus(status));
  ASSERT_TRUE(info.has_value()) << "no details";
  EXPECT_EQ(info->reason(), "MEETING_CLOSED");
  EXPECT_EQ(info->domain(), "echo.maillage");
  auto reason = context.GetServerTrailingMetadata().find("x-echo-reason");
  ASSERT_NE(reason, context.GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(reason->second.data(), reason->second.size()), "MEETING_CLOSED");
  EXPECT_TRUE(Eventually([&] { return final_codes().size() == 1; }));
  EXPECT_THAT(final_codes(), ElementsAre(grpc::StatusCode::FAILED_PRECONDITION));
}

TEST_F(GrpcPassthroughTest, DeadlineReachesTheBackendWhichIsCancelledWhenItPasses) {
  grpc::ClientContext context;
  auto deadline = Clock::now() + std::chrono::milliseconds(400);
  context.set_deadline(deadline);
  echo::EchoRequest request;
  request.set_delay_ms(5000);
  echo::EchoResponse response;
  auto start = std::chrono::steady_clock::now();
  grpc::Status status = stub_->Echo(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  auto skew = echo_.last_seen().deadline - deadline;
  EXPECT_LT(std::chrono::abs(skew), std::chrono::milliseconds(100))
      << std::chrono::duration_cast<std::chrono::milliseconds>(skew).count() << " ms";
  EXPECT_TRUE(Eventually([&] { return echo_.cancelled_calls() == 1; }));
}

TEST_F(GrpcPassthroughTest, ClientCancellationCancelsTheBackendStream) {
  grpc::ClientContext context;
  Prepare(context);
  auto stream = stub_->Chat(&context);
  echo::EchoRequest request;
  request.set_message("hello");
  echo::EchoResponse response;
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&response));
  context.TryCancel();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(Eventually([&] { return echo_.cancelled_calls() == 1; }));
  EXPECT_TRUE(Eventually([&] { return final_codes().size() == 1; }));
  EXPECT_THAT(final_codes(), ElementsAre(grpc::StatusCode::CANCELLED));
}

TEST_F(GrpcPassthroughTest, CancelledUploadIsNotTakenAsCompleteByTheBackend) {
  grpc::ClientContext context;
  Prepare(context);
  echo::CollectResponse response;
  auto writer = stub_->Collect(&context, &response);
  echo::EchoRequest request;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(writer->Write(request));
  ASSERT_TRUE(Eventually([&] { return echo_.collect_messages_received() == 10; }));
  context.TryCancel();
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The backend sees a cancellation, not a half-close after 10 messages.
  EXPECT_TRUE(Eventually([&] { return echo_.cancelled_calls() == 1; }))
      << "started " << echo_.calls_started() << " cancelled " << echo_.cancelled_calls();
}

TEST_F(GrpcPassthroughTest, RefusedAdmissionEndsTheCallWithItsStatusBeforeTheBackend) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    refusal_ = PermissionDenied("gateway.maillage", "ROLE_FORBIDDEN",
                                "role partner may not call EchoService.Collect");
  }
  grpc::ClientContext context;
  Prepare(context);
  echo::CollectResponse response;
  auto writer = stub_->Collect(&context, &response);
  echo::EchoRequest request;
  writer->Write(request);  // may fail: the call is already over
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(), "role partner may not call EchoService.Collect");
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(FromGrpcStatus(status));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "ROLE_FORBIDDEN");
  EXPECT_EQ(echo_.calls_started(), 0);
}

TEST_F(GrpcPassthroughTest, MethodOfNoPublicServiceIsUnimplementedWithoutAdmission) {
  auto bookshelf = echo::BookshelfService::NewStub(gateway_->channel());
  grpc::ClientContext context;
  Prepare(context);
  echo::GetBookRequest request;
  request.set_name("shelves/1/books/2");
  echo::Book book;
  grpc::Status status = bookshelf->GetBook(&context, request, &book);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_THAT(status.error_message(),
              ::testing::HasSubstr("/maillage.testing.v1.BookshelfService/GetBook"));
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_TRUE(admitted_methods_.empty());
}

// A call that admit_without_blocking admits never reaches the admission workers (here their
// admission refuses everything), carries what it added, and its `done` runs only when
// `done_wanted` says so; a call it leaves (nullopt) goes to the workers as before.
TEST_F(GrpcPassthroughTest, ACallAdmittedWithoutBlockingSkipsTheWorkers) {
  std::atomic<int> worker_admissions{0}, done_calls{0};
  std::atomic<bool> want_done{false};
  PassthroughOptions options;
  options.admit_without_blocking =
      [&](const std::multimap<grpc::string_ref, grpc::string_ref>& metadata, const std::string&,
          const std::string&) -> std::optional<AdmittedCall> {
    auto key = metadata.find("x-api-key");
    if (key == metadata.end() || key->second != "cached") return std::nullopt;
    AdmittedCall call;
    call.metadata = {{"x-maillage-principal", "from-the-cache"}};
    call.done = [&](const grpc::Status&) { ++done_calls; };
    call.done_wanted = [&](const grpc::Status&) { return want_done.load(); };
    return call;
  };
  Gateway gateway(
      {{kEchoService, server::MakeChannel(absl::StrCat("127.0.0.1:", backend_->port()))}},
      [&](const std::multimap<grpc::string_ref, grpc::string_ref>&, const std::string&,
          const std::string&) -> absl::StatusOr<AdmittedCall> {
        ++worker_admissions;
        return PermissionDenied("gateway.maillage", "ON_A_WORKER", "admitted on a worker");
      },
      options);
  auto stub = echo::EchoService::NewStub(gateway.channel());
  auto call = [&](const std::string& key) {
    grpc::ClientContext context;
    Prepare(context);
    context.AddMetadata("x-api-key", key);
    echo::EchoRequest request;
    request.set_message("hello");
    echo::EchoResponse response;
    grpc::Status status = stub->Echo(&context, request, &response);
    EXPECT_TRUE(!status.ok() || response.message() == "hello");
    return status;
  };
  ASSERT_THAT(call("cached"), IsOk());
  const server::TestEchoService::Seen seen = echo_.last_seen();
  auto principal = seen.metadata.equal_range("x-maillage-principal");
  std::vector<std::pair<std::string, std::string>> principals(principal.first, principal.second);
  EXPECT_THAT(principals, ElementsAre(Pair("x-maillage-principal", "from-the-cache")));
  want_done = true;
  ASSERT_THAT(call("cached"), IsOk());
  EXPECT_EQ(worker_admissions.load(), 0);
  EXPECT_TRUE(Eventually([&] { return done_calls.load() == 1; }))
      << "done runs for the second call only: " << done_calls.load();

  EXPECT_EQ(call("looked-up").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(worker_admissions.load(), 1);
  EXPECT_TRUE(Eventually([&] { return gateway.passthrough().calls_in_flight() == 0; }));
}

TEST(GrpcPassthroughDownTest, BackendDownIsUnavailable) {
  // A port nothing listens on: bound then released.
  int port = 0;
  {
    server::TestEchoService echo;
    server::Server probe(LocalOptions("probe"), {&echo});
    ASSERT_THAT(probe.Start(), IsOk());
    port = probe.port();
  }
  Gateway gateway({{kEchoService, server::MakeChannel(absl::StrCat("127.0.0.1:", port))}}, nullptr);
  auto stub = echo::EchoService::NewStub(gateway.channel());
  grpc::ClientContext context;
  context.set_deadline(Clock::now() + std::chrono::seconds(10));
  echo::EchoRequest request;
  echo::EchoResponse response;
  grpc::Status status = stub->Echo(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_TRUE(Eventually([&] { return gateway.passthrough().calls_in_flight() == 0; }));
}

// A call without a deadline (or with a longer one) ends at the gateway's cap, its backend call
// cancelled; a shorter client deadline still applies.
TEST_F(GrpcPassthroughTest, DeadlineIsCappedAtTheGatewaysMaximum) {
  PassthroughOptions options;
  options.max_deadline = std::chrono::milliseconds(300);
  Gateway capped(
      {{kEchoService, server::MakeChannel(absl::StrCat("127.0.0.1:", backend_->port()))}}, nullptr,
      options);
  auto stub = echo::EchoService::NewStub(capped.channel());
  for (bool client_deadline : {false, true}) {
    grpc::ClientContext context;
    if (client_deadline) context.set_deadline(Clock::now() + std::chrono::hours(1));
    echo::EchoRequest request;
    request.set_message("slow");
    request.set_delay_ms(5000);
    echo::EchoResponse response;
    const auto start = Clock::now();
    grpc::Status status = stub->Echo(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(3)) << client_deadline;
  }
  grpc::ClientContext context;
  context.set_deadline(Clock::now() + std::chrono::milliseconds(100));
  echo::EchoRequest request;
  request.set_delay_ms(5000);
  echo::EchoResponse response;
  const auto start = Clock::now();
  EXPECT_EQ(stub->Echo(&context, request, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(290));
  EXPECT_TRUE(Eventually([&] { return capped.passthrough().calls_in_flight() == 0; }));
}

// The admission runs on the pass-through's own workers, with a bounded queue: an admission
// that blocks (a key looked up in a slow database) holds a worker, not a gRPC thread, and
// once the queue is full further calls get UNAVAILABLE at once instead of waiting.
TEST_F(GrpcPassthroughTest, AdmissionRunsOnBoundedWorkersOffTheCallbackThreads) {
  std::mutex mu;
  std::condition_variable released_cv;
  bool released = false;
  int admissions = 0;
  PassthroughOptions options;
  options.admission.threads = 1;
  options.admission.max_queued = 1;
  Gateway gateway(
      {{kEchoService, server::MakeChannel(absl::StrCat("127.0.0.1:", backend_->port()))}},
      [&](const std::multimap<grpc::string_ref, grpc::string_ref>&, const std::string&,
          const std::string& peer) -> absl::StatusOr<AdmittedCall> {
        std::unique_lock<std::mutex> lock(mu);
        ++admissions;
        EXPECT_TRUE(absl::StartsWith(peer, "ipv4:127.0.0.1:") || absl::StartsWith(peer, "ipv6:"))
            << peer;
        released_cv.wait(lock, [&] { return released; });
        return AdmittedCall{};
      },
      options);
  auto stub = echo::EchoService::NewStub(gateway.channel());
  // Two calls: one held by the worker, one queued.
  std::vector<std::thread> held;
  std::vector<grpc::StatusCode> held_codes(2, grpc::StatusCode::UNKNOWN);
  for (int i = 0; i < 2; ++i) {
    held.emplace_back([&, i] {
      grpc::ClientContext context;
      context.set_deadline(Clock::now() + std::chrono::seconds(20));
      echo::EchoRequest request;
      request.set_message("held");
      echo::EchoResponse response;
      held_codes[i] = stub->Echo(&context, request, &response).error_code();
    });
    ASSERT_TRUE(Eventually([&] {
      std::lock_guard<std::mutex> lock(mu);
      return admissions == 1;
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the second one queued
  }
  // The third finds the queue full: refused at once.
  grpc::ClientContext context;
  context.set_deadline(Clock::now() + std::chrono::seconds(20));
  echo::EchoRequest request;
  echo::EchoResponse response;
  const auto start = Clock::now();
  grpc::Status refused = stub->Echo(&context, request, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  {
    std::lock_guard<std::mutex> lock(mu);
    released = true;
  }
  released_cv.notify_all();
  for (std::thread& t : held) t.join();
  EXPECT_EQ(held_codes[0], grpc::StatusCode::OK);
  EXPECT_EQ(held_codes[1], grpc::StatusCode::OK);
  EXPECT_TRUE(Eventually([&] { return gateway.passthrough().calls_in_flight() == 0; }));
}

TEST(GrpcPassthroughCreateTest, UnknownServiceIsNotFound) {
  absl::StatusOr<std::unique_ptr<GrpcPassthrough>> passthrough = GrpcPassthrough::Create(
      {{"maillage.nothing.v1.NoService", server::MakeChannel("127.0.0.1:1")}}, nullptr);
  EXPECT_EQ(passthrough.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(passthrough.status().message(),
              ::testing::HasSubstr("maillage.nothing.v1.NoService"));
}

}  // namespace
}  // namespace maillage::gateway
