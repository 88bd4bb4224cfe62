// The PostgreSQL connection pool: bounded slots, one transaction per call, retries of
// serialization failures, replacement of dead connections.
#include "common/db/pool.h"

#include <algorithm>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/db/sql_error.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace maillage::db {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

constexpr int kMaxAttempts = 3;
constexpr milliseconds kRetryBackoff{10};  // doubled at each attempt, ±50 % jitter
// A deadline further than this counts as none (the default statement timeout applies).
constexpr std::chrono::hours kFarDeadline{24};

bool IsUri(absl::string_view url) {
  return absl::StartsWith(url, "postgresql://") || absl::StartsWith(url, "postgres://");
}

absl::string_view FirstLine(absl::string_view text) {
  return absl::StripAsciiWhitespace(text.substr(0, text.find('\n')));
}

// The password of a URI (user info and `password=` query parameters), masked; the raw
// passwords are added to `secrets`.
std::string RedactUri(absl::string_view url, std::vector<std::string>& secrets) {
  size_t start = url.find("://") + 3;
  size_t end = std::min(url.find_first_of("/?", start), url.size());
  absl::string_view authority = url.substr(start, end - start);
  std::string out(url.substr(0, start));
  size_t at = authority.rfind('@');
  if (at != absl::string_view::npos) {
    absl::string_view user_info = authority.substr(0, at);
    size_t colon = user_info.find(':');
    if (colon != absl::string_view::npos) {
      secrets.emplace_back(user_info.substr(colon + 1));
      absl::StrAppend(&out, user_info.substr(0, colon), ":***", authority.substr(at));
    } else {
      absl::StrAppend(&out, authority);
    }
  } else {
    absl::StrAppend(&out, authority);
  }
  absl::string_view rest = url.substr(end);
  size_t question = rest.find('?');
  absl::StrAppend(&out, rest.substr(0, question));
  if (question == absl::string_view::npos) return out;
  std::vector<std::string> parameters;
  for (absl::string_view parameter : absl::StrSplit(rest.substr(question + 1), '&')) {
    if (absl::StartsWith(parameter, "password=")) {
      secrets.emplace_back(parameter.substr(9));
      parameters.push_back("password=***");
    } else {
      parameters.emplace_back(parameter);
    }
  }
  absl::StrAppend(&out, "?", absl::StrJoin(parameters, "&"));
  return out;
}

// The same for a `key=value key='quoted value'` connection string.
std::string RedactKeyValues(absl::string_view conninfo, std::vector<std::string>& secrets) {
  std::string out;
  size_t i = 0;
  const size_t n = conninfo.size();
  auto copy_spaces = [&] {
    while (i < n && absl::ascii_isspace(conninfo[i])) out.push_back(conninfo[i++]);
  };
  while (i < n) {
    copy_spaces();
    size_t key_start = i;
    while (i < n && conninfo[i] != '=' && !absl::ascii_isspace(conninfo[i])) ++i;
    absl::string_view key = conninfo.substr(key_start, i - key_start);
    absl::StrAppend(&out, key);
    copy_spaces();
    if (i >= n || conninfo[i] != '=') break;
    out.push_back(conninfo[i++]);
    copy_spaces();
    size_t value_start = i;
    if (i < n && conninfo[i] == '\'') {
      for (++i; i < n && conninfo[i] != '\''; ++i) {
        if (conninfo[i] == '\\') ++i;
      }
      i = std::min(i + 1, n);
    } else {
      while (i < n && !absl::ascii_isspace(conninfo[i])) ++i;
    }
    absl::string_view value = conninfo.substr(value_start, i - value_start);
    if (key == "password") {
      secrets.emplace_back(value);
      absl::StrAppend(&out, "***");
    } else {
      absl::StrAppend(&out, value);
    }
  }
  absl::StrAppend(&out, conninfo.substr(std::min(i, n)));
  return out;
}

std::string Redact(absl::string_view url, std::vector<std::string>& secrets) {
  return IsUri(url) ? RedactUri(url, secrets) : RedactKeyValues(url, secrets);
}

