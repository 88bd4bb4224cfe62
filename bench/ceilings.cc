#include "bench/ceilings.h"

#include <atomic>
#include <cstdio>
#include <memory>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/db/pool.h"
#include "common/server/client.h"
#include "common/server/server.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "httplib.h"
#include "maillage/testing/v1/echo.grpc.pb.h"
#include "valgrind/callgrind.h"

namespace maillage::bench {
namespace {

constexpr int kRows = 10000;

db::Deadline Soon() { return std::chrono::system_clock::now() + std::chrono::seconds(5); }

// The echo of the gRPC ceilings: the message back, nothing else, so that what is measured is
// the server around the handler (server::TestEchoService records what each call saw).
class MinimalEcho final : public maillage::testing::v1::EchoService::Service {
 public:
  grpc::Status Echo(grpc::ServerContext*, const maillage::testing::v1::EchoRequest* request,
                    maillage::testing::v1::EchoResponse* response) override {
    response->set_message(request->message());
    return grpc::Status::OK;
  }
};

// Echo calls from `in_flight` workers over one channel; under valgrind --tool=callgrind
// (--instr-atstart=no) only the calls are counted, not the start of the server.
LoadResult RunEchoCalls(const std::shared_ptr<grpc::Channel>& channel, bool maillage_context,
                        int in_flight, std::chrono::milliseconds duration) {
  auto stub = maillage::testing::v1::EchoService::NewStub(channel);
  {  // The connection is made before measuring.
    grpc::ClientContext context;
    context.set_deadline(Soon());
    maillage::testing::v1::EchoRequest request;
    maillage::testing::v1::EchoResponse response;
    stub->Echo(&context, request, &response);
  }
  CALLGRIND_START_INSTRUMENTATION;
  LoadResult result = RunClosedLoop(in_flight, duration, [&](int) {
    grpc::ClientContext context;
    if (maillage_context) {
      server::PrepareClientContext(context, Soon());
    } else {
      context.set_deadline(Soon());
    }
    maillage::testing::v1::EchoRequest request;
    request.set_message("ping");
    maillage::testing::v1::EchoResponse response;
    return stub->Echo(&context, request, &response).ok();
  });
  CALLGRIND_STOP_INSTRUMENTATION;
  return result;
}

}  // namespace

LoadResult MeasurePgSelect(const std::string& pool_url, int in_flight,
                           std::chrono::milliseconds duration) {
  db::PoolOptions options;
  options.url = pool_url;
  options.size = in_flight;
  db::Pool pool(options);
  absl::Status created = pool.Transact(Soon(), [](pqxx::work& txn) {
    txn.exec(
        "CREATE TABLE IF NOT EXISTS bench_kv (k bigint PRIMARY KEY, v text NOT NULL);"
        "INSERT INTO bench_kv SELECT g, md5(g::text) FROM generate_series(1, " +
        std::to_string(kRows) + ") g ON CONFLICT DO NOTHING");
    return absl::OkStatus();
  });
  if (!created.ok()) {
    std::fprintf(stderr, "bench table: %s\n", created.ToString().c_str());
    return {};
  }
  return RunClosedLoop(in_flight, duration, [&](int worker) {
    thread_local std::minstd_rand random(worker + 1);
    int64_t key = 1 + random() % kRows;
    static const db::Statement kSelect{"bench_select_kv", "SELECT v FROM bench_kv WHERE k = $1"};
    absl::StatusOr<pqxx::result> rows = pool.Query(Soon(), kSelect, {std::to_string(key)});
    return rows.ok() && rows->size() == 1;
  });
}

LoadResult MeasureGrpcEcho(int in_flight, std::chrono::milliseconds duration,
                           bool maillage_client) {
  MinimalEcho echo;
  server::ServerOptions options;
  options.service_name = "bench";
  options.error_domain = "bench.maillage";
  options.host = "127.0.0.1";
  options.threads = in_flight + 8;
  server::Server server(options, {&echo});
  if (!server.Start().ok()) return {};
  server.SetServing(true);
  const std::string target = absl::StrCat("127.0.0.1:", server.port());
  LoadResult result = RunEchoCalls(
      maillage_client ? server::MakeChannel(target)
                      : grpc::CreateChannel(target, grpc::InsecureChannelCredentials()),
      maillage_client, in_flight, duration);
  server.Shutdown();
  return result;
}

LoadResult MeasureBareGrpcEcho(int in_flight, std::chrono::milliseconds duration) {
  MinimalEcho echo;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&echo);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) return {};
  LoadResult result = RunEchoCalls(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()),
      false, in_flight, duration);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return result;
}

double OverheadMicros(const LoadResult& result, const LoadResult& ceiling) {
  if (result.qps() <= 0 || ceiling.qps() <= 0) return 0;
  return (result.in_flight / result.qps() - ceiling.in_flight / ceiling.qps()) * 1e6;
}

LoadResult MeasureHttpEcho(int connections, std::chrono::milliseconds duration) {
  httplib::Server http;
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(1 << 30);
  http.new_task_queue = [connections] {
    return new httplib::ThreadPool(static_cast<size_t>(connections) + 4);
  };
  http.Post("/v1/echo", [](const httplib::Request& request, httplib::Response& response) {
    response.set_content(request.body, "application/json");
  });
  int port = http.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { http.listen_after_bind(); });
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int i = 0; i < connections; ++i) {
    clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
    clients.back()->set_tcp_nodelay(true);
    clients.back()->set_keep_alive(true);
  }
  // Open every connection before measuring (the listen backlog is small).
  for (auto& client : clients) client->Post("/v1/echo", "{}", "application/json");
  LoadResult result = RunClosedLoop(connections, duration, [&](int worker) {
    auto response = clients[worker]->Post("/v1/echo", R"({"message":"ping"})", "application/json");
    if (!response) {
      static std::atomic<int> reported{0};
      if (reported++ < 3) {
        std::fprintf(stderr, "http echo: %s\n", httplib::to_string(response.error()).c_str());
      }
    }
    return response && response->status == 200;
  });
  clients.clear();
  http.stop();
  serving.join();
  return result;
}

}  // namespace maillage::bench
