#include "common/status/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "common/status/errors.h"
#include "common/status/localized.h"
#include "google/protobuf/any.pb.h"
#include "grpcpp/support/error_details.h"

namespace maillage {
namespace {

// Details carried across, in the order they are written.
constexpr absl::string_view kDetailTypeUrls[] = {
    kErrorInfoTypeUrl,    kBadRequestTypeUrl, kPreconditionFailureTypeUrl,
    kResourceInfoTypeUrl, kRetryInfoTypeUrl,  kLocalizedMessageTypeUrl};

}  // namespace

google::rpc::Status ToRpcStatus(const absl::Status& status, absl::string_view default_domain) {
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(status.code()));
  rpc.set_message(ToValidUtf8(status.message()));
  if (status.ok()) return rpc;
  if (!GetErrorInfo(status).has_value()) {
    google::rpc::ErrorInfo info;
    info.set_reason(std::string(StatusCodeName(status.code())));
    info.set_domain(std::string(default_domain));
    rpc.add_details()->PackFrom(info);
  }
  for (absl::string_view type_url : kDetailTypeUrls) {
    absl::optional<absl::Cord> payload = status.GetPayload(type_url);
    if (!payload.has_value()) continue;
    google::protobuf::Any* any = rpc.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(*payload));
  }
  return rpc;
}

grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view default_domain) {
  if (status.ok()) return grpc::Status::OK;
  grpc::Status out;
  grpc::SetErrorDetails(ToRpcStatus(status, default_domain), &out);
  return out;
}

absl::Status FromRpcStatus(const google::rpc::Status& rpc) {
  if (rpc.code() == 0) return absl::OkStatus();
  absl::Status status(static_cast<absl::StatusCode>(rpc.code()), rpc.message());
  for (const google::protobuf::Any& any : rpc.details()) {
    status.SetPayload(any.type_url(), absl::Cord(any.value()));
  }
  return status;
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  google::rpc::Status rpc;
  if (!status.error_details().empty() && rpc.ParseFromString(status.error_details()) &&
      rpc.code() == static_cast<int>(status.error_code())) {
    return FromRpcStatus(rpc);
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace maillage
