#include "common/status/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/localized.h"

namespace maillage {
namespace {

template <typename Message>
void SetDetail(absl::Status& status, absl::string_view type_url, const Message& message) {
  if (status.ok()) return;
  status.SetPayload(type_url, absl::Cord(message.SerializeAsString()));
}

template <typename Message>
std::optional<Message> GetDetail(const absl::Status& status, absl::string_view type_url) {
  absl::optional<absl::Cord> payload = status.GetPayload(type_url);
  if (!payload.has_value()) return std::nullopt;
  Message message;
  if (!message.ParseFromString(std::string(*payload))) return std::nullopt;
  return message;
}

// Length of the well-formed UTF-8 sequence at the start of `s` (Unicode 15, table 3-7), or 0.
size_t Utf8SequenceLength(absl::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  size_t length;
  unsigned char low = 0x80, high = 0xBF;  // range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) low = 0xA0;
    if (b0 == 0xED) high = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) low = 0x90;
    if (b0 == 0xF4) high = 0x8F;  // at most U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

std::string ToValidUtf8(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const size_t length = Utf8SequenceLength(text);
    if (length == 0) {
      out.append("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
      text.remove_prefix(1);
    } else {
      out.append(text.data(), length);
      text.remove_prefix(length);
    }
  }
  return out;
}

absl::Status MakeError(absl::StatusCode code, absl::string_view domain, absl::string_view reason,
                       absl::string_view message, const Metadata& metadata) {
  absl::Status status(code, ToValidUtf8(message));
  google::rpc::ErrorInfo info;
  info.set_reason(ToValidUtf8(reason));
  info.set_domain(ToValidUtf8(domain));
  for (const auto& [key, value] : metadata) {
    (*info.mutable_metadata())[ToValidUtf8(key)] = ToValidUtf8(value);
  }
  SetErrorInfo(status, info);
  return status;
}

// The shorthands of errors.h, one status code each.
#define MAILLAGE_ERROR_SHORTHAND(name, code)                                                       \
  absl::Status name(absl::string_view domain, absl::string_view reason, absl::string_view message, \
                    const Metadata& metadata) {                                                    \
    return MakeError(absl::StatusCode::code, domain, reason, message, metadata);                   \
  }
MAILLAGE_ERROR_SHORTHAND(NotFound, kNotFound)
MAILLAGE_ERROR_SHORTHAND(AlreadyExists, kAlreadyExists)
MAILLAGE_ERROR_SHORTHAND(FailedPrecondition, kFailedPrecondition)
MAILLAGE_ERROR_SHORTHAND(Aborted, kAborted)
MAILLAGE_ERROR_SHORTHAND(Unavailable, kUnavailable)
MAILLAGE_ERROR_SHORTHAND(Internal, kInternal)
MAILLAGE_ERROR_SHORTHAND(PermissionDenied, kPermissionDenied)
#undef MAILLAGE_ERROR_SHORTHAND

absl::Status InvalidField(absl::string_view domain, absl::string_view field,
                          absl::string_view description) {
  FieldViolations violations;
  violations.Add(field, description);
  return violations.ToStatus(domain);
}

void FieldViolations::Add(absl::string_view field, absl::string_view description) {
  auto& v = violations_.emplace_back();
  v.set_field(ToValidUtf8(field));
  v.set_description(ToValidUtf8(description));
  // For people, in French (localized.h).
  *v.mutable_localized_message() = French(FrenchFieldViolation(v.field(), v.description()));
}

namespace {

// `items` joined with `separator` until `budget` characters, then "… (N more)": a status's
// message and metadata travel in gRPC trailers, whose size a client limits (8 KiB by default).
template <typename Item, typename Text>
std::string JoinWithin(const std::vector<Item>& items, absl::string_view separator, size_t budget,
                       const Text& text) {
  std::string out;
  size_t shown = 0;
  for (const Item& item : items) {
    std::string piece = text(item);
    if (shown > 0 && out.size() + separator.size() + piece.size() > budget) break;
    if (shown > 0) absl::StrAppend(&out, separator);
    absl::StrAppend(&out, piece);
    ++shown;
  }
  if (shown < items.size()) absl::StrAppend(&out, separator, "… (", items.size() - shown, " more)");
  return out;
}

}  // namespace

absl::Status FieldViolations::ToStatus(absl::string_view domain) const {
  if (violations_.empty()) return absl::OkStatus();
  auto field = [](const auto& v) { return v.field(); };
  absl::Status status = MakeError(
      absl::StatusCode::kInvalidArgument, domain, "INVALID_ARGUMENT",
      absl::StrCat(
          "invalid request: ",
          JoinWithin(violations_, "; ", 1024,
                     [](const auto& v) { return absl::StrCat(v.field(), ": ", v.description()); })),
      {{"fields", JoinWithin(violations_, ",", 512, field)}});
  google::rpc::BadRequest bad_request;
  for (const auto& v : violations_) *bad_request.add_field_violations() = v;
  SetBadRequest(status, bad_request);
  SetLocalizedMessage(status, French(FrenchInvalidRequest(
                                  violations_.size(), JoinWithin(violations_, ", ", 512, field))));
  return status;
}

void SetErrorInfo(absl::Status& status, const google::rpc::ErrorInfo& info) {
  SetDetail(status, kErrorInfoTypeUrl, info);
}
void SetBadRequest(absl::Status& status, const google::rpc::BadRequest& bad_request) {
  SetDetail(status, kBadRequestTypeUrl, bad_request);
}
void SetPreconditionFailure(absl::Status& status, const google::rpc::PreconditionFailure& failure) {
  SetDetail(status, kPreconditionFailureTypeUrl, failure);
}
void SetRetryInfo(absl::Status& status, const google::rpc::RetryInfo& retry) {
  SetDetail(status, kRetryInfoTypeUrl, retry);
}
std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status) {
  return GetDetail<google::rpc::ErrorInfo>(status, kErrorInfoTypeUrl);
}
std::optional<google::rpc::BadRequest> GetBadRequest(const absl::Status& status) {
  return GetDetail<google::rpc::BadRequest>(status, kBadRequestTypeUrl);
}
std::optional<google::rpc::PreconditionFailure> GetPreconditionFailure(const absl::Status& status) {
  return GetDetail<google::rpc::PreconditionFailure>(status, kPreconditionFailureTypeUrl);
}
std::optional<google::rpc::RetryInfo> GetRetryInfo(const absl::Status& status) {
  return GetDetail<google::rpc::RetryInfo>(status, kRetryInfoTypeUrl);
}

absl::string_view StatusCodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return "OK";
    case absl::StatusCode::kCancelled:
      return "CANCELLED";
    case absl::StatusCode::kUnknown:
      return "UNKNOWN";
    case absl::StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case absl::StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case absl::StatusCode::kNotFound:
      return "NOT_FOUND";
    case absl::StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case absl::StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case absl::StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case absl::StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case absl::StatusCode::kAborted:
      return "ABORTED";
    case absl::StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case absl::StatusCode::kUnimplemented:
      return "UNIMPLEMENTED";
    case absl::StatusCode::kInternal:
      return "INTERNAL";
    case absl::StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case absl::StatusCode::kDataLoss:
      return "DATA_LOSS";
    case absl::StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

}  // namespace maillage
