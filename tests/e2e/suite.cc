#include "tests/e2e/suite.h"

#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <map>
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
  binaries_["directory"] = {BinaryPath("maillage-directory"),
                            service_env(0, ports_.directory, ports_.directory_metrics),
                            log_dir_ + "/directory.log", ports_.directory, nullptr};
  binaries_["budget"] = {BinaryPath("maillage-budget"),
                         service_env(2, ports_.budget, ports_.budget_metrics),
                         log_dir_ + "/budget.log", ports_.budget, nullptr};
  binaries_["meetings"] = {BinaryPath("maillage-meetings"),
                           service_env(1, ports_.meetings, ports_.meetings_metrics),
                           log_dir_ + "/meetings.log", ports_.meetings, nullptr};
  binaries_["gateway"] = {
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
      log_dir_ + "/gateway.log", 0, nullptr};
  for (const char* name : {"directory", "budget", "meetings", "gateway"}) {
    Binary& binary = binaries_[name];
    binary.process = std::make_unique<ChildProcess>(binary.path, binary.env, binary.log_path);
  }
  for (const char* name : {"directory", "budget", "meetings", "gateway"}) WaitUntilReady(name);
}

Suite::Binary& Suite::BinaryNamed(const std::string& name) {
  auto found = binaries_.find(name);
  if (found == binaries_.end()) {
    throw std::invalid_argument("Suite: no binary named '" + name + "'");
  }
  return found->second;
}

void Suite::WaitUntilReady(const std::string& name) {
  Binary& binary = BinaryNamed(name);
  if (binary.health_port != 0) {
    std::string health = WaitForHealth(absl::StrCat("127.0.0.1:", binary.health_port), "SERVING",
                                       std::chrono::seconds(60));
    if (health != "SERVING") {
      throw std::runtime_error(absl::StrCat(name, " is ", health, " after 60 s; log:\n",
                                            binary.process->Log()));
    }
    return;
  }
  // The gateway is ready when its admin port says every backend is SERVING.
  httplib::Client admin("127.0.0.1", ports_.admin);
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (true) {
    auto ready = admin.Get("/readyz");
    if (ready && ready->status == 200) break;
    if (std::chrono::steady_clock::now() > end) {
      throw std::runtime_error(absl::StrCat(name, " not ready after 60 s; log:\n",
                                            binary.process->Log()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void Suite::Stop(const std::string& name) {
  Binary& binary = BinaryNamed(name);
  if (binary.process == nullptr) return;
  binary.process->Signal(SIGTERM);
  if (binary.process->Wait(std::chrono::seconds(15)) == -1) {
    binary.process->Signal(SIGKILL);
    binary.process->Wait(std::chrono::seconds(5));
  }
  binary.process.reset();
}

void Suite::Start(const std::string& name) {
  Binary& binary = BinaryNamed(name);
  if (binary.process == nullptr) {
    binary.process = std::make_unique<ChildProcess>(binary.path, binary.env, binary.log_path);
  }
  WaitUntilReady(name);
}

Suite::~Suite() {
  const char* stop_order[] = {"gateway", "meetings", "budget", "directory"};
  for (const char* name : stop_order) {
    auto found = binaries_.find(name);
    if (found != binaries_.end() && found->second.process != nullptr) {
      found->second.process->Signal(SIGTERM);
    }
  }
  for (const char* name : stop_order) {
    auto found = binaries_.find(name);
    if (found != binaries_.end() && found->second.process != nullptr) {
      found->second.process->Wait(std::chrono::seconds(15));
    }
  }
  TestPostgres& postgres = TestPostgres::Shared();
  for (const std::string& url : urls_) postgres.DropDatabase(url);
}

int Suite::Pid(const std::string& name) const {
  auto found = binaries_.find(name);
  if (found == binaries_.end() || found->second.process == nullptr) return -1;
  return found->second.process->pid();
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
