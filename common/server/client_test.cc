// Client helpers against real in-process servers: targets, round robin, request id, deadline.
#include "common/server/client.h"

#include <chrono>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "common/log/log.h"
#include "common/server/server.h"
#include "common/server/test_echo_service.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::server {
namespace {

namespace echo = ::maillage::testing::v1;
using Clock = std::chrono::system_clock;

constexpr char kTraceparent[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

ServerOptions TestOptions() {
  ServerOptions options;
  options.service_name = "test";
  options.error_domain = "test.maillage";
  options.host = "127.0.0.1";
  options.threads = 4;
  return options;
}

grpc::Status Echo(echo::EchoService::Stub& stub, echo::EchoResponse* response, int delay_ms = 0,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  grpc::ClientContext context;
  PrepareClientContext(context, Clock::now() + timeout);
  echo::EchoRequest request;
  request.set_message("ping");
  request.set_delay_ms(delay_ms);
  return stub.Echo(&context, request, response);
}

TEST(ChannelTargetTest, ListsBecomeIpv4TargetsAndTheRestIsKept) {
  EXPECT_EQ(ChannelTarget("directory:9101"), "directory:9101");
  EXPECT_EQ(ChannelTarget("dns:///directory.maillage.svc:9101"),
            "dns:///directory.maillage.svc:9101");
  EXPECT_EQ(ChannelTarget("10.0.0.1:9101, 10.0.0.2:9101"), "ipv4:10.0.0.1:9101,10.0.0.2:9101");
  EXPECT_EQ(ChannelTarget("localhost:1,localhost:2"), "ipv4:127.0.0.1:1,127.0.0.1:2");
}

TEST(MakeChannelTest, SpreadsCallsOverEveryAddressOfAList) {
  TestEchoService service_a("a");
  TestEchoService service_b("b");
  Server a(TestOptions(), {&service_a});
  Server b(TestOptions(), {&service_b});
  ASSERT_THAT(a.Start(), IsOk());
  ASSERT_THAT(b.Start(), IsOk());
  auto stub = echo::EchoService::NewStub(MakeChannel("127.0.0.1:" + std::to_string(a.port()) +
                                                     ",127.0.0.1:" + std::to_string(b.port())));

  // Until both connections are up, round robin only knows the ready one.
  std::map<std::string, int> served;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (served.size() < 2 && std::chrono::steady_clock::now() < until) {
    echo::EchoResponse response;
    ASSERT_THAT(Echo(*stub, &response), IsOk());
    ++served[response.served_by()];
  }
  ASSERT_EQ(served.size(), 2u);

  served.clear();
  for (int i = 0; i < 20; ++i) {
    echo::EchoResponse response;
    ASSERT_THAT(Echo(*stub, &response), IsOk());
    ++served[response.served_by()];
  }
  EXPECT_EQ(served["a"], 10);
  EXPECT_EQ(served["b"], 10);
}

TEST(MakeChannelTest, ANameResolvingToAnUnusableAddressStillWorks) {
  // localhost resolves to ::1 and 127.0.0.1; the server listens on IPv4 only.
  TestEchoService service("only");
  Server server(TestOptions(), {&service});
  ASSERT_THAT(server.Start(), IsOk());
  auto stub = echo::EchoService::NewStub(MakeChannel("localhost:" + std::to_string(server.port())));
  for (int i = 0; i < 4; ++i) {
    echo::EchoResponse response;
    ASSERT_THAT(Echo(*stub, &response), IsOk());
    EXPECT_EQ(response.served_by(), "only");
  }
}

// A peer that was down for a while (here 10 s: gRPC's own backoff would then wait ~6 s more)
// is used again within about 2 s of its return on the same port.
TEST(MakeChannelTest, APeerBackAfterAnOutageIsReachedAgainWithinSeconds) {
  TestEchoService service("first");
  auto first = std::make_unique<Server>(TestOptions(), std::vector<grpc::Service*>{&service});
  ASSERT_THAT(first->Start(), IsOk());
  const int port = first->port();
  auto stub = echo::EchoService::NewStub(MakeChannel("127.0.0.1:" + std::to_string(port)));
  echo::EchoResponse response;
  ASSERT_THAT(Echo(*stub, &response), IsOk());
  first->Shutdown();
  first.reset();
  // Calls during the outage fail (and make the channel back off again and again).
  auto outage_end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < outage_end) {
    EXPECT_FALSE(Echo(*stub, &response, 0, std::chrono::milliseconds(200)).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ServerOptions options = TestOptions();
  options.grpc_port = port;
  TestEchoService again("again");
  Server second(options, {&again});
  ASSERT_THAT(second.Start(), IsOk());
  auto back = std::chrono::steady_clock::now();
  bool ok = false;
  while (!ok && std::chrono::steady_clock::now() - back < std::chrono::seconds(10)) {
    ok = Echo(*stub, &response, 0, std::chrono::milliseconds(200)).ok();
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto took = std::chrono::steady_clock::now() - back;
  ASSERT_TRUE(ok);
  EXPECT_EQ(response.served_by(), "again");
  EXPECT_LT(took, std::chrono::milliseconds(2500));
}

TEST(PrepareClientContextTest, PassesOnTheRequestIdAndTraceparentOfTheCurrentCall) {
  TestEchoService service;
  Server server(TestOptions(), {&service});
  ASSERT_THAT(server.Start(), IsOk());
  auto stub = echo::EchoService::NewStub(MakeChannel("127.0.0.1:" + std::to_string(server.port())));

  {
    log::ScopedRequestContext current("upstream-9", kTraceparent);
    echo::EchoResponse response;
    ASSERT_THAT(Echo(*stub, &response), IsOk());
    EXPECT_EQ(response.request_id(), "upstream-9");
    EXPECT_EQ(service.last_seen().thread_request_id, "upstream-9");
    EXPECT_EQ(service.last_seen().thread_traceparent, kTraceparent);
  }

  // Outside a call nothing is sent and the server makes its own id.
  echo::EchoResponse response;
  ASSERT_THAT(Echo(*stub, &response), IsOk());
  EXPECT_TRUE(std::regex_match(response.request_id(), std::regex("^[0-9a-f-]{36}$")))
      << response.request_id();
  EXPECT_EQ(service.last_seen().thread_traceparent, "");
}

TEST(PrepareClientContextTest, SetsTheDeadline) {
  TestEchoService service;
  Server server(TestOptions(), {&service});
  ASSERT_THAT(server.Start(), IsOk());
  auto stub = echo::EchoService::NewStub(MakeChannel("127.0.0.1:" + std::to_string(server.port())));
  echo::EchoResponse response;
  EXPECT_EQ(Echo(*stub, &response, 2000, std::chrono::milliseconds(100)).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
}

}  // namespace
}  // namespace maillage::server
