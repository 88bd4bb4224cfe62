// Authorize: the principal from the call's metadata, then the permission table.
#include "common/auth/authorizer.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/auth/permissions.h"
#include "common/status/errors.h"

namespace maillage::auth {

absl::StatusOr<Principal> Authorize(const grpc::ServerContextBase& context,
                                    absl::string_view method, absl::string_view secret) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kPrincipalMetadataKey);
  if (it == metadata.end()) {
    return MakeError(absl::StatusCode::kUnauthenticated, kAuthDomain, "PRINCIPAL_MISSING",
                     absl::StrCat("the call carries no ", kPrincipalMetadataKey,
                                  ": services accept only calls through the gateway"));
  }
  if (metadata.count(kPrincipalMetadataKey) > 1) {
    // Only the gateway sets it, once; two values mean a client's own was passed along.
    return MakeError(absl::StatusCode::kUnauthenticated, kAuthDomain, "PRINCIPAL_INVALID",
                     absl::StrCat("the call carries more than one ", kPrincipalMetadataKey));
  }
  absl::StatusOr<Principal> principal = VerifyPrincipal(
      absl::string_view(it->second.data(), it->second.size()), secret, absl::Now(), method);
  if (!principal.ok()) return principal.status();
  if (!Allowed(principal->role, method)) {
    const std::string role = ::maillage::gateway::v1::Role_Name(principal->role);
    return PermissionDenied(kAuthDomain, "PERMISSION_DENIED",
                            absl::StrCat("role ", role, " may not call ", method),
                            {{"role", role}, {"method", std::string(method)}});
  }
  return principal;
}

}  // namespace maillage::auth
