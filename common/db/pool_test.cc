// Pool against a real PostgreSQL: transactions, error mapping, deadlines, exhaustion,
// bounded size, recovery after restarts and lost backends, retry of serialization failures.
#include "common/db/pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/sql_error.h"
#include "common/status/errors.h"
#include "common/testing/postgres.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::db {
namespace {

using ::maillage::testing::TestDatabase;
using ::maillage::testing::TestPostgres;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kDomain[] = "test.maillage";
const Deadline kNoDeadline = Deadline::max();

Deadline In(milliseconds delay) { return system_clock::now() + delay; }

milliseconds Since(steady_clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
}

PoolOptions OptionsFor(const std::string& url) {
  PoolOptions options;
  options.url = url;
  options.error_domain = kDomain;
  options.acquire_timeout = milliseconds(1000);
  return options;
}

std::string Reason(const absl::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : "";
}

std::string Metadata(const absl::Status& status, const std::string& key) {
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  if (!info.has_value() || info->metadata().count(key) == 0) return "";
  return info->metadata().at(key);
}

absl::StatusOr<int> CountItems(Pool& pool) {
  return pool.ReadOnly<int>(kNoDeadline, [](pqxx::work& txn) -> absl::StatusOr<int> {
    return txn.exec1("SELECT count(*) FROM items")[0].as<int>();
  });
}

absl::Status Insert(Pool& pool, int id) {
  return pool.Transact(kNoDeadline, [id](pqxx::work& txn) {
    txn.exec_params("INSERT INTO items (id, name) VALUES ($1, 'item')", id);
    return absl::OkStatus();
  });
}

// A gate that lets threads through once `count` of them have arrived.
class Rendezvous {
 public:
  explicit Rendezvous(int count) : count_(count) {}
  // False when the others did not come within 10 s.
  bool ArriveAndWait() {
    std::unique_lock<std::mutex> lock(mu_);
    if (--count_ <= 0) all_arrived_.notify_all();
    return all_arrived_.wait_for(lock, std::chrono::seconds(10), [this] { return count_ <= 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable all_arrived_;
  int count_;
};

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(pool_.Transact(kNoDeadline,
                               [](pqxx::work& txn) {
                                 txn.exec(
                                     "CREATE TABLE items ("
                                     "  id int PRIMARY KEY,"
                                     "  email text UNIQUE,"
                                     "  parent int REFERENCES items (id),"
                                     "  quantity int CHECK (quantity >= 0),"
                                     "  name text NOT NULL)");
                                 return absl::OkStatus();
                               }),
                IsOk());
  }

  TestDatabase db_{"pool"};
  Pool pool_{OptionsFor(db_.url())};
};

TEST_F(PoolTest, CommitsWhenTheBodyReturnsOk) {
  ASSERT_THAT(Insert(pool_, 1), IsOk());
  EXPECT_EQ(*CountItems(pool_), 1);
}

TEST_F(PoolTest, RollsBackWhenTheBodyReturnsAnError) {
  absl::Status status = pool_.Transact(kNoDeadline, [](pqxx::work& txn) {
    txn.exec("INSERT INTO items (id, name) VALUES (1, 'kept?')");
    return NotFound(kDomain, "ACTOR_NOT_FOUND", "no such actor");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Reason(status), "ACTOR_NOT_FOUND");
  EXPECT_EQ(*CountItems(pool_), 0);
}

TEST_F(PoolTest, RollsBackWhenTheBodyThrows) {
  absl::Status status = pool_.Transact(kNoDeadline, [](pqxx::work& txn) -> absl::Status {
    txn.exec("INSERT INTO items (id, name) VALUES (1, 'kept?')");
    throw std::runtime_error("bug in the body");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("bug in the body")));
  EXPECT_EQ(*CountItems(pool_), 0);
}

TEST_F(PoolTest, ReturnsTheValueOfTheBody) {
  absl::StatusOr<std::string> value =
      pool_.Transact<std::string>(kNoDeadline, [](pqxx::work& txn) -> absl::StatusOr<std::string> {
        return txn.exec1("SELECT 'Économie ' || 'solidaire'")[0].as<std::string>();
      });
  ASSERT_THAT(value, IsOk()) << value.status();
  EXPECT_EQ(*value, "Économie solidaire");

  absl::StatusOr<int> failed =
      pool_.Transact<int>(kNoDeadline, [](pqxx::work&) -> absl::StatusOr<int> {
        return FailedPrecondition(kDomain, "MEETING_CLOSED", "closed");
      });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(PoolTest, ReadOnlyRefusesWrites) {
  absl::Status status = pool_.ReadOnly(kNoDeadline, [](pqxx::work& txn) {
    txn.exec("INSERT INTO items (id, name) VALUES (1, 'x')");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(Metadata(status, "sqlstate"), "25006");
  EXPECT_EQ(*CountItems(pool_), 0);
}

TEST_F(PoolTest, MapsConstraintViolationsOfTheServer) {
  ASSERT_THAT(
      pool_.Transact(kNoDeadline,
                     [](pqxx::work& txn) {
                       txn.exec("INSERT INTO items (id, email, name) VALUES (1, 'a@b.fr', 'a')");
                       return absl::OkStatus();
                     }),
      IsOk());
  auto run = [this](const std::string& sql) {
    return pool_.Transact(kNoDeadline, [&sql](pqxx::work& txn) {
      txn.exec(sql);
      return absl::OkStatus();
    });
  };

  absl::Status unique = run("INSERT INTO items (id, email, name) VALUES (2, 'a@b.fr', 'b')");
  EXPECT_EQ(unique.code(), absl::StatusCode::kAlreadyExists) << unique;
  EXPECT_EQ(Metadata(unique, "constraint"), "items_email_key");
  EXPECT_THAT(std::string(unique.message()), Not(HasSubstr("a@b.fr")));
  EXPECT_THAT(std::string(unique.message()), Not(HasSubstr("INSERT")));

  absl::Status foreign_key = run("INSERT INTO items (id, parent, name) VALUES (3, 999, 'c')");
  EXPECT_EQ(foreign_key.code(), absl::StatusCode::kFailedPrecondition) << foreign_key;
  EXPECT_EQ(Metadata(foreign_key, "constraint"), "items_parent_fkey");

  absl::Status check = run("INSERT INTO items (id, quantity, name) VALUES (4, -1, 'd')");
  EXPECT_EQ(check.code(), absl::StatusCode::kInvalidArgument) << check;
  EXPECT_EQ(Metadata(check, "constraint"), "items_quantity_check");

  absl::Status not_null = run("INSERT INTO items (id) VALUES (5)");
  EXPECT_EQ(not_null.code(), absl::StatusCode::kInvalidArgument) << not_null;
  EXPECT_EQ(Metadata(not_null, "column"), "name");

  absl::Status bad_data = run("INSERT INTO items (id, name) VALUES ('six', 'e')");
  EXPECT_EQ(bad_data.code(), absl::StatusCode::kInvalidArgument) << bad_data;
  EXPECT_EQ(Reason(bad_data), "INVALID_DATA");

  absl::Status syntax = run("SELEC wrong_on_purpose");
  EXPECT_EQ(syntax.code(), absl::StatusCode::kInternal) << syntax;
  EXPECT_THAT(std::string(syntax.message()), Not(HasSubstr("wrong_on_purpose")));

  EXPECT_EQ(*CountItems(pool_), 1);
}

TEST_F(PoolTest, ShortDeadlineCancelsTheStatement) {
  const auto start = steady_clock::now();
  absl::Status status = pool_.Transact(In(milliseconds(300)), [](pqxx::work& txn) {
    txn.exec("SELECT pg_sleep(5)");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_EQ(Reason(status), "STATEMENT_TIMEOUT");
  EXPECT_LT(Since(start), milliseconds(2000));
  EXPECT_THAT(pool_.Ping(kNoDeadline), IsOk());
}

TEST_F(PoolTest, StatementTimeoutFollowsTheDeadline) {
  auto timeout_ms = [this](Deadline deadline) {
    return *pool_.ReadOnly<int>(deadline, [](pqxx::work& txn) -> absl::StatusOr<int> {
      return txn.exec1("SELECT setting::int FROM pg_settings WHERE name = 'statement_timeout'")[0]
          .as<int>();
    });
  };
  const int near = timeout_ms(In(milliseconds(30000)));
  EXPECT_GT(near, 29000);
  EXPECT_LE(near, 30000);
  EXPECT_EQ(timeout_ms(kNoDeadline), 10000);  // PoolOptions::default_statement_timeout
  EXPECT_EQ(timeout_ms(In(std::chrono::hours(48))), 10000);
}

// The timeout and the access mode are the session's (set before BEGIN only when they change):
// on one connection, each call still gets its own deadline and its own mode.
TEST_F(PoolTest, EachCallOnOneConnectionGetsItsOwnDeadline) {
  PoolOptions options = OptionsFor(db_.url());
  options.size = 1;
  Pool pool(options);
  auto sleep = [&pool](Deadline deadline, const char* seconds) {
    return pool.Transact(deadline, [seconds](pqxx::work& txn) {
      txn.exec(absl::StrCat("SELECT pg_sleep(", seconds, ")"));
      return absl::OkStatus();
    });
  };
  ASSERT_THAT(sleep(In(milliseconds(60000)), "0"), IsOk());
  auto start = steady_clock::now();
  absl::Status cut = sleep(In(milliseconds(300)), "5");
  EXPECT_EQ(cut.code(), absl::StatusCode::kDeadlineExceeded) << cut;
  EXPECT_LT(Since(start), milliseconds(2000));
  // A longer deadline after a short one is not cut at the short one's timeout.
  EXPECT_THAT(sleep(In(milliseconds(30000)), "0.6"), IsOk());
  // Nor is a single-statement read after a short transaction.
  ASSERT_THAT(sleep(In(milliseconds(2000)), "0"), IsOk());
  absl::StatusOr<pqxx::result> read =
      pool.Query(In(milliseconds(30000)), Statement{"pool_test_sleep", "SELECT pg_sleep(0.6)"}, {});
  EXPECT_THAT(read, IsOk());
  EXPECT_EQ(pool.Stats().open, 1);
}

TEST_F(PoolTest, EachCallOnOneConnectionGetsItsOwnAccessMode) {
  PoolOptions options = OptionsFor(db_.url());
  options.size = 1;
  Pool pool(options);
  auto write = [&pool](bool read_only, int id) {
    auto body = [id](pqxx::work& txn) {
      txn.exec_params("INSERT INTO items (id, name) VALUES ($1, 'item')", id);
      return absl::OkStatus();
    };
    return read_only ? pool.ReadOnly(kNoDeadline, body) : pool.Transact(kNoDeadline, body);
  };
  EXPECT_THAT(CountItems(pool), IsOk());                     // read-only
  EXPECT_THAT(write(false, 1), IsOk());                      // read-write after read-only
  EXPECT_EQ(Metadata(write(true, 2), "sqlstate"), "25006");  // read-only after read-write
  EXPECT_THAT(write(false, 3), IsOk());
  EXPECT_THAT(
      pool.Query(kNoDeadline, Statement{"pool_test_count", "SELECT count(*) FROM items"}, {}),
      IsOk());
  EXPECT_THAT(write(false, 4), IsOk());  // read-write after a single-statement read
  EXPECT_EQ(Metadata(write(true, 5), "sqlstate"), "25006");
  EXPECT_EQ(*CountItems(pool), 3);
  EXPECT_EQ(pool.Stats().open, 1);
}

TEST_F(PoolTest, NoDeadlineGetsTheDefaultStatementTimeout) {
  PoolOptions options = OptionsFor(db_.url());
  options.default_statement_timeout = milliseconds(200);
  Pool pool(options);
  const auto start = steady_clock::now();
  absl::Status status = pool.Transact(kNoDeadline, [](pqxx::work& txn) {
    txn.exec("SELECT pg_sleep(5)");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_LT(Since(start), milliseconds(2000));
}

TEST_F(PoolTest, PastDeadlineFailsWithoutTouchingTheDatabase) {
  Pool pool(OptionsFor(db_.url()));
  bool ran = false;
  absl::Status status = pool.Transact(In(milliseconds(-1)), [&ran](pqxx::work&) {
    ran = true;
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_FALSE(ran);
  EXPECT_EQ(pool.Stats().open, 0);
}

TEST_F(PoolTest, ExhaustedPoolFailsUnavailableAfterTheAcquireTimeout) {
  PoolOptions options = OptionsFor(db_.url());
  options.size = 2;
  options.acquire_timeout = milliseconds(300);
  Pool pool(options);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::vector<std::thread> holders;
  for (int i = 0; i < 2; ++i) {
    holders.emplace_back([&pool, released] {
      EXPECT_THAT(pool.Transact(kNoDeadline,
                                [released](pqxx::work& txn) {
                                  txn.exec("SELECT 1");
                                  released.wait();
                                  return absl::OkStatus();
                                }),
                  IsOk());
    });
  }
  while (pool.Stats().in_use < 2) std::this_thread::sleep_for(milliseconds(5));

  auto start = steady_clock::now();
  absl::Status exhausted = pool.Ping(kNoDeadline);
  milliseconds waited = Since(start);
  EXPECT_EQ(exhausted.code(), absl::StatusCode::kUnavailable) << exhausted;
  EXPECT_EQ(Reason(exhausted), "POOL_EXHAUSTED");
  EXPECT_GE(waited, milliseconds(280));
  EXPECT_LT(waited, milliseconds(1500));

  start = steady_clock::now();
  absl::Status deadline = pool.Ping(In(milliseconds(100)));
  EXPECT_EQ(deadline.code(), absl::StatusCode::kDeadlineExceeded) << deadline;
  EXPECT_LT(Since(start), milliseconds(280));

  PoolStats stats = pool.Stats();
  EXPECT_EQ(stats.acquire_timeouts, 2);
  EXPECT_EQ(stats.open, 2);
  EXPECT_EQ(stats.in_use, 2);

  release.set_value();
  for (std::thread& holder : holders) holder.join();
  EXPECT_THAT(pool.Ping(kNoDeadline), IsOk());
  EXPECT_EQ(pool.Stats().in_use, 0);
}

TEST_F(PoolTest, ConcurrentCallsNeverUseMoreThanSizeConnections) {
  PoolOptions options = OptionsFor(db_.url());
  options.size = 3;
  options.acquire_timeout = milliseconds(10000);
  options.application_name = "pool-size-test";
  Pool pool(options);
  std::atomic<int> most_seen{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        absl::Status status = pool.ReadOnly(kNoDeadline, [&](pqxx::work& txn) {
          int seen = txn.exec1(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE application_name = 'pool-size-test'")[0]
                         .as<int>();
          txn.exec("SELECT pg_sleep(0.003)");
          int previous = most_seen.load();
          while (seen > previous && !most_seen.compare_exchange_weak(previous, seen)) {
          }
          EXPECT_LE(pool.Stats().open, 3);
          return absl::OkStatus();
        });
        if (!status.ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(most_seen.load(), 3);
  EXPECT_GE(most_seen.load(), 2);  // the calls did overlap
  EXPECT_LE(pool.Stats().open, 3);
}

TEST(PoolRecoveryTest, RecoversAfterTheDatabaseRestartsOrStops) {
  std::unique_ptr<TestPostgres> server = TestPostgres::StartPrivate();
  TestDatabase db("restart", *server);
  Pool pool(OptionsFor(db.url()));
  ASSERT_THAT(pool.Ping(kNoDeadline), IsOk());

  server->Restart();
  absl::Status first = pool.Ping(kNoDeadline);
  EXPECT_TRUE(first.ok() || first.code() == absl::StatusCode::kUnavailable) << first;
  for (int i = 0; i < 3; ++i) EXPECT_THAT(pool.Ping(kNoDeadline), IsOk());

  server->Stop();
  absl::Status down = pool.Ping(kNoDeadline);
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable) << down;
  EXPECT_EQ(pool.Stats().open, 0);  // nothing half-open is kept
  server->Start();
  EXPECT_THAT(pool.Ping(kNoDeadline), IsOk());
}

TEST_F(PoolTest, TerminatedBackendIsUnavailableAndLeavesNothingPartial) {
  absl::Status status = pool_.Transact(kNoDeadline, [this](pqxx::work& txn) {
    txn.exec("INSERT INTO items (id, name) VALUES (1, 'first half')");
    db_.server().TerminateConnections(db_.url());
    txn.exec("INSERT INTO items (id, name) VALUES (2, 'second half')");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(*CountItems(pool_), 0);
  EXPECT_THAT(Insert(pool_, 3), IsOk());
}

TEST_F(PoolTest, ExecAtCommitRunsWithTheCommitAfterTheBody) {
  ASSERT_THAT(pool_.Transact(kNoDeadline,
                             [](pqxx::work& txn) {
                               ExecAtCommit(txn, "INSERT INTO items (id, name) VALUES (1, 'a');");
                               ExecAtCommit(txn, "UPDATE items SET name = 'b' WHERE id = 1;");
                               // Not sent yet: the body does not see it.
                               EXPECT_EQ(txn.exec1("SELECT count(*) FROM items")[0].as<int>(), 0);
                               txn.exec("INSERT INTO items (id, name) VALUES (2, 'body')");
                               return absl::OkStatus();
                             }),
              IsOk());
  EXPECT_EQ(*CountItems(pool_), 2);
  absl::StatusOr<pqxx::result> name = pool_.Query(
      kNoDeadline, Statement{"pool_test_at_commit", "SELECT name FROM items WHERE id = 1"}, {});
  ASSERT_THAT(name, IsOk());
  EXPECT_EQ((*name)[0][0].as<std::string>(), "b");  // in the order given
}

TEST_F(PoolTest, ExecAtCommitIsDroppedWhenTheBodyFails) {
  absl::Status status = pool_.Transact(kNoDeadline, [](pqxx::work& txn) {
    ExecAtCommit(txn, "INSERT INTO items (id, name) VALUES (1, 'a');");
    return NotFound(kDomain, "ACTOR_NOT_FOUND", "no such actor");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*CountItems(pool_), 0);
}

TEST_F(PoolTest, FailingExecAtCommitStatementCommitsNothingAndFreesTheConnection) {
  PoolOptions options = OptionsFor(db_.url());
  options.size = 1;  // the next call gets the same connection
  Pool pool(options);
  absl::Status status = pool.Transact(kNoDeadline, [](pqxx::work& txn) {
    txn.exec("INSERT INTO items (id, name, email) VALUES (1, 'body', 'x@example.org')");
    ExecAtCommit(txn, "INSERT INTO items (id, name, email) VALUES (2, 'tail', 'x@example.org');");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_EQ(*CountItems(pool), 0);
  EXPECT_THAT(Insert(pool, 3), IsOk());  // the session is out of the failed transaction
  EXPECT_EQ(*CountItems(pool), 1);
  EXPECT_EQ(pool.Stats().open, 1);
}

TEST_F(PoolTest, SerializationFailureAtCommitRunsTheBodyAgain) {
  int attempts = 0;
  absl::Status status = pool_.Transact(kNoDeadline, [&attempts](pqxx::work& txn) {
    ++attempts;
    txn.exec_params("INSERT INTO items (id, name) VALUES ($1, 'try')", attempts);
    if (attempts == 1) {
      ExecAtCommit(txn, "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$;");
    }
    return absl::OkStatus();
  });
  EXPECT_THAT(status, IsOk()) << status;
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(*CountItems(pool_), 1);
}

TEST_F(PoolTest, ConnectionLostAtCommitIsInDoubt) {
  absl::Status status = pool_.Transact(kNoDeadline, [](pqxx::work& txn) {
    txn.exec("INSERT INTO items (id, name) VALUES (1, 'a')");
    ExecAtCommit(txn, "SELECT pg_terminate_backend(pg_backend_pid());");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(Reason(status), "COMMIT_IN_DOUBT");
  EXPECT_EQ(*CountItems(pool_), 0);  // in fact it was not committed
  EXPECT_THAT(Insert(pool_, 2), IsOk());
}

TEST_F(PoolTest, ExecAtCommitOutsideThePoolRunsAtOnce) {
  pqxx::connection connection(db_.url());
  pqxx::work txn(connection);
  ExecAtCommit(txn, "INSERT INTO items (id, name) VALUES (1, 'a');");
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM items")[0].as<int>(), 1);
  const Statement name{"pool_test_plain_name", "SELECT name FROM items WHERE id = $1"};
  EXPECT_EQ(ExecPrepared(txn, name, {"1"})[0][0].as<std::string>(), "a");
}

TEST_F(PoolTest, ExecPreparedRunsAgainOnTheSameConnectionEvenAfterARollback) {
  PoolOptions options = OptionsFor(db_.url());
  options.size = 1;
  Pool pool(options);
  const Statement insert{"pool_test_insert_item",
                         "INSERT INTO items (id, name) VALUES ($1::int, $2) RETURNING id"};
  // Prepared in a transaction that rolls back: the statement stays prepared.
  EXPECT_EQ(pool.Transact(kNoDeadline,
                          [&](pqxx::work& txn) {
                            ExecPrepared(txn, insert, {"1", "rolled back"});
                            return NotFound(kDomain, "NO", "rolled back");
                          })
                .code(),
            absl::StatusCode::kNotFound);
  for (int id = 2; id <= 4; ++id) {
    absl::StatusOr<int> inserted =
        pool.Transact<int>(kNoDeadline, [&](pqxx::work& txn) -> absl::StatusOr<int> {
          return ExecPrepared(txn, insert, {absl::StrCat(id), "kept"})[0][0].as<int>();
        });
    ASSERT_THAT(inserted, IsOk());
    EXPECT_EQ(*inserted, id);
  }
  // A statement error leaves it usable too.
  EXPECT_EQ(pool.Transact(kNoDeadline,
                          [&](pqxx::work& txn) {
                            ExecPrepared(txn, insert, {"2", "duplicate"});
                            return absl::OkStatus();
                          })
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(pool.Transact(kNoDeadline,
                            [&](pqxx::work& txn) {
                              ExecPrepared(txn, insert, {"5", "kept"});
                              return absl::OkStatus();
                            }),
              IsOk());
  EXPECT_EQ(*CountItems(pool), 4);
  EXPECT_EQ(pool.Stats().open, 1);
}

const Statement kItemName{"pool_test_item_name", "SELECT name FROM items WHERE id = $1"};
const Statement kSleep{"pool_test_sleep", "SELECT pg_sleep($1::float8)"};

TEST_F(PoolTest, QueryReadsWithItsParametersAgainAndAgain) {
  ASSERT_THAT(Insert(pool_, 1), IsOk());
  for (int i = 0; i < 3; ++i) {  // prepared on the first run, reused by the next ones
    absl::StatusOr<pqxx::result> rows = pool_.Query(kNoDeadline, kItemName, {"1"});
    ASSERT_THAT(rows, IsOk()) << rows.status();
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0][0].as<std::string>(), "item");
  }
  absl::StatusOr<pqxx::result> none = pool_.Query(kNoDeadline, kItemName, {"2"});
  ASSERT_THAT(none, IsOk()) << none.status();
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(pool_.Stats().open, 1);
}

TEST_F(PoolTest, QueryFollowsEachCallsDeadline) {
  PoolOptions options = OptionsFor(db_.url());
  options.size = 1;  // every call on the same connection and its session timeout
  Pool pool(options);
  // A far deadline first: the session timeout it leaves must not outlive a nearer deadline.
  ASSERT_THAT(pool.Query(In(milliseconds(60000)), kSleep, {"0"}), IsOk());
  auto start = steady_clock::now();
  absl::StatusOr<pqxx::result> late = pool.Query(In(milliseconds(300)), kSleep, {"5"});
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded) << late.status();
  EXPECT_LT(Since(start), milliseconds(2000));
  // Nor may a near deadline's timeout cut a later call that has time.
  start = steady_clock::now();
  absl::StatusOr<pqxx::result> slow = pool.Query(In(milliseconds(60000)), kSleep, {"0.5"});
  EXPECT_THAT(slow, IsOk()) << slow.status();
  EXPECT_GE(Since(start), milliseconds(500));
  // And transactions on the same connection still get their own deadline.
  absl::Status transaction = pool.Transact(In(milliseconds(300)), [](pqxx::work& txn) {
    txn.exec("SELECT pg_sleep(5)");
    return absl::OkStatus();
  });
  EXPECT_EQ(transaction.code(), absl::StatusCode::kDeadlineExceeded) << transaction;
}

TEST_F(PoolTest, QueryRunsAgainOnAFreshConnectionWhenTheIdleOneDied) {
  ASSERT_THAT(Insert(pool_, 1), IsOk());
  ASSERT_THAT(pool_.Query(kNoDeadline, kItemName, {"1"}), IsOk());
  db_.server().TerminateConnections(db_.url());
  absl::StatusOr<pqxx::result> rows = pool_.Query(kNoDeadline, kItemName, {"1"});
  ASSERT_THAT(rows, IsOk()) << rows.status();
  EXPECT_EQ(rows->size(), 1u);
}

TEST_F(PoolTest, QueryIsPreparedAnewAfterASchemaChange) {
  ASSERT_THAT(Insert(pool_, 1), IsOk());
  const Statement everything{"pool_test_everything", "SELECT * FROM items WHERE id = $1"};
  ASSERT_THAT(pool_.Query(kNoDeadline, everything, {"1"}), IsOk());
  ASSERT_THAT(pool_.Transact(kNoDeadline,
                             [](pqxx::work& txn) {
                               txn.exec("ALTER TABLE items ADD COLUMN note text");
                               return absl::OkStatus();
                             }),
              IsOk());
  // PostgreSQL refuses the old plan once (its columns changed); the next call prepares again.
  absl::StatusOr<pqxx::result> first = pool_.Query(kNoDeadline, everything, {"1"});
  absl::StatusOr<pqxx::result> rows =
      first.ok() ? first : pool_.Query(kNoDeadline, everything, {"1"});
  ASSERT_THAT(rows, IsOk()) << rows.status();
  EXPECT_EQ(rows->columns(), 6u);
}

TEST_F(PoolTest, SerializationFailureRunsTheBodyAgain) {
  int attempts = 0;
  absl::Status status = pool_.Transact(kNoDeadline, [&attempts](pqxx::work& txn) {
    ++attempts;
    txn.exec_params("INSERT INTO items (id, name) VALUES ($1, 'try')", attempts);
    if (attempts == 1) {
      txn.exec("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$");
    }
    return absl::OkStatus();
  });
  EXPECT_THAT(status, IsOk()) << status;
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(*CountItems(pool_), 1);  // the first attempt's row was rolled back
}

TEST_F(PoolTest, GivesUpWithAbortedAfterThreeAttempts) {
  int attempts = 0;
  absl::Status status = pool_.Transact(kNoDeadline, [&attempts](pqxx::work& txn) {
    ++attempts;
    txn.exec("DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_EQ(Reason(status), "DEADLOCK_DETECTED");
  EXPECT_EQ(attempts, 3);
}

TEST_F(PoolTest, ConflictingSerializableTransactionsBothSucceedByRetrying) {
  // Write skew: each transaction reads the rows, then adds one; SERIALIZABLE lets only one of
  // the first attempts commit, and the retry of the other sees its row.
  Rendezvous both_have_read(2);
  std::atomic<int> attempts{0};
  auto add_row = [&](int id) {
    bool first_attempt = true;
    return pool_.Transact(kNoDeadline, [&, id](pqxx::work& txn) {
      ++attempts;
      txn.exec("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
      int before = txn.exec1("SELECT count(*) FROM items")[0].as<int>();
      if (first_attempt) {
        first_attempt = false;
        EXPECT_TRUE(both_have_read.ArriveAndWait());
      }
      txn.exec_params("INSERT INTO items (id, quantity, name) VALUES ($1, $2, 'skew')", id, before);
      return absl::OkStatus();
    });
  };
  absl::Status first;
  absl::Status second;
  std::thread other([&] { second = add_row(2); });
  first = add_row(1);
  other.join();
  EXPECT_THAT(first, IsOk()) << first;
  EXPECT_THAT(second, IsOk()) << second;
  EXPECT_GE(attempts.load(), 3);
  // One saw no row, the other (retried) saw the first's row.
  EXPECT_EQ(*pool_.ReadOnly<int>(kNoDeadline,
                                 [](pqxx::work& txn) -> absl::StatusOr<int> {
                                   return txn.exec1("SELECT sum(quantity) FROM items")[0].as<int>();
                                 }),
            1);
}

TEST(PoolUnreachableTest, UnavailableWithoutThePassword) {
  PoolOptions options;
  options.url = "postgresql://maillage:s3cr3t-pw@127.0.0.1:1/nowhere";
  options.error_domain = kDomain;
  Pool pool(options);
  absl::Status status = pool.Ping(kNoDeadline);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Reason(status), "DATABASE_UNAVAILABLE");
  EXPECT_THAT(std::string(status.message()), HasSubstr("127.0.0.1"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("s3cr3t-pw")));
  PoolStats stats = pool.Stats();
  EXPECT_EQ(stats.open, 0);
  EXPECT_EQ(stats.in_use, 0);
}

TEST(RedactPasswordTest, MasksEveryFormOfPassword) {
  EXPECT_EQ(RedactPassword("postgresql://ess_directory:pw@db:5432/ess_directory"),
            "postgresql://ess_directory:***@db:5432/ess_directory");
  EXPECT_EQ(RedactPassword("postgres://u@db/x?sslmode=require&password=pw&connect_timeout=2"),
            "postgres://u@db/x?sslmode=require&password=***&connect_timeout=2");
  EXPECT_EQ(RedactPassword("postgresql://u:p%40ss@h1:5432,h2:5432/db"),
            "postgresql://u:***@h1:5432,h2:5432/db");
  EXPECT_EQ(RedactPassword("host=db user=u password='it\\'s secret' dbname=x"),
            "host=db user=u password=*** dbname=x");
  EXPECT_EQ(RedactPassword("host=db password = pw"), "host=db password = ***");
  EXPECT_EQ(RedactPassword("postgresql://u@db/x"), "postgresql://u@db/x");
}

}  // namespace
}  // namespace maillage::db
