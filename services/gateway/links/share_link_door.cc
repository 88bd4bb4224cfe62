#include "services/gateway/links/share_link_door.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/caller.h"
#include "common/auth/permissions.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "services/gateway/access/access_control.h"
#include "services/gateway/errors/http_errors.h"
#include "services/gateway/links/public_read_door.h"
#include "services/gateway/links/read_answer.h"
#include "services/gateway/links/share_link_reads.h"

namespace maillage::gateway {
namespace {

constexpr char kRoute[] = "/links/{token}";
constexpr size_t kTokenLength = 43;

absl::Status Unknown() {
  return NotFound(kGatewayDomain, "SHARE_LINK_NOT_FOUND", "no share link at this address");
}

absl::Status Gone() {
  return MakeError(absl::StatusCode::kNotFound, kGatewayDomain, "SHARE_LINK_GONE",
                   "this share link was revoked or has expired; ask its issuer for a new one");
}

absl::Status TooMany(absl::string_view reason, absl::Duration wait) {
  absl::Status status = MakeError(absl::StatusCode::kResourceExhausted, kGatewayDomain, reason,
                                  "too many requests for this link; retry later");
  SetRetryDelay(status, wait);
  return status;
}

void RetryAfter(absl::Duration wait, HttpResponse& response) {
  response.set_header("Retry-After",
                      absl::StrCat(std::max<int64_t>(1, std::ceil(absl::ToDoubleSeconds(wait)))));
}

}  // namespace

ShareLinkDoor::ShareLinkDoor(ShareLinkStore& store, AuditStore& audit,
                             const BackendCaller& backends, ShareLinkDoorOptions options)
    : store_(store),
      audit_(audit),
      backends_(backends),
      options_(options),
      per_link_({.rps = options.rps, .burst = options.burst}),
      unknown_tokens_(options.unknown_tokens) {}

std::string ShareLinkDoor::Handle(const HttpRequest& request, absl::string_view path,
                                  HttpResponse& response) {
  if (!absl::StartsWith(path, kShareLinkPathPrefix)) return "";
  const auto start = std::chrono::steady_clock::now();
  if (request.method != "GET" && request.method != "HEAD") {
    response.set_header("Allow", "GET, HEAD");
    AnswerError(MakeError(absl::StatusCode::kUnimplemented, kGatewayDomain, "METHOD_NOT_ALLOWED",
                          "a share link is only read (GET)"),
                response, 405);
    return kRoute;
  }
  absl::string_view rest = path.substr(sizeof(kShareLinkPathPrefix) - 1);
  const absl::string_view token = rest.substr(0, std::min(rest.size(), kTokenLength));
  const absl::string_view extension = rest.substr(token.size());
  const absl::Time now = absl::Now();
  // Every lookup that finds nothing costs the address a token: guessing is paced.
  auto refuse_unknown = [&]() {
    if (std::optional<absl::Duration> wait = unknown_tokens_.Take(request.client_address, now)) {
      RetryAfter(*wait, response);
      AnswerError(TooMany("TOO_MANY_UNKNOWN_LINKS", *wait), response);
      return;
    }
    AnswerError(Unknown(), response);
  };
  if (token.size() != kTokenLength) {
    refuse_unknown();
    return kRoute;
  }
  const db::Deadline deadline = std::chrono::system_clock::now() + options_.timeout;
  absl::StatusOr<OpenedShareLink> opened = store_.Find(deadline, ShareLinkTokenHash(token));
  if (!opened.ok()) {
    if (opened.status().code() == absl::StatusCode::kNotFound) {
      refuse_unknown();
    } else {
      AnswerError(opened.status(), response);
    }
    return kRoute;
  }
  const ShareLinkRead* read = ReadOfKind(opened->link.kind());
  if (read == nullptr || extension != read->extension) {
    refuse_unknown();
    return kRoute;
  }
  // Gone: revoked, expired, its issuer revoked, or the issuer's role no longer allows the read.
  if (opened->link.state() != v1::SHARE_LINK_STATE_ACTIVE ||
      !MayGrant(opened->issuer_role_now, opened->link.kind()).ok()) {
    AnswerError(Gone(), response, 410);
    Audit(request, *opened, read->method, absl::StatusCode::kNotFound, response, start);
    return kRoute;
  }
  if (std::optional<absl::Duration> wait = per_link_.Take(opened->link.name(), now)) {
    RetryAfter(*wait, response);
    AnswerError(TooMany("SHARE_LINK_RATE_LIMITED", *wait), response);
    Audit(request, *opened, read->method, absl::StatusCode::kResourceExhausted, response, start);
    return kRoute;
  }
  const google::protobuf::MethodDescriptor* method = MethodOfPath(read->method);
  if (method == nullptr) {
    AnswerError(absl::InternalError("the read of this link is not compiled in"), response);
    return kRoute;
  }
  // The read is made as the issuer, with the issuer's role of this moment.
  auth::Principal issuer;
  issuer.key_name = opened->link.issuer();
  issuer.role = opened->issuer_role_now;
  issuer.funder_id = opened->issuer_funder_id;
  issuer.request_id = log::CurrentRequestId();
  ReadResult result;
  grpc::Status status;
  {
    auth::CallerScope scope(issuer);
    status = CallRead(backends_, *method, deadline, *RequestOf(opened->link), result);
  }
  // A map's link carries the public fields only (public_read_door.h), whatever its issuer reads.
  if (status.ok() && opened->link.kind() == v1::SHARE_LINK_KIND_DIRECTORY_GEOJSON) {
    absl::StatusOr<std::string> public_fields = PublicGeoJson(result.bytes);
    if (public_fields.ok()) {
      result.bytes = *std::move(public_fields);
    } else {
      status = grpc::Status(grpc::StatusCode::INTERNAL, "the directory's GeoJSON does not parse");
    }
  }
  if (!status.ok()) {
    AnswerBackendError(status, response);
  } else {
    AnswerCacheable(request, std::move(result.bytes),
                    result.content_type.empty() ? read->content_type : result.content_type,
                    absl::StrCat("private, max-age=", absl::ToInt64Seconds(options_.max_age)),
                    response);
    if (absl::Status counted = store_.RecordUse(deadline, opened->id); !counted.ok()) {
      log::Warn("cannot count a share link's use",
                {{"link", opened->link.name()}, {"error", std::string(counted.message())}});
    }
  }
  Audit(request, *opened, read->method, static_cast<absl::StatusCode>(status.error_code()),
        response, start);
  return kRoute;
}

void ShareLinkDoor::Audit(const HttpRequest& request, const OpenedShareLink& opened,
                          const char* method, absl::StatusCode outcome,
                          const HttpResponse& response,
                          std::chrono::steady_clock::time_point start) {
  CallRecord record;
  record.key_id = opened.issuer_key_id;
  record.staff_account_id = opened.issuer_staff_account_id;
  record.key_prefix = opened.issuer_prefix;
  record.role = opened.issuer_role_now;
  record.method = method;
  record.transport = v1::TRANSPORT_HTTP;
  record.http_method = request.method;
  record.http_path = absl::StrCat(kShareLinkPathPrefix, opened.link.name());  // never the token
  record.resource = opened.link.name();
  record.request_id = log::CurrentRequestId();
  record.outcome = outcome;
  record.http_status = response.status;
  record.duration = absl::FromChrono(std::chrono::steady_clock::now() - start);
  record.client_address = request.client_address;
  absl::Status written = audit_.Record(std::chrono::system_clock::now() + std::chrono::seconds(5),
                                       record, v1::AUDIT_REASON_SHARE_LINK_USE);
  if (!written.ok()) {
    log::Error("cannot write the audit line of a share link",
               {{"link", opened.link.name()}, {"error", std::string(written.message())}});
  }
}

}  // namespace maillage::gateway
