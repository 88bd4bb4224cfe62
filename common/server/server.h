// The gRPC server every maillage binary runs (synchronous API, bounded threads).
//
//   ActorServiceImpl actors(...);
//   maillage::server::Server server(options, {&actors});
//   return maillage::server::RunUntilSignal(
//       server, [&] { return ConnectAndMigrate(); }, [&] { return pool.Ping(); });
//
// A Server has: the grpc.health.v1 service (NOT_SERVING until told otherwise, for "" and each
// registered service; the name "liveness" is SERVING from Start to Shutdown, whatever SetServing
// says, for liveness probes that must not restart a process whose database is down), server
// reflection (optional), keepalive, message size limits in both directions, the interceptors of
// interceptors.h (request id, JSON access log, metrics), and Prometheus metrics over HTTP at
// /metrics when a metrics port is given.
//
// Threads: the server runs at most `threads` threads (gRPC resource quota), one of which keeps
// polling, so about threads - 1 calls run at once. A call arriving when all are busy fails at
// once with RESOURCE_EXHAUSTED ("Server Threadpool Exhausted"): gRPC's synchronous server
// rejects rather than queues. Size `threads` above the expected concurrency and the database
// pool so that handlers rarely wait for a connection.
//
// Stopping the metrics endpoint (civetweb, inside prometheus-cpp) takes up to 2 s.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/server/tls.h"
#include "grpcpp/channel.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/server.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace maillage::server {

// The health service name that says only "the process runs and answers" (see above).
inline constexpr char kLivenessService[] = "liveness";

struct ServerOptions {
  std::string service_name;  // "directory"...: start-up logs
  std::string error_domain;  // "directory.maillage": for the adapters' ToGrpcStatus, via options()
  std::string host = "0.0.0.0";  // gRPC and metrics listen on this address
  // 0: the system picks one (tests), see Server::port(); -1: no port at all, the server is
  // reached only from inside the process (Server::InProcessChannel).
  int grpc_port = 0;
  int metrics_port = -1;            // HTTP /metrics; -1: none, 0: the system picks one
  int threads = 16;                 // server threads (gRPC resource quota), at least 2
  int max_message_bytes = 8 << 20;  // largest message received or sent
  std::chrono::milliseconds drain_timeout{10000};  // in-flight calls get this long on Shutdown
  bool reflection = true;                          // grpc.reflection.v1alpha.ServerReflection
  // Connections are recycled after `connection_max_age` so that clients balancing over DNS
  // discover new replicas; the calls in flight on a recycled connection then get
  // `connection_age_grace` to end. The grace is longer than any call we allow (the gateway's
  // uploads last up to MAILLAGE_UPLOAD_TIMEOUT, 10 min by default): a call cut by it would fail
  // UNAVAILABLE after its server may have committed it. Each call stays bounded by its deadline.
  std::chrono::milliseconds connection_max_age{5 * 60'000};
  std::chrono::milliseconds connection_age_grace{60 * 60'000};
  // TLS of the gRPC port (tls.h): none (plaintext, the default), a certificate and key (TLS),
  // or with a CA too (mutual TLS: only clients with a certificate of that CA get in). Start
  // fails FAILED_PRECONDITION when the files cannot be read.
  TlsFiles tls;
};

class Server {
 public:
  // `services` must outlive the Server. Nothing listens before Start().
  Server(ServerOptions options, std::vector<grpc::Service*> services);
  // Shuts down (with drain) if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Calls to methods that no registered service declares go to `service` (callback API)
  // instead of failing UNIMPLEMENTED; it must outlive the Server and answer UNIMPLEMENTED
  // itself for the methods it does not serve. Health and reflection know only the registered
  // services. Its calls run on gRPC's callback threads, outside the `threads` quota. At most
  // one; call before Start().
  void SetGenericService(grpc::CallbackGenericService* service) { generic_service_ = service; }

  // Binds the gRPC port and the metrics port and starts serving, every service NOT_SERVING.
  // UNAVAILABLE naming the address when a port cannot be bound (taken, bad host);
  // FAILED_PRECONDITION when called twice.
  absl::Status Start();

  const ServerOptions& options() const { return options_; }

  // A channel to this server from inside the process: no socket, no TLS, nothing another process
  // can reach. Its calls carry the caller of the calling thread as a signed principal, as the
  // channels of client.h do. nullptr before Start.
  std::shared_ptr<grpc::Channel> InProcessChannel();

  // The bound gRPC port and metrics port (after Start; metrics_port() is -1 without metrics,
  // port() -1 for a server without a port).
  int port() const { return port_.load(); }
  int metrics_port() const { return metrics_port_.load(); }

  // Health status of "" and of every registered service. Ignored before Start and once
  // Shutdown has begun (then everything stays NOT_SERVING).
  void SetServing(bool serving);

  // The registry exposed at /metrics, for the binary's own gauges (pool size, in use...).
  prometheus::Registry& metrics() { return *registry_; }

  // NOT_SERVING, stops accepting calls, lets in-flight calls finish within drain_timeout and
  // cancels the rest. Blocks until done. Idempotent; no-op before Start.
  void Shutdown();

  // Blocks until the server has shut down (returns at once if it never started).
  void Wait();

 private:
  ServerOptions options_;
  std::vector<grpc::Service*> services_;
  grpc::CallbackGenericService* generic_service_ = nullptr;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::string> health_names_;  // the registered services' full names
  std::atomic<int> port_{0};               // read by other threads while RunUntilSignal starts
  std::atomic<int> metrics_port_{-1};
  std::atomic<bool> shutting_down_{false};
};

// The main loop of a binary:
//   1. Start() — on failure, logs one line and returns 1;
//   2. `startup` (connect, migrate...) until it returns OK, retried after 0.5 s, doubling up to
//      5 s; one log line per new kind of failure (code and message), no stack trace;
//   3. SERVING; then every `check_interval`, `check` (e.g. a database ping) switches the health
//      between SERVING and NOT_SERVING, logging each change;
//   4. on SIGTERM or SIGINT (also during step 2): NOT_SERVING, Shutdown() with drain, returns 0.
// An empty `startup` or `check` counts as OK. Signals are caught with a handler that only writes
// to a pipe, installed for the duration of the call (one RunUntilSignal per process at a time),
// whichever thread receives them: a binary must not block SIGTERM/SIGINT itself.
// A `startup` error marked by PermanentStartupError is not retried: the binary drains as on a
// signal and returns 1.
struct Listeners;
int RunUntilSignal(Server& server, std::function<absl::Status()> startup,
                   std::function<absl::Status()> check,
                   std::chrono::milliseconds check_interval = std::chrono::seconds(2));
int RunUntilSignal(Server& server, std::function<absl::Status()> startup,
                   std::function<absl::Status()> check, std::chrono::milliseconds check_interval,
                   const Listeners& listeners);

// What a binary serving more than its gRPC server (the gateway's HTTP ports) adds to
// RunUntilSignal. Every member may be empty.
struct Listeners {
  // After Start() (the gRPC port is bound), before `startup`: starts the other listeners. An
  // error is logged and RunUntilSignal returns 1.
  std::function<absl::Status()> start;
  // Each change of the gRPC health (SERVING, then NOT_SERVING on termination), repeated.
  std::function<void(bool serving)> set_serving;
  // On termination, while the gRPC server drains: stops the other listeners. When the whole
  // stop takes longer than the drain timeout, the process exits at once (std::_Exit).
  std::function<void()> stop;
};

// `status` marked so that RunUntilSignal does not retry it (a configuration the database refuses).
absl::Status PermanentStartupError(absl::Status status);

}  // namespace maillage::server