std::string PercentEncode(absl::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

// `url` plus the parameters it does not set itself.
std::string WithDefaults(absl::string_view url,
                         const std::vector<std::pair<std::string, std::string>>& defaults) {
  std::string out(url);
  if (IsUri(url)) {
    size_t question = url.find('?');
    absl::string_view query =
        question == absl::string_view::npos ? absl::string_view() : url.substr(question + 1);
    char separator = question == absl::string_view::npos ? '?' : '&';
    for (const auto& [key, value] : defaults) {
      std::string assignment = absl::StrCat(key, "=");
      if (absl::StartsWith(query, assignment) ||
          absl::StrContains(query, absl::StrCat("&", assignment))) {
        continue;
      }
      absl::StrAppend(&out, std::string(1, separator), assignment, PercentEncode(value));
      separator = '&';
    }
    return out;
  }
  for (const auto& [key, value] : defaults) {
    if (absl::StrContains(url, key)) continue;
    std::string quoted = absl::StrReplaceAll(value, {{"\\", "\\\\"}, {"'", "\\'"}});
    absl::StrAppend(&out, " ", key, "='", quoted, "'");
  }
  return out;
}

std::string Conninfo(const PoolOptions& options) {
  auto seconds = std::chrono::ceil<std::chrono::seconds>(options.acquire_timeout).count();
  return WithDefaults(options.url,
                      {{"application_name", options.application_name},
                       {"connect_timeout", absl::StrCat(std::max<int64_t>(2, seconds))}});
}

PoolOptions Normalized(PoolOptions options) {
  options.size = std::max(1, options.size);
  options.acquire_timeout = std::max(options.acquire_timeout, milliseconds(0));
  options.default_statement_timeout = std::max(options.default_statement_timeout, milliseconds(1));
  return options;
}

absl::Status DeadlineExceeded(absl::string_view domain, absl::string_view what) {
  return MakeError(absl::StatusCode::kDeadlineExceeded, domain, kReasonDeadlineExceeded,
                   absl::StrCat("the call's deadline passed ", what));
}

}  // namespace

std::string RedactPassword(absl::string_view url) {
  std::vector<std::string> secrets;
  return Redact(url, secrets);
}

namespace {

// The transaction of a Pool call: a pqxx::work that sends ExecAtCommit's statements with its
// COMMIT and knows which statements its connection has prepared (ExecPrepared).
class PoolWork final : public pqxx::work {
 public:
  PoolWork(pqxx::connection& connection, std::set<std::string>& prepared)
      : pqxx::internal::namedclass("transaction<READ COMMITTED>"),
        pqxx::work(connection),
        prepared_(prepared) {}
  ~PoolWork() noexcept override = default;  // ~transaction() rolls back when not committed

  void AddToCommit(absl::string_view sql) { absl::StrAppend(&at_commit_, sql); }
  // True the first time `name` is met on this connection.
  bool FirstUse(const std::string& name) { return prepared_.insert(name).second; }
  void Forget(const std::string& name) { prepared_.erase(name); }

 private:
  // As libpqxx's own COMMIT (a lost connection makes the outcome unknown: in_doubt_error), with
  // the statements of ExecAtCommit before it in the same query string. When one of them fails,
  // the server skips the rest (COMMIT too) and the transaction is left aborted: ROLLBACK ends it.
  void do_commit() override {
    const std::string command = absl::StrCat(at_commit_, "COMMIT");
    try {
      direct_exec(command.c_str());
    } catch (const pqxx::statement_completion_unknown& e) {
      process_notice(absl::StrCat(e.what(), "\n"));
      throw pqxx::in_doubt_error(
          absl::StrCat("the outcome of the COMMIT of transaction '", name(), "' is unknown"));
    } catch (const std::exception& e) {
      if (!conn().is_open()) {
        process_notice(absl::StrCat(e.what(), "\n"));
        throw pqxx::in_doubt_error(absl::StrCat("the connection was lost while committing '",
                                                name(), "': its outcome is unknown"));
      }
      if (!at_commit_.empty()) {
        try {
          direct_exec("ROLLBACK");
        } catch (const std::exception&) {  // the error that matters is the first one
        }
      }
      throw;
    }
  }

  std::set<std::string>& prepared_;
  std::string at_commit_;
};

}  // namespace

void ExecAtCommit(pqxx::work& txn, absl::string_view sql) {
  if (auto* work = dynamic_cast<PoolWork*>(&txn)) {
    work->AddToCommit(sql);
    return;
  }
  txn.exec(std::string(sql));
}

