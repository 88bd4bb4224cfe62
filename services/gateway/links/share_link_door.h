// Where share links are opened: GET (or HEAD) /links/{token}{extension}, no header or cookie
// needed, so that a calendar (webcal://), a browser or a map can open the URL alone.
//
//   ShareLinkDoor door(store, audit, backends, {.rps = 1, .burst = 30});
//   std::string route = door.Handle(request, path, response);  // "" : not a link's path
//
// A token is looked up by its SHA-256 (share_link_store.h). A forged or unknown token answers
// 404 SHARE_LINK_NOT_FOUND and costs a token of the client address's bucket (PreAuthLimit: past
// it, 429 before any lookup); a revoked or expired link, or one whose issuer's key is revoked or
// expired (or whose console account is disabled), or whose issuer's role may no longer make the
// read, answers 410 SHARE_LINK_GONE. Neither says which resource the link was for. A link's
// read is then made with its issuer's role of this moment (never more than the issuer may),
// limited per link (`rps` / `burst`, 429 SHARE_LINK_RATE_LIMITED with Retry-After), and answered
// with an ETag (If-None-Match → 304) and `Cache-Control: private, max-age=<max_age>`; a GeoJSON
// link's features keep their public properties only (PublicGeoJson: no e-mail, no phone). Every
// request for a known link is audited (AUDIT_REASON_SHARE_LINK_USE, the issuer as the key or
// person, the link as the resource, the path without its token).
#pragma once

#include <chrono>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/gateway/access/audit_store.h"
#include "services/gateway/access/pre_auth_limit.h"
#include "services/gateway/http/http_message.h"
#include "services/gateway/links/share_link_store.h"
#include "services/gateway/routing/backend_caller.h"

namespace maillage::gateway {

struct ShareLinkDoorOptions {
  double rps = 1;                                                // reads per second per link
  int burst = 30;                                                // bucket size per link
  PreAuthLimitOptions unknown_tokens = {.rps = 5, .burst = 20};  // per client address
  absl::Duration max_age = absl::Minutes(5);                     // Cache-Control
  std::chrono::milliseconds timeout{10000};                      // of the read
};

// The path prefix of share links.
inline constexpr char kShareLinkPathPrefix[] = "/links/";

class ShareLinkDoor {
 public:
  // Every argument must outlive the door.
  ShareLinkDoor(ShareLinkStore& store, AuditStore& audit, const BackendCaller& backends,
                ShareLinkDoorOptions options);

  // Answers a request for a share link and returns the route label for the metrics
  // ("/links/{token}"); "" (nothing answered) when `path` is not under /links/.
  std::string Handle(const HttpRequest& request, absl::string_view path, HttpResponse& response);

 private:
  void Audit(const HttpRequest& request, const OpenedShareLink& opened, const char* method,
             absl::StatusCode outcome, const HttpResponse& response,
             std::chrono::steady_clock::time_point start);

  ShareLinkStore& store_;
  AuditStore& audit_;
  const BackendCaller& backends_;
  const ShareLinkDoorOptions options_;
  PreAuthLimit per_link_;
  PreAuthLimit unknown_tokens_;
};

}  // namespace maillage::gateway
