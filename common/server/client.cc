// Channels and call contexts of maillage's gRPC clients (see client.h).
#include "common/server/client.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/auth/caller.h"
#include "common/log/log.h"
#include "common/server/interceptors.h"
#include "common/server/tls.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpcpp/support/client_interceptor.h"

namespace maillage::server {
namespace {

constexpr char kServiceConfig[] = R"({"loadBalancingConfig":[{"round_robin":{}}]})";
// Pings every 20 s, also without calls in flight (the server allows one every 10 s).
constexpr int kKeepaliveTimeMs = 20'000;
constexpr int kKeepaliveTimeoutMs = 10'000;
// Reconnection after a peer went away (restarted, killed, its pod replaced): first retry after
// 250 ms, then backing off to at most 2 s, instead of gRPC's 1 s growing to 120 s. With the
// defaults a backend down for ten seconds stayed unreachable for tens of seconds more after it
// came back (tests/faults: SIGTERM then restart of the directory).
constexpr int kInitialReconnectBackoffMs = 250;
constexpr int kMaxReconnectBackoffMs = 2'000;

// Adds the caller of the calling thread (auth::CurrentCaller), signed for the method called and
// expiring with the call's deadline, as x-maillage-principal. The token is made when the call
// is created, which happens on the calling thread for every kind of stub (sync, async and
// callback), so the thread's CallerScope is the right one; the deadline is already set then.
class PrincipalInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit PrincipalInterceptor(std::string token) : token_(std::move(token)) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(auth::kPrincipalMetadataKey, token_);
    }
    methods->Proceed();
  }

 private:
  std::string token_;
};

class PrincipalInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override {
    absl::Time deadline = absl::InfiniteFuture();
    if (info->client_context() != nullptr) {
      const auto when = info->client_context()->deadline();
      if (when != std::chrono::system_clock::time_point::max()) deadline = absl::FromChrono(when);
    }
    std::string token =
        auth::OutgoingPrincipalToken(info->method() != nullptr ? info->method() : "", deadline);
    return token.empty() ? nullptr : new PrincipalInterceptor(std::move(token));
  }
};

}  // namespace

std::string ChannelTarget(absl::string_view address) {
  if (!absl::StrContains(address, ',')) return std::string(address);
  std::vector<std::string> entries;
  for (absl::string_view entry : absl::StrSplit(address, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    if (absl::ConsumePrefix(&entry, "localhost:")) {
      entries.push_back(absl::StrCat("127.0.0.1:", entry));
    } else {
      entries.emplace_back(entry);
    }
  }
  return absl::StrCat("ipv4:", absl::StrJoin(entries, ","));
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, int max_message_bytes) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(kServiceConfig);
  // The service config above is the one to use, not one published in DNS TXT records.
  args.SetInt(GRPC_ARG_SERVICE_CONFIG_DISABLE_RESOLUTION, 1);
  args.SetMaxReceiveMessageSize(max_message_bytes);
  args.SetMaxSendMessageSize(max_message_bytes);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, kInitialReconnectBackoffMs);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      ChannelTarget(address), ChannelCredentialsFor(InternalTls()), args, ClientInterceptors());
}

std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
ClientInterceptors() {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<PrincipalInterceptorFactory>());
  return interceptors;
}

void PrepareClientContext(grpc::ClientContext& context,
                          std::chrono::system_clock::time_point deadline) {
  context.set_deadline(deadline);
  const std::string& request_id = log::CurrentRequestId();
  if (!request_id.empty()) context.AddMetadata(kRequestIdHeader, request_id);
  const std::string& traceparent = log::CurrentTraceparent();
  if (!traceparent.empty()) context.AddMetadata(kTraceparentHeader, traceparent);
}

}  // namespace maillage::server
