// A PostgreSQL server for tests, and throwaway databases on it.
//
//   TEST(ActorStoreTest, Creates) {
//     maillage::testing::TestDatabase db("directory");   // a fresh database, dropped at the end
//     maillage::db::PoolOptions options;
//     options.url = db.url();                            // connects as the database's owner
//     ...
//   }
//
// The server is the one at MAILLAGE_TEST_DATABASE_URL (a superuser URL, read when the test
// runs) or, when unset, a private cluster started once per test process. Private clusters run
// /usr/lib/postgresql/15/bin as the postgres user when the process is root, with fsync off and
// max_connections 300 (tests/cluster: one cluster for a whole ctest run),
// from a copy of an initdb'd template (made once per machine and user), in /dev/shm when it is
// a roomy tmpfs (else TMPDIR or /tmp), and are stopped and deleted when their object dies — or, if
// the process dies first, by a small watchdog process that notices it.
//
// Failures (no PostgreSQL binaries, initdb or pg_ctl failing, SQL errors) throw
// std::runtime_error with the tool's output: GoogleTest reports it as a failed test.
#pragma once

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace maillage::testing {

class TestPostgres {
 public:
  // The process-wide server (see the file comment); started on first use.
  static TestPostgres& Shared();
  // A private cluster of its own in a fresh temporary folder, on a free port.
  static std::unique_ptr<TestPostgres> StartPrivate();

  ~TestPostgres();
  TestPostgres(const TestPostgres&) = delete;
  TestPostgres& operator=(const TestPostgres&) = delete;

  // A new empty database named `prefix`_<random> (letters, digits and _ of `prefix` kept),
  // owned by a new login role of the same name with a random password, with the extensions
  // unaccent, pg_trgm and fuzzystrmatch created in it. Returns the libpq URI that connects as
  // that role, as a service would.
  std::string CreateDatabase(absl::string_view prefix);
  // Drops the database and role of a URL returned by CreateDatabase, terminating their
  // connections first. Does nothing when they no longer exist.
  void DropDatabase(const std::string& url);
  // Terminates every backend connected to the database of `url` and waits until they are gone.
  void TerminateConnections(const std::string& url);

  // A superuser URL of the server.
  std::string admin_url() const { return admin_url_; }
  bool is_private() const { return !folder_.empty(); }

  // Private clusters only (fault tests); std::logic_error on the external server.
  void Stop();     // fast shutdown: connections are closed
  void Start();    // on the same port
  void Restart();  // Stop then Start

 private:
  explicit TestPostgres(std::string admin_url);
  TestPostgres(std::string folder, int port);

  // Runs a PostgreSQL tool (as the postgres user when root), output appended to the log.
  void RunTool(const std::string& arguments);
  void StartWatchdog();

  std::string admin_url_;
  std::string folder_;  // private clusters: data/, sock/, tool and server logs
  int port_ = 0;
  int watchdog_pipe_ = -1;  // closing it tells the watchdog to clean up
  int watchdog_pid_ = -1;
};

// A database created on a server for the life of the object.
class TestDatabase {
 public:
  explicit TestDatabase(absl::string_view prefix = "test",
                        TestPostgres& server = TestPostgres::Shared());
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // Connects as the database's owner.
  const std::string& url() const { return url_; }
  TestPostgres& server() const { return server_; }

 private:
  TestPostgres& server_;
  std::string url_;
};

}  // namespace maillage::testing
