// gRPC calls to the backends through a generic stub.
#include "services/gateway/routing/backend_caller.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/auth/caller.h"
#include "common/log/log.h"
#include "common/server/client.h"
#include "google/api/annotations.pb.h"
#include "grpcpp/alarm.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/impl/client_unary_call.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/impl/rpc_method.h"
#include "grpcpp/support/byte_buffer.h"

namespace maillage::gateway {
namespace {

using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using MessageTraits = grpc::SerializationTraits<Message>;

grpc::Status Serialize(const Message& message, grpc::ByteBuffer& out) {
  bool own_buffer;
  return MessageTraits::Serialize(message, &out, &own_buffer);
}

grpc::Status Parse(grpc::ByteBuffer& buffer, Message& message) {
  grpc::Status status = MessageTraits::Deserialize(&buffer, &message);
  if (status.ok()) return status;
  return grpc::Status(grpc::StatusCode::INTERNAL,
                      absl::StrCat("backend answer is not a ", message.GetDescriptor()->full_name(),
                                   ": ", status.error_message()));
}

grpc::Status NoBackend(const MethodDescriptor& method) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      absl::StrCat("no backend serves ", method.service()->full_name()));
}

// "/package.Service/Method".
std::string GrpcPath(const MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

// The unary call itself, once, on the calling thread: a blocking call polls a completion queue
// of its own, so the answer is read by the thread that waits for it (a callback call is
// completed on one of gRPC's threads, which then wakes this one: one more thread hand-off
// per request).
grpc::Status CallOnce(const std::shared_ptr<grpc::Channel>& channel, const std::string& path,
                      Deadline deadline, const Message& request, Message& response) {
  grpc::ClientContext context;
  server::PrepareClientContext(context, deadline);
  const grpc::internal::RpcMethod method(path.c_str(), grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::ByteBuffer answer;  // parsed here, so that an answer that does not parse is INTERNAL
  grpc::Status status = grpc::internal::BlockingUnaryCall<Message, grpc::ByteBuffer>(
      channel.get(), method, &context, request, &answer);
  if (!status.ok()) return status;
  return Parse(answer, response);
}

// Whether a unary call that ended with `status` on its `attempt`-th try is tried again after
// `backoff`: UNAVAILABLE, safe to repeat, attempts left, and time left before the deadline.
bool TryAgain(const grpc::Status& status, bool retryable, int attempt,
              std::chrono::milliseconds backoff, Deadline deadline) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE && retryable &&
         attempt < kMaxAttempts && std::chrono::system_clock::now() + backoff < deadline;
}

// One call of CallAsync and its retries; deletes itself once `done` is called.
class AsyncUnaryCall {
 public:
  AsyncUnaryCall(std::shared_ptr<grpc::Channel> channel, std::string path, Deadline deadline,
                 bool retryable, google::protobuf::Message& response,
                 std::function<void(grpc::Status)> done)
      : stub_(std::move(channel)),
        path_(std::move(path)),
        deadline_(deadline),
        retryable_(retryable),
        response_(response),
        done_(std::move(done)),
        request_id_(log::CurrentRequestId()),
        traceparent_(log::CurrentTraceparent()) {
    if (const auth::Principal* caller = auth::CurrentCaller(); caller != nullptr) {
      caller_ = *caller;
    }
  }

  // The first attempt, on the calling thread.
  void Start(const Message& request) {
    grpc::Status serialized = Serialize(request, request_);
    if (!serialized.ok()) return Finish(std::move(serialized));
    Attempt();
  }

 private:
  // With the calling thread's request id and caller (the first attempt runs on it; a retry on
  // a gRPC thread, where they are set again).
  void Attempt() {
    context_ = std::make_unique<grpc::ClientContext>();
    server::PrepareClientContext(*context_, deadline_);
    answer_.Clear();
    stub_.UnaryCall(context_.get(), path_, grpc::StubOptions(), &request_, &answer_,
                    [this](grpc::Status status) { OnDone(std::move(status)); });
  }

  void OnDone(grpc::Status status) {
    if (TryAgain(status, retryable_, attempt_, backoff_, deadline_)) {
      ++attempt_;
      alarm_ = std::make_unique<grpc::Alarm>();
      alarm_->Set(std::chrono::system_clock::now() + backoff_, [this](bool) {
        backoff_ *= 2;
        log::ScopedRequestContext context(request_id_, traceparent_);
        std::optional<auth::CallerScope> scope;
        if (caller_.has_value()) scope.emplace(*caller_);
        Attempt();
      });
      return;
    }
    response_.Clear();
    if (status.ok()) status = Parse(answer_, response_);
    Finish(std::move(status));
  }

  void Finish(grpc::Status status) {
    std::function<void(grpc::Status)> done = std::move(done_);
    delete this;
    done(std::move(status));
  }

  grpc::GenericStub stub_;
  const std::string path_;  // outlives each attempt, which refers to it
  const Deadline deadline_;
  const bool retryable_;
  Message& response_;
  std::function<void(grpc::Status)> done_;
  const std::string request_id_;
  const std::string traceparent_;
  std::optional<auth::Principal> caller_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer answer_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::Alarm> alarm_;
  int attempt_ = 1;
  std::chrono::milliseconds backoff_ = kFirstRetryBackoff;
};

}  // namespace

