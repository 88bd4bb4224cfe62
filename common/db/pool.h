// A bounded pool of PostgreSQL connections (libpqxx 6.4) that runs one transaction per call,
// with the call's deadline as statement timeout and errors as absl::Status.
//
//   db::PoolOptions options;
//   options.url = env.Required("MAILLAGE_DATABASE_URL");
//   options.error_domain = "directory.maillage";
//   db::Pool pool(options);
//   absl::StatusOr<Actor> actor = pool.ReadOnly<Actor>(
//       context->deadline(), [&](pqxx::work& txn) -> absl::StatusOr<Actor> {
//         pqxx::result rows = txn.exec_params(kSelectActor, id);
//         if (rows.empty()) return NotFound(kDomain, "ACTOR_NOT_FOUND", "...");
//         return ActorFromRow(rows[0]);
//       });
//
// Every call:
//  - waits at most `acquire_timeout` (and never past its deadline) for a connection:
//    UNAVAILABLE with reason POOL_EXHAUSTED, or DEADLINE_EXCEEDED when the deadline ran out;
//  - runs its body in ONE transaction (BEGIN, the body's statements, COMMIT: no other round
//    trip), with a statement timeout of the time left until the deadline (Deadline::max(), or a
//    deadline more than a day away, counts as none and gets `default_statement_timeout`): the
//    session's statement_timeout, kept between 7/8 of the time left and the time left and set
//    again (before BEGIN) only when a call's time left falls out of that band; ReadOnly's
//    READ ONLY mode is the session's default_transaction_read_only, set only when it changes.
//    A deadline already past gives DEADLINE_EXCEEDED without touching the database;
//  - commits when the body returns OK, rolls back when it returns an error or throws;
//  - runs the whole body again on a serialization failure or deadlock (SQLSTATE 40001, 40P01),
//    three attempts in all with jittered backoff, then ABORTED: a body must therefore have no
//    effect outside the database, or effects that are safe to repeat;
//  - maps exceptions with StatusFromException (sql_error.h); a lost connection is UNAVAILABLE
//    (COMMIT_IN_DOUBT when it was lost during COMMIT).
// A connection found broken is closed and never reused, and the idle ones are closed with it
// (after a database restart they are all dead); when it is found broken before the body ran,
// the call goes on with a fresh connection. So the pool recovers by itself when the database
// comes back. Do not call the pool again from inside a body: the nested call needs a second
// connection and can exhaust the pool.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace maillage::db {

// The time by which a call must be done: grpc::ServerContext::deadline() is one.
using Deadline = std::chrono::system_clock::time_point;

struct PoolOptions {
  std::string url;                                             // libpq URI or key=value string
  int size = 8;                                                // max connections
  std::chrono::milliseconds acquire_timeout{2000};             // wait for a free connection
  std::chrono::milliseconds default_statement_timeout{10000};  // when the call has no deadline
  std::string error_domain = "maillage";                       // ErrorInfo domain of errors
  std::string application_name = "maillage";                   // shown in pg_stat_activity
};

// A read of one statement, prepared once per connection under `name` (unique in the process).
struct Statement {
  std::string name;
  std::string sql;
};

struct PoolStats {
  int size = 0;                  // max connections
  int open = 0;                  // connections open or being opened
  int in_use = 0;                // connections lent to a call
  int waiting = 0;               // calls waiting for a connection
  int64_t acquire_timeouts = 0;  // calls that gave up waiting, since the start
};

