// The whole suite started as real processes for end-to-end tests: a throwaway database per
// service on the test PostgreSQL, the three services and the gateway on free ports, each
// waited for until its health says SERVING.
#pragma once

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
  // The process id of "directory", "meetings", "budget" or "gateway"; -1 for another name.
  int Pid(const std::string& name) const;
  std::string log_dir() const { return log_dir_; }
  // Runs maillage-seed against the suite; returns its exit code and output.
  CommandResult Seed();

 private:
  SuitePorts ports_;
  std::string log_dir_;
  std::string urls_[4];
  std::unique_ptr<ChildProcess> directory_, meetings_, budget_, gateway_;
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
