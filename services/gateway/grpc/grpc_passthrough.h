// Native gRPC for partners on the gateway's gRPC port: every method of the public backend
// services is passed through generically (no per-method code), so that clients use the stubs
// generated from the contracts.
//
//   absl::StatusOr<std::unique_ptr<GrpcPassthrough>> passthrough =
//       GrpcPassthrough::Create(channel_of_service, admit);
//   server.SetGenericService(passthrough->get());  // common/server/server.h, before Start()
//
// Each call to "/<service>/<method>" of a service of `channel_of_service` whose descriptor
// declares that method:
//   1. is admitted by `admit` (call_admission.h) with the client's metadata, on the admission
//      workers (common/server/bounded_workers.h: the admission may wait on the database, gRPC's
//      callback threads never do) — or at once on the gRPC thread when the options'
//      `admit_without_blocking` can tell without blocking (a cached key); a refusal ends the
//      call with its status (details kept), the backend never called; when the workers' queue
//      is full, UNAVAILABLE (GATEWAY_SATURATED) at once;
//   2. is started on the backend's channel as a child of the client's call in gRPC core (the
//      client's deadline, cut to `max_deadline` from now: a call without a deadline, or with a
//      longer one, ends DEADLINE_EXCEEDED then; cancelled by core as soon as the client's call
//      is, so that a cancelled
//      upload never looks like a half-close to the backend), with only this metadata: the
//      request id (the client's x-request-id, or the one generated for the call), the client's
//      traceparent, and what the admission added. Nothing else the client sent is forwarded
//      (x-api-key, x-maillage-principal, ...);
//   3. streams messages both ways without decoding them, one message in flight each way: a
//      message is read from one side only once the previous one has been written to the other,
//      so HTTP/2 flow control reaches from the slow end to the fast one and no stream is held
//      in memory. The three streaming shapes go this way; a unary method (one message each
//      way) is forwarded as one generic unary call, in fewer steps;
//   4. ends with the backend's status, its details (grpc-status-details-bin) and its initial
//      and trailing metadata, except the grpc-* and transport ones. A client that cancels (or
//      whose deadline passes) cancels the backend call; a backend that cannot be reached gives
//      UNAVAILABLE.
// Server reflection, when options.reflection is set, is answered by the gateway itself over
// the contract (contract_reflection.h), without a key. Any other method is UNIMPLEMENTED
// (ErrorInfo reason METHOD_NOT_FOUND), without admission.
//
// Calls run on gRPC's callback threads and never block one: a call costs two small objects
// and the two messages in flight; its admission and its `done` run on the admission workers.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/status/statusor.h"
#include "common/server/bounded_workers.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/channel.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "services/gateway/access/call_admission.h"
#include "services/gateway/grpc/contract_reflection.h"

namespace maillage::gateway {

struct PassthroughOptions {
  // Serves server reflection (v1alpha and v1) without admission when set; null: reflection
  // methods are UNIMPLEMENTED like any other method the gateway does not serve.
  const ContractReflection* reflection = nullptr;
  // The longest a forwarded call may last, whatever deadline its client set (or none).
  std::chrono::milliseconds max_deadline{60000};
  server::BoundedWorkersOptions admission;
  // Tried first, on the gRPC thread, when set (call_admission.h); `admit` on a worker when it
  // answers nullopt.
  AdmitWithoutBlocking admit_without_blocking;
};

class GrpcPassthrough final : public grpc::CallbackGenericService {
 public:
  // Serves every method of the services of `channel_of_service` (full name such as
  // "maillage.directory.v1.ActorService" → channel to the backend serving it), as declared in
  // `pool`. NOT_FOUND naming the service when one is not in `pool`. An empty `admit` admits
  // every call with no metadata added.
  static absl::StatusOr<std::unique_ptr<GrpcPassthrough>> Create(
      const std::map<std::string, std::shared_ptr<grpc::Channel>>& channel_of_service, Admit admit,
      PassthroughOptions options = {},
      const google::protobuf::DescriptorPool& pool =
          *google::protobuf::DescriptorPool::generated_pool());

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override;

  // Calls forwarded to a backend and not yet finished on both sides.
  int64_t calls_in_flight() const { return calls_in_flight_.load(); }

 private:
  explicit GrpcPassthrough(PassthroughOptions options);
  // Admits `call` (ForwardedCall or UnaryForwardedCall) at once when admit_without_blocking
  // can, else on a worker (GATEWAY_SATURATED when none can take it); then call->Admitted.
  template <class Call>
  void StartAdmission(Call* call, grpc::GenericCallbackServerContext* context);

  const PassthroughOptions options_;
  Admit admit_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;               // one per channel
  std::unordered_map<std::string, grpc::GenericStub*> stub_of_method_;  // "/svc/Method"
  std::unordered_set<std::string> unary_methods_;  // forwarded as one unary call each
  std::atomic<int64_t> calls_in_flight_{0};
  server::BoundedWorkers workers_;  // last: joined first, while the rest is still there
};

}  // namespace maillage::gateway
