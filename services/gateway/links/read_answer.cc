#include "services/gateway/links/read_answer.h"

#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "services/gateway/errors/http_errors.h"
#include "services/gateway/routing/transcoder.h"

namespace maillage::gateway {
namespace {

constexpr char kJson[] = "application/json";

std::string HttpBodyField(const google::protobuf::Message& body, const char* name) {
  const auto* field = body.GetDescriptor()->FindFieldByName(name);
  return field == nullptr ? "" : body.GetReflection()->GetString(body, field);
}

std::unique_ptr<google::protobuf::Message> NewMessage(const google::protobuf::Descriptor* type) {
  return std::unique_ptr<google::protobuf::Message>(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

// True when `if_none_match` (a list of entity-tags, W/ accepted, or "*") names `etag`.
bool Matches(absl::string_view if_none_match, absl::string_view etag) {
  for (absl::string_view tag : absl::StrSplit(if_none_match, ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    if (absl::StartsWith(tag, "W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

}  // namespace

const google::protobuf::MethodDescriptor* MethodOfPath(absl::string_view path) {
  if (!absl::StartsWith(path, "/")) return nullptr;
  std::string full = absl::StrReplaceAll(path.substr(1), {{"/", "."}});
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full);
}

grpc::Status CallRead(const BackendCaller& backends,
                      const google::protobuf::MethodDescriptor& method, Deadline deadline,
                      const google::protobuf::Message& request, ReadResult& result) {
  const bool http_body = IsHttpBody(method.output_type());
  if (!method.server_streaming()) {
    result.message = NewMessage(method.output_type());
    grpc::Status status = backends.Call(method, deadline, request, *result.message);
    if (status.ok() && http_body) {
      result.bytes = HttpBodyField(*result.message, "data");
      result.content_type = HttpBodyField(*result.message, "content_type");
    }
    return status;
  }
  if (!http_body) return grpc::Status(grpc::StatusCode::INTERNAL, "not a read of bytes");
  std::unique_ptr<ResponseStream> stream = backends.Stream(method, deadline, {&request});
  std::unique_ptr<google::protobuf::Message> chunk = NewMessage(method.output_type());
  bool first = true;
  while (stream->Read(*chunk)) {
    if (first) result.content_type = HttpBodyField(*chunk, "content_type");
    first = false;
    result.bytes += HttpBodyField(*chunk, "data");
  }
  return stream->Finish();
}

void AnswerCacheable(const HttpRequest& request, std::string body, std::string content_type,
                     absl::string_view cache_control, HttpResponse& response) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  const std::string etag = absl::StrCat(
      "\"", absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), 16)), "\"");
  response.set_header("ETag", etag);
  response.set_header("Cache-Control", std::string(cache_control));
  const std::string if_none_match = request.header("If-None-Match");
  if (!if_none_match.empty() && Matches(if_none_match, etag)) {
    response.status = 304;
    response.set_content("", std::move(content_type));
    return;
  }
  response.set_content(std::move(body), std::move(content_type));
}

void AnswerError(const absl::Status& status, HttpResponse& response, int http_status) {
  if (http_status == 0) http_status = HttpStatusOf(static_cast<int>(status.code()));
  response.status = http_status;
  response.set_content(ErrorEnvelope(GatewayRpcStatus(status), http_status), kJson);
}

void AnswerBackendError(const grpc::Status& status, HttpResponse& response) {
  google::rpc::Status rpc = BackendRpcStatus(status);
  response.status = HttpStatusOf(rpc.code());
  response.set_content(ErrorEnvelope(rpc, response.status), kJson);
}

}  // namespace maillage::gateway
