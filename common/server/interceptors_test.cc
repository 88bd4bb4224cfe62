// Interceptors on a real in-process server: request ids, thread context, metrics, access log.
#include "common/server/interceptors.h"

#include <chrono>
#include <future>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "common/server/server.h"
#include "common/server/test_echo_service.h"
#include "common/server/utf8_fields.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "maillage/testing/v1/transcoding.pb.h"
#include "prometheus/text_serializer.h"

using maillage::testing::IsOk;

namespace maillage::server {
namespace {

namespace echo = ::maillage::testing::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTraceparent[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const std::regex kUuidV4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

ServerOptions TestOptions() {
  ServerOptions options;
  options.service_name = "test";
  options.error_domain = "test.maillage";
  options.host = "127.0.0.1";
  options.threads = 4;
  return options;
}

std::string Header(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
                   const std::string& key) {
  auto it = metadata.find(key);
  return it == metadata.end() ? "" : std::string(it->second.data(), it->second.size());
}

class InterceptorsTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(TestOptions()); }

  void StartServer(const ServerOptions& options) {
    server_ = std::make_unique<Server>(options, std::vector<grpc::Service*>{&service_});
    ASSERT_THAT(server_->Start(), IsOk());
    stub_ = echo::EchoService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials()));
  }

  // Calls Echo with these metadata; the server's initial metadata land in `context`.
  grpc::Status Echo(grpc::ClientContext& context, echo::EchoResponse* response,
                    const std::string& request_id = "", const std::string& traceparent = "") {
    if (!request_id.empty()) context.AddMetadata(kRequestIdHeader, request_id);
    if (!traceparent.empty()) context.AddMetadata(kTraceparentHeader, traceparent);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    echo::EchoRequest request;
    request.set_message("hello");
    return stub_->Echo(&context, request, response);
  }

  grpc::Status Fail(grpc::StatusCode code, grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    echo::FailRequest request;
    request.set_code(code);
    request.set_message("as asked");
    echo::FailResponse response;
    return stub_->Fail(&context, request, &response);
  }

  std::string Scrape() {
    return prometheus::TextSerializer().Serialize(server_->metrics().Collect());
  }

  TestEchoService service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<echo::EchoService::Stub> stub_;
};

TEST_F(InterceptorsTest, TheClientRequestIdReachesTheHandlerAndComesBack) {
  grpc::ClientContext context;
  echo::EchoResponse response;
  ASSERT_THAT(Echo(context, &response, "req-42", kTraceparent), IsOk());

  EXPECT_EQ(response.request_id(), "req-42") << "RequestId(context) in the handler";
  EXPECT_EQ(Header(context.GetServerInitialMetadata(), kRequestIdHeader), "req-42");
  TestEchoService::Seen seen = service_.last_seen();
  EXPECT_EQ(seen.thread_request_id, "req-42") << "log::CurrentRequestId() in the handler";
  EXPECT_EQ(seen.thread_traceparent, kTraceparent);
}

TEST_F(InterceptorsTest, AMissingRequestIdIsGenerated) {
  grpc::ClientContext context;
  echo::EchoResponse response;
  ASSERT_THAT(Echo(context, &response), IsOk());

  EXPECT_TRUE(std::regex_match(response.request_id(), kUuidV4)) << response.request_id();
  EXPECT_EQ(Header(context.GetServerInitialMetadata(), kRequestIdHeader), response.request_id());
  EXPECT_EQ(service_.last_seen().thread_request_id, response.request_id());
  EXPECT_EQ(service_.last_seen().thread_traceparent, "");

  grpc::ClientContext second_context;
  echo::EchoResponse second;
  ASSERT_THAT(Echo(second_context, &second), IsOk());
  EXPECT_NE(second.request_id(), response.request_id());
  EXPECT_EQ(service_.last_seen().thread_request_id, second.request_id())
      << "no id left over from the previous call";
}

TEST_F(InterceptorsTest, AnOversizedRequestIdIsReplaced) {
  grpc::ClientContext context;
  echo::EchoResponse response;
  ASSERT_THAT(Echo(context, &response, std::string(300, 'x')), IsOk());
  EXPECT_TRUE(std::regex_match(response.request_id(), kUuidV4)) << response.request_id();
}

TEST_F(InterceptorsTest, ErrorsCarryTheRequestIdToo) {
  grpc::ClientContext context;
  context.AddMetadata(kRequestIdHeader, "failing-1");
  EXPECT_EQ(Fail(grpc::StatusCode::NOT_FOUND, context).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Header(context.GetServerInitialMetadata(), kRequestIdHeader), "failing-1");
}

