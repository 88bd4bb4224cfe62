// Conversion between absl::Status (inside maillage) and grpc::Status (at the edge), carrying
// the google.rpc details in grpc-status-details-bin.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"

namespace maillage {

// The google.rpc.Status of `status`: code, message and details in this order: ErrorInfo
// (always; when `status` has none, reason = the code's name and domain = `default_domain`),
// then BadRequest, PreconditionFailure, RetryInfo when present.
google::rpc::Status ToRpcStatus(const absl::Status& status, absl::string_view default_domain);

// The most a status's serialized google.rpc.Status may take in grpc-status-details-bin: the
// trailers a gRPC client accepts are limited (8 KiB by default, base64 adds a third), and a
// larger answer reaches the client as RESOURCE_EXHAUSTED instead of the error.
inline constexpr size_t kMaxErrorDetailsBytes = 4096;

// grpc::Status with the same code and message and the serialized google.rpc.Status as
// error details, within kMaxErrorDetailsBytes (the last field violations are replaced by one
// saying how many were left out). OK maps to grpc::Status::OK.
grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view default_domain);

// The reverse: code, message, and every known detail restored as a payload. A status from a
// downstream service therefore keeps its ErrorInfo when it is passed on.
absl::Status FromGrpcStatus(const grpc::Status& status);
absl::Status FromRpcStatus(const google::rpc::Status& status);

}  // namespace maillage
