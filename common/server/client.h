// What every gRPC client inside maillage uses to reach another service.
//
//   auto channel = maillage::server::MakeChannel(env.String("MAILLAGE_DIRECTORY_ADDR", ...));
//   auto stub = maillage::directory::v1::ActorService::NewStub(channel);
//   grpc::ClientContext context;
//   maillage::server::PrepareClientContext(context, deadline);  // deadline + request id
//   grpc::Status status = stub->GetActor(&context, request, &actor);
//
// Channels balance calls round robin over every address of the target (all the A records of a
// DNS name, or every entry of a comma-separated list), keep connections alive with pings,
// reconnect to a peer that went away within 2 s of its return (reconnection backoff 250 ms up to
// 2 s), and allow messages up to kMaxMessageBytes both ways. Every call made on a thread inside
// an auth::CallerScope carries that caller as a signed x-maillage-principal
// (common/auth/caller.h). Channels use the internal TLS set with SetInternalTls (tls.h; mutual
// TLS with the installation's private CA), plaintext when none was set.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/client_interceptor.h"

namespace maillage::server {

// The message size limit of maillage clients (servers: ServerOptions::max_message_bytes).
inline constexpr int kMaxMessageBytes = 8 << 20;

// The gRPC target for `address`: "host:port" and "dns:///name:port" unchanged; a
// comma-separated list "10.0.0.1:9101,10.0.0.2:9101" becomes
// "ipv4:10.0.0.1:9101,10.0.0.2:9101" (entries must be IPv4 literals; "localhost" is accepted
// and written 127.0.0.1).
std::string ChannelTarget(absl::string_view address);

// A channel to `address` (see ChannelTarget), round robin over all resolved addresses. Never
// fails: an unusable address shows up as UNAVAILABLE on the calls.
// `max_message_bytes` raises the message size limit (tests of oversized input).
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           int max_message_bytes = kMaxMessageBytes);

// The client interceptors of MakeChannel's channels (the caller's principal, caller.h), for a
// channel made another way (Server::InProcessChannel).
std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
ClientInterceptors();

// Sets `deadline` on `context` and passes on the request id and traceparent of the call this
// thread is serving (log::CurrentRequestId / CurrentTraceparent) as x-request-id and
// traceparent metadata; outside a call, none are sent and the server generates an id.
void PrepareClientContext(grpc::ClientContext& context,
                          std::chrono::system_clock::time_point deadline);

}  // namespace maillage::server
