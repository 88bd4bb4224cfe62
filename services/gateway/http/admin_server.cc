// Health, readiness and metrics endpoints of the gateway.
#include "services/gateway/http/admin_server.h"

#include <condition_variable>
#include <mutex>
#include <vector>

#include "common/log/log.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "httplib.h"
#include "prometheus/text_serializer.h"

namespace maillage::gateway {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// One health check in flight.
struct Check {
  std::string name;
  std::unique_ptr<grpc::health::v1::Health::Stub> stub;
  grpc::ClientContext context;
  HealthCheckRequest request;
  HealthCheckResponse response;
  grpc::Status status;
};

}  // namespace

AdminHttpServer::AdminHttpServer(std::map<std::string, std::shared_ptr<grpc::Channel>> backends,
                                 prometheus::Registry& registry,
                                 std::chrono::milliseconds check_timeout)
    : backends_(std::move(backends)),
      registry_(registry),
      check_timeout_(check_timeout),
      server_(std::make_unique<httplib::Server>()) {
  httplib::Server& s = *server_;
  s.new_task_queue = [] { return new httplib::ThreadPool(4); };
  s.set_tcp_nodelay(true);
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("{\"status\":\"SERVING\"}", "application/json");
  });
  s.Get("/readyz", [this](const httplib::Request&, httplib::Response& response) {
    auto [code, body] = Readiness();
    response.status = code;
    response.set_content(body, "application/json");
  });
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(prometheus::TextSerializer().Serialize(registry_.Collect()),
                         "text/plain; version=0.0.4");
  });
}

AdminHttpServer::~AdminHttpServer() { Stop(); }

absl::StatusOr<int> AdminHttpServer::Start(const std::string& host, int port) {
  listener_ = std::make_unique<HttpListener>(*server_);
  return listener_->Start(host, port);
}

void AdminHttpServer::Stop() {
  if (listener_ != nullptr) listener_->Stop();
}

std::pair<int, std::string> AdminHttpServer::Readiness() const {
  // Every backend is checked at once, so that /readyz answers within one check_timeout.
  std::vector<std::unique_ptr<Check>> checks;
  std::mutex mu;
  std::condition_variable all_done;
  size_t pending = backends_.size();
  const auto deadline = std::chrono::system_clock::now() + check_timeout_;
  for (const auto& [name, channel] : backends_) {
    auto check = std::make_unique<Check>();
    check->name = name;
    check->stub = grpc::health::v1::Health::NewStub(channel);
    check->context.set_deadline(deadline);
    Check* c = check.get();
    checks.push_back(std::move(check));
    c->stub->async()->Check(&c->context, &c->request, &c->response, [&, c](grpc::Status status) {
      std::lock_guard<std::mutex> lock(mu);
      c->status = std::move(status);
      if (--pending == 0) all_done.notify_one();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    all_done.wait(lock, [&] { return pending == 0; });
  }

  const bool serving = serving_.load();
  bool ready = serving;
  std::string body = "{\"ready\":";
  std::string backends_json;
  for (const auto& c : checks) {
    std::string state;
    if (!c->status.ok()) {
      state = "UNREACHABLE: " + c->status.error_message();
    } else {
      state = HealthCheckResponse::ServingStatus_Name(c->response.status());
    }
    if (!c->status.ok() || c->response.status() != HealthCheckResponse::SERVING) ready = false;
    if (!backends_json.empty()) backends_json.push_back(',');
    log::AppendJsonString(backends_json, c->name);
    backends_json.push_back(':');
    log::AppendJsonString(backends_json, state);
  }
  body += ready ? "true" : "false";
  body += ",\"gateway\":";
  body += serving ? "\"SERVING\"" : "\"NOT_SERVING\"";
  body += ",\"backends\":{" + backends_json + "}}";
  return {ready ? 200 : 503, body};
}

}  // namespace maillage::gateway
