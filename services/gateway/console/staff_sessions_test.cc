#include "services/gateway/console/staff_sessions.h"

#include <atomic>

#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "services/gateway/access/test_database.h"
#include "services/gateway/console/staff_accounts.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

namespace maillage::gateway {

namespace {

constexpr char kPassword[] = "correct horse battery staple";

std::string ReasonOf(const absl::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : "";
}

class StaffSessionsTest : public ::testing::Test {
 protected:
  StaffSessionsTest() : accounts_(pool_) {}
  SessionOptions Clocked() {
    SessionOptions options;
    options.clock = [this] { return now_.load(); };
    return options;
  }
  StaffAccount Make(const std::string& email, v1::Role role = v1::ROLE_STAFF) {
    StaffAccount account;
    account.email = email;
    account.role = role;
    absl::StatusOr<StaffAccount> made = accounts_.Create(account, kPassword, db::Deadline::max());
    EXPECT_THAT(made, IsOk());
    return made.value_or(StaffAccount{});
  }
  std::string StoredHash(const std::string& email) {
    return pool_
        .ReadOnly<std::string>(db::Deadline::max(),
                               [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
                                 return txn
                                     .exec_params(
                                         "SELECT password_hash FROM staff_accounts "
                                         "WHERE email = $1",
                                         email)[0][0]
                                     .as<std::string>();
                               })
        .value_or("");
  }

