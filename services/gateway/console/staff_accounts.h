// The people who use the staff console: accounts with an e-mail, a role (as for API keys:
// admin, staff, funder) and a password kept as an Argon2id hash (libsodium), created and
// disabled by an admin (`maillage-gateway users ...` or the admin API).
//
//   StaffAccounts accounts(pool);
//   absl::StatusOr<StaffAccount> made =
//       accounts.Create({.email = "anne@pes21.fr", .role = v1::ROLE_STAFF}, password, deadline);
//   absl::StatusOr<StaffAccount> who = accounts.Verify("anne@pes21.fr", password, deadline);
//
// Verify answers the same UNAUTHENTICATED LOGIN_FAILED for an unknown e-mail, a wrong password
// and a disabled account, after the same work (an unknown e-mail is checked against a decoy
// hash), so that neither the answer nor its time tells which e-mails have an account.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "maillage/gateway/v1/api_key.pb.h"

namespace maillage::gateway {

struct StaffAccount {
  int64_t id = 0;
  std::string name;  // "staffAccounts/{id}": the principal the services record as the author
  std::string email;
  std::string display_name;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string funder_id;  // ROLE_FUNDER only
  std::optional<absl::Time> disable_time;
  std::optional<absl::Time> last_login_time;
};

// Passwords: at least this many characters (NIST SP 800-63B asks for 8; a shared office
// machine deserves more), at most kMaxPasswordLength (the hash reads all of it).
inline constexpr size_t kMinPasswordLength = 12;
inline constexpr size_t kMaxPasswordLength = 256;

// The Argon2id encoded hash of `password` ("$argon2id$v=19$m=19456,t=2,p=1$..."), with
// OWASP's minimum for Argon2id (19 MiB, 2 passes): about 40 ms and 19 MiB each, one at a time
// in the process so that a burst of logins cannot exhaust the memory.
absl::StatusOr<std::string> HashPassword(absl::string_view password);
// A new random password: 18 bytes from libsodium as 24 URL-safe base64 characters.
std::string GeneratePassword();
// True when `password` matches `hash` (HashPassword's form).
bool PasswordMatches(absl::string_view hash, absl::string_view password);

class StaffAccounts {
 public:
  explicit StaffAccounts(db::Pool& pool) : pool_(pool) {}

  // Creates the account `account` (email, display_name, role, funder_id) with `password`.
  // INVALID_ARGUMENT naming every bad field (email, role, funder_id, password);
  // ALREADY_EXISTS (STAFF_ACCOUNT_EXISTS) when the e-mail has an account.
  absl::StatusOr<StaffAccount> Create(const StaffAccount& account, absl::string_view password,
                                      db::Deadline deadline);

  // Disables the account of `email` and ends its sessions, in one transaction; NOT_FOUND
  // (STAFF_ACCOUNT_NOT_FOUND). Disabling a disabled account changes nothing.
  absl::StatusOr<StaffAccount> Disable(absl::string_view email, db::Deadline deadline);

  // Every account, by e-mail.
  absl::StatusOr<std::vector<StaffAccount>> List(db::Deadline deadline);

  // At most `limit` accounts whose e-mail sorts after `after_email` ("" for the first), by
  // e-mail: a page of the list, keyed by the e-mail (unique).
  absl::StatusOr<std::vector<StaffAccount>> ListAfter(absl::string_view after_email, int limit,
                                                      db::Deadline deadline);

  // Changes display_name, role and funder_id of the account `id` to what `change` makes of
  // the current account (read under a row lock), in one transaction. NOT_FOUND
  // (STAFF_ACCOUNT_NOT_FOUND); `change`'s error; INVALID_ARGUMENT as Create (role, funder_id);
  // FAILED_PRECONDITION (LAST_ADMIN_ACCOUNT) when no active admin would remain.
  absl::StatusOr<StaffAccount> Update(
      int64_t id, const std::function<absl::StatusOr<StaffAccount>(const StaffAccount&)>& change,
      db::Deadline deadline);

  // Disables (and ends the sessions of) or enables the account `id`, in one transaction; an
  // account already so is returned unchanged. NOT_FOUND (STAFF_ACCOUNT_NOT_FOUND);
  // FAILED_PRECONDITION (LAST_ADMIN_ACCOUNT) to disable the last active admin.
  absl::StatusOr<StaffAccount> SetDisabled(int64_t id, bool disabled, db::Deadline deadline);

  // True when at least one account that is not disabled has ROLE_ADMIN.
  absl::StatusOr<bool> HasAdmin(db::Deadline deadline);

  // The account whose e-mail and password these are, not disabled; UNAUTHENTICATED
  // (LOGIN_FAILED) otherwise (see the file comment).
  absl::StatusOr<StaffAccount> Verify(absl::string_view email, absl::string_view password,
                                      db::Deadline deadline);

 private:
  db::Pool& pool_;
};

// For the stores that read accounts: the columns (7, qualified by the table's name) and the
// account of a row that starts with them.
extern const char kStaffAccountColumns[];
StaffAccount StaffAccountOfRow(const pqxx::row& row);

// The e-mail as accounts are keyed: trimmed and lower-cased.
std::string NormalizeEmail(absl::string_view email);

}  // namespace maillage::gateway
