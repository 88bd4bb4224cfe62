#include "tests/e2e/suite.h"

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/server/tls.h"
#include "common/testing/postgres.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "httplib.h"

namespace maillage::testing {

std::string BinaryPath(const std::string& name) {
  return absl::StrCat(MAILLAGE_BIN_DIR, "/", name);
}

std::string HealthOf(const std::string& address, const std::string& service) {
  // The internal TLS of this process (server::SetInternalTls), as the services are started with.
  auto channel = grpc::CreateChannel(address, server::ChannelCredentialsFor(server::InternalTls()));
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
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

namespace {

std::string Local(int port) { return absl::StrCat("127.0.0.1:", port); }

// "directory-2" → "directory".
std::string ServiceOf(const std::string& name) { return name.substr(0, name.find('-')); }

}  // namespace

Suite::Suite(SuiteOptions options)
    : options_(std::move(options)),
      postgres_(options_.postgres != nullptr ? options_.postgres : &TestPostgres::Shared()) {
  char folder[] = "/tmp/maillage-e2e-XXXXXX";
  log_dir_ = mkdtemp(folder);
  for (const char* service : {"directory", "meetings", "budget", "gateway"}) {
    urls_[service] = postgres_->CreateDatabase(absl::StrCat("ess_", service));
  }
  const int replicas = std::max(options_.replicas, 1);

  // Every port first: meetings and the gateway are given the addresses of all replicas.
  std::map<std::string, std::vector<std::string>> addresses;
  for (const char* service : {"directory", "budget", "meetings"}) {
    for (int r = 1; r <= replicas; ++r) {
      std::string name = r == 1 ? service : absl::StrCat(service, "-", r);
      Child& child = children_[name];
      child.binary = BinaryPath(absl::StrCat("maillage-", service));
      child.log_path = absl::StrCat(log_dir_, "/", name, ".log");
      child.grpc_port = FreePort();
      int metrics = FreePort();
      child.env = {{"MAILLAGE_DATABASE_URL", urls_[service]},
                   {"MAILLAGE_GRPC_PORT", absl::StrCat(child.grpc_port)},
                   {"MAILLAGE_METRICS_PORT", absl::StrCat(metrics)},
                   {"MAILLAGE_DB_POOL_SIZE", "4"},
                   {"MAILLAGE_PRINCIPAL_SECRET", kTestPrincipalSecret}};
      addresses[service].push_back(Local(child.grpc_port));
      order_.push_back(name);
      if (r == 1) {
        if (std::string(service) == "directory") {
          ports_.directory = child.grpc_port;
          ports_.directory_metrics = metrics;
        } else if (std::string(service) == "meetings") {
          ports_.meetings = child.grpc_port;
          ports_.meetings_metrics = metrics;
        } else {
          ports_.budget = child.grpc_port;
          ports_.budget_metrics = metrics;
        }
      }
    }
  }
  const std::string directory_addr = absl::StrJoin(addresses["directory"], ",");
  const std::string meetings_addr = absl::StrJoin(addresses["meetings"], ",");
  const std::string budget_addr = absl::StrJoin(addresses["budget"], ",");
  for (auto& [name, child] : children_) {
    child.env["MAILLAGE_DIRECTORY_ADDR"] = directory_addr;
    child.env["MAILLAGE_BUDGET_ADDR"] = budget_addr;
  }
  ports_.http = FreePort();
  ports_.gateway_grpc = FreePort();
  ports_.admin = FreePort();
  Child& gateway = children_["gateway"];
  gateway.binary = BinaryPath("maillage-gateway");
  gateway.log_path = log_dir_ + "/gateway.log";
  gateway.grpc_port = ports_.gateway_grpc;
  gateway.env = {{"MAILLAGE_DATABASE_URL", urls_["gateway"]},
                 {"MAILLAGE_HTTP_PORT", absl::StrCat(ports_.http)},
                 {"MAILLAGE_GRPC_PORT", absl::StrCat(ports_.gateway_grpc)},
                 {"MAILLAGE_ADMIN_PORT", absl::StrCat(ports_.admin)},
                 {"MAILLAGE_DIRECTORY_ADDR", directory_addr},
                 {"MAILLAGE_MEETINGS_ADDR", meetings_addr},
                 {"MAILLAGE_BUDGET_ADDR", budget_addr},
                 {"MAILLAGE_PRINCIPAL_SECRET", kTestPrincipalSecret},
                 {"MAILLAGE_ADMIN_API_KEY", kAdminKey},
                 // Tests send bursts; the rate-limit test sets a key's own limit.
                 {"MAILLAGE_RATE_LIMIT_RPS", "100000"},
                 {"MAILLAGE_RATE_LIMIT_BURST", "100000"},
                 {"MAILLAGE_KEY_CACHE_TTL", "2s"},
                 {"MAILLAGE_CORS_ORIGINS", "https://app.example.org"}};
  order_.push_back("gateway");
  for (auto& [name, child] : children_) {
    for (const auto& [key, value] : options_.env) child.env[key] = value;
  }

  for (const std::string& name : order_) Launch(children_[name]);
  for (const std::string& name : order_) WaitServing(name);
}

Suite::~Suite() {
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    ChildProcess* process = children_[*it].process.get();
    if (process == nullptr) continue;
    process->Signal(SIGTERM);
    process->Signal(SIGCONT);  // a test may have left it stopped
  }
  for (auto& [name, child] : children_) {
    if (child.process != nullptr) child.process->Wait(std::chrono::seconds(15));
  }
  for (const auto& [service, url] : urls_) postgres_->DropDatabase(url);
}

void Suite::Launch(Child& child) {
  child.process = std::make_unique<ChildProcess>(child.binary, child.env, child.log_path);
}

void Suite::WaitServing(const std::string& name) {
  Child& child = At(name);
  if (name != "gateway") {
    std::string health = WaitForHealth(Local(child.grpc_port), "SERVING", std::chrono::seconds(60));
    if (health != "SERVING") {
      throw std::runtime_error(
          absl::StrCat(name, " is ", health, " after 60 s; log:\n", child.process->Log()));
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
      throw std::runtime_error("gateway not ready after 60 s; log:\n" + child.process->Log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Suite::Child& Suite::At(const std::string& name) {
  auto it = children_.find(name);
  if (it == children_.end()) throw std::out_of_range("no process named " + name);
  return it->second;
}

std::vector<std::string> Suite::Names() const { return order_; }

std::string Suite::Address(const std::string& name) const {
  auto it = children_.find(name);
  if (it == children_.end()) throw std::out_of_range("no process named " + name);
  return Local(it->second.grpc_port);
}

std::string Suite::DatabaseUrl(const std::string& service) const {
  return urls_.at(ServiceOf(service));
}

ChildProcess& Suite::Process(const std::string& name) { return *At(name).process; }

int Suite::Kill(const std::string& name, int signal) {
  ChildProcess& process = Process(name);
  process.Signal(signal);
  if (signal != SIGKILL && signal != SIGTERM && signal != SIGINT) return -1;
  return process.Wait(std::chrono::seconds(30));
}

void Suite::Restart(const std::string& name) {
  Child& child = At(name);
  if (child.process->running()) {
    child.process->Signal(SIGTERM);
    child.process->Signal(SIGCONT);
    if (child.process->Wait(std::chrono::seconds(30)) < 0) {
      child.process->Signal(SIGKILL);
      child.process->Wait(std::chrono::seconds(5));
    }
  }
  Launch(child);
  WaitServing(name);
}

int Suite::Pid(const std::string& name) const {
  auto it = children_.find(name);
  return it == children_.end() || it->second.process == nullptr ? -1 : it->second.process->pid();
}

CommandResult Suite::Seed(const std::string& data_dir) {
  return RunCommand(absl::StrCat(
      "MAILLAGE_PRINCIPAL_SECRET=", kTestPrincipalSecret, " ", BinaryPath("maillage-seed"),
      " --directory=127.0.0.1:", ports_.directory, " --meetings=127.0.0.1:", ports_.meetings,
      " --budget=127.0.0.1:", ports_.budget,
      " --data=", data_dir.empty() ? absl::StrCat(MAILLAGE_SOURCE_DIR, "/deploy/seed") : data_dir));
}

}  // namespace maillage::testing