  GatewayTestDatabase database_;
  db::Pool& pool_ = database_.pool();
  StaffAccounts accounts_;
  std::atomic<absl::Time> now_{absl::Now()};
};

TEST_F(StaffSessionsTest, PasswordsAreKeptAsArgon2idHashesNeverAsText) {
  Make("anne@pes21.fr");
  const std::string hash = StoredHash("anne@pes21.fr");
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << hash;
  EXPECT_EQ(hash.find(kPassword), std::string::npos);
  EXPECT_TRUE(PasswordMatches(hash, kPassword));
  EXPECT_FALSE(PasswordMatches(hash, "correct horse battery stapler"));
}

TEST_F(StaffSessionsTest, CreateNamesEveryBadFieldAndRefusesASecondAccountForAnEmail) {
  StaffAccount bad;
  bad.email = "not an address";
  bad.role = v1::ROLE_PARTNER;
  absl::StatusOr<StaffAccount> refused = accounts_.Create(bad, "short", db::Deadline::max());
  ASSERT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  for (const char* field : {"email", "role", "password"}) {
    EXPECT_NE(refused.status().message().find(field), absl::string_view::npos) << field;
  }
  Make("Anne@PES21.fr");
  StaffAccount again;
  again.email = " anne@pes21.fr ";
  again.role = v1::ROLE_ADMIN;
  absl::StatusOr<StaffAccount> twice = accounts_.Create(again, kPassword, db::Deadline::max());
  EXPECT_THAT(twice, StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(ReasonOf(twice.status()), "STAFF_ACCOUNT_EXISTS");
}

TEST_F(StaffSessionsTest, LoginFailsAlikeForAWrongPasswordAnUnknownEmailAndADisabledAccount) {
  Make("anne@pes21.fr");
  Make("paul@pes21.fr");
  ASSERT_THAT(accounts_.Disable("paul@pes21.fr", db::Deadline::max()), IsOk());
  StaffSessions sessions(pool_, accounts_, Clocked());
  for (const auto& [email, password] :
       std::vector<std::pair<std::string, std::string>>{{"anne@pes21.fr", "wrong password!!"},
                                                        {"nobody@pes21.fr", kPassword},
                                                        {"paul@pes21.fr", kPassword}}) {
    absl::StatusOr<Session> session =
        sessions.Login(email, password, "10.0.0.1", db::Deadline::max());
    EXPECT_THAT(session, StatusIs(absl::StatusCode::kUnauthenticated)) << email;
    EXPECT_EQ(ReasonOf(session.status()), "LOGIN_FAILED") << email;
    EXPECT_EQ(session.status().message(), "wrong e-mail or password, or the account is disabled");
  }
  absl::StatusOr<Session> good =
      sessions.Login(" ANNE@pes21.fr", kPassword, "10.0.0.1", db::Deadline::max());
  ASSERT_THAT(good, IsOk());
  EXPECT_EQ(good->account.email, "anne@pes21.fr");
  EXPECT_EQ(good->account.role, v1::ROLE_STAFF);
  EXPECT_EQ(good->token.size(), 43u);
  EXPECT_EQ(good->csrf_token.size(), 43u);
  EXPECT_NE(good->token, good->csrf_token);
}

TEST_F(StaffSessionsTest, ASessionResumesUntilIdleAbsoluteEndLogoutOrDisable) {
  Make("anne@pes21.fr");
  StaffSessions sessions(pool_, accounts_, Clocked());
  auto login = [&] {
    return sessions.Login("anne@pes21.fr", kPassword, "10.0.0.1", db::Deadline::max()).value();
  };
  // Used every 20 minutes, it lives until its absolute end (12 h), not past it.
  Session kept = login();
  for (int i = 0; i < 35; ++i) {
    now_ = now_.load() + absl::Minutes(20);
    ASSERT_THAT(sessions.Resume(kept.token, db::Deadline::max()), IsOk()) << i;
  }
  now_ = now_.load() + absl::Minutes(20);  // 12 h in
  EXPECT_EQ(ReasonOf(sessions.Resume(kept.token, db::Deadline::max()).status()), "SESSION_EXPIRED");

  // 30 minutes without a call end it.
  Session idle = login();
  now_ = now_.load() + absl::Minutes(29);
  ASSERT_THAT(sessions.Resume(idle.token, db::Deadline::max()), IsOk());
  now_ = now_.load() + absl::Minutes(30);
  EXPECT_EQ(ReasonOf(sessions.Resume(idle.token, db::Deadline::max()).status()), "SESSION_EXPIRED");

  // Logout ends it; disabling the account ends the others.
  Session out = login();
  Session other = login();
  ASSERT_THAT(sessions.Logout(out.token, db::Deadline::max()), IsOk());
  EXPECT_EQ(ReasonOf(sessions.Resume(out.token, db::Deadline::max()).status()), "SESSION_EXPIRED");
  absl::StatusOr<Session> resumed = sessions.Resume(other.token, db::Deadline::max());
  ASSERT_THAT(resumed, IsOk());
  EXPECT_EQ(resumed->csrf_token, other.csrf_token);
  ASSERT_THAT(accounts_.Disable("anne@pes21.fr", db::Deadline::max()), IsOk());
  EXPECT_EQ(ReasonOf(sessions.Resume(other.token, db::Deadline::max()).status()),
            "SESSION_EXPIRED");

  EXPECT_EQ(ReasonOf(sessions.Resume("made-up", db::Deadline::max()).status()), "SESSION_INVALID");
  EXPECT_EQ(ReasonOf(sessions.Resume("", db::Deadline::max()).status()), "SESSION_MISSING");
}

TEST_F(StaffSessionsTest, TheDatabaseKeepsOnlyTheHashOfASessionToken) {
  Make("anne@pes21.fr");
  StaffSessions sessions(pool_, accounts_, Clocked());
  Session session =
      sessions.Login("anne@pes21.fr", kPassword, "10.0.0.1", db::Deadline::max()).value();
  const int64_t matching =
      pool_
          .ReadOnly<int64_t>(db::Deadline::max(),
                             [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
                               return txn
                                   .exec_params(
                                       "SELECT count(*) FROM staff_sessions WHERE "
                                       "position($1 in encode(token_hash, 'escape')) > 0 OR "
                                       "token_hash = convert_to($1, 'UTF8')",
                                       session.token)[0][0]
                                   .as<int64_t>();
                             })
          .value_or(-1);
  EXPECT_EQ(matching, 0);
}

TEST_F(StaffSessionsTest, LoginsAreLimitedPerAccountAndPerAddressBeforeThePasswordIsChecked) {
  Make("anne@pes21.fr");
  SessionOptions options = Clocked();
  options.per_account = {.rps = 1.0 / 60, .burst = 3, .max_addresses = 100};
  options.per_address = {.rps = 1.0 / 6, .burst = 5, .max_addresses = 100};
  StaffSessions sessions(pool_, accounts_, options);
  // Three wrong passwords for anne from three addresses; the fourth try, right or wrong, waits.
  for (const char* address : {"10.0.0.1", "10.0.0.2", "10.0.0.3"}) {
    EXPECT_EQ(
        ReasonOf(sessions.Login("anne@pes21.fr", "wrong password!!", address, db::Deadline::max())
                     .status()),
        "LOGIN_FAILED");
  }
  absl::StatusOr<Session> limited =
      sessions.Login("anne@pes21.fr", kPassword, "10.0.0.4", db::Deadline::max());
  EXPECT_THAT(limited, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(ReasonOf(limited.status()), "TOO_MANY_LOGIN_ATTEMPTS");
  EXPECT_TRUE(GetRetryInfo(limited.status()).has_value());
  now_ = now_.load() + absl::Minutes(1);
  EXPECT_THAT(sessions.Login("anne@pes21.fr", kPassword, "10.0.0.4", db::Deadline::max()), IsOk());

  // One address trying many accounts: five tries, then it waits whatever the account.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(ReasonOf(sessions
                           .Login(absl::StrCat("guess", i, "@x.fr"), kPassword, "10.9.9.9",
                                  db::Deadline::max())
                           .status()),
              "LOGIN_FAILED");
  }
  EXPECT_EQ(
      ReasonOf(
          sessions.Login("anne@pes21.fr", kPassword, "10.9.9.9", db::Deadline::max()).status()),
      "TOO_MANY_LOGIN_ATTEMPTS");
}

TEST_F(StaffSessionsTest, EnsureAdminIsNeededOnlyUntilAnEnabledAdminExists) {
  EXPECT_FALSE(accounts_.HasAdmin(db::Deadline::max()).value());
  Make("admin@pes21.fr", v1::ROLE_ADMIN);
  EXPECT_TRUE(accounts_.HasAdmin(db::Deadline::max()).value());
  ASSERT_THAT(accounts_.Disable("admin@pes21.fr", db::Deadline::max()), IsOk());
  EXPECT_FALSE(accounts_.HasAdmin(db::Deadline::max()).value());
}

TEST(SessionCookieTest, TheCookieIsHttpOnlySecureAndStrictAndIsFoundAmongOthers) {
  EXPECT_EQ(SessionCookie("abc", absl::Hours(12)),
            "maillage_session=abc; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=43200");
  EXPECT_EQ(CookieValue("theme=dark; maillage_session=xyz; other=1", kSessionCookie), "xyz");
  EXPECT_EQ(CookieValue("maillage_session_old=1", kSessionCookie), "");
  EXPECT_TRUE(SameSecret("abc", "abc"));
  EXPECT_FALSE(SameSecret("abc", "abd"));
  EXPECT_FALSE(SameSecret("abc", ""));
}

}  // namespace
}  // namespace maillage::gateway
