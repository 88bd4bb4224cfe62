// The migration runner: validate, lock, compare with schema_migrations, apply what is pending.
#include "common/db/migrations.h"

#include <openssl/sha.h>

#include <chrono>
#include <map>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/db/sql_error.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace maillage::db {
namespace {

constexpr const char* kCreateTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    int PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  dirty      bool NOT NULL DEFAULT false
))sql";
constexpr const char* kSelectApplied =
    "SELECT version, name, checksum, dirty FROM schema_migrations ORDER BY version";
constexpr const char* kInsertApplied =
    "INSERT INTO schema_migrations (version, name, checksum, applied_at, dirty) "
    "VALUES ($1, $2, $3, now(), false)";
// Session-level: held until pg_advisory_unlock or the end of the session.
constexpr const char* kLock = "SELECT pg_advisory_lock(hashtextextended($1, 0))";

struct AppliedMigration {
  std::string name;
  std::string checksum;
  bool dirty = false;
};

std::string Checksum(absl::string_view sql) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(sql.data()), sql.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string Label(int version, absl::string_view name) {
  return absl::StrCat(absl::Dec(version, absl::kZeroPad4), "_", name);
}

absl::Status Validate(const std::vector<Migration>& migrations, absl::string_view domain) {
  int previous = 0;
  for (const Migration& m : migrations) {
    if (m.version <= previous) {
      return FailedPrecondition(
          domain, kReasonInvalidMigrations,
          absl::StrCat("embedded migrations must have positive, increasing and unique versions: ",
                       Label(m.version, m.name), " comes after version ", previous),
          {{"version", absl::StrCat(m.version)}});
    }
    previous = m.version;
  }
  return absl::OkStatus();
}

absl::Status SchemaMismatch(absl::string_view domain, absl::string_view service,
                            absl::string_view problem) {
  return FailedPrecondition(domain, kReasonSchemaMismatch,
                            absl::StrCat("database of ", service, ": ", problem),
                            {{"service", std::string(service)}});
}

// FAILED_PRECONDITION when the database's history does not allow applying `migrations`.
absl::Status CheckHistory(const std::map<int, AppliedMigration>& applied,
                          const std::vector<Migration>& migrations, absl::string_view service,
                          absl::string_view domain) {
  std::map<int, const Migration*> known;
  for (const Migration& m : migrations) known[m.version] = &m;
  const int latest_known = migrations.empty() ? 0 : migrations.back().version;
  for (const auto& [version, row] : applied) {
    if (row.dirty) {
      return SchemaMismatch(domain, service,
                            absl::StrCat("migration ", Label(version, row.name),
                                         " is marked dirty in schema_migrations; repair the "
                                         "schema by hand, then set dirty = false"));
    }
  }
  for (const auto& [version, row] : applied) {
    if (version > latest_known) {
      return SchemaMismatch(domain, service,
                            absl::StrCat("the schema is at version ", applied.rbegin()->first,
                                         ", newer than this binary's latest migration (",
                                         latest_known, "); run a newer binary"));
    }
    auto it = known.find(version);
    if (it == known.end()) {
      return SchemaMismatch(domain, service,
                            absl::StrCat("applied migration ", Label(version, row.name),
                                         " is unknown to this binary"));
    }
    if (row.checksum != Checksum(it->second->sql)) {
      return SchemaMismatch(domain, service,
                            absl::StrCat("migration ", Label(version, row.name),
                                         " was changed after it was applied (checksum differs); "
                                         "restore the file and add a new migration instead"));
    }
  }
  const int latest_applied = applied.empty() ? 0 : applied.rbegin()->first;
  for (const Migration& m : migrations) {
    if (m.version < latest_applied && applied.count(m.version) == 0) {
      return SchemaMismatch(
          domain, service,
          absl::StrCat("migration ", Label(m.version, m.name), " is missing while later version ",
                       latest_applied, " is applied; give it a number after ", latest_applied));
    }
  }
  return absl::OkStatus();
}

// Applies `m` and records it, in one transaction.
absl::Status Apply(pqxx::connection& connection, const Migration& m, absl::string_view service,
                   absl::string_view domain) {
  const auto start = std::chrono::steady_clock::now();
  try {
    pqxx::work txn(connection);
    txn.exec(std::string(m.sql));
    txn.exec_params(kInsertApplied, m.version, std::string(m.name), Checksum(m.sql));
    txn.commit();
  } catch (const std::exception& e) {
    if (IsConnectionLost(e)) return StatusFromException(e, domain);
    std::string what = e.what();
    std::string error = what.substr(0, what.find('\n'));
    log::Error("migration failed", {{"service", std::string(service)},
                                    {"migration", Label(m.version, m.name)},
                                    {"sqlstate", SqlState(e)},
                                    {"error", error}});
    return Internal(domain, kReasonMigrationFailed,
                    absl::StrCat("migration ", Label(m.version, m.name), " of ", service,
                                 " failed and was rolled back: ", error),
                    {{"version", absl::StrCat(m.version)}, {"name", std::string(m.name)}});
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  log::Info("migration applied", {{"service", std::string(service)},
                                  {"migration", Label(m.version, m.name)},
                                  {"duration_ms", absl::StrCat(elapsed.count())}});
  return absl::OkStatus();
}

}  // namespace

absl::Status Migrate(Pool& pool, absl::string_view service,
                     const std::vector<Migration>& migrations) {
  const std::string domain = pool.options().error_domain;
  MAILLAGE_RETURN_IF_ERROR(Validate(migrations, domain));
  return pool.Session(Deadline::max(), [&](pqxx::connection& connection) -> absl::Status {
    // Released when Session closes the connection, whatever happens below.
    pqxx::nontransaction(connection)
        .exec_params(kLock, absl::StrCat("maillage.migrations.", service));
    std::map<int, AppliedMigration> applied;
    {
      pqxx::work txn(connection);
      txn.exec(kCreateTable);
      for (const pqxx::row& row : txn.exec(kSelectApplied)) {
        applied[row["version"].as<int>()] =
            AppliedMigration{row["name"].as<std::string>(), row["checksum"].as<std::string>(),
                             row["dirty"].as<bool>()};
      }
      txn.commit();
    }
    MAILLAGE_RETURN_IF_ERROR(CheckHistory(applied, migrations, service, domain));
    int count = 0;
    for (const Migration& m : migrations) {
      if (applied.count(m.version) != 0) continue;
      MAILLAGE_RETURN_IF_ERROR(Apply(connection, m, service, domain));
      ++count;
    }
    log::Info("database schema up to date",
              {{"service", std::string(service)},
               {"version", absl::StrCat(migrations.empty() ? 0 : migrations.back().version)},
               {"applied", absl::StrCat(count)}});
    return absl::OkStatus();
  });
}

}  // namespace maillage::db
