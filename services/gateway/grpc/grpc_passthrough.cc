// The generic gRPC pass-through (see grpc_passthrough.h).
//
// A unary method is a UnaryForwardedCall (below): read, one unary call, write and finish.
// A streaming call is two reactors sharing one ForwardedCall: `caller_` (the server side, the
// partner's call) and `backend_` (the client side, the call to the backend). Two pumps move
// the messages, each with one buffer:
//   request pump:  caller Read → backend Write → caller Read ... → backend WritesDone
//   response pump: backend Read → caller Write → backend Read ... → end of the backend stream
// The backend call holds one hold per pump (ClientBidiReactor::AddHold) so that it cannot
// finish while a pump may still start an operation on it; each pump removes its hold when it
// stops. The backend's OnDone (its status) finishes the caller's call; the object is deleted
// when both sides are done.
//
// All state is under one mutex, held while operations are started: a reaction may then run
// inline on the same thread (hence a recursive mutex), and every handler updates the state
// fully before starting any operation so that such a nested reaction sees it consistent.
#include "services/gateway/grpc/grpc_passthrough.h"

#include <mutex>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/server/interceptors.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/client_callback.h"
#include "grpcpp/support/server_callback.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

using ServerMetadata = std::multimap<grpc::string_ref, grpc::string_ref>;

// Metadata of the backend's response that the caller does not get: gRPC's own (status,
// details, encodings, ...), the transport's, and the request id (the gateway's interceptor
// sends the call's own).
bool IsPassedBack(grpc::string_ref key) {
  absl::string_view name(key.data(), key.size());
  return !(absl::StartsWith(name, "grpc-") || absl::StartsWith(name, ":") ||
           name == "content-type" || name == "te" || name == "user-agent" ||
           name == server::kRequestIdHeader);
}

std::string ToString(grpc::string_ref value) { return std::string(value.data(), value.size()); }

// What the backend call carries, for both call shapes: the caller's request id (or a new one),
// its traceparent, the admission's metadata (the signed principal), and a deadline at most
// `max_deadline` from now (the caller's own, when earlier, still applies: core takes the
// earlier of the two for a child call). Nothing else the client sent is forwarded.
void PrepareBackendCall(const grpc::GenericCallbackServerContext& caller,
                        const AdmittedCall& admitted, std::chrono::milliseconds max_deadline,
                        grpc::ClientContext& backend) {
  std::string request_id = server::RequestId(caller);
  backend.AddMetadata(server::kRequestIdHeader,
                      request_id.empty() ? server::NewRequestId() : request_id);
  std::string traceparent = server::Traceparent(caller);
  if (!traceparent.empty()) backend.AddMetadata(server::kTraceparentHeader, traceparent);
  for (const auto& [key, value] : admitted.metadata) backend.AddMetadata(key, value);
  backend.set_deadline(std::chrono::system_clock::now() + max_deadline);
}

// The backend's initial (or trailing) metadata passed on to the caller, less what IsPassedBack
// keeps back; the initial metadata before the caller's is sent.
void PassBackInitialMetadata(grpc::ClientContext& backend,
                             grpc::GenericCallbackServerContext& caller) {
  for (const auto& [key, value] : backend.GetServerInitialMetadata()) {
    if (IsPassedBack(key)) caller.AddInitialMetadata(ToString(key), ToString(value));
  }
}
void PassBackTrailingMetadata(grpc::ClientContext& backend,
                              grpc::GenericCallbackServerContext& caller) {
  for (const auto& [key, value] : backend.GetServerTrailingMetadata()) {
    if (IsPassedBack(key)) caller.AddTrailingMetadata(ToString(key), ToString(value));
  }
}

