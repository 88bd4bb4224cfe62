#include "services/gateway/console/console_http.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "maillage/gateway/v1/console.pb.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

constexpr char kJson[] = "application/json";
constexpr char kLoginMethod[] = "console/Login";
constexpr char kLogoutMethod[] = "console/Logout";

db::Deadline SoonDeadline() { return std::chrono::system_clock::now() + std::chrono::seconds(5); }

void WriteStatus(HttpResponse& response, const absl::Status& status) {
  const int http_status = HttpStatusOf(static_cast<int>(status.code()));
  response.status = http_status;
  if (std::optional<int64_t> seconds = RetryAfterSeconds(status)) {
    response.set_header("Retry-After", std::to_string(*seconds));
  }
  response.set_content(ErrorEnvelope(GatewayRpcStatus(status), http_status), kJson);
}

void WriteJson(HttpResponse& response, const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  response.set_content(std::move(json), kJson);
  response.set_header("Cache-Control", "no-store");
}

v1::ConsoleSession SessionMessage(const Session& session) {
  v1::ConsoleSession message;
  message.set_account(session.account.name);
  message.set_email(session.account.email);
  message.set_display_name(session.account.display_name);
  message.set_role(session.account.role);
  message.set_csrf_token(session.csrf_token);
  *message.mutable_expire_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(session.expire_time));
  return message;
}

std::string SessionToken(const HttpRequest& request) {
  return CookieValue(request.header("Cookie"), kSessionCookie);
}

absl::Status CsrfRefused() {
  return PermissionDenied(kGatewayDomain, "CSRF_TOKEN_INVALID",
                          absl::StrCat("a write made with the console's session needs the "
                                       "session's CSRF token in the ",
                                       kCsrfHeader, " header"));
}

// The type of a file the console serves, by its extension; "" for a type it does not serve.
std::string ContentTypeOf(absl::string_view path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
      {".woff2", "font/woff2"},
      {".ico", "image/x-icon"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (absl::EndsWith(path, extension)) return type;
  }
  return "";
}

// True for a relative path that stays inside its folder: no "..", no hidden file, no "//".
bool SafeRelativePath(absl::string_view path) {
  if (path.empty() || path.front() == '/' || absl::StrContains(path, "//")) return false;
  if (absl::StrContains(path, "/.") || path.front() == '.' || absl::StrContains(path, "\\")) {
    return false;
  }
  return !absl::StrContains(path, "..");
}

}  // namespace

ConsoleHttp::ConsoleHttp(StaffSessions& sessions, AccessControl& access, ConsoleHttpOptions options)
    : sessions_(sessions), access_(access), options_(std::move(options)) {}

bool ConsoleHttp::Handle(const HttpRequest& request, absl::string_view path,
                         HttpResponse& response) {
  if (path != "/console" && !absl::StartsWith(path, "/console/")) return false;
  const std::string method = request.method == "HEAD" ? "GET" : request.method;
  if (path == "/console/api/login") {
    if (method != "POST") {
      response.set_header("Allow", "POST");
      WriteStatus(response, MakeError(absl::StatusCode::kUnimplemented, kGatewayDomain,
                                      "METHOD_NOT_ALLOWED", "log in with POST"));
      response.status = 405;
      return true;
    }
    Login(request, response);
    return true;
  }
  if (path == "/console/api/logout") {
    if (method != "POST") {
      response.set_header("Allow", "POST");
      WriteStatus(response, MakeError(absl::StatusCode::kUnimplemented, kGatewayDomain,
                                      "METHOD_NOT_ALLOWED", "log out with POST"));
      response.status = 405;
      return true;
    }
    Logout(request, response);
    return true;
  }
  if (path == "/console/api/session") {
    CurrentSession(request, response);
    return true;
  }
  if (method != "GET") {
    response.set_header("Allow", "GET, HEAD");
    WriteStatus(response, MakeError(absl::StatusCode::kUnimplemented, kGatewayDomain,
                                    "METHOD_NOT_ALLOWED", "the console's pages are read with GET"));
    response.status = 405;
    return true;
  }
  if (path == "/console") {
    response.status = 308;
    response.set_header("Location", "/console/");
    return true;
  }
  ServeFile(path.substr(std::string_view("/console/").size()), response);
  return true;
}

void ConsoleHttp::ServeFile(absl::string_view relative, HttpResponse& response) {
  if (relative.empty()) relative = "index.html";
  std::string file;
  if (absl::ConsumePrefix(&relative, "vendor/")) {
    if (SafeRelativePath(relative)) file = absl::StrCat(options_.vendor_dir, "/", relative);
  } else if (!options_.static_dir.empty() && SafeRelativePath(relative)) {
    file = absl::StrCat(options_.static_dir, "/", relative);
  }
  const std::string type = ContentTypeOf(relative);
  std::ifstream in;
  if (!file.empty() && !type.empty()) in.open(file, std::ios::binary);
  if (!in.is_open() || !in) {
    WriteStatus(response, NotFound(kGatewayDomain, "ROUTE_NOT_FOUND",
                                   absl::StrCat("the console has no page ", relative)));
    return;
  }
  std::ostringstream content;
  content << in.rdbuf();
  response.set_content(content.str(), type);
  response.set_header("Content-Security-Policy", kConsoleCsp);
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("Cache-Control", "no-cache");
}

