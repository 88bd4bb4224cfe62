#include "services/gateway/console/users_cli.h"

#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/config/env.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/log/log.h"
#include "services/gateway/access/cli_args.h"
#include "services/gateway/console/staff_accounts.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {

const std::vector<db::Migration>& Migrations();

namespace {

constexpr char kUsage[] =
    "usage: maillage-gateway users add --email EMAIL --role admin|staff|funder [--name NAME]\n"
    "                                  [--funder FUNDER_ID] [--generate-password]\n"
    "                                  (the password on standard input, one line)\n"
    "       maillage-gateway users list\n"
    "       maillage-gateway users disable --email EMAIL\n"
    "       maillage-gateway users ensure-admin --email EMAIL\n"
    "(needs MAILLAGE_DATABASE_URL, the gateway's database)\n";

int Usage(const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "maillage-gateway users: %s\n", problem.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "maillage-gateway users: %s\n", std::string(status.message()).c_str());
  return 1;
}

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + std::chrono::seconds(10);
}

std::string Time(const std::optional<absl::Time>& time) {
  if (!time.has_value()) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M", *time, absl::UTCTimeZone());
}

void Print(const StaffAccount& account) {
  std::printf("%-18s %-32s %-7s %-16s %-16s %s\n", account.name.c_str(), account.email.c_str(),
              v1::Role_Name(account.role).c_str() + 5,
              account.disable_time.has_value() ? "disabled" : "active",
              Time(account.last_login_time).c_str(), account.display_name.c_str());
}

int Add(StaffAccounts& accounts, const CliArgs& args, bool generate) {
  StaffAccount account;
  account.email = args.Flag("email");
  account.display_name = args.Flag("name");
  account.funder_id = args.Flag("funder");
  if (!v1::Role_Parse("ROLE_" + absl::AsciiStrToUpper(args.Flag("role")), &account.role) ||
      account.role == v1::ROLE_PARTNER || account.role == v1::ROLE_UNSPECIFIED) {
    return Usage("--role: admin, staff or funder");
  }
  std::string password;
  if (generate) {
    password = GeneratePassword();
  } else if (!std::getline(std::cin, password)) {
    return Usage("the password is read from standard input (or use --generate-password)");
  }
  absl::StatusOr<StaffAccount> made = accounts.Create(account, password, Deadline());
  if (!made.ok()) return Fail(made.status());
  std::printf("created %s (%s)\n", made->name.c_str(), made->email.c_str());
  if (generate) std::printf("password (shown once): %s\n", password.c_str());
  return 0;
}

}  // namespace

int RunUsersCli(int argc, char** argv) {
  if (argc < 3 || std::string(argv[1]) != "users") return Usage("");
  const std::string command = argv[2];
  absl::StatusOr<CliArgs> args =
      ParseCliArgs(argc, argv, 3, {"email", "role", "name", "funder"}, {"generate-password"});
  if (!args.ok()) return Usage(std::string(args.status().message()));
  if (!args->positional.empty()) return Usage("users takes only options");
  if (sodium_init() < 0) return Fail(absl::InternalError("libsodium cannot start"));
  log::Init("gateway-users", "warn");  // the migration notes stay out of the command's output
  config::Env env;
  db::PoolOptions options;
  options.url = env.Required("MAILLAGE_DATABASE_URL");
  options.size = 1;
  options.error_domain = std::string(kGatewayDomain);
  options.application_name = "maillage-gateway-users";
  if (absl::Status s = env.Finish(); !s.ok()) return Usage(std::string(s.message()));
  db::Pool pool(options);
  if (absl::Status migrated = db::Migrate(pool, "gateway", Migrations()); !migrated.ok()) {
    return Fail(migrated);
  }
  StaffAccounts accounts(pool);
  if (command == "add") return Add(accounts, *args, !args->Flag("generate-password").empty());
  if (command == "ensure-admin") {
    absl::StatusOr<bool> has_admin = accounts.HasAdmin(Deadline());
    if (!has_admin.ok()) return Fail(has_admin.status());
    if (*has_admin) return 0;
    CliArgs admin = *args;
    admin.flags["role"] = "admin";
    if (admin.Flag("name").empty()) admin.flags["name"] = "Administrateur";
    return Add(accounts, admin, /*generate=*/true);
  }
  if (command == "list") {
    absl::StatusOr<std::vector<StaffAccount>> all = accounts.List(Deadline());
    if (!all.ok()) return Fail(all.status());
    std::printf("%-18s %-32s %-7s %-16s %-16s %s\n", "NAME", "EMAIL", "ROLE", "STATE",
                "LAST LOGIN (UTC)", "DISPLAY NAME");
    for (const StaffAccount& account : *all) Print(account);
    return 0;
  }
  if (command == "disable") {
    absl::StatusOr<StaffAccount> disabled = accounts.Disable(args->Flag("email"), Deadline());
    if (!disabled.ok()) return Fail(disabled.status());
    std::printf("disabled %s (%s); its sessions are ended\n", disabled->name.c_str(),
                disabled->email.c_str());
    return 0;
  }
  return Usage(absl::StrCat("unknown command ", command));
}

}  // namespace maillage::gateway