// A call that ends before reaching a backend.
class Rejection final : public grpc::ServerGenericBidiReactor {
 public:
  explicit Rejection(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

class ForwardedCall {
 public:
  ForwardedCall(grpc::GenericCallbackServerContext* context, grpc::GenericStub& stub,
                std::atomic<int64_t>& in_flight, server::BoundedWorkers& workers,
                std::chrono::milliseconds max_deadline)
      : context_(context),
        method_(context->method()),
        stub_(stub),
        in_flight_(in_flight),
        workers_(workers),
        max_deadline_(max_deadline),
        // The backend call is a child of the caller's in gRPC core: same deadline, and
        // cancelled by core as soon as the caller's call is, before any reaction runs.
        backend_context_(grpc::ClientContext::FromCallbackServerContext(*context)),
        caller_(*this),
        backend_(*this) {
    in_flight_.fetch_add(1);
  }

  // The admission's answer (once, from an admission worker or, when none could take it,
  // from CreateReactor): the backend call starts, or the caller's call ends with the refusal.
  void Admitted(absl::StatusOr<AdmittedCall> admitted) {
    std::unique_lock<std::recursive_mutex> lock(mu_);
    if (!admitted.ok() || context_->IsCancelled()) {
      caller_.Finish(admitted.ok() ? grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")
                                   : ToGrpcStatus(admitted.status(), kGatewayDomain));
      // Last: the caller's OnDone may run inside Finish on this thread.
      backend_done_ = true;  // there is no backend call
      const bool last = caller_done_;
      lock.unlock();
      if (last) delete this;
      return;
    }
    done_ = std::move(admitted->done);
    done_wanted_ = std::move(admitted->done_wanted);
    PrepareBackendCall(*context_, *admitted, max_deadline_, *backend_context_);

    stub_.PrepareBidiStreamingCall(backend_context_.get(), method_, grpc::StubOptions(), &backend_);
    backend_.AddMultipleHolds(2);  // one per pump
    backend_.StartRead(&response_);
    caller_.StartRead(&request_);
    backend_.StartCall();
  }
  ~ForwardedCall() { in_flight_.fetch_sub(1); }
  ForwardedCall(const ForwardedCall&) = delete;
  ForwardedCall& operator=(const ForwardedCall&) = delete;

  grpc::ServerGenericBidiReactor* caller_reactor() { return &caller_; }

 private:
  enum class Pump { kReading, kWriting, kClosed };

  class CallerSide final : public grpc::ServerGenericBidiReactor {
   public:
    explicit CallerSide(ForwardedCall& call) : call_(call) {}
    void OnReadDone(bool ok) override { call_.OnCallerRead(ok); }
    void OnWriteDone(bool ok) override { call_.OnCallerWritten(ok); }
    void OnCancel() override { call_.OnCallerCancelled(); }
    void OnDone() override { call_.OnCallerDone(); }

   private:
    ForwardedCall& call_;
  };

  class BackendSide final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    explicit BackendSide(ForwardedCall& call) : call_(call) {}
    void OnReadInitialMetadataDone(bool ok) override { call_.OnBackendInitialMetadata(ok); }
    void OnReadDone(bool ok) override { call_.OnBackendRead(ok); }
    void OnWriteDone(bool ok) override { call_.OnBackendWritten(ok); }
    void OnDone(const grpc::Status& status) override { call_.OnBackendDone(status); }

   private:
    ForwardedCall& call_;
  };

  // Request pump.

  void OnCallerRead(bool ok) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (request_pump_ != Pump::kReading) return;  // closed when the backend ended
    if (ok) {
      request_pump_ = Pump::kWriting;
      backend_.StartWrite(&request_);
    } else {
      request_pump_ = Pump::kClosed;
      // A half-close is passed on; a cancellation must not look like one to the backend (a
      // client-streaming upload cut short would be taken as complete).
      if (context_->IsCancelled()) {
        backend_context_->TryCancel();
      } else {
        backend_.StartWritesDone();
      }
      backend_.RemoveHold();
    }
  }

