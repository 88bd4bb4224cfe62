#include "services/gateway/console/staff_sessions.h"

#include <sodium.h>

#include <chrono>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/gateway/access/access_control.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

// 32 random bytes, URL-safe base64 without padding (43 characters).
std::string RandomToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return text;
}

// The hex SHA-256 of a session token: what the database keeps.
std::string TokenHash(absl::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

absl::Status Unauthenticated(absl::string_view reason, absl::string_view message) {
  return MakeError(absl::StatusCode::kUnauthenticated, kGatewayDomain, reason, message);
}

absl::Status TooManyLogins(absl::string_view who, absl::Duration wait) {
  absl::Status status =
      MakeError(absl::StatusCode::kResourceExhausted, kGatewayDomain, "TOO_MANY_LOGIN_ATTEMPTS",
                absl::StrCat("too many login attempts for ", who, "; retry later"));
  SetRetryDelay(status, wait);
  return status;
}

}  // namespace

StaffSessions::StaffSessions(db::Pool& pool, StaffAccounts& accounts, SessionOptions options)
    : pool_(pool),
      accounts_(accounts),
      options_(std::move(options)),
      per_account_(options_.per_account),
      per_address_(options_.per_address) {}

absl::StatusOr<Session> StaffSessions::Login(absl::string_view email, absl::string_view password,
                                             absl::string_view client_address,
                                             db::Deadline deadline) {
  if (sodium_init() < 0) return absl::InternalError("libsodium cannot start");
  const absl::Time now = options_.clock();
  const std::string key = NormalizeEmail(email);
  // Both buckets are charged before the (costly) hash, whatever the outcome: a person who
  // types a wrong password five times waits, and a guesser gets few tries per hour.
  if (std::optional<absl::Duration> wait = per_address_.Take(client_address, now)) {
    return TooManyLogins(client_address, *wait);
  }
  if (std::optional<absl::Duration> wait = per_account_.Take(key, now)) {
    return TooManyLogins(key, *wait);
  }
  MAILLAGE_ASSIGN_OR_RETURN(StaffAccount account, accounts_.Verify(key, password, deadline));
  Session session;
  session.token = RandomToken();
  session.csrf_token = RandomToken();
  session.expire_time = now + options_.absolute;
  session.account = std::move(account);
  MAILLAGE_RETURN_IF_ERROR(pool_.Transact(deadline, [&](pqxx::work& txn) {
    txn.exec_params(
        absl::StrCat("INSERT INTO staff_sessions (token_hash, account_id, csrf_token, "
                     "client_address, create_time, last_seen_time, expire_time) VALUES "
                     "(decode($1, 'hex'), $2, $3, $4, ",
                     db::TimeParam(5), ", ", db::TimeParam(5), ", ", db::TimeParam(6), ")"),
        TokenHash(session.token), session.account.id, session.csrf_token,
        std::string(client_address), absl::ToUnixMicros(now),
        absl::ToUnixMicros(session.expire_time));
    txn.exec_params("UPDATE staff_accounts SET last_login_time = now() WHERE id = $1",
                    session.account.id);
    return absl::OkStatus();
  }));
  return session;
}

absl::StatusOr<Session> StaffSessions::Resume(absl::string_view token, db::Deadline deadline) {
  if (token.empty()) {
    return Unauthenticated("SESSION_MISSING", "log in to the console (no session cookie)");
  }
  static const db::Statement
      kRead{"staff_sessions_resume",
            absl::StrCat(
                "SELECT ", kStaffAccountColumns,
                ", staff_sessions.csrf_token, " MAILLAGE_SQL_MICROS("staff_sessions.expire_time") ", " MAILLAGE_SQL_MICROS(
                    "staff_sessions.last_seen_time") ", " MAILLAGE_SQL_MICROS("staff_sessions.end_"
                                                                              "time") " "
                                                                                      "FROM "
                                                                                      "staff_"
                                                                                      "sessions "
                                                                                      "JOIN "
                                                                                      "staff_"
                                                                                      "accounts "
                                                                                      "ON "
                                                                                      "staff_"
                                                                                      "accounts.id "
                                                                                      "= "
                                                                                      "staff_"
                                                                                      "sessions."
                                                                                      "account_id "
                                                                                      "WHERE "
                                                                                      "staff_"
                                                                                      "sessions."
                                                                                      "token_hash "
                                                                                      "= "
                                                                                      "decode($1, "
                                                                                      "'hex')")};
  const std::string hash = TokenHash(token);
  MAILLAGE_ASSIGN_OR_RETURN(pqxx::result rows, pool_.Query(deadline, kRead, {hash}));
  if (rows.empty()) return Unauthenticated("SESSION_INVALID", "no such session: log in again");
  const pqxx::row& row = rows[0];
  Session session;
  session.account = StaffAccountOfRow(row);
  session.csrf_token = row[7].as<std::string>();
  session.expire_time = absl::FromUnixMicros(row[8].as<int64_t>());
  const absl::Time last_seen = absl::FromUnixMicros(row[9].as<int64_t>());
  const std::optional<absl::Time> end = db::ReadTime(row[10]);
  const absl::Time now = options_.clock();
  if (end.has_value() || session.account.disable_time.has_value() || now >= session.expire_time ||
      now - last_seen >= options_.idle) {
    return Unauthenticated("SESSION_EXPIRED", "the session has ended: log in again");
  }
  if (now - last_seen >= options_.touch_resolution) {
    MAILLAGE_RETURN_IF_ERROR(pool_.Transact(deadline, [&](pqxx::work& txn) {
      txn.exec_params(absl::StrCat("UPDATE staff_sessions SET last_seen_time = ", db::TimeParam(2),
                                   " WHERE token_hash = decode($1, 'hex')"),
                      hash, absl::ToUnixMicros(now));
      return absl::OkStatus();
    }));
  }
  return session;
}

absl::Status StaffSessions::Logout(absl::string_view token, db::Deadline deadline) {
  if (token.empty()) return absl::OkStatus();
  return pool_.Transact(deadline, [&](pqxx::work& txn) {
    txn.exec_params(
        "UPDATE staff_sessions SET end_time = now() "
        "WHERE token_hash = decode($1, 'hex') AND end_time IS NULL",
        TokenHash(token));
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> StaffSessions::Prune(absl::Time now) {
  return pool_.Transact<int64_t>(
      std::chrono::system_clock::now() + std::chrono::minutes(1),
      [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
        return txn
            .exec_params(
                absl::StrCat("DELETE FROM staff_sessions WHERE COALESCE(end_time, expire_time) < ",
                             db::TimeParam(1), " - interval '1 day'"),
                absl::ToUnixMicros(now))
            .affected_rows();
      });
}

service::PeriodicJob SessionRetentionJob(StaffSessions& sessions, absl::Duration interval) {
  return {"staff_sessions retention", interval,
          [&sessions](absl::Time now) { return sessions.Prune(now); }};
}

std::string SessionCookie(absl::string_view token, absl::Duration max_age) {
  return absl::StrCat(
      kSessionCookie, "=", token,
      "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=", absl::ToInt64Seconds(max_age));
}

std::string CookieValue(absl::string_view cookie_header, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(cookie_header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) {
      return std::string(part);
    }
  }
  return "";
}

bool SameSecret(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace maillage::gateway
