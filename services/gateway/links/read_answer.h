// What the share links and the public reads have in common: a read made for a caller the
// gateway names itself (no API key), its bytes, and an answer that caches well (ETag,
// If-None-Match → 304, Cache-Control).
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "services/gateway/http/http_message.h"
#include "services/gateway/routing/backend_caller.h"

namespace maillage::gateway {

// The method of a gRPC path ("/maillage.meetings.v1.MeetingsService/GetActionCalendar") among
// the compiled contracts; nullptr when none.
const google::protobuf::MethodDescriptor* MethodOfPath(absl::string_view path);

// The answer of a read: the message of a unary method, or the bytes of a server stream of
// google.api.HttpBody (their data concatenated, and the content type of the first chunk).
struct ReadResult {
  std::unique_ptr<google::protobuf::Message> message;  // unary only
  std::string bytes;                                   // HttpBody: unary or streamed
  std::string content_type;                            // HttpBody only
};

// Calls `method` with `request` through `backends` with the current CallerScope (the caller
// must have opened one). The backend's status on failure (grpc::Status, details kept).
grpc::Status CallRead(const BackendCaller& backends,
                      const google::protobuf::MethodDescriptor& method, Deadline deadline,
                      const google::protobuf::Message& request, ReadResult& result);

// Answers `body` with an ETag (a hash of the body) and `cache_control`; 304 without a body
// when the request's If-None-Match names that ETag (or is "*").
void AnswerCacheable(const HttpRequest& request, std::string body, std::string content_type,
                     absl::string_view cache_control, HttpResponse& response);

// Answers `status` in the gateway's error envelope, with `http_status` (0: the status's own).
void AnswerError(const absl::Status& status, HttpResponse& response, int http_status = 0);
void AnswerBackendError(const grpc::Status& status, HttpResponse& response);

}  // namespace maillage::gateway
