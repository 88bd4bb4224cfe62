// The admission of a native gRPC call by the gateway's pass-through (grpc_passthrough.h): who
// is calling, may they call this method, what the backend must be told about them.
//
//   Admit admit = [&](const auto& client_metadata, const std::string& method)
//       -> absl::StatusOr<AdmittedCall> {
//     ... look up x-api-key, check the role's permission for `method` ...
//     return AdmittedCall{{{"x-maillage-principal", signed}}, [](const grpc::Status&) {...}};
//   };
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/support/status.h"
#include "grpcpp/support/string_ref.h"

namespace maillage::gateway {

struct AdmittedCall {
  // Added to the backend call's metadata (e.g. the signed principal). Keys in lower case;
  // binary values only under keys ending in "-bin".
  std::vector<std::pair<std::string, std::string>> metadata;
  // Called once with the final status of the call (audit); may be empty. Runs on the
  // admission workers (inline only when their queue is full).
  std::function<void(const grpc::Status&)> done;
  // When set: whether `done` has anything to do for that final status (a read that is not
  // audited has not); false skips `done` and its hand-off to a worker. Runs on a gRPC thread.
  std::function<bool(const grpc::Status&)> done_wanted;
};

// Called once per call, before anything reaches a backend, with the client's metadata (the
// request id is already in it, generated when the client sent none), the full method name
// ("/maillage.directory.v1.ActorService/GetActor"), only for methods the pass-through serves,
// and the client's peer ("ipv4:10.0.0.7:5123"). An error ends the call at once with that
// status (details kept, see ToGrpcStatus). Runs on the pass-through's admission workers, never
// on a gRPC callback thread: it may block on the database, never on another call of the same
// server.
using Admit = std::function<absl::StatusOr<AdmittedCall>(
    const std::multimap<grpc::string_ref, grpc::string_ref>& client_metadata,
    const std::string& method, const std::string& peer)>;

// The same admission when it can be decided at once without blocking (a valid key answered
// from the cache, within its rate, allowed the method): the call is admitted on the gRPC
// thread that received it, without the hand-off to an admission worker. nullopt: anything
// else (a lookup, a refusal to audit...), which then goes to `Admit` on a worker.
using AdmitWithoutBlocking = std::function<std::optional<AdmittedCall>(
    const std::multimap<grpc::string_ref, grpc::string_ref>& client_metadata,
    const std::string& method, const std::string& peer)>;

}  // namespace maillage::gateway
