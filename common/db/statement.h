// Hot statements of a store, prepared once per connection and run with typed parameters.
//
//   static const auto* const kStatement = new db::Statement{"meetings_lock_meeting", kSql};
//   pqxx::result rows = db::ExecStatement(txn, *kStatement, meeting_id, name);
//
// The first run of `statement` on a connection registers it there (libpqxx prepares it with
// that first run); every later run on that connection, in any transaction, reuses its parse and
// plan. `statement.name` must be unique in the process: the same name with another SQL text on
// one connection is an error (pqxx::argument_error). Parameters are passed as libpqxx converts
// them (numbers, strings, bools; an empty string is not NULL: see db::OptionalNumber).
// Exceptions are left to db::Pool, which maps them, as for txn.exec_params.
#pragma once

#include <pqxx/pqxx>

#include "common/db/pool.h"

namespace maillage::db {

// Runs `statement` in `txn` with `args` as $1, $2..., prepared on the transaction's connection
// at its first use there.
template <typename... Args>
pqxx::result ExecStatement(pqxx::work& txn, const Statement& statement, const Args&... args) {
  txn.conn().prepare(statement.name, statement.sql);
  return txn.exec_prepared(statement.name, args...);
}

}  // namespace maillage::db
