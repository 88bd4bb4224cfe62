// Request id, access log and metrics of every gRPC call (see interceptors.h).
#include "common/server/interceptors.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <optional>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/server/memory.h"
#include "common/server/utf8_fields.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "google/protobuf/descriptor.h"

namespace maillage::server {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

namespace {

// Request ids longer than this are replaced: they end up in every log line.
constexpr size_t kMaxRequestIdLength = 128;
constexpr size_t kMaxTraceparentLength = 256;
constexpr int kGrpcCodeCount = 17;
constexpr absl::string_view kHealthMethodPrefix = "/grpc.health.v1.Health/";

std::string MetadataValue(const grpc::ServerContextBase& context, absl::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

absl::string_view TypeLabel(ServerRpcInfo::Type type) {
  switch (type) {
    case ServerRpcInfo::Type::UNARY:
      return "unary";
    case ServerRpcInfo::Type::CLIENT_STREAMING:
      return "client_stream";
    case ServerRpcInfo::Type::SERVER_STREAMING:
      return "server_stream";
    case ServerRpcInfo::Type::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unary";
}

// "/maillage.directory.v1.ActorService/GetActor" → {"maillage.directory.v1.ActorService",
// "GetActor"}.
std::pair<std::string, std::string> SplitMethod(absl::string_view method) {
  if (!method.empty() && method.front() == '/') method.remove_prefix(1);
  size_t slash = method.rfind('/');
  if (slash == absl::string_view::npos) return {"", std::string(method)};
  return {std::string(method.substr(0, slash)), std::string(method.substr(slash + 1))};
}

// `seconds` in milliseconds with three decimals ("1.234"), without absl::StrFormat's parsing
// of a format string on every call.
std::string Milliseconds(double seconds) {
  const int64_t micros = std::llround(seconds * 1e6);
  std::string out = absl::StrCat(micros / 1000, ".");
  const int64_t fraction = micros % 1000;
  out.push_back(static_cast<char>('0' + fraction / 100));
  out.push_back(static_cast<char>('0' + fraction / 10 % 10));
  out.push_back(static_cast<char>('0' + fraction % 10));
  return out;
}

const prometheus::Histogram::BucketBoundaries& HandlingBuckets() {
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *kBuckets;
}

}  // namespace

struct ServerInterceptorFactory::MethodMetrics {
  prometheus::Labels labels;
  prometheus::Counter* started = nullptr;
  prometheus::Histogram* handling_seconds = nullptr;
  // One counter per grpc code, created on the first call that ends with that code.
  std::array<std::atomic<prometheus::Counter*>, kGrpcCodeCount> handled{};
};

namespace {

// One per call; owned by the call's ServerRpcInfo, destroyed with the call.
class CallInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(ServerRpcInfo* info, ServerInterceptorFactory::MethodMetrics& metrics,
                  prometheus::Family<prometheus::Counter>& handled, bool set_thread_context,
                  const std::string& error_domain)
      : info_(info),
        error_domain_(error_domain),
        metrics_(metrics),
        handled_(handled),
        set_thread_context_(set_thread_context),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      OnClientMetadata(*methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kRequestIdHeader, request_id_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      // The request did not parse (the handler will not run): see utf8_fields.h.
      unparsed_field_ = UnparsedRequestField();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      if (unparsed_field_.has_value() && status.error_code() == grpc::StatusCode::INTERNAL) {
        status =
            ToGrpcStatus(InvalidField(error_domain_, *unparsed_field_,
                                      *unparsed_field_ == "request"
                                          ? "the request is not a valid protocol buffer message"
                                          : "not valid UTF-8"),
                         error_domain_);
        methods->ModifySendStatus(status);
      }
      OnStatus(status);
    }
    methods->Proceed();
  }

 private:
  // The field named by protobuf's UTF-8 diagnostic, as a path in the method's request type,
  // or "request".
  std::string UnparsedRequestField() {
    std::string field = TakeUtf8ParseErrorField();
    if (field.empty()) return "request";
    auto [service, name] = SplitMethod(info_->method() != nullptr ? info_->method() : "");
    const auto* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    const auto* method = descriptor != nullptr ? descriptor->FindMethodByName(name) : nullptr;
    std::string path = FieldPathTo(method != nullptr ? method->input_type() : nullptr, field);
    return path.empty() ? "request" : path;
  }

  void OnClientMetadata(std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    metrics_.started->Increment();
    auto id = metadata.find(kRequestIdHeader);
    if (id != metadata.end() && !id->second.empty() && id->second.size() <= kMaxRequestIdLength) {
      request_id_.assign(id->second.data(), id->second.size());
    } else {
      // The generated id is added to the client metadata so that RequestId(context) finds it;
      // the map holds views, request_id_ owns the bytes for the whole call.
      if (id != metadata.end()) metadata.erase(id);
      request_id_ = NewRequestId();
      metadata.emplace(kRequestIdHeader, grpc::string_ref(request_id_));
    }
    auto trace = metadata.find(kTraceparentHeader);
    if (trace != metadata.end() && trace->second.size() <= kMaxTraceparentLength) {
      traceparent_.assign(trace->second.data(), trace->second.size());
    }
    // Synchronous and async calls have a grpc::ServerContext; callback calls another kind.
    if (set_thread_context_ && dynamic_cast<grpc::ServerContext*>(info_->server_context())) {
      thread_context_.emplace(request_id_, traceparent_);
    }
  }

  void OnStatus(const grpc::Status& status) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    int code = static_cast<int>(status.error_code());
    if (code < 0 || code >= kGrpcCodeCount) code = static_cast<int>(grpc::StatusCode::UNKNOWN);
    absl::string_view code_name = StatusCodeName(static_cast<absl::StatusCode>(code));

    prometheus::Counter* handled = metrics_.handled[code].load(std::memory_order_acquire);
    if (handled == nullptr) {
      prometheus::Labels labels = metrics_.labels;
      labels.emplace("grpc_code", std::string(code_name));
      handled = &handled_.Add(labels);  // idempotent: racing calls get the same counter
      metrics_.handled[code].store(handled, std::memory_order_release);
    }
    handled->Increment();
    metrics_.handling_seconds->Observe(seconds);

    absl::string_view method = info_->method() != nullptr ? info_->method() : "";
    // Probes check health every few seconds: their lines only at debug level.
    log::Level level =
        absl::StartsWith(method, kHealthMethodPrefix) ? log::Level::kDebug : log::Level::kInfo;
    if (log::Enabled(level)) {
      // A scope of its own: the access line carries the ids whichever thread ends the call.
      log::ScopedRequestContext ids(request_id_, traceparent_);
      log::Write(level, "grpc call",
                 {{"method", std::string(method)},
                  {"grpc_code", std::string(code_name)},
                  {"duration_ms", Milliseconds(seconds)},
                  {"peer", info_->server_context()->peer()}});
    }
    thread_context_.reset();
    ReleaseMemoryAfterCall(seconds);  // memory.h: after a long call, its pages go back
  }

