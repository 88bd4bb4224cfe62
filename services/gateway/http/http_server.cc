// HTTP request handling of the gateway, on the guarded listener (http/guarded_listener.h).
#include "services/gateway/http/http_server.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/auth/caller.h"
#include "common/log/log.h"
#include "common/server/interceptors.h"
#include "common/status/errors.h"
#include "services/gateway/errors/http_errors.h"
#include "services/gateway/http/upload_forwarder.h"
#include "services/gateway/routing/transcoder.h"

namespace maillage::gateway {
namespace {

using google::protobuf::Message;

constexpr size_t kMaxRequestIdLength = 128;
constexpr size_t kMaxTraceparentLength = 256;
constexpr char kJson[] = "application/json";

// What the access log and the metrics need about the request this thread is answering: set
// before routing, completed by the handler, written out by Log once answered (all on the
// worker's thread).
struct RequestRecord {
  bool active = false;
  std::chrono::steady_clock::time_point start;
  std::string request_id;
  std::string traceparent;
  std::string route;
  std::string grpc_method;
  std::string stream_error;
};
thread_local RequestRecord tls_record;

// Fits in gRPC metadata: printable ASCII, bounded.
bool IsUsableHeader(absl::string_view value, size_t max_length) {
  if (value.empty() || value.size() > max_length) return false;
  for (char c : value) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

absl::string_view PathOf(const HttpRequest& request) {
  absl::string_view target = request.target;
  return target.substr(0, target.find('?'));
}

// The path as the access log shows it: a share link's secret token left out.
std::string LoggedPath(absl::string_view path) {
  return absl::StartsWith(path, "/links/") ? "/links/{token}" : std::string(path);
}

// The parameters of the URL's query string, decoded ('+' is a space).
std::multimap<std::string, std::string> QueryOf(const HttpRequest& request) {
  std::multimap<std::string, std::string> query;
  absl::string_view target = request.target;
  const size_t mark = target.find('?');
  if (mark == absl::string_view::npos) return query;
  for (absl::string_view pair : absl::StrSplit(target.substr(mark + 1), '&', absl::SkipEmpty())) {
    const size_t equals = pair.find('=');
    std::string key = absl::StrReplaceAll(pair.substr(0, equals), {{"+", " "}});
    std::string value = equals == absl::string_view::npos
                            ? ""
                            : absl::StrReplaceAll(pair.substr(equals + 1), {{"+", " "}});
    query.emplace(PercentDecode(key), PercentDecode(value));
  }
  return query;
}

void WriteError(HttpResponse& response, const google::rpc::Status& status, int http_status) {
  response.status = http_status;
  response.set_content(ErrorEnvelope(status, http_status), kJson);
}

void WriteGatewayError(HttpResponse& response, const absl::Status& status, int http_status) {
  WriteError(response, GatewayRpcStatus(status), http_status);
}

void WriteGatewayError(HttpResponse& response, const absl::Status& status) {
  WriteGatewayError(response, status, HttpStatusOf(static_cast<int>(status.code())));
}

void WriteBackendError(HttpResponse& response, const grpc::Status& status) {
  google::rpc::Status rpc = BackendRpcStatus(status);
  WriteError(response, rpc, HttpStatusOf(rpc.code()));
}

std::unique_ptr<Message> NewMessage(const google::protobuf::Descriptor* type) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

std::string HttpBodyContentType(const Message& http_body) {
  const auto* field = http_body.GetDescriptor()->FindFieldByName("content_type");
  std::string type = http_body.GetReflection()->GetString(http_body, field);
  return type.empty() ? "application/octet-stream" : type;
}

std::string HttpBodyData(const Message& http_body) {
  const auto* field = http_body.GetDescriptor()->FindFieldByName("data");
  return http_body.GetReflection()->GetString(http_body, field);
}

// A unary answer: raw for google.api.HttpBody, JSON otherwise.
void WriteAnswer(const Message& answer, HttpResponse& response) {
  if (IsHttpBody(answer.GetDescriptor())) {
    response.set_content(HttpBodyData(answer), HttpBodyContentType(answer));
    return;
  }
  absl::StatusOr<std::string> json = MessageToJson(answer);
  if (!json.ok()) return WriteGatewayError(response, json.status());
  response.set_content(*std::move(json), kJson);
}

// The body of one response, or the status when it cannot be printed.
absl::StatusOr<std::string> RenderChunk(const Message& message, bool raw) {
  if (raw) return HttpBodyData(message);
  absl::StatusOr<std::string> json = MessageToJson(message);
  if (json.ok()) json->push_back('\n');
  return json;
}

// An error the listener answers itself (before any handler ran) in the gateway's envelope.
absl::Status HttpLayerError(int http_status, size_t max_body_bytes) {
  if (http_status == 413) {
    return MakeError(absl::StatusCode::kInvalidArgument, kGatewayDomain, "BODY_TOO_LARGE",
                     absl::StrCat("the request body is larger than ", max_body_bytes, " bytes"),
                     {{"max_bytes", std::to_string(max_body_bytes)}});
  }
  if (http_status == 503) {
    return MakeError(absl::StatusCode::kUnavailable, kGatewayDomain, "GATEWAY_SATURATED",
                     "the gateway has too many requests or connections in progress; retry later");
  }
  const absl::StatusCode code = http_status == 404  ? absl::StatusCode::kNotFound
                                : http_status < 500 ? absl::StatusCode::kInvalidArgument
                                                    : absl::StatusCode::kInternal;
  return MakeError(code, kGatewayDomain, "BAD_HTTP_REQUEST",
                   absl::StrCat("the HTTP request cannot be served (HTTP ", http_status, ")"));
}

// Retry-After (whole seconds, at least 1) from the RetryInfo of a RESOURCE_EXHAUSTED status.
void SetRetryAfter(const absl::Status& status, HttpResponse& response) {
  std::optional<int64_t> seconds = RetryAfterSeconds(status);
  if (seconds.has_value()) response.set_header("Retry-After", std::to_string(*seconds));
}

// The answer of a unary call: the backend's error, or its answer (JSON) with its ETag header.
void WriteUnaryAnswer(const grpc::Status& status, const Message& answer, HttpResponse& response) {
  if (!status.ok()) return WriteBackendError(response, status);
  WriteAnswer(answer, response);
  if (std::string etag = EtagHeaderOf(answer); !etag.empty()) response.set_header("ETag", etag);
}

// The record of a request just received: its start, request id and traceparent.
RequestRecord NewRecord(const HttpRequest& request) {
  RequestRecord record;
  record.active = true;
  record.start = std::chrono::steady_clock::now();
  std::string id = request.header("X-Request-Id");
  record.request_id = IsUsableHeader(id, kMaxRequestIdLength) ? id : server::NewRequestId();
  std::string traceparent = request.header("traceparent");
  if (IsUsableHeader(traceparent, kMaxTraceparentLength)) record.traceparent = traceparent;
  return record;
}

// The audit record of an API call (completed once admitted and answered).
CallRecord NewCallRecord(const HttpRequest& request, absl::string_view path, const Route& route,
                         const RequestRecord& record) {
  CallRecord audit;
  audit.transport = v1::TRANSPORT_HTTP;
  audit.method = route.grpc_method;
  audit.http_method = request.method;
  audit.http_path = std::string(path);
  audit.request_id = record.request_id;
  audit.client_address = request.client_address;
  return audit;
}

void SetCaller(const Caller& caller, CallRecord& audit) {
  audit.key_id = caller.key_id;
  audit.staff_account_id = caller.staff_account_id;
  audit.key_prefix = caller.prefix;
  audit.role = caller.role;
}

// The call's outcome, for its audit line.
void SetOutcome(absl::StatusCode outcome, int http_status, const Message* call,
                const Message* answer, std::chrono::steady_clock::time_point start,
                CallRecord& audit) {
  audit.outcome = outcome;
  audit.http_status = http_status;
  if (call != nullptr) audit.resource = ResourceOf(*call, answer);
  audit.duration = absl::FromChrono(std::chrono::steady_clock::now() - start);
}

// What the transcoder reads of a request, with the strings it points into (filled in place).
struct TranscodeInput {
  std::multimap<std::string, std::string> query;
  std::string content_type, if_match, idempotency_key;
  HttpRequestParts parts;
};
void FillTranscodeInput(const HttpRequest& request, const RouteMatch& match, TranscodeInput& in) {
  in.query = QueryOf(request);
  in.content_type = request.header("Content-Type");
  in.if_match = request.header("If-Match");
  in.idempotency_key = request.header("Idempotency-Key");
  in.parts.path_bindings = &match.bindings;
  in.parts.query = &in.query;
  in.parts.body = request.body;
  in.parts.content_type = in.content_type;
  in.parts.if_match = in.if_match;
  in.parts.idempotency_key = in.idempotency_key;
}

constexpr char kCorsAllowHeaders[] =
    "Authorization, Content-Type, X-Api-Key, X-Request-Id, X-Request-Timeout, Traceparent, "
    "If-Match, "
    "Idempotency-Key";
constexpr char kCorsExposeHeaders[] = "X-Request-Id, Retry-After, ETag";

}  // namespace

GatewayHttpServer::GatewayHttpServer(const RouteTable& routes, const BackendCaller& backends,
                                     HttpMetrics& metrics, HttpServerOptions options)
    : routes_(routes), backends_(backends), metrics_(metrics), options_(std::move(options)) {
  GuardedListenerOptions listener = options_.listener;
  const size_t max_body_bytes = listener.max_body_bytes;
  listener.error_body = [max_body_bytes](int status) {
    return std::make_pair(
        ErrorEnvelope(GatewayRpcStatus(HttpLayerError(status, max_body_bytes)), status),
        std::string(kJson));
  };
  listener.upload_limit = [this](const HttpRequest& head) { return UploadLimit(routes_, head); };
  listener.max_upload_bytes = MaxUploadBytes();
  listener.on_answered = [this](const HttpRequest& request, const HttpResponse& response,
                                size_t streamed_bytes) { Log(request, response, streamed_bytes); };
  listener.inline_handler = [this](const std::shared_ptr<const HttpRequest>& request,
                                   HttpAnswer answer) {
    return ServeInline(request, std::move(answer));
  };
  listener_ = std::make_unique<GuardedListener>(
      [this](const HttpRequest& request, HttpResponse& response) { Serve(request, response); },
      std::move(listener));
}

GatewayHttpServer::~GatewayHttpServer() { Stop(); }

absl::StatusOr<int> GatewayHttpServer::Start(const std::string& host, int port) {
  return listener_->Start(host, port);
}

void GatewayHttpServer::Stop() {
  listener_->Stop();
  // The calls answered without a worker that the listener stopped waiting for: each ends by
  // its deadline (at most the longest request timeout).
  const auto until =
      std::chrono::steady_clock::now() + options_.timeouts.max_timeout + std::chrono::seconds(1);
  while (inline_in_flight_.load() > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void GatewayHttpServer::Serve(const HttpRequest& request, HttpResponse& response) {
  tls_record = NewRecord(request);
  response.set_header("X-Request-Id", tls_record.request_id);
  Handle(request, response);
}

void GatewayHttpServer::Log(const HttpRequest& request, const HttpResponse& response,
                            size_t streamed_bytes) {
  RequestRecord& record = tls_record;
  const double seconds =
      record.active
          ? std::chrono::duration<double>(std::chrono::steady_clock::now() - record.start).count()
          : 0.0;
  log::Fields fields = {
      {"method", request.method},
      {"path", LoggedPath(PathOf(request))},
      {"status", std::to_string(response.status)},
      {"duration_ms", absl::StrFormat("%.3f", seconds * 1000)},
      {"request_id", record.request_id},
      {"grpc_method", record.grpc_method},
      {"bytes", std::to_string(response.body.size() + streamed_bytes)},
      {"client_address", request.client_address},
  };
  if (!record.traceparent.empty()) fields.emplace_back("traceparent", record.traceparent);
  if (!record.stream_error.empty()) fields.emplace_back("stream_error", record.stream_error);
  // A stream cut after its first chunk answered 200 but failed: worth a warning.
  if (record.stream_error.empty()) {
    log::Info("http request", fields);
  } else {
    log::Warn("http request", fields);
  }
  metrics_.Record(request.method, record.route.empty() ? "unmatched" : record.route,
                  response.status, seconds);
  record = RequestRecord();
}

void GatewayHttpServer::Handle(const HttpRequest& request, HttpResponse& response) {
  RequestRecord& record = tls_record;
  log::ScopedRequestContext context(record.request_id, record.traceparent);
  const std::string method = request.method == "HEAD" ? "GET" : request.method;
  const absl::string_view path = PathOf(request);
  if (HandleCors(request, response)) return;
  if (options_.console != nullptr && options_.console->Handle(request, path, response)) {
    record.route = "/console";
    return;
  }
  if (!options_.doors.empty()) {
    const std::multimap<std::string, std::string> query = QueryOf(request);
    for (const HttpServerOptions::Door& door : options_.doors) {
      std::string route = door(request, path, query, response);
      if (route.empty()) continue;
      record.route = std::move(route);
      return;
    }
  }

  if (method == "GET" && path == "/openapi.json" && !options_.openapi_json.empty()) {
    record.route = "/openapi.json";
    return response.set_content(options_.openapi_json, kJson);
  }
  if (method == "GET" && path == "/docs" && !options_.docs_html.empty()) {
    record.route = "/docs";
    return response.set_content(options_.docs_html, "text/html; charset=utf-8");
  }

  if (method == "GET") {
    if (auto file = options_.public_files.find(std::string(path));
        file != options_.public_files.end()) {
      record.route = file->first;
      for (const auto& [name, value] : file->second.headers) response.set_header(name, value);
      return response.set_content(file->second.body, file->second.content_type);
    }
  }

  RouteMatch match = routes_.Lookup(method, path);
  if (match.outcome == RouteMatch::kNotFound) {
    WriteGatewayError(response, NotFound(kGatewayDomain, "ROUTE_NOT_FOUND",
                                         absl::StrCat("no API method at ", method, " ", path),
                                         {{"method", method}, {"path", std::string(path)}}));
    return;
  }
  if (match.outcome == RouteMatch::kMethodNotAllowed) {
    const std::string allow = absl::StrJoin(match.allowed_methods, ", ");
    response.set_header("Allow", allow);
    WriteGatewayError(
        response,
        MakeError(absl::StatusCode::kUnimplemented, kGatewayDomain, "METHOD_NOT_ALLOWED",
                  absl::StrCat(method, " is not allowed on ", path, "; allowed: ", allow),
                  {{"method", method}, {"allow", allow}}),
        405);
    return;
  }
  const Route& route = *match.route;
  record.route = route.path.text();
  record.grpc_method = route.grpc_method;

  CallRecord audit = NewCallRecord(request, path, route, record);
  std::optional<Caller> caller;
  std::optional<auth::CallerScope> caller_scope;
  if (options_.access != nullptr) {
    // A call without a key from the staff console is admitted by its session (cookie + CSRF).
    const std::string api_key =
        PresentedApiKey(request.header(kApiKeyHeader), request.header(kAuthorizationHeader));
    std::optional<absl::StatusOr<Caller>> by_session;
    if (options_.console != nullptr && api_key.empty()) {
      by_session = options_.console->Admit(request, route.grpc_method, audit);
    }
    absl::StatusOr<Caller> admitted =
        by_session.has_value()
            ? *std::move(by_session)
            : options_.access->Admit(api_key, route.grpc_method,
                                     std::chrono::system_clock::now() + std::chrono::seconds(5),
                                     audit);
    if (!admitted.ok()) {
      if (admitted.status().code() == absl::StatusCode::kResourceExhausted) {
        SetRetryAfter(admitted.status(), response);
        std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(admitted.status());
        if (info.has_value() && info->reason() == "TOO_MANY_AUTHENTICATION_ATTEMPTS") {
          response.delay = options_.pre_auth_refusal_delay;
        }
      }
      return WriteGatewayError(response, admitted.status());
    }
    caller = *std::move(admitted);
    caller_scope.emplace(caller->principal(record.request_id));
    SetCaller(*caller, audit);
  }
  // Writes the audit line (when the call needs one) once the answer is known.
  auto audit_call = [&](absl::StatusCode outcome, const Message* call, const Message* answer) {
    if (options_.access == nullptr) return;
    SetOutcome(outcome, response.status, call, answer, record.start, audit);
    options_.access->Audit(audit);
  };

  absl::StatusOr<std::chrono::milliseconds> timeout = RequestTimeout(
      request.header("X-Request-Timeout"), request.header("grpc-timeout"), options_.timeouts);
  if (!timeout.ok()) return WriteGatewayError(response, timeout.status());
  const Deadline deadline = std::chrono::system_clock::now() + *timeout;

  TranscodeInput input;
  FillTranscodeInput(request, match, input);
  HttpRequestParts& parts = input.parts;
  if (request.body_source != nullptr) {  // a raw file (upload_routes.h)
    const UploadRoute* upload = FindUploadRoute(route.grpc_method);
    UploadResult result = ForwardUpload(route, *upload, request, parts, *timeout,
                                        options_.listener.upload_timeout, backends_);
    if (!result.gateway_error.ok()) {
      WriteGatewayError(response, result.gateway_error, result.http_status);
      return audit_call(result.gateway_error.code(), nullptr, nullptr);
    }
    if (!result.backend_status.ok()) {
      WriteBackendError(response, result.backend_status);
      return audit_call(static_cast<absl::StatusCode>(result.backend_status.error_code()), nullptr,
                        nullptr);
    }
    WriteAnswer(*result.answer, response);
    return audit_call(absl::StatusCode::kOk, nullptr, result.answer.get());
  }
  if (route.method->client_streaming() || route.method->server_streaming()) {
    HandleStreaming(route, parts, deadline, response);
    audit_call(response.status < 400 ? absl::StatusCode::kOk : absl::StatusCode::kUnknown, nullptr,
               nullptr);
    return;
  }
  absl::StatusOr<std::unique_ptr<Message>> call = TranscodeRequest(route, parts);
  if (!call.ok()) {
    WriteGatewayError(response, call.status());
    return audit_call(call.status().code(), nullptr, nullptr);
  }
  std::unique_ptr<Message> answer = NewMessage(route.method->output_type());
  grpc::Status status = backends_.Call(*route.method, deadline, **call, *answer);
  WriteUnaryAnswer(status, *answer, response);
  audit_call(static_cast<absl::StatusCode>(status.error_code()), call->get(),
             status.ok() ? answer.get() : nullptr);
}

// A call answered without a worker: its request, what the backend call fills, and the answer.
struct GatewayHttpServer::InlineCall {
  std::shared_ptr<const HttpRequest> request;
  HttpAnswer answer;
  RequestRecord record;
  CallRecord audit;
  std::unique_ptr<Message> call;
  std::unique_ptr<Message> answer_message;
  HttpResponse response;
};

bool GatewayHttpServer::ServeInline(const std::shared_ptr<const HttpRequest>& request,
                                    HttpAnswer answer) {
  // Only an API call that cannot block: a key the cache admits (no lookup, nothing to write),
  // a unary method whose success needs no audit line (a read of no personal data). Everything
  // else (a key to look up, a refusal, a write, the console, the doors, streams, a malformed
  // timeout) goes to a worker, as does any request before its admission.
  if (options_.access == nullptr) return false;
  const std::string api_key =
      PresentedApiKey(request->header(kApiKeyHeader), request->header(kAuthorizationHeader));
  if (api_key.empty()) return false;  // a console session, a door, or a refusal
  const std::string method = request->method == "HEAD" ? "GET" : request->method;
  const absl::string_view path = PathOf(*request);
  RouteMatch match = routes_.Lookup(method, path);
  if (match.outcome != RouteMatch::kMatched) return false;
  const Route& route = *match.route;
  if (route.method->client_streaming() || route.method->server_streaming() ||
      AccessControl::ShouldAudit(route.grpc_method, absl::StatusCode::kOk)) {
    return false;
  }
  absl::StatusOr<std::chrono::milliseconds> timeout = RequestTimeout(
      request->header("X-Request-Timeout"), request->header("grpc-timeout"), options_.timeouts);
  if (!timeout.ok()) return false;
  // Last check: it takes a token of the key's rate; from here the call is answered here.
  std::optional<Caller> caller = options_.access->AdmitFromCache(api_key, route.grpc_method);
  if (!caller.has_value()) return false;

  inline_in_flight_.fetch_add(1);
  auto call = std::make_shared<InlineCall>();
  call->request = request;
  call->answer = std::move(answer);
  call->record = NewRecord(*request);
  call->record.route = route.path.text();
  call->record.grpc_method = route.grpc_method;
  call->response.set_header("X-Request-Id", call->record.request_id);
  HandleCors(*request, call->response);  // not a preflight (an OPTIONS matches no route)
  call->audit = NewCallRecord(*request, path, route, call->record);
  SetCaller(*caller, call->audit);

  TranscodeInput input;
  FillTranscodeInput(*request, match, input);
  absl::StatusOr<std::unique_ptr<Message>> transcoded = TranscodeRequest(route, input.parts);
  if (!transcoded.ok()) {
    WriteGatewayError(call->response, transcoded.status());
    AnswerInline(*call, transcoded.status().code());
    return true;
  }
  call->call = *std::move(transcoded);
  call->answer_message = NewMessage(route.method->output_type());
  log::ScopedRequestContext context(call->record.request_id, call->record.traceparent);
  auth::CallerScope caller_scope(caller->principal(call->record.request_id));
  backends_.CallAsync(*route.method, std::chrono::system_clock::now() + *timeout, *call->call,
                      *call->answer_message, [this, call](grpc::Status status) {
                        WriteUnaryAnswer(status, *call->answer_message, call->response);
                        AnswerInline(*call, static_cast<absl::StatusCode>(status.error_code()));
                      });
  return true;
}

void GatewayHttpServer::AnswerInline(InlineCall& call, absl::StatusCode outcome) {
  // A success needs no audit line here (ServeInline); a refusal of the backend may.
  if (AccessControl::ShouldAudit(call.audit.method, outcome)) {
    SetOutcome(outcome, call.response.status, call.call.get(),
               outcome == absl::StatusCode::kOk ? call.answer_message.get() : nullptr,
               call.record.start, call.audit);
    auto audit = [access = options_.access, record = call.audit] { access->Audit(record); };
    if (!audit_workers_.Submit(audit)) audit();
  }
  tls_record = std::move(call.record);  // for Log (on_answered), on this thread
  call.answer(std::move(call.response));
  inline_in_flight_.fetch_sub(1);
}

bool GatewayHttpServer::HandleCors(const HttpRequest& request, HttpResponse& response) {
  const std::string origin = request.header("Origin");
  const bool preflight =
      request.method == "OPTIONS" && request.has_header("Access-Control-Request-Method");
  if (origin.empty()) return false;
  const bool allowed =
      std::any_of(options_.cors_origins.begin(), options_.cors_origins.end(),
                  [&](const std::string& allowed) { return allowed == "*" || allowed == origin; });
  if (!allowed) {
    if (!preflight) return false;  // no CORS headers: the browser keeps the answer from the page
    WriteGatewayError(
        response, PermissionDenied(
                      kGatewayDomain, "CORS_ORIGIN_NOT_ALLOWED",
                      absl::StrCat("the origin ", origin, " may not call this API from a browser"),
                      {{"origin", origin}}));
    return true;
  }
  response.set_header("Access-Control-Allow-Origin", origin);
  response.set_header("Vary", "Origin");
  response.set_header("Access-Control-Expose-Headers", kCorsExposeHeaders);
  if (!preflight) return false;
  tls_record.route = "CORS preflight";
  response.status = 204;
  response.set_header("Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE");
  response.set_header("Access-Control-Allow-Headers", kCorsAllowHeaders);
  response.set_header("Access-Control-Max-Age", "600");
  return true;
}

void GatewayHttpServer::HandleStreaming(const Route& route, const HttpRequestParts& parts,
                                        Deadline deadline, HttpResponse& response) {
  std::vector<std::unique_ptr<Message>> calls;
  if (route.method->client_streaming()) {
    absl::StatusOr<std::vector<std::unique_ptr<Message>>> stream =
        TranscodeRequestStream(route, parts);
    if (!stream.ok()) return WriteGatewayError(response, stream.status());
    calls = *std::move(stream);
  } else {
    absl::StatusOr<std::unique_ptr<Message>> call = TranscodeRequest(route, parts);
    if (!call.ok()) return WriteGatewayError(response, call.status());
    calls.push_back(*std::move(call));
  }
  std::vector<const Message*> requests;
  for (const auto& call : calls) requests.push_back(call.get());

  // The status line waits for the first response, so that an immediate failure is reported
  // with its HTTP code; a failure after that can only cut the chunked body short.
  struct StreamState {
    std::unique_ptr<ResponseStream> stream;
    std::unique_ptr<Message> message;
    bool raw;
  };
  auto state = std::make_shared<StreamState>();
  const google::protobuf::Descriptor* output = route.method->output_type();
  state->raw = IsHttpBody(output);
  state->stream = backends_.Stream(*route.method, deadline, requests);
  state->message = NewMessage(output);
  const bool first = state->stream->Read(*state->message);
  if (!route.method->server_streaming()) {
    grpc::Status status = state->stream->Finish();
    if (!status.ok()) return WriteBackendError(response, status);
    if (!first) {
      return WriteGatewayError(response, absl::InternalError("the backend sent no response"));
    }
    return WriteAnswer(*state->message, response);
  }
  if (!first) {
    grpc::Status status = state->stream->Finish();
    if (!status.ok()) return WriteBackendError(response, status);
    response.set_content("", state->raw ? "application/octet-stream" : "application/x-ndjson");
    return;
  }
  const std::string content_type =
      state->raw ? HttpBodyContentType(*state->message) : "application/x-ndjson";
  RequestRecord* record = &tls_record;  // the stream runs on this thread
  response.content_type = content_type;
  response.stream = [state, record](ChunkSink& sink) {
    while (true) {
      absl::StatusOr<std::string> chunk = RenderChunk(*state->message, state->raw);
      if (!chunk.ok()) {
        record->stream_error = std::string(chunk.status().message());
        return false;
      }
      if (!chunk->empty() && !sink.Write(*chunk)) return false;
      if (state->stream->Read(*state->message)) continue;
      grpc::Status status = state->stream->Finish();
      if (!status.ok()) {
        record->stream_error =
            absl::StrCat(StatusCodeName(static_cast<absl::StatusCode>(status.error_code())), ": ",
                         status.error_message());
        return false;  // the connection is closed: the client sees a cut body
      }
      return true;
    }
  };
}

}  // namespace maillage::gateway
