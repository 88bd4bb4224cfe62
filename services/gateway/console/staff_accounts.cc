#include "services/gateway/console/staff_accounts.h"

#include <sodium.h>

#include <mutex>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/gateway/access/api_key_store.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

// OWASP's minimum for Argon2id: m = 19 MiB, t = 2, p = 1 (libsodium always uses p = 1).
constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = 19 * 1024 * 1024;

// One hash at a time: each takes kMemLimit of memory.
std::mutex& HashMutex() {
  static std::mutex mu;
  return mu;
}

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

absl::Status LoginFailed() {
  return MakeError(absl::StatusCode::kUnauthenticated, kGatewayDomain, "LOGIN_FAILED",
                   "wrong e-mail or password, or the account is disabled");
}

// One @, something before it, a dot in the part after it, no space (the address itself is
// checked by the person who receives the invitation, not here).
bool LooksLikeEmail(absl::string_view email) {
  const size_t at = email.find('@');
  if (at == 0 || at == absl::string_view::npos || email.find('@', at + 1) != email.npos) {
    return false;
  }
  const absl::string_view domain = email.substr(at + 1);
  const size_t dot = domain.find('.');
  if (dot == 0 || dot == domain.npos || dot + 1 == domain.size()) return false;
  for (char c : email) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) return false;
  }
  return email.size() <= 254;
}

// The violations of an account's role and funder_id (Create and Update share them).
void CheckRole(const StaffAccount& account, FieldViolations& violations) {
  if (account.role != v1::ROLE_ADMIN && account.role != v1::ROLE_STAFF &&
      account.role != v1::ROLE_FUNDER) {
    violations.Add("role", "must be ROLE_ADMIN, ROLE_STAFF or ROLE_FUNDER");
  }
  if (account.role == v1::ROLE_FUNDER && !IsFunderId(account.funder_id)) {
    violations.Add("funder_id", "required for ROLE_FUNDER: [a-z][a-z0-9-]{0,62}");
  }
  if (account.role != v1::ROLE_FUNDER && !account.funder_id.empty()) {
    violations.Add("funder_id", "only a ROLE_FUNDER account speaks for a funder");
  }
}

absl::Status AccountNotFound(int64_t id) {
  const std::string name = api::ResourceName("staffAccounts", id);
  return NotFound(kGatewayDomain, "STAFF_ACCOUNT_NOT_FOUND",
                  absl::StrCat("no staff account is named ", name), {{"name", name}});
}

// FAILED_PRECONDITION (LAST_ADMIN_ACCOUNT) when `id` is the only active admin account. The
// active admins' rows stay locked until the transaction ends, so two admins demoted or disabled
// at once cannot both pass.
absl::Status KeepAnAdmin(pqxx::work& txn, int64_t id) {
  pqxx::result admins = txn.exec(
      "SELECT id FROM staff_accounts WHERE role = 'ROLE_ADMIN' AND disable_time IS NULL "
      "ORDER BY id FOR UPDATE");
  for (const pqxx::row& row : admins) {
    if (row[0].as<int64_t>() != id) return absl::OkStatus();
  }
  const std::string name = api::ResourceName("staffAccounts", id);
  return FailedPrecondition(kGatewayDomain, "LAST_ADMIN_ACCOUNT",
                            absl::StrCat(name,
                                         " is the last active admin account: make another "
                                         "admin first"),
                            {{"name", name}});
}

}  // namespace

const char kStaffAccountColumns[] =
    "staff_accounts.id, staff_accounts.email, staff_accounts.display_name, staff_accounts.role, "
    "staff_accounts.funder_id, " MAILLAGE_SQL_MICROS(
        "staff_accounts.disable_time") ", " MAILLAGE_SQL_MICROS("staff_accounts.last_login_time");

StaffAccount StaffAccountOfRow(const pqxx::row& row) {
  StaffAccount account;
  account.id = row[0].as<int64_t>();
  account.name = api::ResourceName("staffAccounts", account.id);
  account.email = row[1].as<std::string>();
  account.display_name = row[2].as<std::string>();
  v1::Role_Parse(row[3].as<std::string>(), &account.role);
  account.funder_id = row[4].as<std::string>();
  account.disable_time = db::ReadTime(row[5]);
  account.last_login_time = db::ReadTime(row[6]);
  return account;
}

std::string NormalizeEmail(absl::string_view email) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(email));
}