bool IsRetryable(const MethodDescriptor& method, const Message& request) {
  if (method.client_streaming() || method.server_streaming()) return false;
  if (method.options().HasExtension(google::api::http) &&
      method.options().GetExtension(google::api::http).pattern_case() ==
          google::api::HttpRule::kGet) {
    return true;
  }
  const google::protobuf::FieldDescriptor* field =
      request.GetDescriptor()->FindFieldByName("request_id");
  return field != nullptr && !field->is_repeated() &&
         field->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
         !request.GetReflection()->GetString(request, field).empty();
}

BackendCaller::BackendCaller(std::map<std::string, std::shared_ptr<grpc::Channel>> channels)
    : channels_(std::move(channels)) {}

std::shared_ptr<grpc::Channel> BackendCaller::ChannelFor(const MethodDescriptor& method) const {
  auto it = channels_.find(method.service()->full_name());
  return it == channels_.end() ? nullptr : it->second;
}

grpc::Status BackendCaller::Call(const MethodDescriptor& method, Deadline deadline,
                                 const Message& request, Message& response) const {
  std::shared_ptr<grpc::Channel> channel = ChannelFor(method);
  if (channel == nullptr) return NoBackend(method);
  const std::string path = GrpcPath(method);
  const bool retryable = IsRetryable(method, request);
  std::chrono::milliseconds backoff = kFirstRetryBackoff;
  grpc::Status status;
  for (int attempt = 1;; ++attempt) {
    response.Clear();
    status = CallOnce(channel, path, deadline, request, response);
    if (!TryAgain(status, retryable, attempt, backoff, deadline)) break;
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
  return status;
}

void BackendCaller::CallAsync(const MethodDescriptor& method, Deadline deadline,
                              const Message& request, Message& response,
                              std::function<void(grpc::Status)> done) const {
  std::shared_ptr<grpc::Channel> channel = ChannelFor(method);
  if (channel == nullptr) return done(NoBackend(method));
  (new AsyncUnaryCall(std::move(channel), GrpcPath(method), deadline, IsRetryable(method, request),
                      response, std::move(done)))
      ->Start(request);
}

std::unique_ptr<ResponseStream> BackendCaller::Stream(
    const MethodDescriptor& method, Deadline deadline,
    const std::vector<const Message*>& requests) const {
  std::unique_ptr<ResponseStream> stream = OpenStream(method, deadline);
  for (const Message* request : requests) {
    if (!stream->Write(*request)) return stream;
  }
  stream->WritesDone();
  return stream;
}

std::unique_ptr<ResponseStream> BackendCaller::OpenStream(const MethodDescriptor& method,
                                                          Deadline deadline) const {
  std::unique_ptr<ResponseStream> stream(new ResponseStream());
  std::shared_ptr<grpc::Channel> channel = ChannelFor(method);
  if (channel == nullptr) {
    stream->finished_ = true;
    stream->status_ = NoBackend(method);
    return stream;
  }
  server::PrepareClientContext(stream->context_, deadline);
  grpc::GenericStub stub(channel);
  stream->call_ = stub.PrepareCall(&stream->context_, GrpcPath(method), &stream->queue_);
  stream->call_->StartCall(stream.get());
  stream->started_ = true;
  // A failed start shows up in the first Read.
  stream->writable_ = stream->Await();
  return stream;
}

bool ResponseStream::Write(const Message& request) {
  if (finished_ || !writable_) return false;
  grpc::ByteBuffer buffer;
  grpc::Status status = Serialize(request, buffer);
  if (!status.ok()) {
    context_.TryCancel();
    parse_error_ = std::move(status);
    writable_ = false;
    return false;
  }
  call_->Write(buffer, this);
  writable_ = Await();  // a failed write shows up in Read/Finish
  return writable_;
}

void ResponseStream::WritesDone() {
  if (finished_ || !writable_) return;
  call_->WritesDone(this);
  Await();
  writable_ = false;
}

bool ResponseStream::Await() {
  void* tag;
  bool ok = false;
  return queue_.Next(&tag, &ok) && ok;
}

bool ResponseStream::Read(Message& message) {
  if (finished_ || ended_) return false;
  grpc::ByteBuffer buffer;
  call_->Read(&buffer, this);
  if (!Await()) {
    ended_ = true;
    return false;
  }
  grpc::Status parsed = Parse(buffer, message);
  if (parsed.ok()) return true;
  parse_error_ = std::move(parsed);
  context_.TryCancel();
  ended_ = true;
  return false;
}

grpc::Status ResponseStream::Finish() {
  if (!finished_) {
    call_->Finish(&status_, this);
    Await();
    finished_ = true;
  }
  return parse_error_.ok() ? status_ : parse_error_;
}

ResponseStream::~ResponseStream() {
  if (!started_) return;
  if (!finished_) {
    context_.TryCancel();
    Finish();
  }
  queue_.Shutdown();
  void* tag;
  bool ok;
  while (queue_.Next(&tag, &ok)) {
  }
}

}  // namespace maillage::gateway
