#include "tests/e2e/suite.h"

#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/testing/postgres.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "httplib.h"

namespace maillage::testing {

std::string BinaryPath(const std::string& name) {
  return absl::StrCat(MAILLAGE_BIN_DIR, "/", name);
}

std::string HealthOf(const std::string& address) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return "UNREACHABLE";
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? "SERVING"
                                                                               : "NOT_SERVING";
}

std::string WaitForHealth(const std::string& address, const std::string& want,
                          std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < end) {
    last = HealthOf(address);
    if (last == want) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return last;
}

Suite::Suite() {
  char folder[] = "/tmp/maillage-e2e-XXXXXX";
  log_dir_ = mkdtemp(folder);
  TestPostgres& postgres = TestPostgres::Shared();
  const char* names[] = {"ess_directory", "ess_meetings", "ess_budget", "ess_gateway"};
  for (int i = 0; i < 4; ++i) urls_[i] = postgres.CreateDatabase(names[i]);

  ports_ = SuitePorts{FreePort(), FreePort(), FreePort(), FreePort(), FreePort(),
                      FreePort(), FreePort(), FreePort(), FreePort()};
  auto service_env = [&](int index, int port, int metrics) {
    return std::map<std::string, std::string>{
        {"MAILLAGE_DATABASE_URL", urls_[index]},
        {"MAILLAGE_GRPC_PORT", absl::StrCat(port)},
        {"MAILLAGE_METRICS_PORT", absl::StrCat(metrics)},
        {"MAILLAGE_DIRECTORY_ADDR", absl::StrCat("127.0.0.1:", ports_.directory)},
        {"MAILLAGE_BUDGET_ADDR", absl::StrCat("127.0.0.1:", ports_.budget)},
        {"MAILLAGE_DB_POOL_SIZE", "4"},
        {"MAILLAGE_PRINCIPAL_SECRET", kTestPrincipalSecret},
    };
  };
  directory_ = std::make_unique<ChildProcess>(
      BinaryPath("maillage-directory"), service_env(0, ports_.directory, ports_.directory_metrics),
      log_dir_ + "/directory.log");
  budget_ = std::make_unique<ChildProcess>(
      BinaryPath("maillage-budget"), service_env(2, ports_.budget, ports_.budget_metrics),
      log_dir_ + "/budget.log");
  meetings_ = std::make_unique<ChildProcess>(
      BinaryPath("maillage-meetings"), service_env(1, ports_.meetings, ports_.meetings_metrics),
      log_dir_ + "/meetings.log");
  gateway_ = std::make_unique<ChildProcess>(
      BinaryPath("maillage-gateway"),
      std::map<std::string, std::string>{
          {"MAILLAGE_DATABASE_URL", urls_[3]},
          {"MAILLAGE_HTTP_PORT", absl::StrCat(ports_.http)},
          {"MAILLAGE_GRPC_PORT", absl::StrCat(ports_.gateway_grpc)},
          {"MAILLAGE_ADMIN_PORT", absl::StrCat(ports_.admin)},
          {"MAILLAGE_DIRECTORY_ADDR", absl::StrCat("127.0.0.1:", ports_.directory)},
          {"MAILLAGE_MEETINGS_ADDR", absl::StrCat("127.0.0.1:", ports_.meetings)},
          {"MAILLAGE_BUDGET_ADDR", absl::StrCat("127.0.0.1:", ports_.budget)},
          {"MAILLAGE_PRINCIPAL_SECRET", kTestPrincipalSecret},
          {"MAILLAGE_ADMIN_API_KEY", kAdminKey},
          // Tests send bursts; the rate-limit test sets a key's own limit.
          {"MAILLAGE_RATE_LIMIT_RPS", "100000"},
          {"MAILLAGE_RATE_LIMIT_BURST", "100000"},
          {"MAILLAGE_KEY_CACHE_TTL", "2s"},
          {"MAILLAGE_CORS_ORIGINS", "https://app.example.org"},
      },
      log_dir_ + "/gateway.log");

  struct Check {
    const char* name;
    int port;
    ChildProcess* process;
  } checks[] = {{"directory", ports_.directory, directory_.get()},
                {"budget", ports_.budget, budget_.get()},
                {"meetings", ports_.meetings, meetings_.get()}};
  for (const Check& check : checks) {
    std::string health = WaitForHealth(absl::StrCat("127.0.0.1:", check.port), "SERVING",
                                       std::chrono::seconds(60));
    if (health != "SERVING") {
      throw std::runtime_error(absl::StrCat(check.name, " is ", health, " after 60 s; log:\n",
                                            check.process->Log()));
    }
  }
  // The gateway is ready when its admin port says every backend is SERVING.
  httplib::Client admin("127.0.0.1", ports_.admin);
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (true) {
    auto ready = admin.Get("/readyz");
    if (ready && ready->status == 200) break;
    if (std::chrono::steady_clock::now() > end) {
      throw std::runtime_error("gateway not ready after 60 s; log:\n" + gateway_->Log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Suite::~Suite() {
  for (auto* process : {gateway_.get(), meetings_.get(), budget_.get(), directory_.get()}) {
    if (process != nullptr) process->Signal(SIGTERM);
  }
  for (auto* process : {gateway_.get(), meetings_.get(), budget_.get(), directory_.get()}) {
    if (process != nullptr) process->Wait(std::chrono::seconds(15));
  }
  TestPostgres& postgres = TestPostgres::Shared();
  for (const std::string& url : urls_) postgres.DropDatabase(url);
}

int Suite::Pid(const std::string& name) const {
  if (name == "directory") return directory_->pid();
  if (name == "meetings") return meetings_->pid();
  if (name == "budget") return budget_->pid();
  if (name == "gateway") return gateway_->pid();
  return -1;
}

CommandResult Suite::Seed() {
  return RunCommand(absl::StrCat("MAILLAGE_PRINCIPAL_SECRET=", kTestPrincipalSecret, " ",
                                 BinaryPath("maillage-seed"),
                                 " --directory=127.0.0.1:", ports_.directory,
                                 " --meetings=127.0.0.1:", ports_.meetings,
                                 " --budget=127.0.0.1:", ports_.budget, " --data=",
                                 MAILLAGE_SOURCE_DIR, "/deploy/seed"));
}

}  // namespace maillage::testing
