// gRPC status → AIP-193 HTTP error envelope.
#include "services/gateway/errors/http_errors.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/localized.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"

namespace maillage::gateway {

int HttpStatusOf(int grpc_code) {
  switch (static_cast<absl::StatusCode>(grpc_code)) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

absl::Status InvalidRequestField(absl::string_view reason, absl::string_view field,
                                 absl::string_view description) {
  absl::Status status =
      MakeError(absl::StatusCode::kInvalidArgument, kGatewayDomain, reason,
                absl::StrCat(field, ": ", description), {{"field", std::string(field)}});
  google::rpc::BadRequest bad_request;
  google::rpc::BadRequest::FieldViolation* violation = bad_request.add_field_violations();
  violation->set_field(ToValidUtf8(field));
  violation->set_description(ToValidUtf8(description));
  *violation->mutable_localized_message() =
      French(FrenchFieldViolation(violation->field(), violation->description()));
  SetBadRequest(status, bad_request);
  SetLocalizedMessage(status, French(FrenchInvalidRequest(1, violation->field())));
  return status;
}

google::rpc::Status GatewayRpcStatus(const absl::Status& status) {
  return ToRpcStatus(status, kGatewayDomain);
}

google::rpc::Status BackendRpcStatus(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (!status.error_details().empty() && rpc.ParseFromString(status.error_details()) &&
      rpc.code() == static_cast<int>(status.error_code())) {
    return rpc;
  }
  return ToRpcStatus(
      absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message()),
      kGatewayDomain);
}

std::string ErrorEnvelope(const google::rpc::Status& status, int http_status) {
  std::string out = absl::StrCat("{\"error\":{\"code\":", http_status, ",\"message\":");
  log::AppendJsonString(out, status.message());
  out += ",\"status\":";
  const auto code = static_cast<absl::StatusCode>(status.code());
  log::AppendJsonString(
      out, status.code() >= 0 && status.code() <= 16 ? StatusCodeName(code) : "UNKNOWN");
  out += ",\"details\":[";
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  for (int i = 0; i < status.details_size(); ++i) {
    if (i > 0) out.push_back(',');
    std::string detail;
    if (google::protobuf::util::MessageToJsonString(status.details(i), &detail, options).ok()) {
      out += detail;
    } else {
      out += "{\"@type\":";
      log::AppendJsonString(out, status.details(i).type_url());
      out.push_back('}');
    }
  }
  out += "]}}";
  return out;
}

std::optional<int64_t> RetryAfterSeconds(const absl::Status& status) {
  std::optional<google::rpc::RetryInfo> retry = GetRetryInfo(status);
  if (!retry.has_value()) return std::nullopt;
  int64_t seconds = retry->retry_delay().seconds() + (retry->retry_delay().nanos() > 0 ? 1 : 0);
  return std::max<int64_t>(1, seconds);
}

}  // namespace maillage::gateway
