// What every gRPC call to a maillage server goes through: request id, access log, metrics.
//
// Server (server.h) registers ServerInterceptorFactory on every server it builds; a binary does
// nothing to get, for each call:
//   - the request id: the client's `x-request-id` metadata, or a fresh UUID v4 when absent;
//     sent back to the client in the response's initial metadata (`x-request-id`);
//   - the `traceparent` metadata passed through;
//   - both set as maillage::log's request context on the handler's thread (synchronous
//     handlers), so every log line and every downstream call (client.h) carries them;
//   - one JSON access-log line: method, grpc_code, duration_ms, peer, request_id, traceparent
//     (at debug level for grpc.health.v1 calls, which probes make every few seconds);
//   - a request that does not parse (invalid UTF-8 in a string field...) answered
//     INVALID_ARGUMENT naming the field instead of gRPC's INTERNAL (utf8_fields.h);
//   - Prometheus metrics grpc_server_started_total, grpc_server_handled_total{grpc_code} and
//     the histogram grpc_server_handling_seconds, labelled grpc_service, grpc_method, grpc_type
//     (unary, client_stream, server_stream, bidi_stream); calls to methods that no compiled
//     contract declares are counted under grpc_service="unknown", grpc_method="unknown".
//   - after a call that lasted 100 ms or more (an import, an export...), the memory it freed is
//     given back to the system (memory.h), so that the resident size does not keep the peak
//     of every large call in every allocator arena.
//
// A handler reads the id of its call with RequestId(*context) (also when the client sent none:
// the generated id is added to the call's client metadata), or log::CurrentRequestId().
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace maillage::server {

inline constexpr char kRequestIdHeader[] = "x-request-id";
inline constexpr char kTraceparentHeader[] = "traceparent";

// The request id of the call: the client's x-request-id, or the id the interceptor generated;
// "" only on a server without ServerInterceptorFactory.
std::string RequestId(const grpc::ServerContextBase& context);

// The W3C traceparent the client sent, "" when none.
std::string Traceparent(const grpc::ServerContextBase& context);

// A new random UUID version 4 in canonical form ("6ba7b810-9dad-41d1-80b4-00c04fd430c8").
std::string NewRequestId();

// Creates the per-call interceptor described above. Metrics are registered in `registry`,
// which must outlive the factory (and the grpc::Server that owns it).
//
// `set_thread_context`: set log::ScopedRequestContext on the handler's thread. Only correct
// for synchronous handlers (the handler and the end of the call run on one thread); it is
// skipped for callback-API calls whatever the value. Pass false on a server with async
// (completion-queue) services, whose calls hop between threads.
class ServerInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `error_domain`: the ErrorInfo domain of the statuses the interceptor writes itself.
  ServerInterceptorFactory(prometheus::Registry& registry, bool set_thread_context,
                           std::string error_domain = "maillage");
  ~ServerInterceptorFactory() override;

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  // The metrics of one method, created on its first call.
  struct MethodMetrics;

 private:
  MethodMetrics& MetricsFor(const char* method, grpc::experimental::ServerRpcInfo::Type type);
  std::unique_ptr<MethodMetrics> NewMetrics(const std::string& service, const std::string& method,
                                            grpc::experimental::ServerRpcInfo::Type type);

  const bool set_thread_context_;
  const std::string error_domain_;
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& handling_seconds_;
  std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<MethodMetrics>> methods_;
  // Calls to methods no compiled contract declares, one entry per call type.
  std::array<std::unique_ptr<MethodMetrics>, 4> unknown_methods_;
};

}  // namespace maillage::server