  ServerRpcInfo* info_;
  const std::string& error_domain_;
  std::optional<std::string> unparsed_field_;
  ServerInterceptorFactory::MethodMetrics& metrics_;
  prometheus::Family<prometheus::Counter>& handled_;
  const bool set_thread_context_;
  const std::chrono::steady_clock::time_point start_;
  std::string request_id_;
  std::string traceparent_;
  std::optional<log::ScopedRequestContext> thread_context_;
};

}  // namespace

std::string RequestId(const grpc::ServerContextBase& context) {
  return MetadataValue(context, kRequestIdHeader);
}

std::string Traceparent(const grpc::ServerContextBase& context) {
  return MetadataValue(context, kTraceparentHeader);
}

std::string NewRequestId() {
  thread_local absl::BitGen gen;
  uint64_t high = absl::Uniform<uint64_t>(gen);
  uint64_t low = absl::Uniform<uint64_t>(gen);
  high = (high & ~uint64_t{0xF000}) | uint64_t{0x4000};          // version 4
  low = (low & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // variant 10xx
  // 8-4-4-4-12 hex digits, written by hand (absl::StrFormat was most of this function's cost).
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(36, '-');
  int pos = 0;
  for (int nibble = 15; nibble >= 0; --nibble) {
    if (pos == 8 || pos == 13) ++pos;
    id[pos++] = kHex[(high >> (nibble * 4)) & 0xF];
  }
  for (int nibble = 15; nibble >= 0; --nibble) {
    if (pos == 18 || pos == 23) ++pos;
    id[pos++] = kHex[(low >> (nibble * 4)) & 0xF];
  }
  return id;
}

ServerInterceptorFactory::ServerInterceptorFactory(prometheus::Registry& registry,
                                                   bool set_thread_context,
                                                   std::string error_domain)
    : set_thread_context_(set_thread_context),
      error_domain_(std::move(error_domain)),
      started_(prometheus::BuildCounter()
                   .Name("grpc_server_started_total")
                   .Help("Total number of RPCs started on the server.")
                   .Register(registry)),
      handled_(prometheus::BuildCounter()
                   .Name("grpc_server_handled_total")
                   .Help("Total number of RPCs completed on the server, regardless of success "
                         "or failure.")
                   .Register(registry)),
      handling_seconds_(prometheus::BuildHistogram()
                            .Name("grpc_server_handling_seconds")
                            .Help("Histogram of response latency (seconds) of gRPC calls "
                                  "handled by the server.")
                            .Register(registry)) {
  CaptureUtf8ParseErrors();
}

ServerInterceptorFactory::~ServerInterceptorFactory() = default;

std::unique_ptr<ServerInterceptorFactory::MethodMetrics> ServerInterceptorFactory::NewMetrics(
    const std::string& service, const std::string& method, ServerRpcInfo::Type type) {
  auto metrics = std::make_unique<MethodMetrics>();
  metrics->labels = {{"grpc_service", service},
                     {"grpc_method", method},
                     {"grpc_type", std::string(TypeLabel(type))}};
  metrics->started = &started_.Add(metrics->labels);
  metrics->handling_seconds = &handling_seconds_.Add(metrics->labels, HandlingBuckets());
  return metrics;
}

ServerInterceptorFactory::MethodMetrics& ServerInterceptorFactory::MetricsFor(
    const char* method, ServerRpcInfo::Type type) {
  std::string path = method != nullptr ? method : "";
  std::lock_guard<std::mutex> lock(mu_);
  auto known = methods_.find(path);
  if (known != methods_.end()) return *known->second;
  auto [service, name] = SplitMethod(path);
  // A client may call any path: only methods of the compiled contracts get series of their
  // own, so that the number of series stays bounded.
  const auto* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
  if (descriptor == nullptr || descriptor->FindMethodByName(name) == nullptr) {
    auto& unknown = unknown_methods_[static_cast<size_t>(type)];
    if (unknown == nullptr) unknown = NewMetrics("unknown", "unknown", type);
    return *unknown;
  }
  auto& slot = methods_[path];
  slot = NewMetrics(service, name, type);
  return *slot;
}

grpc::experimental::Interceptor* ServerInterceptorFactory::CreateServerInterceptor(
    ServerRpcInfo* info) {
  return new CallInterceptor(info, MetricsFor(info->method(), info->type()), handled_,
                             set_thread_context_, error_domain_);
}

}  // namespace maillage::server
