// The staff console over HTTP: its pages (static files under /console/, with a strict Content
// Security Policy), its login, logout and session routes (/console/api/...), and the admission
// of API calls made with a session cookie instead of an API key.
//
//   ConsoleHttp console(sessions, access, {.static_dir = "/usr/share/maillage/console"});
//   if (console.Handle(request, path, response)) return;       // a console path: answered
//   if (std::optional<absl::StatusOr<Caller>> admitted = console.Admit(request, method, audit))
//     ... the caller of a session (or its refusal) instead of the API key's ...
//
// The console uses the public API only: what a person may do there is what an API key of the
// same role may do (AccessControl::AdmitCaller: the same permission table and rate limits).
// A call with a session cookie and no API key is admitted by the session; a write (any verb
// but GET and HEAD) also needs the session's CSRF token in X-CSRF-Token (403
// CSRF_TOKEN_INVALID), and the cookie is SameSite=Strict, so another site's page can neither
// send it nor read the answers.
//
// Logins, failed logins and logouts are written to the audit log (reason LOGIN).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/gateway/access/access_control.h"
#include "services/gateway/console/staff_sessions.h"
#include "services/gateway/http/http_message.h"

namespace maillage::gateway {

struct ConsoleHttpOptions {
  // The console's files (index.html, *.js, *.css); empty: no pages, only the API routes.
  std::string static_dir;
  // Debian's libjs-* packages, served under /console/vendor/ (Leaflet, Chart.js...).
  std::string vendor_dir = "/usr/share/javascript";
};

class ConsoleHttp {
 public:
  // `sessions` and `access` must outlive this object.
  ConsoleHttp(StaffSessions& sessions, AccessControl& access, ConsoleHttpOptions options);

  // Answers the console's own paths (/console, /console/..., /console/api/...): true when
  // `path` is one of them.
  bool Handle(const HttpRequest& request, absl::string_view path, HttpResponse& response);

  // For an API call to `grpc_method`: nullopt when the request carries no session cookie (the
  // API key decides), otherwise the session's caller admitted by AccessControl::AdmitCaller,
  // or the refusal (401 SESSION_*, 403 CSRF_TOKEN_INVALID or PERMISSION_DENIED, 429).
  std::optional<absl::StatusOr<Caller>> Admit(const HttpRequest& request,
                                              absl::string_view grpc_method,
                                              const CallRecord& context);

 private:
  void Login(const HttpRequest& request, HttpResponse& response);
  void Logout(const HttpRequest& request, HttpResponse& response);
  void CurrentSession(const HttpRequest& request, HttpResponse& response);
  void ServeFile(absl::string_view path, HttpResponse& response);
  void AuditLogin(const HttpRequest& request, absl::string_view email, int64_t account_id,
                  absl::StatusCode outcome, absl::string_view what);

  StaffSessions& sessions_;
  AccessControl& access_;
  const ConsoleHttpOptions options_;
};

// The Content-Security-Policy of every console page: scripts, styles and connections from the
// gateway itself only, no inline script, no framing.
inline constexpr char kConsoleCsp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

}  // namespace maillage::gateway