pqxx::result ExecPrepared(pqxx::work& txn, const Statement& statement,
                          const std::vector<std::string>& params) {
  auto* work = dynamic_cast<PoolWork*>(&txn);
  if (work == nullptr) {
    return txn.exec_params(statement.sql, pqxx::prepare::make_dynamic_params(params));
  }
  if (work->FirstUse(statement.name)) {
    try {
      txn.conn().prepare(statement.name, statement.sql);
    } catch (...) {
      work->Forget(statement.name);
      throw;
    }
  }
  return txn.exec_prepared(statement.name, pqxx::prepare::make_dynamic_params(params));
}

// A libpqxx connection with its server notices sent to the debug log instead of stderr.
class Pool::Connection {
 public:
  // `default_timeout`: the statement timeout of calls without a deadline, set exactly.
  Connection(const std::string& conninfo, milliseconds default_timeout)
      : connection_(conninfo), notices_(connection_), default_timeout_(default_timeout) {}
  pqxx::connection& get() { return connection_; }

  // Runs `statement` outside any transaction block (see Pool::Query).
  pqxx::result Query(const Statement& statement, const std::vector<std::string>& params,
                     milliseconds timeout) {
    KeepSession(timeout, absl::nullopt);
    pqxx::nontransaction txn(connection_);
    if (prepared_.insert(statement.name).second) {
      connection_.prepare(statement.name, statement.sql);
    }
    try {
      return txn.exec_prepared(statement.name, pqxx::prepare::make_dynamic_params(params));
    } catch (const pqxx::sql_error&) {
      // A plan invalidated by a schema change stays broken: prepare it anew next time.
      prepared_.erase(statement.name);
      try {
        connection_.unprepare(statement.name);
      } catch (const std::exception&) {  // not prepared on the server: nothing to drop
      }
      throw;
    }
  }

  // One transaction; `body_ran` turns true once the body has been entered. The statement
  // timeout and the access mode are the session's (KeepSession, before BEGIN), so that a call
  // costs BEGIN, its statements and COMMIT: no SET LOCAL or SET TRANSACTION round trip, except
  // when the session must change (a read-only call after a read-write one on this connection,
  // or a deadline out of the band).
  absl::Status Transaction(bool read_only, milliseconds timeout,
                           const std::function<absl::Status(pqxx::work&)>& body, bool& body_ran) {
    KeepSession(timeout, read_only);
    PoolWork txn(connection_, prepared_);
    body_ran = true;
    absl::Status status = body(txn);
    if (status.ok()) txn.commit();
    return status;  // ~work rolls back when not committed
  }

 private:
  // Sets the session's statement_timeout when it is not between 7/8 of `timeout` (the time left
  // until the call's deadline) and `timeout`, so that calls with the same deadline do not pay
  // for it, and default_transaction_read_only when `read_only` (nullopt: either, for a single
  // statement outside any transaction) differs from it: one round trip for both, none when
  // neither changes. Run outside any transaction block, so that a rollback does not undo it.
  void KeepSession(milliseconds timeout, absl::optional<bool> read_only) {
    std::string set;
    if (session_timeout_ > timeout || session_timeout_ < timeout - timeout / 8) {
      session_timeout_ =
          timeout == default_timeout_ ? timeout : std::max(timeout - timeout / 64, milliseconds(1));
      absl::StrAppend(&set, "SET statement_timeout = ", session_timeout_.count(), ";");
    }
    if (read_only.has_value() && read_only != session_read_only_) {
      session_read_only_ = read_only;
      absl::StrAppend(&set, "SET default_transaction_read_only = ", *read_only ? "on" : "off", ";");
    }
    if (set.empty()) return;
    try {
      pqxx::nontransaction session(connection_);
      session.exec(set);
    } catch (...) {  // the session's state is unknown: set both again next time
      session_timeout_ = milliseconds(0);
      session_read_only_ = absl::nullopt;
      throw;
    }
  }

  class NoticeLog : public pqxx::errorhandler {
   public:
    explicit NoticeLog(pqxx::connection_base& connection) : pqxx::errorhandler(connection) {}
    bool operator()(const char message[]) noexcept override {
      try {
        log::Debug("postgresql notice", {{"notice", std::string(FirstLine(message))}});
      } catch (...) {  // a notice is never worth an exception
      }
      return false;
    }
  };

  pqxx::connection connection_;
  NoticeLog notices_;               // declared after connection_: unregisters before it closes
  std::set<std::string> prepared_;  // statements prepared on this connection
  const milliseconds default_timeout_;
  milliseconds session_timeout_{0};  // 0: the server's default, or unknown
  // default_transaction_read_only of the session; nullopt when unknown.
  absl::optional<bool> session_read_only_ = false;
};