TEST_F(InterceptorsTest, MetricsCountCallsWithTheirLabels) {
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    echo::EchoResponse response;
    ASSERT_THAT(Echo(context, &response), IsOk());
  }
  grpc::ClientContext fail_context;
  ASSERT_EQ(Fail(grpc::StatusCode::NOT_FOUND, fail_context).error_code(),
            grpc::StatusCode::NOT_FOUND);

  {
    // Health checks (a callback service inside gRPC) are counted like any other call.
    auto health = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    ASSERT_THAT(health->Check(&context, request, &response), IsOk());
  }

  std::string text = Scrape();
  EXPECT_THAT(text, HasSubstr(R"(grpc_server_handled_total{grpc_code="OK",grpc_method="Check",)"
                              R"(grpc_service="grpc.health.v1.Health",grpc_type="unary"} 1)"));
  const std::string echo_labels =
      R"(grpc_method="Echo",grpc_service="maillage.testing.v1.EchoService",grpc_type="unary")";
  const std::string fail_labels =
      R"(grpc_method="Fail",grpc_service="maillage.testing.v1.EchoService",grpc_type="unary")";
  EXPECT_THAT(text, HasSubstr("grpc_server_started_total{" + echo_labels + "} 2\n"));
  EXPECT_THAT(text, HasSubstr("grpc_server_started_total{" + fail_labels + "} 1\n"));
  EXPECT_THAT(text,
              HasSubstr(R"(grpc_server_handled_total{grpc_code="OK",)" + echo_labels + "} 2\n"));
  EXPECT_THAT(text, HasSubstr(R"(grpc_server_handled_total{grpc_code="NOT_FOUND",)" + fail_labels +
                              "} 1\n"));
  EXPECT_THAT(text, HasSubstr("grpc_server_handling_seconds_count{" + echo_labels + "} 2\n"));
  EXPECT_THAT(text, Not(HasSubstr(R"(grpc_code="OK",)" + fail_labels)));
}

TEST_F(InterceptorsTest, UnknownMethodsShareOneSeries) {
  grpc::GenericStub generic(grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                                grpc::InsecureChannelCredentials()));
  for (const char* method : {"/no.such.Service/Method", "/another.Service/Other"}) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    generic.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                      [&done](grpc::Status status) { done.set_value(status); });
    EXPECT_EQ(done.get_future().get().error_code(), grpc::StatusCode::UNIMPLEMENTED);
  }
  std::string text = Scrape();
  EXPECT_THAT(text, HasSubstr(R"(grpc_server_started_total{grpc_method="unknown",)"
                              R"(grpc_service="unknown",grpc_type="bidi_stream"} 2)"));
  EXPECT_THAT(text, Not(HasSubstr("no.such.Service")));
  EXPECT_THAT(text, Not(HasSubstr("another.Service")));
}

// Sends `wire` (serialized bytes) to Echo and returns the status.
grpc::Status RawEcho(int port, const std::string& wire) {
  grpc::GenericStub generic(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Slice bytes(wire);
  grpc::ByteBuffer request(&bytes, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  generic.UnaryCall(&context, "/maillage.testing.v1.EchoService/Echo", grpc::StubOptions(),
                    &request, &response, [&done](grpc::Status status) { done.set_value(status); });
  return done.get_future().get();
}

TEST_F(InterceptorsTest, InvalidUtf8IsInvalidArgumentNamingTheField) {
  // Field 1 (message), length 2, "\xC3(": not UTF-8. Sent as raw bytes, and through the
  // generated stub (protobuf only logs when it serializes invalid UTF-8).
  grpc::Status raw = RawEcho(server_->port(), std::string("\x0A\x02\xC3(", 4));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  echo::EchoRequest request;
  request.set_message("Caf\xC3");
  echo::EchoResponse response;
  grpc::Status stub = stub_->Echo(&context, request, &response);
  for (const grpc::Status& status : {raw, stub}) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    absl::Status inside = FromGrpcStatus(status);
    std::optional<google::rpc::BadRequest> bad = GetBadRequest(inside);
    ASSERT_TRUE(bad.has_value()) << inside;
    ASSERT_EQ(bad->field_violations_size(), 1);
    EXPECT_EQ(bad->field_violations(0).field(), "message");
    EXPECT_EQ(bad->field_violations(0).description(), "not valid UTF-8");
    EXPECT_EQ(GetErrorInfo(inside)->domain(), "test.maillage");
  }
  EXPECT_EQ(service_.echo_calls_started(), 0) << "the handler never ran";
  EXPECT_THAT(Scrape(), HasSubstr(R"(grpc_code="INVALID_ARGUMENT",grpc_method="Echo")"));

  // Bytes that are no protobuf at all: the request as a whole.
  grpc::Status garbage = RawEcho(server_->port(), std::string("\xFF\xFF\xFF", 3));
  EXPECT_EQ(garbage.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::optional<google::rpc::BadRequest> bad = GetBadRequest(FromGrpcStatus(garbage));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "request");

  // Valid accents still pass, and a handler's own INTERNAL is left alone.
  grpc::ClientContext ok_context;
  request.set_message("Café");
  request.set_delay_ms(0);
  ok_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  EXPECT_THAT(stub_->Echo(&ok_context, request, &response), IsOk());
  grpc::ClientContext fail_context;
  EXPECT_EQ(Fail(grpc::StatusCode::INTERNAL, fail_context).error_code(),
            grpc::StatusCode::INTERNAL);
}

TEST(Utf8FieldsTest, FindsTheFirstInvalidStringByPath) {
  echo::CreateBookRequest request;
  request.set_parent("shelves/1");
  request.mutable_book()->set_title("Café");
  EXPECT_EQ(FindInvalidUtf8Field(request), "");
  request.mutable_book()->add_tags("ok");
  request.mutable_book()->add_tags("\xE9t\xE9");  // Latin-1
  EXPECT_EQ(FindInvalidUtf8Field(request), "book.tags[1]");
  request.mutable_book()->set_title("\xC3");
  EXPECT_EQ(FindInvalidUtf8Field(request), "book.title");
}

TEST(Utf8FieldsTest, PathOfAFieldFromTheRequestType) {
  const auto* root = echo::CreateBookRequest::descriptor();
  EXPECT_EQ(FieldPathTo(root, "maillage.testing.v1.Book.title"), "book.title");
  EXPECT_EQ(FieldPathTo(root, "maillage.testing.v1.CreateBookRequest.parent"), "parent");
  EXPECT_EQ(FieldPathTo(root, "other.Type.field_name"), "");
  EXPECT_EQ(FieldPathTo(nullptr, "maillage.testing.v1.Book.title"), "");
}

TEST_F(InterceptorsTest, MetricsAreServedOverHttp) {
  ServerOptions options = TestOptions();
  options.metrics_port = 0;
  StartServer(options);
  grpc::ClientContext context;
  echo::EchoResponse response;
  ASSERT_THAT(Echo(context, &response), IsOk());
  ASSERT_GT(server_->metrics_port(), 0);

  httplib::Client http("127.0.0.1", server_->metrics_port());
  auto result = http.Get("/metrics");
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200);
  EXPECT_THAT(result->body, HasSubstr("grpc_server_started_total{grpc_method=\"Echo\""));
  EXPECT_THAT(result->body, HasSubstr("grpc_server_handling_seconds_bucket{"));
}

