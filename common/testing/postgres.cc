// Throwaway PostgreSQL servers and databases for tests.
#include "common/testing/postgres.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

extern char** environ;

namespace maillage::testing {
namespace {

namespace fs = std::filesystem;

constexpr absl::string_view kBinDir = "/usr/lib/postgresql/15/bin";
constexpr int kStartAttempts = 3;  // a free port can be taken between the check and the start

std::string ShellQuote(absl::string_view s) {
  return absl::StrCat("'", absl::StrReplaceAll(s, {{"'", "'\\''"}}), "'");
}

std::string RandomHex(int length) {
  thread_local std::mt19937_64 random(std::random_device{}());
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < length; ++i) out.push_back(kDigits[random() % 16]);
  return out;
}

// Where clusters live: /dev/shm when it is a roomy tmpfs (a cluster's files then cost no disk
// I/O, which makes starting one several times faster on a busy machine), else TMPDIR or /tmp.
std::string TempRoot() {
  struct statvfs shm;
  if (statvfs("/dev/shm", &shm) == 0 && access("/dev/shm", W_OK) == 0 &&
      static_cast<uint64_t>(shm.f_bavail) * shm.f_frsize >= (uint64_t{1} << 30)) {
    return "/dev/shm";
  }
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

bool IsRoot() { return geteuid() == 0; }

// The prefix of every PostgreSQL tool command: PostgreSQL refuses to run as root.
std::string AsServerUser() { return IsRoot() ? "runuser -u postgres -- " : ""; }

std::string Tool(absl::string_view name) { return absl::StrCat(kBinDir, "/", name); }

// The last `max_bytes` of a file, or "" when it cannot be read.
std::string Tail(const std::string& path, size_t max_bytes = 8000) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  return content.size() > max_bytes ? content.substr(content.size() - max_bytes) : content;
}

// Runs `command` with its output appended to `log`; throws with the logs on failure.
void RunLogged(const std::string& command, const std::string& log,
               const std::string& server_log = "") {
  int rc = std::system(absl::StrCat(command, " >>", ShellQuote(log), " 2>&1").c_str());
  if (rc == 0) return;
  std::string message = absl::StrCat("TestPostgres: command failed (status ", rc, "): ", command,
                                     "\n--- ", log, "\n", Tail(log));
  if (!server_log.empty()) absl::StrAppend(&message, "\n--- ", server_log, "\n", Tail(server_log));
  std::fprintf(stderr, "%s\n", message.c_str());
  throw std::runtime_error(message);
}

void GiveToServerUser(const std::string& path) {
  if (!IsRoot()) return;
  const passwd* user = getpwnam("postgres");
  if (user == nullptr)
    throw std::runtime_error("TestPostgres: running as root and no postgres user");
  if (chown(path.c_str(), user->pw_uid, user->pw_gid) != 0) {
    throw std::runtime_error(absl::StrCat("TestPostgres: cannot chown ", path));
  }
}

// A data folder made by initdb once per machine and user; clusters start from a copy of it,
// which takes a fraction of initdb's time.
std::string EnsureTemplate(const std::string& log) {
  const std::string path = absl::StrCat(TempRoot(), "/maillage-pg15-template-", geteuid());
  if (fs::exists(path + "/PG_VERSION") && fs::exists(path + "/global/pg_control")) return path;
  const std::string building = absl::StrCat(path, ".building-", getpid(), "-", RandomHex(6));
  RunLogged(absl::StrCat(AsServerUser(), Tool("initdb"),
                         " -A trust --no-sync -E UTF8 --locale C.UTF-8 -U postgres"
                         " --wal-segsize=1 -D ",
                         ShellQuote(building)),
            log);
  std::error_code ignored;
  if (!fs::exists(path + "/PG_VERSION")) fs::remove_all(path, ignored);  // a damaged template
  if (std::rename(building.c_str(), path.c_str()) != 0) {
    fs::remove_all(building, ignored);  // another process made it first
  }
  return path;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("TestPostgres: cannot find a free port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

// The database name of a URL made by CreateDatabase: the path of the URI.
std::string DatabaseName(const std::string& url) {
  size_t scheme = url.find("://");
  size_t slash = scheme == std::string::npos ? std::string::npos : url.find('/', scheme + 3);
  if (slash == std::string::npos) {
    throw std::invalid_argument(absl::StrCat("TestPostgres: not a database URL: ", url));
  }
  std::string name = url.substr(slash + 1, url.find('?', slash) - slash - 1);
  for (char c : name) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') {
      throw std::invalid_argument(absl::StrCat("TestPostgres: not a test database: ", name));
    }
  }
  return name;
}

std::string PercentEncode(absl::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

// `admin_url` pointed at database `name` (libpq: a later dbname wins).
std::string WithDatabase(const std::string& admin_url, const std::string& name) {
  if (absl::StartsWith(admin_url, "postgresql://") || absl::StartsWith(admin_url, "postgres://")) {
    return absl::StrCat(admin_url, admin_url.find('?') == std::string::npos ? "?" : "&",
                        "dbname=", name);
  }
  return absl::StrCat(admin_url, " dbname=", name);
}

// Runs `statements` on a new superuser connection to `url`, in autocommit mode.
void Execute(const std::string& url, const std::vector<std::string>& statements,
             absl::string_view what) {
  try {
    pqxx::connection connection(url);
    pqxx::nontransaction txn(connection);
    for (const std::string& statement : statements) txn.exec(statement);
  } catch (const std::exception& e) {
    throw std::runtime_error(absl::StrCat("TestPostgres: ", what, ": ", e.what()));
  }
}

}  // namespace

TestPostgres& TestPostgres::Shared() {
  static std::mutex mu;
  static std::unique_ptr<TestPostgres> shared;
  std::lock_guard<std::mutex> lock(mu);
  if (shared == nullptr) {
    const char* url = std::getenv("MAILLAGE_TEST_DATABASE_URL");
    shared = url != nullptr && *url != '\0' ? std::unique_ptr<TestPostgres>(new TestPostgres(url))
                                            : StartPrivate();
  }
  return *shared;
}

std::unique_ptr<TestPostgres> TestPostgres::StartPrivate() {
  if (!fs::exists(Tool("pg_ctl"))) {
    throw std::runtime_error(
        absl::StrCat("TestPostgres: no PostgreSQL 15 server in ", kBinDir,
                     " (apt-get install postgresql-15), or set MAILLAGE_TEST_DATABASE_URL"));
  }
  std::string folder = absl::StrCat(TempRoot(), "/maillage-pg-XXXXXX");
  if (mkdtemp(folder.data()) == nullptr) {
    throw std::runtime_error(absl::StrCat("TestPostgres: cannot create a folder in ", TempRoot()));
  }
  // From here on the destructor, or the watchdog if the process dies, deletes the folder.
  std::unique_ptr<TestPostgres> server(new TestPostgres(folder, FreePort()));
  server->StartWatchdog();
  GiveToServerUser(folder);
  const std::string log = folder + "/tools.log";
  const std::string template_folder = EnsureTemplate(log);
  RunLogged(absl::StrCat(AsServerUser(), "mkdir ", ShellQuote(folder + "/sock")), log);
  RunLogged(absl::StrCat(AsServerUser(), "cp -a ", ShellQuote(template_folder), " ",
                         ShellQuote(folder + "/data")),
            log);
  for (int attempt = 1;; ++attempt) {
    try {
      server->Start();
      return server;
    } catch (const std::runtime_error&) {
      if (attempt == kStartAttempts) throw;
      server->port_ = FreePort();
      server->admin_url_ =
          absl::StrCat("postgresql://postgres@127.0.0.1:", server->port_, "/postgres");
    }
  }
}

TestPostgres::TestPostgres(std::string admin_url) : admin_url_(std::move(admin_url)) {}

TestPostgres::TestPostgres(std::string folder, int port)
    : admin_url_(absl::StrCat("postgresql://postgres@127.0.0.1:", port, "/postgres")),
      folder_(std::move(folder)),
      port_(port) {}

TestPostgres::~TestPostgres() {
  if (!is_private()) return;
  // Fails quietly when the cluster is already stopped or was never started.
  std::system(absl::StrCat(AsServerUser(), Tool("pg_ctl"), " -D ", ShellQuote(folder_ + "/data"),
                           " -m immediate -w stop >/dev/null 2>&1")
                  .c_str());
  std::error_code ignored;
  fs::remove_all(folder_, ignored);
  if (watchdog_pipe_ >= 0) {
    close(watchdog_pipe_);
    waitpid(watchdog_pid_, nullptr, 0);
  }
}

void TestPostgres::RunTool(const std::string& arguments) {
  RunLogged(absl::StrCat(AsServerUser(), kBinDir, "/", arguments), folder_ + "/tools.log",
            folder_ + "/server.log");
}

// A shell that waits for the end of this process (its stdin is a pipe only we write to, closed
// by the kernel when we die) and then stops the cluster and deletes its folder.
void TestPostgres::StartWatchdog() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("TestPostgres: pipe2 failed");
  const std::string script = absl::StrCat("cat >/dev/null; ", AsServerUser(), Tool("pg_ctl"),
                                          " -D ", ShellQuote(folder_ + "/data"),
                                          " -m immediate -w stop; rm -rf ", ShellQuote(folder_));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const char* argv[] = {"sh", "-c", script.c_str(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, nullptr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[0]);
  if (rc != 0) {
    close(fds[1]);
    throw std::runtime_error("TestPostgres: cannot start the watchdog");
  }
  watchdog_pipe_ = fds[1];
  watchdog_pid_ = pid;
}

void TestPostgres::Stop() {
  if (!is_private()) throw std::logic_error("TestPostgres::Stop: not a private cluster");
  RunTool(absl::StrCat("pg_ctl -D ", ShellQuote(folder_ + "/data"), " -m fast -w stop"));
}

void TestPostgres::Start() {
  if (!is_private()) throw std::logic_error("TestPostgres::Start: not a private cluster");
  RunTool(absl::StrCat("pg_ctl -D ", ShellQuote(folder_ + "/data"), " -l ",
                       ShellQuote(folder_ + "/server.log"), " -w -t 60 -o \"-p ", port_, " -k ",
                       ShellQuote(folder_ + "/sock"),
                       " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                       " -c full_page_writes=off -c max_connections=300\" start"));
}

void TestPostgres::Restart() {
  Stop();
  Start();
}

std::string TestPostgres::CreateDatabase(absl::string_view prefix) {
  std::string name;
  for (char c : prefix.substr(0, 40)) {
    if (absl::ascii_isalnum(c) || c == '_') name.push_back(absl::ascii_tolower(c));
  }
  if (name.empty()) name = "test";
  absl::StrAppend(&name, "_", RandomHex(10));
  const std::string password = RandomHex(24);
  std::string host;
  std::string port;
  try {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction txn(admin);
    txn.exec(absl::StrCat("CREATE ROLE ", txn.quote_name(name), " LOGIN PASSWORD ",
                          txn.quote(password)));
    // FILE_COPY: for a small template, copying files beats WAL-logging every page.
    txn.exec(absl::StrCat("CREATE DATABASE ", txn.quote_name(name), " OWNER ", txn.quote_name(name),
                          " STRATEGY FILE_COPY"));
    host = admin.hostname() != nullptr ? admin.hostname() : "";
    port = admin.port() != nullptr ? admin.port() : "5432";
  } catch (const std::exception& e) {
    throw std::runtime_error(
        absl::StrCat("TestPostgres: creating database ", name, ": ", e.what()));
  }
  Execute(WithDatabase(admin_url_, name),
          {"CREATE EXTENSION IF NOT EXISTS unaccent", "CREATE EXTENSION IF NOT EXISTS pg_trgm",
           "CREATE EXTENSION IF NOT EXISTS fuzzystrmatch"},
          absl::StrCat("creating the extensions of ", name));
  const std::string user_info = absl::StrCat(name, ":", password, "@");
  if (host.empty() || host[0] == '/') {  // a Unix socket folder
    return absl::StrCat("postgresql://", user_info, "/", name, "?host=", PercentEncode(host),
                        "&port=", port);
  }
  if (absl::StrContains(host, ':')) host = absl::StrCat("[", host, "]");
  return absl::StrCat("postgresql://", user_info, host, ":", port, "/", name);
}

void TestPostgres::DropDatabase(const std::string& url) {
  const std::string name = DatabaseName(url);
  Execute(admin_url_,
          {absl::StrCat("DROP DATABASE IF EXISTS \"", name, "\" WITH (FORCE)"),
           absl::StrCat("DROP ROLE IF EXISTS \"", name, "\"")},
          absl::StrCat("dropping database ", name));
}

void TestPostgres::TerminateConnections(const std::string& url) {
  const std::string name = DatabaseName(url);
  try {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction txn(admin);
    txn.exec_params(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
        "WHERE datname = $1 AND pid <> pg_backend_pid()",
        name);
  } catch (const std::exception& e) {
    throw std::runtime_error(
        absl::StrCat("TestPostgres: terminating the connections to ", name, ": ", e.what()));
  }
}

TestDatabase::TestDatabase(absl::string_view prefix, TestPostgres& server)
    : server_(server), url_(server.CreateDatabase(prefix)) {}

TestDatabase::~TestDatabase() {
  try {
    server_.DropDatabase(url_);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
  }
}

}  // namespace maillage::testing
