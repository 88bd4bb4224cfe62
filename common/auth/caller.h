// Who the current call is made for, inside a process of maillage, and how that identity travels
// on to the next service.
//
// The gateway authenticates an API key and opens a CallerScope for the request; a service opens
// one when Authorize succeeds (AuthorizedCall below does both). Every gRPC call made from that
// thread through a channel of server::MakeChannel then carries the caller as a principal signed
// anew for that call's method (its audience), expiring with the call's deadline and at most
// kOutgoingLifetime ahead, so a service calling another acts for the same key with the same
// role, and the token it received opens nothing else. Work that no caller asked for (a change-feed
// follower, the seed loader) opens a CallerScope of its own with a service principal.
//
//   auth::SetProcessSecret(secret);  // once, at start-up, from MAILLAGE_PRINCIPAL_SECRET
//   ...
//   grpc::Status Adapter::GetActor(grpc::ServerContext* context, ...) {
//     auth::AuthorizedCall call(*context, "/maillage.directory.v1.DirectoryService/GetActor");
//     if (!call.ok()) return ToGrpcStatus(call.status(), kDomain);
//     ... call.principal().role ...
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/status/grpc_status.h"
#include "grpcpp/server_context.h"

namespace maillage::auth {

// The longest lifetime of the principals signed for outgoing calls; a call with a nearer
// deadline gets a principal expiring kClockSkewAllowance after its deadline.
inline constexpr absl::Duration kOutgoingLifetime = absl::Seconds(30);
// Added to a call's deadline for the principal's expiry, for hosts whose clocks disagree a bit
// (gRPC sends deadlines as durations; the principal's expiry is an instant).
inline constexpr absl::Duration kClockSkewAllowance = absl::Seconds(1);

// The signing secret of this process (MAILLAGE_PRINCIPAL_SECRET): set once at start-up, before
// any call is served or made. Empty until then: nothing is signed and every principal is refused.
void SetProcessSecret(std::string secret);
const std::string& ProcessSecret();

// The caller of the work this thread is doing, for the scope's lifetime; scopes nest (the
// innermost wins) and are per thread.
class CallerScope {
 public:
  explicit CallerScope(Principal principal);
  ~CallerScope();
  CallerScope(const CallerScope&) = delete;
  CallerScope& operator=(const CallerScope&) = delete;

 private:
  Principal principal_;
  const Principal* previous_;
};

// The caller of calls made outside any CallerScope, on every thread: for tools that act in
// their own name (the seed loader) and tests. Unset (nullopt) by default: such calls then carry
// no principal and services refuse them.
void SetDefaultCaller(std::optional<Principal> principal);

// The innermost CallerScope's principal on this thread, or nullptr.
const Principal* CurrentCaller();

// The x-maillage-principal value for a call to `method` ("/<package>.<Service>/<Method>") made
// now on this thread with `deadline`: the current caller (else the default caller) with
// audience `method`, signed with the process secret, expiring at the earlier of now +
// kOutgoingLifetime and deadline + kClockSkewAllowance; empty when there is no caller or no
// secret.
std::string OutgoingPrincipalToken(absl::string_view method,
                                   absl::Time deadline = absl::InfiniteFuture());

// A principal for work a service does on its own ("services/meetings"), with `role`.
Principal ServicePrincipal(absl::string_view service_name, Role role);

// "/<service>/<method>", the gRPC path of a method.
std::string MethodPath(absl::string_view service_full_name, absl::string_view method);

// Authorize (authorizer.h) with the process secret, and on success a CallerScope for the rest of
// the handler: build it first thing in every handler.
class AuthorizedCall {
 public:
  AuthorizedCall(const grpc::ServerContextBase& context, absl::string_view method);
  AuthorizedCall(const AuthorizedCall&) = delete;
  AuthorizedCall& operator=(const AuthorizedCall&) = delete;

  bool ok() const { return principal_.ok(); }
  // UNAUTHENTICATED or PERMISSION_DENIED (authorizer.h) when !ok().
  absl::Status status() const { return principal_.status(); }
  // Only when ok().
  const Principal& principal() const { return *principal_; }
  // True when the caller may read personal data (auth::MayReadPersonalData of its role).
  bool may_read_personal_data() const;

 private:
  absl::StatusOr<Principal> principal_;
  std::optional<CallerScope> scope_;
};

}  // namespace maillage::auth

// The first statement of every handler of a service: authorizes the call as
// "/<service>/<method>" (AuthorizedCall, in scope for the rest of the handler as
// `authorized_call`) or returns its refusal as a gRPC status of `domain`. The names come from
// the generated service class (its service_full_name(), and a method it must declare), never
// typed by hand.
//   MAILLAGE_AUTHORIZE(context, v1::BudgetService, GetBudget, kDomain);
#define MAILLAGE_AUTHORIZE(context, GeneratedService, Method, domain)                 \
  static_cast<void>(&GeneratedService::Service::Method);                              \
  static const std::string maillage_method_path =                                     \
      ::maillage::auth::MethodPath(GeneratedService::service_full_name(), #Method);   \
  ::maillage::auth::AuthorizedCall authorized_call(*(context), maillage_method_path); \
  if (!authorized_call.ok()) return ::maillage::ToGrpcStatus(authorized_call.status(), domain)