TEST_F(InterceptorsTest, EachCallWritesOneAccessLogLineExceptHealthChecks) {
  auto health = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials()));
  ::testing::internal::CaptureStderr();
  grpc::ClientContext context;
  echo::EchoResponse response;
  grpc::Status status = Echo(context, &response, "logged-7", kTraceparent);
  grpc::ClientContext health_context;
  grpc::health::v1::HealthCheckRequest health_request;
  grpc::health::v1::HealthCheckResponse health_response;
  grpc::Status health_status = health->Check(&health_context, health_request, &health_response);
  std::string logs = ::testing::internal::GetCapturedStderr();
  ASSERT_THAT(status, IsOk());
  ASSERT_THAT(health_status, IsOk());

  std::vector<std::string> access_lines;
  std::istringstream in(logs);
  for (std::string line; std::getline(in, line);) {
    if (line.find(R"("msg":"grpc call")") != std::string::npos) access_lines.push_back(line);
  }
  ASSERT_EQ(access_lines.size(), 1u) << "one for Echo, none at info level for health: " << logs;
  const std::string& line = access_lines[0];
  EXPECT_THAT(line, HasSubstr(R"("method":"/maillage.testing.v1.EchoService/Echo")"));
  EXPECT_THAT(line, HasSubstr(R"("grpc_code":"OK")"));
  EXPECT_THAT(line, HasSubstr(R"("duration_ms":")"));
  EXPECT_THAT(line, HasSubstr(R"("peer":"ipv4:127.0.0.1:)"));
  EXPECT_THAT(line, HasSubstr(R"("request_id":"logged-7")"));
  EXPECT_THAT(line, HasSubstr(std::string(R"("traceparent":")") + kTraceparent + "\""));
}

TEST(ServerInterceptorFactoryTest, WithoutThreadContextTheIdIsStillInTheServerContext) {
  prometheus::Registry registry;
  TestEchoService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<ServerInterceptorFactory>(registry, false));
  builder.experimental().SetInterceptorCreators(std::move(creators));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);

  auto stub = echo::EchoService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata(kRequestIdHeader, "no-thread-context");
  echo::EchoRequest request;
  echo::EchoResponse response;
  ASSERT_THAT(stub->Echo(&context, request, &response), IsOk());
  EXPECT_EQ(response.request_id(), "no-thread-context");
  EXPECT_EQ(service.last_seen().thread_request_id, "");
  server->Shutdown();
}

TEST(NewRequestIdTest, IsARandomUuidV4) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    ASSERT_TRUE(std::regex_match(id, kUuidV4)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace maillage::server
