// The gateway's admin port: /healthz (200 while the gateway runs), /readyz (200 only when the
// gateway is serving and every backend answers SERVING to a grpc.health.v1 Check, else 503
// naming each backend's state), /metrics (Prometheus text of a registry).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "prometheus/registry.h"
#include "services/gateway/http/http_listener.h"

namespace httplib {
class Server;
}

namespace maillage::gateway {

class AdminHttpServer {
 public:
  // `backends`: a display name ("directory") → the channel to check. `registry` must outlive
  // the server. The gateway starts not serving (see SetServing).
  AdminHttpServer(std::map<std::string, std::shared_ptr<grpc::Channel>> backends,
                  prometheus::Registry& registry,
                  std::chrono::milliseconds check_timeout = std::chrono::seconds(1));
  ~AdminHttpServer();
  AdminHttpServer(const AdminHttpServer&) = delete;
  AdminHttpServer& operator=(const AdminHttpServer&) = delete;

  // Whether the gateway itself is ready (start-up done, not draining); part of /readyz.
  void SetServing(bool serving) { serving_ = serving; }

  // See HttpListener::Start: the bound port, or UNAVAILABLE.
  absl::StatusOr<int> Start(const std::string& host, int port);
  void Stop();

 private:
  // 200 or 503, and the JSON body of /readyz.
  std::pair<int, std::string> Readiness() const;

  const std::map<std::string, std::shared_ptr<grpc::Channel>> backends_;
  prometheus::Registry& registry_;
  const std::chrono::milliseconds check_timeout_;
  std::atomic<bool> serving_{false};
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<HttpListener> listener_;
};

}  // namespace maillage::gateway
