// The whole suite started as real processes for end-to-end tests: a throwaway database per
// service on the test PostgreSQL, the three services and the gateway on free ports, each
// waited for until its health says SERVING.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/testing/principal.h"
#include "tests/support/child_process.h"

namespace maillage::testing {

struct SuitePorts {
  int directory = 0, meetings = 0, budget = 0;
  int directory_metrics = 0, meetings_metrics = 0, budget_metrics = 0;
  int http = 0, gateway_grpc = 0, admin = 0;
};

class Suite {
 public:
  // The gateway's first admin key (MAILLAGE_ADMIN_API_KEY), to send as x-api-key.
  static constexpr char kAdminKey[] = "mlg_e2eadmin_E2eTestAdminKey0123456789abcdefghijklmno";

  // Starts everything; throws std::runtime_error (with the logs) when a binary does not become
  // SERVING within 60 s.
  Suite();
  ~Suite();

  const SuitePorts& ports() const { return ports_; }
  // The process id of "directory", "meetings", "budget" or "gateway"; -1 for another name
  // or a binary stopped by Stop.
  int Pid(const std::string& name) const;
  std::string log_dir() const { return log_dir_; }
  // Runs maillage-seed against the suite; returns its exit code and output.
  CommandResult Seed();

  // Stops one binary ("directory", "meetings", "budget" or "gateway") with SIGTERM and waits
  // for it to exit (SIGKILL after 15 s). Start runs it again with the same ports, database and
  // environment and waits until it is SERVING (the gateway: until /readyz answers 200, so
  // every backend must be running). Both throw std::invalid_argument for another name, and
  // Start std::runtime_error (with the log) when the binary does not become ready in 60 s.
  void Stop(const std::string& name);
  void Start(const std::string& name);

 private:
  struct Binary {
    std::string path;
    std::map<std::string, std::string> env;
    std::string log_path;
    int health_port = 0;  // gRPC health; 0 for the gateway (its /readyz is used)
    std::unique_ptr<ChildProcess> process;
  };
  Binary& BinaryNamed(const std::string& name);
  void WaitUntilReady(const std::string& name);

  SuitePorts ports_;
  std::string log_dir_;
  std::string urls_[4];
  // By name: "directory", "meetings", "budget", "gateway".
  std::map<std::string, Binary> binaries_;
};

// Path of a binary of the build (build/bin/<name>).
std::string BinaryPath(const std::string& name);

// The grpc.health.v1 status of the server at `address` ("SERVING", "NOT_SERVING",
// "UNREACHABLE").
std::string HealthOf(const std::string& address);

// Polls HealthOf until it equals `want` or `timeout` passes; returns the last status.
std::string WaitForHealth(const std::string& address, const std::string& want,
                          std::chrono::milliseconds timeout);

}  // namespace maillage::testing
