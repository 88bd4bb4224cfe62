// The gateway's HTTP/JSON door: every request goes route table → transcoder → backend call →
// JSON (or raw HttpBody) response, with errors in the AIP-193 envelope.
//
//   GatewayHttpServer http(routes, backends, metrics, {.threads = 64});
//   absl::StatusOr<int> port = http.Start("0.0.0.0", 8080);
//   ...
//   http.Stop();  // stops accepting, answers the requests in progress
//
// API routes need an x-api-key header (AccessControl: 401, 403, 429 with Retry-After); writes
// and personal-data reads are audited once answered. /openapi.json and /docs are public.
// Each response carries X-Request-Id (the client's, when it sent a usable one, or a new UUID
// v4), which the backend call also carries as x-request-id metadata with the client's
// traceparent. One JSON access-log line per request: method, path, status, duration_ms,
// request_id, grpc_method, bytes (and stream_error when a stream broke after its first chunk).
// Server-streaming methods are answered with chunked transfer: google.api.HttpBody chunks raw,
// other messages as newline-delimited JSON (application/x-ndjson). Client-streaming methods
// read their messages from a body of whitespace-separated JSON objects.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/gateway/access/access_control.h"
#include "services/gateway/http/http_listener.h"
#include "services/gateway/http/http_metrics.h"
#include "services/gateway/http/request_timeout.h"
#include "services/gateway/routing/backend_caller.h"
#include "services/gateway/routing/route_table.h"
#include "services/gateway/routing/transcoder.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace maillage::gateway {

struct HttpServerOptions {
  int threads = 64;                 // worker threads; one per open connection while it is busy
  size_t max_body_bytes = 4 << 20;  // larger bodies are refused with 413
  TimeoutPolicy timeouts;
  int keep_alive_timeout_seconds = 5;  // idle keep-alive connections are closed after this
  // Served as they are at GET /openapi.json and GET /docs, before route lookup (see
  // openapi.h, docs_page.h); empty: those paths go through the route table like any other.
  std::string openapi_json;
  std::string docs_html;
  // Authentication, permissions, rate limits and audit of every API route (access_control.h);
  // null only in tests of the transcoding alone, where every route is open.
  AccessControl* access = nullptr;
  // Origins allowed to call from a browser ("https://app.example.org"; "*" for any). Empty: no
  // CORS headers, preflights refused.
  std::vector<std::string> cors_origins;
};

class GatewayHttpServer {
 public:
  // `routes`, `backends` and `metrics` must outlive the server.
  GatewayHttpServer(const RouteTable& routes, const BackendCaller& backends, HttpMetrics& metrics,
                    HttpServerOptions options);
  ~GatewayHttpServer();
  GatewayHttpServer(const GatewayHttpServer&) = delete;
  GatewayHttpServer& operator=(const GatewayHttpServer&) = delete;

  // See HttpListener::Start: the bound port, or UNAVAILABLE.
  absl::StatusOr<int> Start(const std::string& host, int port);
  // Stops accepting and returns once the requests in progress are answered.
  void Stop();

 private:
  void Handle(const httplib::Request& request, httplib::Response& response);
  // CORS headers for an allowed Origin; true when `request` was a preflight, answered here.
  bool HandleCors(const httplib::Request& request, httplib::Response& response);
  // Client-, server- and bidirectional-streaming methods.
  void HandleStreaming(const Route& route, const HttpRequestParts& parts, Deadline deadline,
                       httplib::Response& response);

  const RouteTable& routes_;
  const BackendCaller& backends_;
  HttpMetrics& metrics_;
  const HttpServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<HttpListener> listener_;
};

}  // namespace maillage::gateway