void ConsoleHttp::Login(const HttpRequest& request, HttpResponse& response) {
  // A JSON body only: a form of another site cannot send one without a CORS preflight.
  if (!absl::StartsWithIgnoreCase(request.header("Content-Type"), kJson)) {
    WriteStatus(response,
                InvalidRequestField("INVALID_HEADER", "Content-Type",
                                    "the login is a JSON body: Content-Type: application/json"));
    return;
  }
  v1::ConsoleLoginRequest login;
  if (!google::protobuf::util::JsonStringToMessage(request.body, &login).ok()) {
    WriteStatus(response, InvalidRequestField("MALFORMED_JSON", "body",
                                              "expected {\"email\": \"...\", \"password\": "
                                              "\"...\"}"));
    return;
  }
  absl::StatusOr<Session> session =
      sessions_.Login(login.email(), login.password(), request.client_address, SoonDeadline());
  if (!session.ok()) {
    AuditLogin(request, NormalizeEmail(login.email()), 0, session.status().code(), kLoginMethod);
    WriteStatus(response, session.status());
    return;
  }
  AuditLogin(request, session->account.email, session->account.id, absl::StatusCode::kOk,
             kLoginMethod);
  response.set_header("Set-Cookie", SessionCookie(session->token, sessions_.options().absolute));
  WriteJson(response, SessionMessage(*session));
}

void ConsoleHttp::Logout(const HttpRequest& request, HttpResponse& response) {
  const std::string token = SessionToken(request);
  absl::StatusOr<Session> session = sessions_.Resume(token, SoonDeadline());
  if (session.ok() && !SameSecret(request.header(kCsrfHeader), session->csrf_token)) {
    WriteStatus(response, CsrfRefused());
    return;
  }
  if (session.ok()) {
    absl::Status ended = sessions_.Logout(token, SoonDeadline());
    if (!ended.ok()) {
      WriteStatus(response, ended);
      return;
    }
    AuditLogin(request, session->account.email, session->account.id, absl::StatusCode::kOk,
               kLogoutMethod);
  }
  // Logged out either way: a session already ended is no reason to keep the cookie.
  response.status = 204;
  response.set_header("Set-Cookie", SessionCookie("", absl::ZeroDuration()));
}

void ConsoleHttp::CurrentSession(const HttpRequest& request, HttpResponse& response) {
  absl::StatusOr<Session> session = sessions_.Resume(SessionToken(request), SoonDeadline());
  if (!session.ok()) return WriteStatus(response, session.status());
  WriteJson(response, SessionMessage(*session));
}

std::optional<absl::StatusOr<Caller>> ConsoleHttp::Admit(const HttpRequest& request,
                                                         absl::string_view grpc_method,
                                                         const CallRecord& context) {
  const std::string token = SessionToken(request);
  if (token.empty()) return std::nullopt;
  absl::StatusOr<Session> session = sessions_.Resume(token, SoonDeadline());
  if (!session.ok()) return absl::StatusOr<Caller>(session.status());
  const bool write = request.method != "GET" && request.method != "HEAD";
  if (write && !SameSecret(request.header(kCsrfHeader), session->csrf_token)) {
    return absl::StatusOr<Caller>(CsrfRefused());
  }
  Caller caller;
  caller.key_name = session->account.name;
  caller.prefix = session->account.email;
  caller.role = session->account.role;
  caller.funder_id = session->account.funder_id;
  caller.staff_account_id = session->account.id;
  return access_.AdmitCaller(caller, grpc_method, 0, 0, context);
}

void ConsoleHttp::AuditLogin(const HttpRequest& request, absl::string_view email,
                             int64_t account_id, absl::StatusCode outcome, absl::string_view what) {
  CallRecord record;
  record.staff_account_id = account_id;
  record.key_prefix = std::string(email.substr(0, 254));
  record.method = std::string(what);
  record.transport = v1::TRANSPORT_HTTP;
  record.http_method = request.method;
  record.http_path = std::string(request.target.substr(0, request.target.find('?')));
  record.outcome = outcome;
  record.http_status = HttpStatusOf(static_cast<int>(outcome));
  record.client_address = request.client_address;
  record.request_id = request.header("X-Request-Id");
  access_.AuditLogin(record);
}

}  // namespace maillage::gateway