  void OnBackendWritten(bool ok) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (ok && !backend_ended_) {
      request_pump_ = Pump::kReading;
      caller_.StartRead(&request_);
    } else {
      request_pump_ = Pump::kClosed;
      backend_.RemoveHold();
    }
  }

  // Response pump.

  void OnBackendInitialMetadata(bool ok) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (!ok || initial_metadata_sent_) return;
    CopyInitialMetadata();
    caller_.StartSendInitialMetadata();
  }

  void OnBackendRead(bool ok) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (ok) {
      if (!initial_metadata_sent_) CopyInitialMetadata();  // sent with the write
      response_pump_ = Pump::kWriting;
      caller_.StartWrite(&response_);
      return;
    }
    // The backend's stream is over (its status is in): nothing more is worth writing to it.
    backend_ended_ = true;
    response_pump_ = Pump::kClosed;
    bool close_request_pump = request_pump_ == Pump::kReading;
    if (close_request_pump) request_pump_ = Pump::kClosed;  // a pending caller read is ignored
    backend_.RemoveHold();
    if (close_request_pump) backend_.RemoveHold();
  }

  void OnCallerWritten(bool ok) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (ok) {
      response_pump_ = Pump::kReading;
      backend_.StartRead(&response_);
    } else {  // the caller is gone
      response_pump_ = Pump::kClosed;
      backend_context_->TryCancel();
      backend_.RemoveHold();
    }
  }

  // Ends.

  void OnCallerCancelled() {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    backend_context_->TryCancel();
  }

  void OnBackendDone(const grpc::Status& status) {
    std::unique_lock<std::recursive_mutex> lock(mu_);
    if (!initial_metadata_sent_) CopyInitialMetadata();
    PassBackTrailingMetadata(*backend_context_, *context_);
    if (done_ && done_wanted_ && !done_wanted_(status)) done_ = nullptr;  // nothing to audit
    if (done_) {  // the audit: it may write to the database, not on this thread
      auto done = std::move(done_);
      done_ = nullptr;
      auto run = [done, status] { done(status); };
      if (!workers_.Submit(run)) run();
    }
    caller_.Finish(status);
    // Last: the caller's OnDone may run inside Finish on this thread.
    backend_done_ = true;
    bool last = caller_done_;
    lock.unlock();
    if (last) delete this;
  }

  void OnCallerDone() {
    std::unique_lock<std::recursive_mutex> lock(mu_);
    caller_done_ = true;
    bool last = backend_done_;
    lock.unlock();
    if (last) delete this;
  }

  // Passes the backend's initial metadata on, before the caller's initial metadata is sent.
  void CopyInitialMetadata() {
    initial_metadata_sent_ = true;
    PassBackInitialMetadata(*backend_context_, *context_);
  }

  grpc::GenericCallbackServerContext* const context_;
  const std::string method_;  // outlives the backend call, which refers to it
  grpc::GenericStub& stub_;
  std::atomic<int64_t>& in_flight_;
  server::BoundedWorkers& workers_;
  const std::chrono::milliseconds max_deadline_;
  std::function<void(const grpc::Status&)> done_;  // set when admitted
  std::function<bool(const grpc::Status&)> done_wanted_;
  const std::unique_ptr<grpc::ClientContext> backend_context_;
  CallerSide caller_;
  BackendSide backend_;

  std::recursive_mutex mu_;
  grpc::ByteBuffer request_;   // the caller's message on its way to the backend
  grpc::ByteBuffer response_;  // the backend's message on its way to the caller
  Pump request_pump_ = Pump::kReading;
  Pump response_pump_ = Pump::kReading;
  bool backend_ended_ = false;
  bool initial_metadata_sent_ = false;
  bool backend_done_ = false;
  bool caller_done_ = false;
};

// A unary method, the common case, in four steps instead of the two pumps' ten: the request
// read, one generic unary call to the backend (a child of the caller's call, as above), the
// answer written with the status at once. Same metadata, deadline, admission and audit as
// ForwardedCall; deleted when the caller's call is done.
class UnaryForwardedCall final : public grpc::ServerGenericBidiReactor {
 public:
  UnaryForwardedCall(grpc::GenericCallbackServerContext* context, grpc::GenericStub& stub,
                     std::atomic<int64_t>& in_flight, server::BoundedWorkers& workers,
                     std::chrono::milliseconds max_deadline)
      : context_(context),
        method_(context->method()),
        stub_(stub),
        in_flight_(in_flight),
        workers_(workers),
        max_deadline_(max_deadline),
        backend_context_(grpc::ClientContext::FromCallbackServerContext(*context)) {
    in_flight_.fetch_add(1);
  }
  ~UnaryForwardedCall() override { in_flight_.fetch_sub(1); }

  // As ForwardedCall::Admitted.
  void Admitted(absl::StatusOr<AdmittedCall> admitted) {
    if (!admitted.ok() || context_->IsCancelled()) {
      return Finish(admitted.ok() ? grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")
                                  : ToGrpcStatus(admitted.status(), kGatewayDomain));
    }
    done_ = std::move(admitted->done);
    done_wanted_ = std::move(admitted->done_wanted);
    PrepareBackendCall(*context_, *admitted, max_deadline_, *backend_context_);
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // cancelled, or a half-close without the request
      return Finish(context_->IsCancelled()
                        ? grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")
                        : grpc::Status(grpc::StatusCode::INTERNAL,
                                       "the call ended before its request message"));
    }
    stub_.UnaryCall(backend_context_.get(), method_, grpc::StubOptions(), &request_, &response_,
                    [this](grpc::Status status) { OnBackendDone(std::move(status)); });
  }

  void OnDone() override { delete this; }

 private:
  void OnBackendDone(grpc::Status status) {
    PassBackInitialMetadata(*backend_context_, *context_);
    PassBackTrailingMetadata(*backend_context_, *context_);
    if (done_ && (!done_wanted_ || done_wanted_(status))) {  // the audit, on a worker
      auto run = [done = std::move(done_), status] { done(status); };
      if (!workers_.Submit(run)) run();
    }
    if (status.ok()) return StartWriteAndFinish(&response_, grpc::WriteOptions(), status);
    Finish(status);
  }

  grpc::GenericCallbackServerContext* const context_;
  const std::string method_;  // outlives the backend call, which refers to it
  grpc::GenericStub& stub_;
  std::atomic<int64_t>& in_flight_;
  server::BoundedWorkers& workers_;
  const std::chrono::milliseconds max_deadline_;
  std::function<void(const grpc::Status&)> done_;
  std::function<bool(const grpc::Status&)> done_wanted_;
  const std::unique_ptr<grpc::ClientContext> backend_context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

}  // namespace

