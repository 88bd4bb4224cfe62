// The principal: who is calling, as the gateway vouches for it. The gateway authenticates the
// API key, then signs a Principal and sends it to the service in the `x-maillage-principal`
// metadata; the service verifies the signature, the expiry and the audience, and trusts nothing
// else.
//
// A principal is signed for one call: its audience is the full name of the one method it may be
// presented to ("/maillage.directory.v1.DirectoryService/GetActor"), and it lives at most
// kMaxPrincipalLifetime. A token sniffed on the internal network therefore opens that one method
// of that one service for a few seconds, not every method of every service; a service that calls
// another on behalf of its caller signs a new token for the method it calls (caller.h).
//
//   // gateway, per forwarded call (common/server's channels do this for every call)
//   Principal principal{key.name(), key.role(), NowMs() + 30'000, request_id,
//                       "/maillage.directory.v1.DirectoryService/GetActor"};
//   context.AddMetadata(auth::kPrincipalMetadataKey, auth::SignPrincipal(principal, secret));
//   // service: see authorizer.h
//
// Token: base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload))), no padding;
// the payload is "2.<role number>.<expire_unix_ms>.<base64url key_name>.<base64url request_id>.
// <base64url audience>.<base64url funder_id>". The whole token is metadata-safe ASCII.
// Version-1 tokens (no audience) are refused.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/permissions.h"

namespace maillage::auth {

// The error domain of every error of this library.
inline constexpr char kAuthDomain[] = "auth.maillage";
// The gRPC metadata that carries the signed principal.
inline constexpr char kPrincipalMetadataKey[] = "x-maillage-principal";
// The signing secret, shared by the gateway and the services, is read from
// MAILLAGE_PRINCIPAL_SECRET (config::Env::Secret) and installed with auth::SetProcessSecret.
// The shortest secret the binaries accept (bytes).
inline constexpr size_t kMinSecretLength = 32;
// Verification refuses a principal that expires further ahead than this: principals are
// signed per call, expiring with the call's deadline and at most 30 s ahead (caller.h's
// kOutgoingLifetime), plus this much again for clocks that disagree.
inline constexpr absl::Duration kMaxPrincipalLifetime = absl::Seconds(60);

struct Principal {
  std::string key_name;  // "apiKeys/7", the key the gateway authenticated
  Role role = ::maillage::gateway::v1::ROLE_UNSPECIFIED;
  int64_t expire_unix_ms = 0;  // refused from this instant on
  std::string request_id;      // the call's x-request-id
  // The one method this principal may be presented to, "/<package>.<Service>/<Method>".
  std::string audience;
  // For a ROLE_FUNDER key: the funder it speaks for, as the actions list it in their funders
  // ("dijon-metropole"); the budget service lets it read only those actions. Empty otherwise.
  std::string funder_id;
};

// The token for `principal`, signed with `secret`.
std::string SignPrincipal(const Principal& principal, absl::string_view secret);

// The principal in `token` when its signature is that of `secret`, it has not expired at `now`
// and it was signed for `audience` (the method being called). UNAUTHENTICATED with ErrorInfo
// {domain "auth.maillage"} otherwise: reason PRINCIPAL_EXPIRED when expire_unix_ms <= now;
// PRINCIPAL_WRONG_AUDIENCE (metadata {audience: the method it was signed for, method:
// `audience`}) when signed for another method or service; PRINCIPAL_INVALID for a malformed
// token, a wrong signature, an unknown role, an expiry beyond now + kMaxPrincipalLifetime, an
// empty `audience` or an empty `secret` (a service without a secret accepts nobody). The
// signature is compared in constant time, before anything in the payload is parsed.
absl::StatusOr<Principal> VerifyPrincipal(absl::string_view token, absl::string_view secret,
                                          absl::Time now, absl::string_view audience);

}  // namespace maillage::auth
