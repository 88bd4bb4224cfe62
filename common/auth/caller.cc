// The caller of the current thread's work and its signed form for outgoing calls.
#include "common/auth/caller.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/auth/authorizer.h"
#include "common/auth/permissions.h"
#include "common/log/log.h"

namespace maillage::auth {
namespace {

std::string& SecretStorage() {
  static auto* const secret = new std::string();
  return *secret;
}

thread_local const Principal* tls_caller = nullptr;

// Set by tools and tests; read by every thread that has no scope.
std::mutex default_mu;
std::optional<Principal> default_caller;

}  // namespace

void SetProcessSecret(std::string secret) { SecretStorage() = std::move(secret); }

const std::string& ProcessSecret() { return SecretStorage(); }

CallerScope::CallerScope(Principal principal)
    : principal_(std::move(principal)), previous_(tls_caller) {
  tls_caller = &principal_;
}

CallerScope::~CallerScope() { tls_caller = previous_; }

void SetDefaultCaller(std::optional<Principal> principal) {
  std::lock_guard<std::mutex> lock(default_mu);
  default_caller = std::move(principal);
}

const Principal* CurrentCaller() { return tls_caller; }

std::string OutgoingPrincipalToken(absl::string_view method, absl::Time deadline) {
  const std::string& secret = ProcessSecret();
  if (secret.empty()) return "";
  Principal outgoing;
  if (tls_caller != nullptr) {
    outgoing = *tls_caller;
  } else {
    std::lock_guard<std::mutex> lock(default_mu);
    if (!default_caller.has_value()) return "";
    outgoing = *default_caller;
  }
  outgoing.audience = std::string(method);
  outgoing.expire_unix_ms =
      absl::ToUnixMillis(std::min(absl::Now() + kOutgoingLifetime, deadline + kClockSkewAllowance));
  if (outgoing.request_id.empty()) outgoing.request_id = log::CurrentRequestId();
  return SignPrincipal(outgoing, secret);
}

Principal ServicePrincipal(absl::string_view service_name, Role role) {
  Principal principal;
  principal.key_name = absl::StrCat("services/", service_name);
  principal.role = role;
  return principal;
}

std::string MethodPath(absl::string_view service_full_name, absl::string_view method) {
  return absl::StrCat("/", service_full_name, "/", method);
}

AuthorizedCall::AuthorizedCall(const grpc::ServerContextBase& context, absl::string_view method)
    : principal_(Authorize(context, method, ProcessSecret())) {
  if (principal_.ok()) scope_.emplace(*principal_);
}

bool AuthorizedCall::may_read_personal_data() const {
  return ok() && MayReadPersonalData(principal_->role);
}

}  // namespace maillage::auth