class Pool {
 public:
  // Never throws and never connects: the first call opens the first connection.
  explicit Pool(PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Runs `body` in one read-write transaction (see the file comment). Returns the body's
  // status when it is not OK (nothing committed), OK once committed, or the pool's errors.
  absl::Status Transact(Deadline deadline, const std::function<absl::Status(pqxx::work&)>& body);
  // Same, for a body that returns a value: `pool.Transact<Actor>(deadline, lambda)`.
  template <typename T>
  absl::StatusOr<T> Transact(Deadline deadline,
                             const std::function<absl::StatusOr<T>(pqxx::work&)>& body) {
    return RunForValue<T>(Access::kReadWrite, deadline, body);
  }

  // Same as Transact in a READ ONLY transaction: a write in `body` fails (INTERNAL).
  absl::Status ReadOnly(Deadline deadline, const std::function<absl::Status(pqxx::work&)>& body);
  template <typename T>
  absl::StatusOr<T> ReadOnly(Deadline deadline,
                             const std::function<absl::StatusOr<T>(pqxx::work&)>& body) {
    return RunForValue<T>(Access::kReadOnly, deadline, body);
  }

  // Runs `statement` (ONE read-only statement, a SELECT) with `params` ($1, $2... as text) in a
  // single round trip, for the hot reads by key: no BEGIN and COMMIT (one statement is its own
  // transaction) and no parse or plan after its first run on a connection. The deadline is a
  // session statement_timeout kept between 7/8 of the time left and the time left (set again
  // only when a call's time left falls out of that band, so calls with the same deadline do
  // not pay for it). Same acquisition, error mapping and replacement of a connection found dead
  // as ReadOnly (a read has no effect: when an idle connection turns out dead, even after the
  // statement was sent, the statement is sent again on a fresh one).
  absl::StatusOr<pqxx::result> Query(Deadline deadline, const Statement& statement,
                                     const std::vector<std::string>& params);

  // Runs `session` on a fresh connection of the pool held for the whole call and outside any
  // transaction, for session-level state such as advisory locks; the connection is closed
  // afterwards so that no such state leaks. No statement timeout and no retry. Returns the
  // session's status, UNAVAILABLE / DEADLINE_EXCEEDED when no connection can be had in time,
  // or the mapped exception.
  absl::Status Session(Deadline deadline,
                       const std::function<absl::Status(pqxx::connection&)>& session);

  // OK when `SELECT 1` runs; UNAVAILABLE when the database cannot be reached.
  absl::Status Ping(Deadline deadline);

  PoolStats Stats() const;
  const PoolOptions& options() const { return options_; }

 private:
  enum class Access { kReadWrite, kReadOnly };
  class Connection;

  absl::Status Run(Access access, Deadline deadline,
                   const std::function<absl::Status(pqxx::work&)>& body);
  // What a call does with its connection and statement timeout; sets `ran` once it has sent
  // anything that may have taken effect.
  using Work = std::function<absl::Status(Connection&, std::chrono::milliseconds, bool& ran)>;
  // One attempt of `work` on a connection of the pool, replacing a connection found dead
  // before anything ran.
  absl::Status RunOnce(Deadline deadline, const Work& work);
  // A connection lent to the caller, to give back with Release. `reused` tells whether it was
  // idle in the pool (it may have died meanwhile) rather than opened for this call.
  absl::StatusOr<std::unique_ptr<Connection>> Acquire(Deadline deadline, bool& reused);
  // Opens a connection for a slot already counted in open_ (no locking).
  absl::StatusOr<std::unique_ptr<Connection>> Connect();
  // Gives back a connection (null when it was lost): kept for reuse when `reusable` and open.
  void Release(std::unique_ptr<Connection> connection, bool reusable);
  // Closes every idle connection (they are likely dead when one was found dead).
  void DiscardIdle();
  std::chrono::milliseconds StatementTimeout(Deadline deadline) const;

  template <typename T>
  absl::StatusOr<T> RunForValue(Access access, Deadline deadline,
                                const std::function<absl::StatusOr<T>(pqxx::work&)>& body) {
    absl::optional<absl::StatusOr<T>> result;
    absl::Status status = Run(access, deadline, [&](pqxx::work& txn) {
      result.emplace(body(txn));
      return result->status();
    });
    if (!status.ok()) return status;
    return std::move(*result);
  }

  const PoolOptions options_;
  const std::string conninfo_;     // options_.url plus application_name and connect_timeout
  const std::string display_url_;  // options_.url with its password masked, for messages

  mutable std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
  int in_use_ = 0;
  int waiting_ = 0;
  int64_t acquire_timeouts_ = 0;
};

// Statements for the end of a transaction of Pool::Transact, sent with its COMMIT in one round
// trip: `sql` holds complete statements, each ended by ';', with their literals quoted by
// txn.quote / txn.quote_raw (no parameters), whose results the body does not need, such as
// the append to a change feed or the record of an idempotent request (held locks are then
// released in the same round trip as they are taken). They run in the order given, after
// everything else the body sent. When one fails, nothing is committed and the transaction's
// call returns its mapped error as any statement's (a serialization failure is retried with
// the whole body; a lost connection is COMMIT_IN_DOUBT). On a transaction that Pool did not
// open (a test's own pqxx::work), `sql` runs at once.
void ExecAtCommit(pqxx::work& txn, absl::string_view sql);

// Runs `statement` (one statement, `params` as $1, $2... in text) in `txn`, prepared once per
// connection of the pool under statement.name (unique in the process), as Pool::Query does for
// reads: no parse or plan after its first run on a connection. On a transaction that Pool did
// not open, the statement is sent as text with its parameters.
pqxx::result ExecPrepared(pqxx::work& txn, const Statement& statement,
                          const std::vector<std::string>& params);

// `url` with its password masked (URI user info, `password=` query or key=value parameter),
// for logs and messages: "postgresql://ess_directory:***@db:5432/ess_directory".
std::string RedactPassword(absl::string_view url);

}  // namespace maillage::db
