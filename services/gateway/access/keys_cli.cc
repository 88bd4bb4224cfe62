#include "services/gateway/access/keys_cli.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/config/env.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/log/log.h"
#include "google/protobuf/util/time_util.h"
#include "services/gateway/access/api_key_store.h"
#include "services/gateway/access/cli_args.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {

const std::vector<db::Migration>& Migrations();

namespace {

constexpr char kUsage[] =
    "usage: maillage-gateway keys generate\n"
    "       maillage-gateway keys create --name NAME --role admin|staff|funder|partner\n"
    "                                    [--funder FUNDER_ID] (required with --role funder)\n"
    "                                    [--expires YYYY-MM-DD] [--rps N] [--burst N]\n"
    "       maillage-gateway keys list [--all]\n"
    "       maillage-gateway keys revoke apiKeys/ID|PREFIX [--reason TEXT]\n"
    "(needs MAILLAGE_DATABASE_URL, the gateway's database)\n";

int Usage(const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "maillage-gateway keys: %s\n", problem.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "maillage-gateway keys: %s\n", std::string(status.message()).c_str());
  return 1;
}

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + std::chrono::seconds(10);
}

std::string Time(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(time.seconds()),
                          absl::UTCTimeZone());
}

void PrintKey(const v1::ApiKey& key) {
  std::printf("%-14s %-8s %-13s %-22s %-16s %-16s %s\n", key.name().c_str(), key.prefix().c_str(),
              v1::Role_Name(key.role()).c_str() + 5, v1::ApiKeyState_Name(key.state()).c_str() + 14,
              Time(key.expire_time()).c_str(), Time(key.last_use_time()).c_str(),
              key.display_name().c_str());
}

void PrintHeader() {
  std::printf("%-14s %-8s %-13s %-22s %-16s %-16s %s\n", "NAME", "PREFIX", "ROLE", "STATE",
              "EXPIRES (UTC)", "LAST USE (UTC)", "DISPLAY NAME");
}

int Create(ApiKeyStore& store, const CliArgs& args) {
  v1::CreateApiKeyRequest request;
  v1::ApiKey& key = *request.mutable_api_key();
  auto flag = [&](const std::string& name) { return args.Flag(name); };
  key.set_display_name(flag("name"));
  v1::Role role = v1::ROLE_UNSPECIFIED;
  if (!flag("role").empty() &&
      !v1::Role_Parse("ROLE_" + absl::AsciiStrToUpper(flag("role")), &role)) {
    return Usage("--role: admin, staff, funder or partner");
  }
  key.set_role(role);
  key.set_funder_id(flag("funder"));
  if (!flag("expires").empty()) {
    absl::Time expires;
    std::string error;
    if (!absl::ParseTime("%Y-%m-%d", flag("expires"), absl::UTCTimeZone(), &expires, &error)) {
      return Usage("--expires: a date YYYY-MM-DD (the key stops working at 00:00 UTC that day)");
    }
    key.mutable_expire_time()->set_seconds(absl::ToUnixSeconds(expires));
  }
  for (const char* name : {"rps", "burst"}) {
    if (flag(name).empty()) continue;
    int value = 0;
    if (!absl::SimpleAtoi(flag(name), &value)) return Usage(absl::StrCat("--", name, ": a number"));
    if (std::string(name) == "rps") {
      key.mutable_rate_limit()->set_requests_per_second(value);
    } else {
      key.mutable_rate_limit()->set_burst(value);
    }
  }
  const char* user = std::getenv("USER");
  absl::StatusOr<v1::CreateApiKeyResponse> created =
      store.Create(Deadline(), request, absl::StrCat("cli:", user == nullptr ? "?" : user));
  if (!created.ok()) return Fail(created.status());
  std::printf("%s\n\n", created->key().c_str());
  std::fprintf(stderr, "The key above is shown only now: give it to its holder (x-api-key).\n");
  PrintHeader();
  PrintKey(created->api_key());
  return 0;
}

absl::StatusOr<v1::ApiKey> FindKey(ApiKeyStore& store, const std::string& which) {
  if (absl::StartsWith(which, "apiKeys/")) return store.Get(Deadline(), which);
  absl::StatusOr<std::optional<ApiKeyRecord>> found = store.FindByPrefix(Deadline(), which);
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return absl::NotFoundError(absl::StrCat("no key has the prefix ", which));
  }
  return store.Get(Deadline(), (*found)->name);
}

}  // namespace

int RunKeysCli(int argc, char** argv) {
  if (argc < 3 || std::string(argv[1]) != "keys") return Usage("");
  const std::string command = argv[2];
  if (command == "generate") {
    std::printf("%s\n", NewApiKeyText().text().c_str());
    return 0;
  }
  absl::StatusOr<CliArgs> args = ParseCliArgs(
      argc, argv, 3, {"name", "role", "funder", "expires", "rps", "burst", "reason"}, {"all"});
  if (!args.ok()) return Usage(std::string(args.status().message()));
  log::Init("gateway-keys", "warn");  // the migration notes stay out of the command's output
  config::Env env;
  db::PoolOptions options;
  options.url = env.Required("MAILLAGE_DATABASE_URL");
  options.size = 1;
  options.error_domain = std::string(kGatewayDomain);
  options.application_name = "maillage-gateway-keys";
  if (absl::Status s = env.Finish(); !s.ok()) return Usage(std::string(s.message()));
  db::Pool pool(options);
  if (absl::Status migrated = db::Migrate(pool, "gateway", Migrations()); !migrated.ok()) {
    return Fail(migrated);
  }
  ApiKeyStore store(pool);

  if (command == "create") {
    if (!args->positional.empty()) return Usage("create takes only options");
    return Create(store, *args);
  }
  if (command == "list") {
    v1::ListApiKeysRequest request;
    if (args->flags.count("all") == 0) request.set_filter("state = ACTIVE");
    request.set_page_size(1000);
    PrintHeader();
    do {
      absl::StatusOr<v1::ListApiKeysResponse> page = store.List(Deadline(), request);
      if (!page.ok()) return Fail(page.status());
      for (const v1::ApiKey& key : page->api_keys()) PrintKey(key);
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty());
    return 0;
  }
  if (command == "revoke") {
    if (args->positional.size() != 1)
      return Usage("revoke takes one key: apiKeys/ID or its prefix");
    absl::StatusOr<v1::ApiKey> key = FindKey(store, args->positional[0]);
    if (!key.ok()) return Fail(key.status());
    v1::RevokeApiKeyRequest request;
    request.set_name(key->name());
    if (args->flags.count("reason") > 0) request.set_reason(args->flags.at("reason"));
    absl::StatusOr<v1::ApiKey> revoked = store.Revoke(Deadline(), request);
    if (!revoked.ok()) return Fail(revoked.status());
    PrintHeader();
    PrintKey(*revoked);
    std::fprintf(
        stderr, "Revoked. Gateways that cached the key refuse it within MAILLAGE_KEY_CACHE_TTL.\n");
    return 0;
  }
  return Usage(absl::StrCat("unknown command ", command));
}

}  // namespace maillage::gateway
