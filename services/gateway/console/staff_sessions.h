// Sessions of the staff console: a person logs in with e-mail and password and gets a random
// token in an `HttpOnly; Secure; SameSite=Strict` cookie (the browser sends it, scripts cannot
// read it) and a CSRF token that the console's scripts send back in `X-CSRF-Token` with every
// write. The database keeps only the SHA-256 of the session token.
//
//   StaffSessions sessions(pool, accounts, options);
//   absl::StatusOr<Session> opened = sessions.Login(email, password, client_address, deadline);
//   ... Set-Cookie: SessionCookie(opened->token, options) ...
//   absl::StatusOr<Session> current = sessions.Resume(cookie_token, deadline);  // every call
//   sessions.Logout(cookie_token, deadline);
//
// A session ends after `idle` without a call, after `absolute` whatever the activity, at
// logout, or when its account is disabled. Logins are limited per account and per client
// address (token buckets, before the password hash is computed); refusals answer
// RESOURCE_EXHAUSTED TOO_MANY_LOGIN_ATTEMPTS with a retry delay.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/service/periodic_jobs.h"
#include "services/gateway/access/pre_auth_limit.h"
#include "services/gateway/console/staff_accounts.h"

namespace maillage::gateway {

inline constexpr char kSessionCookie[] = "maillage_session";
inline constexpr char kCsrfHeader[] = "X-CSRF-Token";

struct SessionOptions {
  absl::Duration idle = absl::Minutes(30);    // MAILLAGE_CONSOLE_IDLE_TIMEOUT
  absl::Duration absolute = absl::Hours(12);  // MAILLAGE_CONSOLE_SESSION_LIFETIME
  PreAuthLimitOptions per_account{.rps = 1.0 / 60, .burst = 5, .max_addresses = 100000};
  PreAuthLimitOptions per_address{.rps = 1.0 / 6, .burst = 20, .max_addresses = 100000};
  // last_seen_time is written at most this often (the idle expiry is this precise).
  absl::Duration touch_resolution = absl::Seconds(30);
  std::function<absl::Time()> clock = [] { return absl::Now(); };  // tests move time
};

struct Session {
  std::string token;       // the cookie's value (Login only; empty from Resume)
  std::string csrf_token;  // X-CSRF-Token of every write
  absl::Time expire_time;  // the absolute end
  StaffAccount account;
};

class StaffSessions {
 public:
  // `pool` and `accounts` must outlive this object.
  StaffSessions(db::Pool& pool, StaffAccounts& accounts, SessionOptions options = {});

  // A new session for the account, or UNAUTHENTICATED (LOGIN_FAILED), RESOURCE_EXHAUSTED
  // (TOO_MANY_LOGIN_ATTEMPTS). Records the last login time.
  absl::StatusOr<Session> Login(absl::string_view email, absl::string_view password,
                                absl::string_view client_address, db::Deadline deadline);

  // The live session of `token`, or UNAUTHENTICATED: SESSION_MISSING (empty token),
  // SESSION_EXPIRED (idle, absolute end, logout, account disabled: "log in again"),
  // SESSION_INVALID (no such session).
  absl::StatusOr<Session> Resume(absl::string_view token, db::Deadline deadline);

  // Ends the session of `token` (nothing when it has none).
  absl::Status Logout(absl::string_view token, db::Deadline deadline);

  // Forgets the sessions that ended more than a day before `now`; how many.
  absl::StatusOr<int64_t> Prune(absl::Time now);

  const SessionOptions& options() const { return options_; }

 private:
  db::Pool& pool_;
  StaffAccounts& accounts_;
  const SessionOptions options_;
  PreAuthLimit per_account_;
  PreAuthLimit per_address_;
};

// The periodic job (common/service/periodic_jobs.h) that forgets ended sessions, every
// `interval`.
service::PeriodicJob SessionRetentionJob(StaffSessions& sessions, absl::Duration interval);

// The Set-Cookie value that opens (max_age > 0) or clears (max_age 0) the session cookie.
std::string SessionCookie(absl::string_view token, absl::Duration max_age);

// The value of cookie `name` in a Cookie header ("a=1; maillage_session=xyz"), or "".
std::string CookieValue(absl::string_view cookie_header, absl::string_view name);

// True when `a` and `b` are equal, in a time that does not depend on where they differ.
bool SameSecret(absl::string_view a, absl::string_view b);

}  // namespace maillage::gateway
