// Errors over HTTP: a gRPC status (with its google.rpc details) becomes the AIP-193 envelope
//
//   {"error": {"code": 404, "message": "...", "status": "NOT_FOUND",
//              "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", ...}]}}
//
// served with the HTTP status of API_CONVENTIONS.md. Errors the gateway makes itself carry an
// ErrorInfo in domain "gateway.maillage".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"

namespace maillage::gateway {

inline constexpr absl::string_view kGatewayDomain = "gateway.maillage";

// The HTTP status of a google.rpc.Code: INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE
// 400; UNAUTHENTICATED 401; PERMISSION_DENIED 403; NOT_FOUND 404; ALREADY_EXISTS, ABORTED 409;
// RESOURCE_EXHAUSTED 429; CANCELLED 499; UNIMPLEMENTED 501; UNAVAILABLE 503; DEADLINE_EXCEEDED
// 504; OK 200; anything else 500.
int HttpStatusOf(int grpc_code);

// INVALID_ARGUMENT "<field>: <description>" with ErrorInfo {reason, gateway.maillage,
// {"field": field}} and a BadRequest naming `field`.
absl::Status InvalidRequestField(absl::string_view reason, absl::string_view field,
                                 absl::string_view description);

// The google.rpc.Status of an error raised in the gateway, its ErrorInfo in gateway.maillage
// when it has none.
google::rpc::Status GatewayRpcStatus(const absl::Status& status);

// The google.rpc.Status a backend sent in grpc-status-details-bin, every detail kept; when it
// sent none (or one that disagrees with the call's code), code and message of the call with an
// ErrorInfo {reason: the code's name, domain: gateway.maillage}.
google::rpc::Status BackendRpcStatus(const grpc::Status& status);

// The Retry-After header's value (whole seconds, at least 1) of a status with a RetryInfo;
// nullopt without one.
std::optional<int64_t> RetryAfterSeconds(const absl::Status& status);

// The AIP-193 JSON envelope of `status` with "code": `http_status`. Details whose type is not
// compiled in are written as {"@type": url}.
std::string ErrorEnvelope(const google::rpc::Status& status, int http_status);

}  // namespace maillage::gateway
