#include "common/status/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/localized.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
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

namespace {

// Keeps `rpc` within kMaxErrorDetailsBytes: the last field violations go first, replaced by one
// that says how many were left out; past that, every detail but the ErrorInfo.
void FitErrorDetails(google::rpc::Status& rpc) {
  if (rpc.ByteSizeLong() <= kMaxErrorDetailsBytes) return;
  for (google::protobuf::Any& any : *rpc.mutable_details()) {
    google::rpc::BadRequest bad;
    if (!any.Is<google::rpc::BadRequest>() || !any.UnpackTo(&bad)) continue;
    const int all = bad.field_violations_size();
    int kept = all;
    while (kept > 0) {
      --kept;
      google::rpc::BadRequest fitted;
      for (int i = 0; i < kept; ++i) *fitted.add_field_violations() = bad.field_violations(i);
      google::rpc::BadRequest::FieldViolation* more = fitted.add_field_violations();
      more->set_description(absl::StrCat(all - kept,
                                         " more field violation(s) not shown: the error's details "
                                         "are limited to ",
                                         kMaxErrorDetailsBytes, " bytes"));
      *more->mutable_localized_message() =
          French(absl::StrCat(all - kept,
                              " autre(s) problème(s) non affiché(s) : le détail d'une "
                              "erreur est limité à ",
                              kMaxErrorDetailsBytes, " octets."));
      any.PackFrom(fitted);
      if (rpc.ByteSizeLong() <= kMaxErrorDetailsBytes) return;
    }
  }
  google::rpc::Status kept;
  kept.set_code(rpc.code());
  kept.set_message(rpc.message());
  for (const google::protobuf::Any& any : rpc.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) *kept.add_details() = any;
  }
  rpc = std::move(kept);
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view default_domain) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status rpc = ToRpcStatus(status, default_domain);
  FitErrorDetails(rpc);
  grpc::Status out;
  grpc::SetErrorDetails(rpc, &out);
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