absl::StatusOr<std::string> HashPassword(absl::string_view password) {
  if (!SodiumReady()) return absl::InternalError("libsodium cannot start");
  char hash[crypto_pwhash_STRBYTES];
  std::lock_guard<std::mutex> lock(HashMutex());
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError("not enough memory to hash a password");
  }
  return std::string(hash);
}

std::string GeneratePassword() {
  SodiumReady();
  unsigned char bytes[18];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return text;
}

bool PasswordMatches(absl::string_view hash, absl::string_view password) {
  if (!SodiumReady()) return false;
  const std::string text(hash);  // NUL-terminated, as libsodium reads it
  std::lock_guard<std::mutex> lock(HashMutex());
  return crypto_pwhash_str_verify(text.c_str(), password.data(), password.size()) == 0;
}

absl::StatusOr<StaffAccount> StaffAccounts::Create(const StaffAccount& account,
                                                   absl::string_view password,
                                                   db::Deadline deadline) {
  const std::string email = NormalizeEmail(account.email);
  FieldViolations violations;
  if (!LooksLikeEmail(email)) violations.Add("email", "not an e-mail address");
  CheckRole(account, violations);
  if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
    violations.Add("password", absl::StrCat("must have ", kMinPasswordLength, " to ",
                                            kMaxPasswordLength, " characters"));
  }
  MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kGatewayDomain));
  MAILLAGE_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  return pool_.Transact<StaffAccount>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<StaffAccount> {
        pqxx::result rows = txn.exec_params(
            absl::StrCat("INSERT INTO staff_accounts (email, display_name, role, funder_id, "
                         "password_hash) VALUES ($1, $2, $3, $4, $5) "
                         "ON CONFLICT (email) DO NOTHING RETURNING ",
                         kStaffAccountColumns),
            email, account.display_name, v1::Role_Name(account.role), account.funder_id, hash);
        if (rows.empty()) {
          return AlreadyExists(kGatewayDomain, "STAFF_ACCOUNT_EXISTS",
                               absl::StrCat("an account with the e-mail ", email, " exists"),
                               {{"email", email}});
        }
        return StaffAccountOfRow(rows[0]);
      });
}

absl::StatusOr<StaffAccount> StaffAccounts::Disable(absl::string_view email,
                                                    db::Deadline deadline) {
  const std::string key = NormalizeEmail(email);
  return pool_.Transact<StaffAccount>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<StaffAccount> {
        pqxx::result rows = txn.exec_params(
            absl::StrCat("UPDATE staff_accounts SET disable_time = COALESCE(disable_time, now()) "
                         "WHERE email = $1 RETURNING ",
                         kStaffAccountColumns),
            key);
        if (rows.empty()) {
          return NotFound(kGatewayDomain, "STAFF_ACCOUNT_NOT_FOUND",
                          absl::StrCat("no account has the e-mail ", key), {{"email", key}});
        }
        StaffAccount account = StaffAccountOfRow(rows[0]);
        txn.exec_params(
            "UPDATE staff_sessions SET end_time = now() WHERE account_id = $1 AND end_time IS NULL",
            account.id);
        return account;
      });
}

absl::StatusOr<std::vector<StaffAccount>> StaffAccounts::List(db::Deadline deadline) {
  return pool_.ReadOnly<std::vector<StaffAccount>>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<std::vector<StaffAccount>> {
        std::vector<StaffAccount> accounts;
        for (const pqxx::row& row : txn.exec(absl::StrCat("SELECT ", kStaffAccountColumns,
                                                          " FROM staff_accounts ORDER BY email"))) {
          accounts.push_back(StaffAccountOfRow(row));
        }
        return accounts;
      });
}

absl::StatusOr<std::vector<StaffAccount>> StaffAccounts::ListAfter(absl::string_view after_email,
                                                                   int limit,
                                                                   db::Deadline deadline) {
  return pool_.ReadOnly<std::vector<StaffAccount>>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<std::vector<StaffAccount>> {
        std::vector<StaffAccount> accounts;
        for (const pqxx::row& row : txn.exec_params(
                 absl::StrCat("SELECT ", kStaffAccountColumns,
                              " FROM staff_accounts WHERE email > $1 ORDER BY email LIMIT $2"),
                 std::string(after_email), limit)) {
          accounts.push_back(StaffAccountOfRow(row));
        }
        return accounts;
      });
}

