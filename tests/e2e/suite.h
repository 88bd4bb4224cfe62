// The whole suite started as real processes for end-to-end tests: a throwaway database per
// service on the test PostgreSQL, the three services (each in `replicas` processes sharing its
// database) and the gateway on free ports, each waited for until its health says SERVING.
//
//   SuiteOptions options;
//   options.replicas = 2;
//   Suite suite(options);                       // directory, directory-2, meetings, ...
//   suite.Kill("directory-2");                  // SIGKILL, waits for the exit
//   suite.Restart("directory-2");               // same port and environment, waits SERVING
#pragma once

#include <signal.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/testing/principal.h"
#include "tests/support/child_process.h"

namespace maillage::testing {

class TestPostgres;

struct SuitePorts {
  int directory = 0, meetings = 0, budget = 0;  // the first replica of each
  int directory_metrics = 0, meetings_metrics = 0, budget_metrics = 0;
  int http = 0, gateway_grpc = 0, admin = 0;
};

struct SuiteOptions {
  // Processes per service (directory, meetings, budget); the gateway and meetings get the
  // comma-separated list of every replica's address.
  int replicas = 1;
  // The server of the databases; nullptr: TestPostgres::Shared(). A fault test that stops
  // PostgreSQL gives its own private cluster (TestPostgres::StartPrivate()).
  TestPostgres* postgres = nullptr;
  // Added to (and overriding) the environment of every binary.
  std::map<std::string, std::string> env;
};

class Suite {
 public:
  // The gateway's first admin key (MAILLAGE_ADMIN_API_KEY), to send as x-api-key.
  static constexpr char kAdminKey[] = "mlg_e2eadmin_E2eTestAdminKey0123456789abcdefghijklmno";

  // Starts everything; throws std::runtime_error (with the logs) when a binary does not become
  // SERVING within 60 s.
  explicit Suite(SuiteOptions options = {});
  ~Suite();
  Suite(const Suite&) = delete;
  Suite& operator=(const Suite&) = delete;

  const SuitePorts& ports() const { return ports_; }
  // The process id of "directory", "meetings", "budget" or "gateway"; -1 for another name.
  int Pid(const std::string& name) const;
  std::string log_dir() const { return log_dir_; }
  // Runs maillage-seed against the suite on the seed folder `data_dir` (empty: deploy/seed);
  // returns its exit code and output.
  CommandResult Seed(const std::string& data_dir = "");

  // The processes: "directory", "meetings", "budget" (first replicas), "directory-2"... (the
  // other replicas), "gateway".
  std::vector<std::string> Names() const;
  // The gRPC address ("127.0.0.1:port") of a process.
  std::string Address(const std::string& name) const;
  // The database URL of a service ("directory", "meetings", "budget", "gateway"), as the
  // service's role.
  std::string DatabaseUrl(const std::string& service) const;
  // The process of that name (pid, log, Signal, Wait); std::out_of_range when unknown.
  ChildProcess& Process(const std::string& name);

  // Sends `signal` to a process. For SIGKILL, SIGTERM and SIGINT, waits up to 30 s for the exit
  // and returns the exit code (128 + signal when killed); otherwise (SIGSTOP, SIGCONT) returns
  // -1 at once.
  int Kill(const std::string& name, int signal = SIGKILL);
  // Stops the process if it runs (SIGTERM, then SIGKILL after 30 s), starts it again with the
  // same ports and environment and waits until it is SERVING (the gateway: /readyz 200);
  // std::runtime_error with its log when it is not within 60 s.
  void Restart(const std::string& name);

 private:
  struct Child {
    std::string binary;
    std::map<std::string, std::string> env;
    std::string log_path;
    int grpc_port = 0;
    std::unique_ptr<ChildProcess> process;
  };
  Child& At(const std::string& name);
  void Launch(Child& child);
  void WaitServing(const std::string& name);

  SuiteOptions options_;
  TestPostgres* postgres_;
  SuitePorts ports_;
  std::string log_dir_;
  std::map<std::string, std::string> urls_;  // service → database URL
  std::vector<std::string> order_;           // start order
  std::map<std::string, Child> children_;
};

// Path of a binary of the build (build/bin/<name>).
std::string BinaryPath(const std::string& name);

// The grpc.health.v1 status of the server at `address` ("SERVING", "NOT_SERVING",
// "UNREACHABLE"), for `service` ("" : the whole server), over this process's internal TLS
// (server::SetInternalTls: set it before starting a Suite whose services use mutual TLS).
std::string HealthOf(const std::string& address, const std::string& service = "");

// Polls HealthOf until it equals `want` or `timeout` passes; returns the last status.
std::string WaitForHealth(const std::string& address, const std::string& want,
                          std::chrono::milliseconds timeout);

}  // namespace maillage::testing