GrpcPassthrough::GrpcPassthrough(PassthroughOptions options)
    : options_(options), workers_(options.admission) {}

absl::StatusOr<std::unique_ptr<GrpcPassthrough>> GrpcPassthrough::Create(
    const std::map<std::string, std::shared_ptr<grpc::Channel>>& channel_of_service, Admit admit,
    PassthroughOptions options, const google::protobuf::DescriptorPool& pool) {
  std::unique_ptr<GrpcPassthrough> passthrough(new GrpcPassthrough(options));
  passthrough->admit_ = std::move(admit);
  std::map<grpc::Channel*, grpc::GenericStub*> stub_of_channel;
  for (const auto& [service_name, channel] : channel_of_service) {
    const google::protobuf::ServiceDescriptor* service = pool.FindServiceByName(service_name);
    if (service == nullptr) {
      return NotFound(kGatewayDomain, "SERVICE_NOT_FOUND",
                      absl::StrCat("gRPC pass-through: no compiled contract declares the service ",
                                   service_name));
    }
    grpc::GenericStub*& stub = stub_of_channel[channel.get()];
    if (stub == nullptr) {
      passthrough->stubs_.push_back(std::make_unique<grpc::GenericStub>(channel));
      stub = passthrough->stubs_.back().get();
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      const std::string path = absl::StrCat("/", service->full_name(), "/", method->name());
      passthrough->stub_of_method_[path] = stub;
      if (!method->client_streaming() && !method->server_streaming()) {
        passthrough->unary_methods_.insert(path);
      }
    }
  }
  return passthrough;
}

grpc::ServerGenericBidiReactor* GrpcPassthrough::CreateReactor(
    grpc::GenericCallbackServerContext* context) {
  if (options_.reflection != nullptr && ContractReflection::IsReflectionMethod(context->method())) {
    return options_.reflection->NewStream();
  }
  auto target = stub_of_method_.find(context->method());
  if (target == stub_of_method_.end()) {
    return new Rejection(
        ToGrpcStatus(MakeError(absl::StatusCode::kUnimplemented, kGatewayDomain, "METHOD_NOT_FOUND",
                               absl::StrCat("the gateway serves no method ", context->method())),
                     kGatewayDomain));
  }
  // The reactor is returned even when the admission has already finished the call: its OnDone
  // (which deletes it) runs only once gRPC has it.
  if (unary_methods_.count(context->method()) > 0) {
    auto* call = new UnaryForwardedCall(context, *target->second, calls_in_flight_, workers_,
                                        options_.max_deadline);
    StartAdmission(call, context);
    return call;
  }
  auto* call = new ForwardedCall(context, *target->second, calls_in_flight_, workers_,
                                 options_.max_deadline);
  grpc::ServerGenericBidiReactor* reactor = call->caller_reactor();
  StartAdmission(call, context);
  return reactor;
}

template <class Call>
void GrpcPassthrough::StartAdmission(Call* call, grpc::GenericCallbackServerContext* context) {
  if (options_.admit_without_blocking) {
    std::optional<AdmittedCall> admitted = options_.admit_without_blocking(
        context->client_metadata(), context->method(), context->peer());
    if (admitted.has_value()) {
      call->Admitted(*std::move(admitted));
      return;
    }
  }
  const bool queued = workers_.Submit([this, call, context] {
    call->Admitted(admit_ ? admit_(context->client_metadata(), context->method(), context->peer())
                          : absl::StatusOr<AdmittedCall>(AdmittedCall{}));
  });
  if (!queued) {
    call->Admitted(Unavailable(kGatewayDomain, "GATEWAY_SATURATED",
                               "the gateway has too many calls waiting for admission; retry"));
  }
}

}  // namespace maillage::gateway
