// Schema migrations: numbered SQL files embedded in the binary (cmake:
// maillage_embed_migrations) applied in order at start-up, each in its own transaction.
//
//   MAILLAGE_RETURN_IF_ERROR(db::Migrate(pool, "directory", directory::Migrations()));
//
// The database records what it has in
//   schema_migrations(version int primary key, name text, checksum text,
//                     applied_at timestamptz, dirty bool)
// where checksum is the SHA-256 (hex) of the file's text. A migration and its row are written
// in one transaction (PostgreSQL DDL is transactional), so a failing migration leaves no trace;
// a migration file must therefore not contain BEGIN/COMMIT nor statements that cannot run in a
// transaction block (CREATE INDEX CONCURRENTLY, VACUUM). `dirty` is never set by Migrate: an
// operator sets it to stop every replica while repairing a schema by hand.
//
// Concurrency: Migrate holds a session-level pg_advisory_lock keyed by the service name, on a
// connection of its own (Pool::Session) for its whole run, so replicas starting together apply
// each migration once: the later ones wait, then find nothing left to apply.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/db/pool.h"

namespace maillage::db {

struct Migration {
  int version;             // NNNN of NNNN_name.sql, > 0, increasing
  absl::string_view name;  // name of NNNN_name.sql
  absl::string_view sql;   // the file's text
};

// Brings the database to the last of `migrations` (sorted by increasing version) and logs each
// migration applied. Returns OK when nothing is left to apply (a second run applies nothing);
// FAILED_PRECONDITION with one message naming the problem, before applying anything, when
// `migrations` are not increasing and unique (INVALID_MIGRATIONS), or the database has a dirty
// row, a version this binary does not know (a newer schema), an applied migration whose checksum
// differs from the embedded file, or a pending version older than an applied one
// (SCHEMA_MISMATCH); INTERNAL (MIGRATION_FAILED, naming the migration) when a migration fails,
// after rolling it back; UNAVAILABLE / DEADLINE_EXCEEDED when the database cannot be reached.
absl::Status Migrate(Pool& pool, absl::string_view service,
                     const std::vector<Migration>& migrations);

}  // namespace maillage::db
