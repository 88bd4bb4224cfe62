// Reply: the last line of every adapter method — a logic result into a gRPC response.
#pragma once

#include <utility>

#include "absl/status/statusor.h"
#include "common/status/grpc_status.h"
#include "grpcpp/support/status.h"
#include "services/directory/actor_fields.h"

namespace maillage::directory {

// Moves the value of `result` into `response` and returns OK, or returns its error as a gRPC
// status with google.rpc details (domain directory.maillage).
template <typename Response>
grpc::Status Reply(absl::StatusOr<Response> result, Response* response) {
  if (!result.ok()) return ToGrpcStatus(result.status(), kDomain);
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace maillage::directory