namespace {

// Account `id`, locked until the end of `txn`. NOT_FOUND when there is none.
absl::StatusOr<StaffAccount> LockAccount(pqxx::work& txn, int64_t id) {
  pqxx::result rows = txn.exec_params(absl::StrCat("SELECT ", kStaffAccountColumns,
                                                   " FROM staff_accounts WHERE id = $1 FOR UPDATE"),
                                      id);
  if (rows.empty()) return AccountNotFound(id);
  return StaffAccountOfRow(rows[0]);
}

}  // namespace

absl::StatusOr<StaffAccount> StaffAccounts::Update(
    int64_t id, const std::function<absl::StatusOr<StaffAccount>(const StaffAccount&)>& change,
    db::Deadline deadline) {
  return pool_.Transact<StaffAccount>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<StaffAccount> {
        MAILLAGE_ASSIGN_OR_RETURN(const StaffAccount current, LockAccount(txn, id));
        MAILLAGE_ASSIGN_OR_RETURN(StaffAccount changed, change(current));
        FieldViolations violations;
        CheckRole(changed, violations);
        MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kGatewayDomain));
        if (current.role == v1::ROLE_ADMIN && changed.role != v1::ROLE_ADMIN &&
            !current.disable_time.has_value()) {
          MAILLAGE_RETURN_IF_ERROR(KeepAnAdmin(txn, id));
        }
        return StaffAccountOfRow(txn.exec_params(
            absl::StrCat("UPDATE staff_accounts SET display_name = $2, role = $3, funder_id = $4 "
                         "WHERE id = $1 RETURNING ",
                         kStaffAccountColumns),
            id, changed.display_name, v1::Role_Name(changed.role), changed.funder_id)[0]);
      });
}

absl::StatusOr<StaffAccount> StaffAccounts::SetDisabled(int64_t id, bool disabled,
                                                        db::Deadline deadline) {
  return pool_.Transact<StaffAccount>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<StaffAccount> {
        MAILLAGE_ASSIGN_OR_RETURN(const StaffAccount current, LockAccount(txn, id));
        if (current.disable_time.has_value() == disabled) return current;
        if (disabled && current.role == v1::ROLE_ADMIN) {
          MAILLAGE_RETURN_IF_ERROR(KeepAnAdmin(txn, id));
        }
        if (disabled) {
          txn.exec_params(
              "UPDATE staff_sessions SET end_time = now() WHERE account_id = $1 AND end_time IS "
              "NULL",
              id);
        }
        return StaffAccountOfRow(txn.exec_params(
            absl::StrCat("UPDATE staff_accounts SET disable_time = CASE WHEN $2 THEN now() END "
                         "WHERE id = $1 RETURNING ",
                         kStaffAccountColumns),
            id, disabled)[0]);
      });
}

absl::StatusOr<bool> StaffAccounts::HasAdmin(db::Deadline deadline) {
  return pool_.ReadOnly<bool>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<bool> {
    return txn
        .exec(
            "SELECT EXISTS (SELECT 1 FROM staff_accounts WHERE role = 'ROLE_ADMIN' AND "
            "disable_time IS NULL)")[0][0]
        .as<bool>();
  });
}

absl::StatusOr<StaffAccount> StaffAccounts::Verify(absl::string_view email,
                                                   absl::string_view password,
                                                   db::Deadline deadline) {
  const std::string key = NormalizeEmail(email);
  struct Found {
    std::optional<StaffAccount> account;
    std::string hash;
  };
  MAILLAGE_ASSIGN_OR_RETURN(
      Found found, pool_.ReadOnly<Found>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<Found> {
        pqxx::result rows = txn.exec_params(absl::StrCat("SELECT ", kStaffAccountColumns,
                                                         ", password_hash FROM staff_accounts "
                                                         "WHERE email = $1"),
                                            key);
        Found found;
        if (!rows.empty()) {
          found.account = StaffAccountOfRow(rows[0]);
          found.hash = rows[0][7].as<std::string>();
        }
        return found;
      }));
  if (password.size() > kMaxPasswordLength) return LoginFailed();
  if (!found.account.has_value()) {
    // The same work as for a real account: the time of the answer does not tell.
    static const std::string decoy = HashPassword("decoy password, never valid").value_or("");
    PasswordMatches(decoy, password);
    return LoginFailed();
  }
  if (!PasswordMatches(found.hash, password) || found.account->disable_time.has_value()) {
    return LoginFailed();
  }
  return *std::move(found.account);
}

}  // namespace maillage::gateway
