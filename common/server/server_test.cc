// Server bootstrap against real in-process servers on port 0: health, ports, drain, limits,
// reflection, and the RunUntilSignal main loop.
#include "common/server/server.h"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "common/auth/caller.h"
#include "common/server/test_echo_service.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::server {
namespace {

namespace echo = ::maillage::testing::v1;
using grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

constexpr char kEchoService[] = "maillage.testing.v1.EchoService";

ServerOptions TestOptions() {
  ServerOptions options;
  options.service_name = "test";
  options.error_domain = "test.maillage";
  options.host = "127.0.0.1";
  options.threads = 8;
  options.drain_timeout = std::chrono::seconds(5);
  return options;
}

std::shared_ptr<grpc::Channel> Connect(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

// The health of `service`, or -1 - the gRPC code when the check itself fails.
int Health(int port, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(Connect(port));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return -1 - status.error_code();
  return response.status();
}

// Polls Health until it equals `expected` (for state changed by another thread).
bool EventuallyHealth(int port, const std::string& service, int expected) {
  auto until = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < until) {
    if (Health(port, service) == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

grpc::Status Echo(const std::shared_ptr<grpc::Channel>& channel, const std::string& message,
                  int delay_ms = 0) {
  auto stub = echo::EchoService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  echo::EchoRequest request;
  request.set_message(message);
  request.set_delay_ms(delay_ms);
  echo::EchoResponse response;
  grpc::Status status = stub->Echo(&context, request, &response);
  if (status.ok() && response.message() != message) {
    return grpc::Status(grpc::StatusCode::DATA_LOSS, "echo returned another message");
  }
  return status;
}

bool WaitUntil(const std::function<bool()>& condition) {
  auto until = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

TEST(ServerTest, HealthIsNotServingUntilSetServing) {
  TestEchoService service;
  Server server(TestOptions(), {&service});
  ASSERT_THAT(server.Start(), IsOk());
  ASSERT_GT(server.port(), 0);
  EXPECT_EQ(server.metrics_port(), -1);

  EXPECT_EQ(Health(server.port(), ""), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(server.port(), kEchoService), HealthCheckResponse::NOT_SERVING);

  server.SetServing(true);
  EXPECT_EQ(Health(server.port(), ""), HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(server.port(), kEchoService), HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(server.port(), "no.such.Service"), -1 - grpc::StatusCode::NOT_FOUND);

  server.SetServing(false);
  EXPECT_EQ(Health(server.port(), ""), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(server.port(), kEchoService), HealthCheckResponse::NOT_SERVING);
  // Calls are served whatever the health says: health is for load balancers and probes.
  EXPECT_THAT(Echo(Connect(server.port()), "hello"), IsOk());
}

// "liveness" says the process runs: SERVING from Start, whatever SetServing says (a database
// outage makes a service NOT_SERVING, which must not get it restarted), until Shutdown.
TEST(ServerTest, LivenessIsServingFromStartToShutdown) {
  TestEchoService service;
  Server server(TestOptions(), {&service});
  ASSERT_THAT(server.Start(), IsOk());
  EXPECT_EQ(Health(server.port(), kLivenessService), HealthCheckResponse::SERVING);
  server.SetServing(true);
  server.SetServing(false);
  EXPECT_EQ(Health(server.port(), ""), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(server.port(), kLivenessService), HealthCheckResponse::SERVING);
  int port = server.port();
  server.Shutdown();
  EXPECT_NE(Health(port, kLivenessService), HealthCheckResponse::SERVING);
}

TEST(ServerTest, AServerWithoutAPortIsReachedOnlyInProcessWithTheCallersPrincipal) {
  ServerOptions options = TestOptions();
  options.grpc_port = -1;
  TestEchoService service;
  Server server(options, {&service});
  ASSERT_EQ(server.InProcessChannel(), nullptr) << "before Start";
  ASSERT_THAT(server.Start(), IsOk());
  EXPECT_EQ(server.port(), -1);
  auth::SetProcessSecret("server-test-secret-of-enough-length-0123");
  auto stub = echo::EchoService::NewStub(server.InProcessChannel());
  {
    auth::CallerScope caller({"apiKeys/5", ::maillage::gateway::v1::ROLE_STAFF, 0, "req-5"});
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    echo::EchoRequest request;
    request.set_message("inside");
    echo::EchoResponse response;
    ASSERT_THAT(stub->Echo(&context, request, &response), IsOk());
    EXPECT_EQ(response.message(), "inside");
  }
  const TestEchoService::Seen seen = service.last_seen();
  auto principal = seen.metadata.find(auth::kPrincipalMetadataKey);
  ASSERT_NE(principal, seen.metadata.end());
  absl::StatusOr<auth::Principal> verified =
      auth::VerifyPrincipal(principal->second, "server-test-secret-of-enough-length-0123",
                            absl::Now(), "/maillage.testing.v1.EchoService/Echo");
  ASSERT_THAT(verified, IsOk());
  EXPECT_EQ(verified->key_name, "apiKeys/5");
  auth::SetProcessSecret("");
  server.Shutdown();
}

// Options of a server on the port `first` holds already.
ServerOptions OnThePortOf(const Server& first) {
  ServerOptions options = TestOptions();
  options.grpc_port = first.port();
  return options;
}

TEST(ServerTest, StartFailsClearlyWhenThePortIsTaken) {
  TestEchoService service;
  Server first(TestOptions(), {&service});
  ASSERT_THAT(first.Start(), IsOk());

  Server second(OnThePortOf(first), {&service});
  absl::Status status = second.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("127.0.0.1:" + std::to_string(first.port())));
  EXPECT_THAT(std::string(status.message()), HasSubstr("in use"));
  // The first server is untouched.
  EXPECT_THAT(Echo(Connect(first.port()), "still here"), IsOk());
}

TEST(ServerTest, StartTwiceIsAnError) {
  TestEchoService service;
  Server server(TestOptions(), {&service});
  ASSERT_THAT(server.Start(), IsOk());
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ServerTest, ShutdownDrainsInFlightCallsAndRefusesNewOnes) {
  TestEchoService service;
  Server server(TestOptions(), {&service});
  ASSERT_THAT(server.Start(), IsOk());
  server.SetServing(true);
  auto channel = Connect(server.port());
  ASSERT_THAT(Echo(channel, "warm-up"), IsOk());

  std::future<grpc::Status> slow =
      std::async(std::launch::async, [&] { return Echo(channel, "slow", 800); });
  ASSERT_TRUE(WaitUntil([&] { return service.echo_calls_started() == 2; }));

  auto shutdown_started = Clock::now();
  std::future<void> shutdown = std::async(std::launch::async, [&] { server.Shutdown(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  // While draining: new connections and new calls on the old connection are refused.
  EXPECT_EQ(Echo(Connect(server.port()), "new").error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Echo(channel, "new on old channel").error_code(), grpc::StatusCode::UNAVAILABLE);

  EXPECT_THAT(slow.get(), IsOk()) << "the call in flight completes";
  shutdown.get();
  server.Wait();
  EXPECT_LT(Clock::now() - shutdown_started, std::chrono::seconds(3));
}

TEST(ServerTest, ShutdownCancelsCallsThatOutlastTheDrainTimeout) {
  TestEchoService service;
  ServerOptions options = TestOptions();
  options.drain_timeout = std::chrono::milliseconds(300);
  Server server(options, {&service});
  ASSERT_THAT(server.Start(), IsOk());
  auto channel = Connect(server.port());

  std::future<grpc::Status> endless =
      std::async(std::launch::async, [&] { return Echo(channel, "endless", 4000); });
  ASSERT_TRUE(WaitUntil([&] { return service.echo_calls_started() == 1; }));

  auto shutdown_started = Clock::now();
  server.Shutdown();
  server.Wait();
  EXPECT_LT(Clock::now() - shutdown_started, std::chrono::milliseconds(1500));
  EXPECT_FALSE(endless.get().ok());
}

TEST(ServerTest, ACallOutlivingItsConnectionsAgeEndsWithinTheGrace) {
  // A recycled connection keeps its calls in flight for the grace: a long upload started on a
  // connection about to be recycled must not be cut (the default grace outlasts any call).
  TestEchoService service;
  ServerOptions options = TestOptions();
  options.connection_max_age = std::chrono::milliseconds(200);
  Server server(options, {&service});
  ASSERT_THAT(server.Start(), IsOk());
  server.SetServing(true);
  EXPECT_TRUE(Echo(Connect(server.port()), "long", 1500).ok());
  // Longer than the gateway's longest call by default (an upload: MAILLAGE_UPLOAD_TIMEOUT, 10 min).
  EXPECT_GT(ServerOptions().connection_age_grace, std::chrono::minutes(10));

  // The same call with a grace shorter than the call is cut: what the default prevents.
  TestEchoService cut_service;
  options.connection_age_grace = std::chrono::milliseconds(100);
  Server cut(options, {&cut_service});
  ASSERT_THAT(cut.Start(), IsOk());
  cut.SetServing(true);
  EXPECT_EQ(Echo(Connect(cut.port()), "long", 1500).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST(ServerTest, MessagesAboveTheLimitAreRejected) {
  TestEchoService service;
  ServerOptions options = TestOptions();
  options.max_message_bytes = 1024;
  Server server(options, {&service});
  ASSERT_THAT(server.Start(), IsOk());
  auto channel = Connect(server.port());

  EXPECT_THAT(Echo(channel, std::string(900, 'a')), IsOk());
  EXPECT_EQ(Echo(channel, std::string(2000, 'a')).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

// Lists the services through server reflection (grpc.reflection.v1alpha, a bidi stream called
// generically: its stubs are not installed). Returns the serialized response.
grpc::Status ListServicesByReflection(int port, std::string* response_bytes) {
  grpc::GenericStub stub(Connect(port));
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  auto call = stub.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  auto step = [&cq](auto&& start) {
    void* tag;
    bool ok = false;
    start(reinterpret_cast<void*>(1));
    cq.Next(&tag, &ok);
    return ok;
  };
  // ServerReflectionRequest{list_services: "*"}: field 7, length-delimited, 1 byte.
  const std::string request("\x3a\x01*", 3);
  grpc::Slice slice(request);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::Status status;
  step([&](void* tag) { call->StartCall(tag); });
  step([&](void* tag) { call->Write(request_buffer, tag); });
  step([&](void* tag) { call->WritesDone(tag); });
  if (step([&](void* tag) { call->Read(&response_buffer, tag); })) {
    std::vector<grpc::Slice> slices;
    (void)response_buffer.Dump(&slices);
    for (const auto& s : slices) response_bytes->append(s.begin(), s.end());
  }
  step([&](void* tag) { call->Finish(&status, tag); });
  return status;
}

TEST(ServerTest, ReflectionListsTheServicesWhenEnabled) {
  TestEchoService service;
  Server with_reflection(TestOptions(), {&service});
  ASSERT_THAT(with_reflection.Start(), IsOk());
  std::string listed;
  ASSERT_THAT(ListServicesByReflection(with_reflection.port(), &listed), IsOk());
  EXPECT_THAT(listed, HasSubstr(kEchoService));
  EXPECT_THAT(listed, HasSubstr("grpc.health.v1.Health"));

  ServerOptions options = TestOptions();
  options.reflection = false;
  Server without_reflection(options, {&service});
  ASSERT_THAT(without_reflection.Start(), IsOk());
  std::string nothing;
  EXPECT_EQ(ListServicesByReflection(without_reflection.port(), &nothing).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

TEST(ServerTest, BusyThreadsRejectNewCallsInsteadOfQueueingThem) {
  TestEchoService service;
  ServerOptions options = TestOptions();
  options.threads = 4;
  Server server(options, {&service});
  ASSERT_THAT(server.Start(), IsOk());
  auto channel = Connect(server.port());

  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 12; ++i) {
    calls.push_back(std::async(std::launch::async, [&] { return Echo(channel, "busy", 300); }));
  }
  int ok = 0;
  int exhausted = 0;
  for (auto& call : calls) {
    grpc::Status status = call.get();
    if (status.ok()) ++ok;
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) ++exhausted;
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(exhausted, 0);
  EXPECT_EQ(ok + exhausted, 12);
  EXPECT_LE(service.echo_calls_started(), 12);
  EXPECT_THAT(Echo(channel, "after the burst"), IsOk());
}

TEST(RunUntilSignalTest, RetriesStartupFollowsTheCheckAndStopsOnSigterm) {
  TestEchoService service;
  Server server(TestOptions(), {&service});
  std::atomic<int> startup_calls{0};
  std::atomic<bool> healthy{true};
  auto startup = [&]() -> absl::Status {
    if (++startup_calls <= 2) return absl::UnavailableError("database unreachable");
    return absl::OkStatus();
  };
  auto check = [&]() -> absl::Status {
    return healthy ? absl::OkStatus() : absl::UnavailableError("ping failed");
  };
  std::future<int> run = std::async(std::launch::async, [&] {
    return RunUntilSignal(server, startup, check, std::chrono::milliseconds(50));
  });

  ASSERT_TRUE(WaitUntil([&] { return server.port() > 0; }));
  EXPECT_EQ(Health(server.port(), ""), HealthCheckResponse::NOT_SERVING);
  ASSERT_TRUE(EventuallyHealth(server.port(), kEchoService, HealthCheckResponse::SERVING));
  EXPECT_EQ(startup_calls.load(), 3);

  healthy = false;
  EXPECT_TRUE(EventuallyHealth(server.port(), "", HealthCheckResponse::NOT_SERVING));
  EXPECT_EQ(Health(server.port(), kEchoService), HealthCheckResponse::NOT_SERVING);
  healthy = true;
  EXPECT_TRUE(EventuallyHealth(server.port(), "", HealthCheckResponse::SERVING));

  // The handler is installed while RunUntilSignal runs; raise() delivers to this thread.
  ASSERT_EQ(raise(SIGTERM), 0);
  ASSERT_EQ(run.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(run.get(), 0);
  EXPECT_EQ(Echo(Connect(server.port()), "after").error_code(), grpc::StatusCode::UNAVAILABLE);
}

// RunUntilSignal of `server` on another thread, its startup always failing with `error`,
// counted in `calls`.
std::future<int> RunFailingStartup(Server& server, absl::Status error, std::atomic<int>& calls) {
  return std::async(std::launch::async, [&server, error, &calls] {
    return RunUntilSignal(
        server,
        [&] {
          ++calls;
          return error;
        },
        nullptr);
  });
}

TEST(RunUntilSignalTest, SigintDuringStartupRetriesStopsCleanly) {
  TestEchoService service;
  Server server(TestOptions(), {&service});
  std::atomic<int> startup_calls{0};
  std::future<int> run =
      RunFailingStartup(server, absl::UnavailableError("never ready"), startup_calls);
  ASSERT_TRUE(WaitUntil([&] { return startup_calls.load() >= 1; }));
  ASSERT_EQ(raise(SIGINT), 0);
  ASSERT_EQ(run.wait_for(std::chrono::seconds(3)), std::future_status::ready);
  EXPECT_EQ(run.get(), 0);
  EXPECT_EQ(startup_calls.load(), 1) << "stopped during the first back-off";
}

TEST(RunUntilSignalTest, ReturnsNonZeroWhenThePortIsTaken) {
  TestEchoService service;
  Server first(TestOptions(), {&service});
  ASSERT_THAT(first.Start(), IsOk());
  Server second(OnThePortOf(first), {&service});
  EXPECT_NE(RunUntilSignal(second, nullptr, nullptr), 0);
}

// The gateway's extra listeners: started once the gRPC port is bound, told each health change,
// stopped on SIGTERM.
TEST(RunUntilSignalTest, ListenersStartFollowTheHealthAndStopWithTheServer) {
  TestEchoService service;
  Server server(TestOptions(), {&service});
  std::atomic<int> port_at_start{0};
  std::atomic<int> serving_changes{0};
  std::atomic<bool> serving{false};
  std::atomic<bool> stopped{false};
  Listeners listeners;
  listeners.start = [&] {
    port_at_start = server.port();
    return absl::OkStatus();
  };
  listeners.set_serving = [&](bool now) {
    ++serving_changes;
    serving = now;
  };
  listeners.stop = [&] { stopped = true; };
  std::future<int> run = std::async(std::launch::async, [&] {
    return RunUntilSignal(server, nullptr, nullptr, std::chrono::milliseconds(50), listeners);
  });
  ASSERT_TRUE(WaitUntil([&] { return serving.load(); }));
  EXPECT_GT(port_at_start.load(), 0);
  EXPECT_EQ(port_at_start.load(), server.port());
  EXPECT_FALSE(stopped.load());
  ASSERT_EQ(raise(SIGTERM), 0);
  ASSERT_EQ(run.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(run.get(), 0);
  EXPECT_TRUE(stopped.load());
  EXPECT_FALSE(serving.load()) << "NOT_SERVING while draining";
  EXPECT_EQ(serving_changes.load(), 2);
}

TEST(RunUntilSignalTest, AListenerThatCannotStartExitsOne) {
  TestEchoService service;
  Server server(TestOptions(), {&service});
  Listeners listeners;
  listeners.start = [] { return absl::UnavailableError("port 8080 taken"); };
  EXPECT_EQ(RunUntilSignal(server, nullptr, nullptr, std::chrono::seconds(2), listeners), 1);
}

TEST(RunUntilSignalTest, APermanentStartupErrorIsNotRetriedAndExitsOne) {
  TestEchoService service;
  Server server(TestOptions(), {&service});
  std::atomic<int> startup_calls{0};
  std::future<int> run = RunFailingStartup(
      server, PermanentStartupError(absl::FailedPreconditionError("key taken")), startup_calls);
  ASSERT_EQ(run.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(run.get(), 1);
  EXPECT_EQ(startup_calls.load(), 1);
  EXPECT_EQ(Echo(Connect(server.port()), "after").error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace maillage::server