Pool::Pool(PoolOptions options)
    : options_(Normalized(std::move(options))),
      conninfo_(Conninfo(options_)),
      display_url_(RedactPassword(options_.url)) {}

Pool::~Pool() = default;

absl::Status Pool::Transact(Deadline deadline,
                            const std::function<absl::Status(pqxx::work&)>& body) {
  return Run(Access::kReadWrite, deadline, body);
}

absl::Status Pool::ReadOnly(Deadline deadline,
                            const std::function<absl::Status(pqxx::work&)>& body) {
  return Run(Access::kReadOnly, deadline, body);
}

absl::StatusOr<pqxx::result> Pool::Query(Deadline deadline, const Statement& statement,
                                         const std::vector<std::string>& params) {
  absl::optional<pqxx::result> result;
  MAILLAGE_RETURN_IF_ERROR(
      // `ran` stays false: a read has no effect, so a connection found dead is replaced and
      // the statement sent again.
      RunOnce(deadline, [&](Connection& connection, milliseconds timeout, bool& /*ran*/) {
        result = connection.Query(statement, params, timeout);
        return absl::OkStatus();
      }));
  return std::move(*result);
}

absl::Status Pool::Ping(Deadline deadline) {
  return ReadOnly(deadline, [](pqxx::work& txn) {
    txn.exec("SELECT 1");
    return absl::OkStatus();
  });
}

absl::Status Pool::Session(Deadline deadline,
                           const std::function<absl::Status(pqxx::connection&)>& session) {
  bool reused = false;
  MAILLAGE_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, Acquire(deadline, reused));
  if (reused) {  // an idle connection may have died meanwhile: take a new one in its slot
    connection.reset();
    absl::StatusOr<std::unique_ptr<Connection>> fresh = Connect();
    if (!fresh.ok()) {
      Release(nullptr, false);
      return fresh.status();
    }
    connection = std::move(*fresh);
  }
  absl::Status status;
  try {
    status = session(connection->get());
  } catch (const std::exception& e) {
    status = StatusFromException(e, options_.error_domain);
  }
  connection.reset();  // closing the session releases its session-level locks
  Release(nullptr, false);
  return status;
}

absl::Status Pool::Run(Access access, Deadline deadline,
                       const std::function<absl::Status(pqxx::work&)>& body) {
  for (int attempt = 1;; ++attempt) {
    absl::Status status =
        RunOnce(deadline, [&](Connection& connection, milliseconds timeout, bool& body_ran) {
          return connection.Transaction(access == Access::kReadOnly, timeout, body, body_ran);
        });
    if (!IsRetryableSerializationFailure(status)) return status;
    // Seeded here, not on the first call of each thread: gRPC starts and ends threads all along.
    thread_local std::mt19937 random(std::random_device{}());
    std::string reason(GetErrorInfo(status)->reason());
    if (attempt == kMaxAttempts) {
      log::Warn("transaction abandoned after repeated conflicts",
                {{"reason", reason}, {"attempts", absl::StrCat(attempt)}});
      return Aborted(options_.error_domain, reason,
                     absl::StrCat("the transaction conflicted with concurrent ones ", attempt,
                                  " times; retry later"),
                     {{"attempts", absl::StrCat(attempt)}});
    }
    const int64_t base = kRetryBackoff.count() << (attempt - 1);
    milliseconds pause(std::uniform_int_distribution<int64_t>(base / 2, base * 3 / 2)(random));
    if (system_clock::now() + pause >= deadline) return status;
    std::this_thread::sleep_for(pause);
  }
}

