// Forwards a raw file upload (routing/upload_routes.h) to its backend as the listener hands it
// over (HttpRequest::body_source): a unary method's file read whole up to its route's limit and
// sent in one request, a client-streaming method's file sent in chunks of kUploadChunkBytes as
// it arrives, so that the gateway holds about one chunk of it.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "services/gateway/http/http_message.h"
#include "services/gateway/routing/backend_caller.h"
#include "services/gateway/routing/route_table.h"
#include "services/gateway/routing/transcoder.h"
#include "services/gateway/routing/upload_routes.h"

namespace maillage::gateway {

inline constexpr size_t kUploadChunkBytes = 1 << 20;

// The body limit of `head` (method, target and headers of a request) when it is an upload: a
// POST to an upload route whose Content-Type is not JSON (an unsupported type is an upload
// too, refused with 415 before its body is read); 0 otherwise.
size_t UploadLimit(const RouteTable& routes, const HttpRequest& head);

// What an upload came to: an error of the gateway (with its HTTP status), a backend error, or
// the backend's answer.
struct UploadResult {
  absl::Status gateway_error;
  int http_status = 0;          // of gateway_error
  grpc::Status backend_status;  // when the backend answered with an error
  std::unique_ptr<google::protobuf::Message> answer;
};

// Reads the upload `request` (request.body_source) to `route` and calls its backend: the
// request built from `parts` (path and query), the file put in. `timeout` is the backend's
// time once the file is read; a streamed call gets `upload_timeout` more for the reading.
UploadResult ForwardUpload(const Route& route, const UploadRoute& upload,
                           const HttpRequest& request, const HttpRequestParts& parts,
                           std::chrono::milliseconds timeout,
                           std::chrono::milliseconds upload_timeout, const BackendCaller& backends);

}  // namespace maillage::gateway
