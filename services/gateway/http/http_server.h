// The gateway's HTTP/JSON door: every request goes route table → transcoder → backend call →
// JSON (or raw HttpBody) response, with errors in the AIP-193 envelope.
//
//   GatewayHttpServer http(routes, backends, metrics, {.listener = {.threads = 64}});
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
// Connections, timeouts, limits and TLS are the listener's (http/guarded_listener.h).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/server/bounded_workers.h"
#include "services/gateway/access/access_control.h"
#include "services/gateway/console/console_http.h"
#include "services/gateway/http/guarded_listener.h"
#include "services/gateway/http/http_message.h"
#include "services/gateway/http/http_metrics.h"
#include "services/gateway/http/request_timeout.h"
#include "services/gateway/routing/backend_caller.h"
#include "services/gateway/routing/route_table.h"
#include "services/gateway/routing/transcoder.h"

namespace maillage::gateway {

struct HttpServerOptions {
  // Workers, connection limits, read and write timeouts, body limit (413), TLS. Its error_body
  // and on_answered are the server's own.
  GuardedListenerOptions listener;
  TimeoutPolicy timeouts;
  // The pause before a 429 TOO_MANY_AUTHENTICATION_ATTEMPTS is answered (the client address is
  // over its pre-authentication limit): a flood of made-up keys on a connection gets one answer
  // per pause, at the cost of a timer.
  std::chrono::milliseconds pre_auth_refusal_delay{1000};
  // Served as they are at GET /openapi.json and GET /docs, before route lookup (see
  // openapi.h, docs_page.h); empty: those paths go through the route table like any other.
  std::string openapi_json;
  std::string docs_html;
  // Served as they are, with their headers, at GET <path> (the map's key), without a key,
  // before route lookup: the contract downloads (contract.h).
  std::map<std::string, PublicFile> public_files;
  // Authentication, permissions, rate limits and audit of every API route (access_control.h);
  // null only in tests of the transcoding alone, where every route is open.
  AccessControl* access = nullptr;
  // The staff console (console/console_http.h): its pages and login routes under /console/,
  // and API calls admitted by a session cookie when they carry no API key. Null: no console.
  ConsoleHttp* console = nullptr;
  // Doors that answer some requests before route lookup and without an API key (links/: the
  // share links, the public read mode): each returns the route label (for the metrics) of a
  // request it answered, or "" to let it go on. A door never answers a request that presents
  // an API key on a path of the route table: those may be answered without asking the doors
  // (ServeInline).
  using Door = std::function<std::string(const HttpRequest&, absl::string_view path,
                                         const std::multimap<std::string, std::string>& query,
                                         HttpResponse&)>;
  std::vector<Door> doors;
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

  // See GuardedListener::Start: the bound port, or UNAVAILABLE (INVALID_ARGUMENT for a TLS
  // certificate that does not load).
  absl::StatusOr<int> Start(const std::string& host, int port);
  // Stops accepting and returns once the requests in progress are answered.
  void Stop();

  const GuardedListenerStats& listener_stats() const { return listener_->stats(); }

 private:
  // Request id and access-log record, then Handle.
  void Serve(const HttpRequest& request, HttpResponse& response);
  void Handle(const HttpRequest& request, HttpResponse& response);
  // The access-log line and the metrics of an answered request.
  void Log(const HttpRequest& request, const HttpResponse& response, size_t streamed_bytes);
  // CORS headers for an allowed Origin; true when `request` was a preflight, answered here.
  bool HandleCors(const HttpRequest& request, HttpResponse& response);
  // On the listener's I/O thread: takes a request that can be answered without blocking (an
  // API read of no personal data by a key the cache admits) and calls its backend
  // asynchronously; `answer` is called on the gRPC thread that gets the backend's answer. False:
  // the request goes to a worker (Serve).
  struct InlineCall;
  bool ServeInline(const std::shared_ptr<const HttpRequest>& request, HttpAnswer answer);
  // The end of an inline call whose response is written: its audit line when `outcome` needs
  // one (on audit_workers_), its access-log line, its answer.
  void AnswerInline(InlineCall& call, absl::StatusCode outcome);
  // Client-, server- and bidirectional-streaming methods.
  void HandleStreaming(const Route& route, const HttpRequestParts& parts, Deadline deadline,
                       HttpResponse& response);

  const RouteTable& routes_;
  const BackendCaller& backends_;
  HttpMetrics& metrics_;
  const HttpServerOptions options_;
  // Audit lines of inline calls that a backend refused (written to the database).
  server::BoundedWorkers audit_workers_{{.threads = 1, .max_queued = 1024}};
  std::atomic<int64_t> inline_in_flight_{0};
  std::unique_ptr<GuardedListener> listener_;
};

}  // namespace maillage::gateway
