// Errors as maillage reports them: an absl::Status whose payloads carry the google.rpc
// details that reach the client (one ErrorInfo always; BadRequest for invalid fields;
// PreconditionFailure, ResourceInfo, RetryInfo where they help).
//
//   return NotFound(kDomain, "ACTOR_NOT_FOUND", "actor actors/42 does not exist",
//                   {{"name", "actors/42"}});
//
//   FieldViolations v;
//   if (!IsValidSiret(a.siret())) v.Add("actor.siret", "not a valid SIRET (Luhn)");
//   if (a.display_name().empty()) v.Add("actor.display_name", "required");
//   MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));  // INVALID_ARGUMENT naming every field
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"

namespace maillage {

using Metadata = std::map<std::string, std::string>;

// Type URLs under which the details are stored as absl::Status payloads.
inline constexpr absl::string_view kErrorInfoTypeUrl = "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr absl::string_view kBadRequestTypeUrl = "type.googleapis.com/google.rpc.BadRequest";
inline constexpr absl::string_view kPreconditionFailureTypeUrl =
    "type.googleapis.com/google.rpc.PreconditionFailure";
inline constexpr absl::string_view kResourceInfoTypeUrl =
    "type.googleapis.com/google.rpc.ResourceInfo";
inline constexpr absl::string_view kRetryInfoTypeUrl = "type.googleapis.com/google.rpc.RetryInfo";

// A status with `code`, `message` and an ErrorInfo {reason, domain, metadata}.
// `reason` is UPPER_SNAKE_CASE, `domain` like "directory.maillage".
absl::Status MakeError(absl::StatusCode code, absl::string_view domain, absl::string_view reason,
                       absl::string_view message, const Metadata& metadata = {});

// Shorthands of MakeError for the common codes.
absl::Status NotFound(absl::string_view domain, absl::string_view reason, absl::string_view message,
                      const Metadata& metadata = {});
absl::Status AlreadyExists(absl::string_view domain, absl::string_view reason,
                           absl::string_view message, const Metadata& metadata = {});
absl::Status FailedPrecondition(absl::string_view domain, absl::string_view reason,
                                absl::string_view message, const Metadata& metadata = {});
absl::Status Aborted(absl::string_view domain, absl::string_view reason, absl::string_view message,
                     const Metadata& metadata = {});
absl::Status Unavailable(absl::string_view domain, absl::string_view reason,
                         absl::string_view message, const Metadata& metadata = {});
absl::Status Internal(absl::string_view domain, absl::string_view reason, absl::string_view message,
                      const Metadata& metadata = {});
absl::Status PermissionDenied(absl::string_view domain, absl::string_view reason,
                              absl::string_view message, const Metadata& metadata = {});

// INVALID_ARGUMENT for one field, with ErrorInfo reason INVALID_ARGUMENT and a BadRequest.
absl::Status InvalidField(absl::string_view domain, absl::string_view field,
                          absl::string_view description);

// Collects every bad field of a request, so that the client learns all of them at once.
class FieldViolations {
 public:
  // `field` is the path in the request ("actor.siret", "lines[2].amount_cents").
  void Add(absl::string_view field, absl::string_view description);
  bool empty() const { return violations_.empty(); }
  size_t size() const { return violations_.size(); }
  // OK when nothing was added; otherwise INVALID_ARGUMENT whose message names the fields,
  // with ErrorInfo {INVALID_ARGUMENT, domain} and one BadRequest.FieldViolation per field.
  absl::Status ToStatus(absl::string_view domain) const;

 private:
  std::vector<google::rpc::BadRequest::FieldViolation> violations_;
};

// Attach or read details. Setters replace an existing detail of the same type.
void SetErrorInfo(absl::Status& status, const google::rpc::ErrorInfo& info);
void SetBadRequest(absl::Status& status, const google::rpc::BadRequest& bad_request);
void SetPreconditionFailure(absl::Status& status, const google::rpc::PreconditionFailure& failure);
void SetRetryInfo(absl::Status& status, const google::rpc::RetryInfo& retry);
std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status);
std::optional<google::rpc::BadRequest> GetBadRequest(const absl::Status& status);
std::optional<google::rpc::PreconditionFailure> GetPreconditionFailure(const absl::Status& status);
std::optional<google::rpc::RetryInfo> GetRetryInfo(const absl::Status& status);

// `text` with every byte that does not belong to a well-formed UTF-8 sequence replaced by
// U+FFFD. Error details are proto3 strings and often quote what a client sent: MakeError,
// FieldViolations and the google.rpc.Status conversions pass their text through this, so that
// a detail never fails to serialize (and silently vanish) because of a stray byte.
std::string ToValidUtf8(absl::string_view text);

// "INVALID_ARGUMENT" for absl::StatusCode::kInvalidArgument, and so on.
absl::string_view StatusCodeName(absl::StatusCode code);

}  // namespace maillage
