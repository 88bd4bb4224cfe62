// Reply: the last line of every gRPC adapter method — a logic result into a gRPC response.
//
//   grpc::Status Impl::GetThing(grpc::ServerContext* context, const GetThingRequest* request,
//                               Thing* response) {
//     return Reply(things_.Get(context->deadline(), *request), response, kDomain);
//   }
#pragma once

#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/status/grpc_status.h"
#include "grpcpp/support/status.h"

namespace maillage {

// Moves the value of `result` into `response` and returns OK, or returns its error as a gRPC
// status with google.rpc details (ErrorInfo domain `domain` when the error carries none).
template <typename Response>
grpc::Status Reply(absl::StatusOr<Response> result, Response* response, absl::string_view domain) {
  if (!result.ok()) return ToGrpcStatus(result.status(), domain);
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace maillage
