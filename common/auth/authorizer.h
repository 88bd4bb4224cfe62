// The check a service runs on every call before its handler does anything: a valid principal
// signed by the gateway (principal.h), whose role the permission table (permissions.h) allows
// for the method. Permission comes before existence: a denied call learns nothing about the
// resource it named.
//
// Wiring: each adapter calls Authorize at the top of every handler, with the method's full
// name and the secret read once at start-up from MAILLAGE_PRINCIPAL_SECRET:
//
//   grpc::Status DirectoryAdapter::ListContacts(grpc::ServerContext* context, ...) {
//     auto principal = auth::Authorize(
//         *context, "/maillage.directory.v1.DirectoryService/ListContacts", secret_);
//     if (!principal.ok()) return ToGrpcStatus(principal.status(), kDomain);
//     ...
//
// Why not a server interceptor alone: in gRPC 1.51 a grpc::experimental::Interceptor cannot end
// a call with a status of its choice before the handler runs; the most it can do at
// POST_RECV_INITIAL_METADATA is ServerContext::TryCancel(), which the client sees as CANCELLED,
// not UNAUTHENTICATED / PERMISSION_DENIED with details, and the handler still runs. The
// handler is the one place that can answer correctly, so the check lives there; an
// interceptor may still run the same check first to log or count refusals (ServerRpcInfo
// gives it method() and the received metadata).
//
// The gateway must drop any x-maillage-principal a client sends before adding its own (the
// generic gRPC pass-through copies client metadata); Authorize refuses a call carrying two.
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/principal.h"
#include "grpcpp/server_context.h"

namespace maillage::auth {

// The caller's principal when `context` carries a valid one (kPrincipalMetadataKey) signed
// with `secret` and its role may call `method` ("/<package>.<Service>/<Method>").
// UNAUTHENTICATED (domain "auth.maillage") when the metadata is missing (PRINCIPAL_MISSING) or
// the principal is invalid or expired (VerifyPrincipal's reasons; PRINCIPAL_INVALID also when
// the metadata appears more than once); PERMISSION_DENIED (reason
// PERMISSION_DENIED, metadata {role, method}) when the table does not allow the role, which
// includes every method the table does not know.
absl::StatusOr<Principal> Authorize(const grpc::ServerContextBase& context,
                                    absl::string_view method, absl::string_view secret);

}  // namespace maillage::auth
