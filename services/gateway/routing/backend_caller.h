// Forwards request messages to the backend serving their method, over gRPC, without per-method
// code: a unary call is a blocking call by method name on the calling thread (the thread that
// waits polls for the answer: no hand-off to one of gRPC's threads); a streaming call goes
// through a grpc::GenericStub.
//
//   BackendCaller caller({{"maillage.directory.v1.ActorService", server::MakeChannel(addr)}});
//   log::ScopedRequestContext scope(request_id, traceparent);  // sent as metadata
//   grpc::Status s = caller.Call(*route.method, deadline, *request, *response);
//
// Retry policy (docs/API_CONVENTIONS: "retries only on UNAVAILABLE, and for writes only with a
// request_id"): a unary call answered UNAVAILABLE (backend unreachable, replica killed, its
// database down) is sent again, up to kMaxAttempts in all, after 25 ms then 50, 100... ms, and
// never past the deadline, when it is safe to repeat: its HTTP rule is a GET (a read), or its
// request carries a non-empty `request_id` (the backend then returns the original result of
// an attempt that did happen). Other calls, and streaming calls, are never repeated.
//
// Every call carries the deadline and, as x-request-id and traceparent metadata, the request
// context of the calling thread (server::PrepareClientContext).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/status.h"

namespace maillage::gateway {

using Deadline = std::chrono::system_clock::time_point;

inline constexpr int kMaxAttempts = 4;
inline constexpr std::chrono::milliseconds kFirstRetryBackoff{25};

// Whether a unary call of `method` with `request` may be sent again after UNAVAILABLE (see the
// retry policy above).
bool IsRetryable(const google::protobuf::MethodDescriptor& method,
                 const google::protobuf::Message& request);

// The responses of a streaming call, read one at a time. Destroying it before the end
// cancels the call.
class ResponseStream {
 public:
  ~ResponseStream();
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;

  // Sends one more request (a stream opened by BackendCaller::OpenStream), waiting until the
  // call takes it (gRPC flow control: a slow backend slows the writer); false when the call is
  // broken (Read/Finish then say why).
  bool Write(const google::protobuf::Message& request);
  // Half-closes: no more requests.
  void WritesDone();

  // Reads the next response into `message`; false at the end of the stream or on an error
  // (then Finish() says which).
  bool Read(google::protobuf::Message& message);
  // The status of the call, once Read returned false. INTERNAL when a response could not be
  // parsed as the method's output type.
  grpc::Status Finish();

 private:
  friend class BackendCaller;
  ResponseStream() = default;
  // Waits for the one operation in flight; its success.
  bool Await();

  grpc::ClientContext context_;
  grpc::CompletionQueue queue_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  bool started_ = false;
  bool writable_ = false;  // started, and no write failed nor WritesDone yet
  bool ended_ = false;     // Read returned false
  bool finished_ = false;  // the status is known
  grpc::Status parse_error_;
  grpc::Status status_;
};

class BackendCaller {
 public:
  // `channels`: service full name ("maillage.directory.v1.ActorService") → the channel of the
  // backend that serves it.
  explicit BackendCaller(std::map<std::string, std::shared_ptr<grpc::Channel>> channels);

  // Calls the unary `method` with `request` and parses the answer into `response` (a message
  // of the method's output type). Returns the call's status (DEADLINE_EXCEEDED at `deadline`,
  // UNAVAILABLE when the backend cannot be reached after the retries the policy allows, the
  // backend's own errors with their details); UNIMPLEMENTED when no channel serves the method's
  // service; INTERNAL when the answer does not parse.
  grpc::Status Call(const google::protobuf::MethodDescriptor& method, Deadline deadline,
                    const google::protobuf::Message& request,
                    google::protobuf::Message& response) const;

  // As Call, without blocking the calling thread: the call (and each retry, after its backoff)
  // runs on gRPC's threads and `done` is called once, on one of them, with the status, the
  // answer parsed into `response`. The call carries the request id, traceparent and caller
  // (auth::CallerScope) of the calling thread, also on its retries. `request` and `response`
  // must stay alive until `done` is called; `done` must not block.
  void CallAsync(const google::protobuf::MethodDescriptor& method, Deadline deadline,
                 const google::protobuf::Message& request, google::protobuf::Message& response,
                 std::function<void(grpc::Status)> done) const;

  // Starts a streaming `method` (client, server or bidirectional streaming), sends `requests`
  // in order and half-closes; the responses are then read from the stream, which reports the
  // errors that Call would return through Read/Finish.
  std::unique_ptr<ResponseStream> Stream(
      const google::protobuf::MethodDescriptor& method, Deadline deadline,
      const std::vector<const google::protobuf::Message*>& requests) const;

  // Starts a streaming `method` without sending anything: the requests are then written one at
  // a time (ResponseStream::Write, WritesDone), e.g. as an upload's body arrives.
  std::unique_ptr<ResponseStream> OpenStream(const google::protobuf::MethodDescriptor& method,
                                             Deadline deadline) const;

 private:
  std::shared_ptr<grpc::Channel> ChannelFor(const google::protobuf::MethodDescriptor& method) const;

  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

}  // namespace maillage::gateway