absl::Status Pool::RunOnce(Deadline deadline, const Work& work) {
  if (system_clock::now() >= deadline) {
    return DeadlineExceeded(options_.error_domain, "before the database was called");
  }
  bool reused = false;
  MAILLAGE_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, Acquire(deadline, reused));
  for (;;) {
    if (system_clock::now() >= deadline) {
      Release(std::move(connection), true);
      return DeadlineExceeded(options_.error_domain, "while waiting for a database connection");
    }
    bool body_ran = false;
    bool lost = false;
    absl::Status status;
    try {
      status = work(*connection, StatementTimeout(deadline), body_ran);
      lost = !connection->get().is_open();
    } catch (const std::exception& e) {
      if (IsConnectionLost(e)) {
        lost = true;
        status = StatusFromException(e, options_.error_domain);
      } else if (!connection->get().is_open()) {
        lost = true;
        // libpqxx's own words here ("Could not obtain client encoding") say nothing useful.
        status = MakeError(absl::StatusCode::kUnavailable, options_.error_domain,
                           kReasonDatabaseUnavailable,
                           "the database connection was lost; the transaction was not committed");
      } else {
        status = StatusFromException(e, options_.error_domain);
      }
    }
    if (!lost) {
      Release(std::move(connection), true);
      return status;
    }
    log::Warn("database connection lost, closing it and the idle ones",
              {{"error", std::string(status.message())}});
    connection.reset();
    DiscardIdle();
    if (body_ran || !reused) {
      Release(nullptr, false);
      return status;
    }
    // It died while idle and nothing of the body ran: go on with a fresh connection.
    reused = false;
    absl::StatusOr<std::unique_ptr<Connection>> fresh = Connect();
    if (!fresh.ok()) {
      Release(nullptr, false);
      return fresh.status();
    }
    connection = std::move(*fresh);
  }
}

absl::StatusOr<std::unique_ptr<Pool::Connection>> Pool::Acquire(Deadline deadline, bool& reused) {
  std::unique_lock<std::mutex> lock(mu_);
  const Deadline give_up = std::min(deadline, system_clock::now() + options_.acquire_timeout);
  while (idle_.empty() && open_ >= options_.size) {
    ++waiting_;
    const bool timed_out = released_.wait_until(lock, give_up) == std::cv_status::timeout;
    --waiting_;
    if (timed_out && idle_.empty() && open_ >= options_.size) {
      ++acquire_timeouts_;
      if (deadline <= give_up) {
        return DeadlineExceeded(options_.error_domain, "while waiting for a database connection");
      }
      return Unavailable(options_.error_domain, kReasonPoolExhausted,
                         absl::StrCat("no database connection became free within ",
                                      options_.acquire_timeout.count(), " ms (all ", options_.size,
                                      " in use); retry later"),
                         {{"pool_size", absl::StrCat(options_.size)}});
    }
  }
  ++in_use_;
  if (!idle_.empty()) {
    std::unique_ptr<Connection> connection = std::move(idle_.back());
    idle_.pop_back();
    reused = true;
    return connection;
  }
  ++open_;
  lock.unlock();
  reused = false;
  absl::StatusOr<std::unique_ptr<Connection>> connection = Connect();
  if (!connection.ok()) Release(nullptr, false);
  return connection;
}

absl::StatusOr<std::unique_ptr<Pool::Connection>> Pool::Connect() {
  try {
    return std::make_unique<Connection>(conninfo_, options_.default_statement_timeout);
  } catch (const std::exception& e) {
    std::vector<std::string> secrets;
    Redact(conninfo_, secrets);
    std::string error(FirstLine(e.what()));
    for (const std::string& secret : secrets) {
      if (!secret.empty()) absl::StrReplaceAll({{secret, "***"}}, &error);
    }
    log::Warn("cannot connect to PostgreSQL", {{"url", display_url_}, {"error", error}});
    return Unavailable(options_.error_domain, kReasonDatabaseUnavailable,
                       absl::StrCat("cannot connect to PostgreSQL at ", display_url_, ": ", error));
  }
}

void Pool::Release(std::unique_ptr<Connection> connection, bool reusable) {
  std::unique_ptr<Connection> closing;  // closed after the lock is released
  {
    std::lock_guard<std::mutex> lock(mu_);
    --in_use_;
    if (reusable && connection != nullptr && connection->get().is_open()) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
      closing = std::move(connection);
    }
  }
  released_.notify_one();
}

void Pool::DiscardIdle() {
  std::vector<std::unique_ptr<Connection>> closing;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing.swap(idle_);
    open_ -= static_cast<int>(closing.size());
  }
  released_.notify_all();
}

milliseconds Pool::StatementTimeout(Deadline deadline) const {
  if (deadline == Deadline::max()) return options_.default_statement_timeout;
  const auto left = deadline - system_clock::now();
  if (left > kFarDeadline) return options_.default_statement_timeout;
  // 0 would mean "no timeout" to PostgreSQL: never less than 1 ms.
  return std::max(std::chrono::ceil<milliseconds>(left), milliseconds(1));
}

PoolStats Pool::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return PoolStats{options_.size, open_, in_use_, waiting_, acquire_timeouts_};
}

}  // namespace maillage::db
