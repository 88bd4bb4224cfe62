// gRPC server bootstrap and the main loop of a binary (see server.h).
#include "common/server/server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <exception>
#include <future>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/log/log.h"
#include "common/server/build_info.h"
#include "common/server/client.h"
#include "common/server/interceptors.h"
#include "common/server/memory.h"
#include "common/server/tls.h"
#include "common/status/errors.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/impl/server_initializer.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace maillage::server {
namespace {

// Keepalive: the server pings an idle client every minute and drops it after 20 s without an
// answer; clients may ping every 10 s even without calls in flight (client.h pings every 20 s).
// Connections are recycled (ServerOptions::connection_max_age and its grace).
constexpr int kKeepaliveTimeMs = 60'000;
constexpr int kKeepaliveTimeoutMs = 20'000;
constexpr int kMinClientPingIntervalMs = 10'000;

// Records the names of the services registered on the server being built.
class ServiceNamesPlugin final : public grpc::ServerBuilderPlugin {
 public:
  explicit ServiceNamesPlugin(std::vector<std::string>* names) : names_(names) {}
  std::string name() override { return "maillage_service_names"; }
  void InitServer(grpc::ServerInitializer* initializer) override {
    for (const std::string& name : *initializer->GetServiceList()) {
      // grpc.* are the infrastructure services (reflection, health), not ours.
      if (!absl::StartsWith(name, "grpc.")) names_->push_back(name);
    }
  }
  void Finish(grpc::ServerInitializer*) override {}
  void ChangeArguments(const std::string&, void*) override {}

 private:
  std::vector<std::string>* names_;
};

// Adds our plugin to one builder and applies the reflection option to it: linking
// grpc++_reflection registers its plugin on every builder of the process.
class PluginsOption final : public grpc::ServerBuilderOption {
 public:
  PluginsOption(std::vector<std::string>* names, bool reflection)
      : names_(names), reflection_(reflection) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    auto is_reflection = [](const std::unique_ptr<grpc::ServerBuilderPlugin>& plugin) {
      return dynamic_cast<grpc::reflection::ProtoServerReflectionPlugin*>(plugin.get()) != nullptr;
    };
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(), is_reflection), plugins->end());
    if (reflection_) {
      plugins->push_back(std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
    }
    plugins->push_back(std::make_unique<ServiceNamesPlugin>(names_));
  }

 private:
  std::vector<std::string>* names_;
  bool reflection_;
};

std::string HostPort(absl::string_view host, int port) {
  if (absl::StrContains(host, ':')) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

std::string Describe(const absl::Status& status) {
  return absl::StrCat(StatusCodeName(status.code()), ": ", status.message());
}

// SIGTERM and SIGINT turned into a byte on a pipe: the handler does nothing else.
std::atomic<int> g_signal_pipe_write_fd{-1};

void OnTerminationSignal(int) {
  int saved_errno = errno;
  int fd = g_signal_pipe_write_fd.load();
  if (fd >= 0) {
    char byte = 1;
    [[maybe_unused]] ssize_t written = write(fd, &byte, 1);
  }
  errno = saved_errno;
}

// Installs the handlers for its lifetime and restores the previous ones afterwards.
class TerminationSignals {
 public:
  TerminationSignals() {
    if (pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) return;
    g_signal_pipe_write_fd.store(fds_[1]);
    struct sigaction action {};
    action.sa_handler = OnTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, &previous_term_);
    sigaction(SIGINT, &action, &previous_int_);
    installed_ = true;
  }
  ~TerminationSignals() {
    if (!installed_) return;
    sigaction(SIGTERM, &previous_term_, nullptr);
    sigaction(SIGINT, &previous_int_, nullptr);
    g_signal_pipe_write_fd.store(-1);
    close(fds_[0]);
    close(fds_[1]);
  }
  TerminationSignals(const TerminationSignals&) = delete;
  TerminationSignals& operator=(const TerminationSignals&) = delete;

  bool installed() const { return installed_; }

  // Waits up to `timeout`; true when SIGTERM or SIGINT has arrived (now or before).
  bool WaitFor(std::chrono::milliseconds timeout) {
    if (received_) return true;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd fd{fds_[0], POLLIN, 0};
      int ready = poll(&fd, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
      if (ready > 0) {
        char buffer[16];
        while (read(fds_[0], buffer, sizeof buffer) > 0) {
        }
        received_ = true;
        return true;
      }
      if (ready == 0) return false;
      if (errno != EINTR) return false;
    }
  }

 private:
  int fds_[2] = {-1, -1};
  struct sigaction previous_term_ {};
  struct sigaction previous_int_ {};
  bool installed_ = false;
  bool received_ = false;
};

}  // namespace

Server::Server(ServerOptions options, std::vector<grpc::Service*> services)
    : options_(std::move(options)),
      services_(std::move(services)),
      registry_(std::make_shared<prometheus::Registry>()) {
  RegisterBuildInfoMetric(*registry_);
}

Server::~Server() {
  Shutdown();
  Wait();
}

absl::Status Server::Start() {
  if (server_ != nullptr)
    return FailedPrecondition(options_.error_domain, "SERVER_STARTED", "server already started");
  // Debian's Abseil is built with deadlock detection on: every absl::Mutex lock of gRPC then
  // goes through one global cycle graph (3 % of a GetActor's CPU, and a lock shared by all
  // threads). Off in every binary: a lock-order deadlock would still show as a hung test.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Binaries did it first thing (service::InitProcess); in-process servers of tests and
  // benchmarks get it here (memory.h).
  LimitAllocatorArenas();

  if (options_.metrics_port >= 0) {
    std::string address = HostPort(options_.host, options_.metrics_port);
    try {
      exposer_ = std::make_unique<prometheus::Exposer>(address);
    } catch (const std::exception& e) {
      return Unavailable(options_.error_domain, "METRICS_PORT_UNAVAILABLE",
                         absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
    }
    exposer_->RegisterCollectable(registry_);
    std::vector<int> ports = exposer_->GetListeningPorts();
    metrics_port_ = ports.empty() ? options_.metrics_port : ports.front();
  }

  if (!options_.tls.empty()) {
    if (absl::Status usable = CheckTlsFiles(options_.tls, /*for_server=*/true); !usable.ok()) {
      return FailedPrecondition(options_.error_domain, "TLS_FILES_UNUSABLE",
                                absl::StrCat("cannot serve gRPC over TLS: ", usable.message()));
    }
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  std::string address = HostPort(options_.host, options_.grpc_port);
  int bound_port = 0;
  const bool listens = options_.grpc_port >= 0;
  if (listens) builder.AddListeningPort(address, ServerCredentialsFor(options_.tls), &bound_port);
  for (grpc::Service* service : services_) builder.RegisterService(service);
  if (generic_service_ != nullptr) builder.RegisterCallbackGenericService(generic_service_);
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);

  grpc::ResourceQuota quota(absl::StrCat("maillage-", options_.service_name));
  quota.SetMaxThreads(std::max(options_.threads, 2));
  builder.SetResourceQuota(quota);
  builder.SetSyncServerOption(grpc::ServerBuilder::NUM_CQS, 1);
  builder.SetSyncServerOption(grpc::ServerBuilder::MIN_POLLERS, 1);
  builder.SetSyncServerOption(grpc::ServerBuilder::MAX_POLLERS, 2);

  // Without this, Linux lets a second server bind the same port (SO_REUSEPORT) silently.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             kMinClientPingIntervalMs);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             static_cast<int>(options_.connection_max_age.count()));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             static_cast<int>(options_.connection_age_grace.count()));

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<ServerInterceptorFactory>(
      *registry_, true, options_.error_domain.empty() ? "maillage" : options_.error_domain));
  builder.experimental().SetInterceptorCreators(std::move(creators));
  builder.SetOption(std::make_unique<PluginsOption>(&health_names_, options_.reflection));

  server_ = builder.BuildAndStart();
  if (server_ == nullptr || (listens && bound_port == 0)) {
    server_.reset();
    exposer_.reset();
    metrics_port_ = -1;
    return Unavailable(options_.error_domain, "GRPC_PORT_UNAVAILABLE",
                       absl::StrCat("cannot listen for gRPC on ", address,
                                    ": port already in use or address not available"));
  }
  SetServing(false);
  // Liveness for orchestrators: SERVING from here to Shutdown, whatever the database does.
  server_->GetHealthCheckService()->SetServingStatus(kLivenessService, true);
  port_ = listens ? bound_port : -1;
  log::Info("server started", {{"server", options_.service_name},
                               {"grpc_address", listens ? HostPort(options_.host, bound_port)
                                                        : std::string("in-process only")},
                               {"metrics_port", std::to_string(metrics_port_.load())},
                               {"threads", std::to_string(options_.threads)},
                               {"tls", options_.tls.empty()           ? "off"
                                       : options_.tls.ca_file.empty() ? "on"
                                                                      : "mutual"}});
  return absl::OkStatus();
}

std::shared_ptr<grpc::Channel> Server::InProcessChannel() {
  if (server_ == nullptr) return nullptr;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options_.max_message_bytes);
  args.SetMaxSendMessageSize(options_.max_message_bytes);
  return server_->experimental().InProcessChannelWithInterceptors(args, ClientInterceptors());
}

void Server::SetServing(bool serving) {
  if (server_ == nullptr || shutting_down_.load()) return;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus("", serving);
  for (const std::string& name : health_names_) health->SetServingStatus(name, serving);
}

void Server::Shutdown() {
  if (server_ == nullptr || shutting_down_.exchange(true)) return;
  // Every service NOT_SERVING, and the health service refuses further changes.
  server_->GetHealthCheckService()->Shutdown();
  log::Info("server draining",
            {{"server", options_.service_name},
             {"drain_timeout_ms", std::to_string(options_.drain_timeout.count())}});
  server_->Shutdown(std::chrono::system_clock::now() + options_.drain_timeout);
  log::Info("server stopped", {{"server", options_.service_name}});
}

void Server::Wait() {
  if (server_ != nullptr) server_->Wait();
}

constexpr char kPermanentPayload[] = "maillage.permanent_startup_error";

absl::Status PermanentStartupError(absl::Status status) {
  status.SetPayload(kPermanentPayload, absl::Cord("1"));
  return status;
}

int RunUntilSignal(Server& server, std::function<absl::Status()> startup,
                   std::function<absl::Status()> check, std::chrono::milliseconds check_interval) {
  return RunUntilSignal(server, std::move(startup), std::move(check), check_interval, Listeners{});
}

int RunUntilSignal(Server& server, std::function<absl::Status()> startup,
                   std::function<absl::Status()> check, std::chrono::milliseconds check_interval,
                   const Listeners& listeners) {
  TerminationSignals signals;
  if (!signals.installed()) {
    log::Error("cannot install the SIGTERM/SIGINT handlers", {{"errno", std::to_string(errno)}});
    return 1;
  }
  if (absl::Status started = server.Start(); !started.ok()) {
    log::Error("server failed to start", {{"error", std::string(started.message())}});
    return 1;
  }
  if (listeners.start) {
    if (absl::Status started = listeners.start(); !started.ok()) {
      log::Error("server failed to start", {{"error", std::string(started.message())}});
      return 1;
    }
  }
  auto set_serving = [&](bool serving) {
    server.SetServing(serving);
    if (listeners.set_serving) listeners.set_serving(serving);
  };

  bool stop = false;
  int exit_code = 0;
  std::chrono::milliseconds backoff(500);
  std::string last_failure;
  while (!stop) {
    absl::Status status = startup ? startup() : absl::OkStatus();
    if (status.ok()) break;
    if (status.GetPayload(kPermanentPayload).has_value()) {
      log::Error("startup failed", {{"error", Describe(status)}});
      stop = true;
      exit_code = 1;
      break;
    }
    std::string failure = Describe(status);
    if (failure != last_failure) {
      log::Warn("startup failed; retrying", {{"error", failure}});
      last_failure = failure;
    }
    stop = signals.WaitFor(backoff);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(5));
  }

  if (!stop) {
    set_serving(true);
    log::Info("serving");
  }
  bool serving = true;
  while (!stop) {
    stop = signals.WaitFor(check_interval);
    if (stop) break;
    absl::Status status = check ? check() : absl::OkStatus();
    if (status.ok() == serving) continue;
    serving = status.ok();
    set_serving(serving);
    if (serving) {
      log::Info("health check passed; SERVING");
    } else {
      log::Warn("health check failed; NOT_SERVING", {{"error", Describe(status)}});
    }
  }

  if (exit_code == 0) log::Info("termination signal received; shutting down");
  set_serving(false);
  if (listeners.stop) {
    auto stopped = std::async(std::launch::async, [&] {
      listeners.stop();
      server.Shutdown();
    });
    if (stopped.wait_for(server.options().drain_timeout) == std::future_status::timeout) {
      log::Warn("requests still in progress at the end of the drain timeout; exiting");
      std::_Exit(exit_code);
    }
  } else {
    server.Shutdown();
  }
  server.Wait();
  return exit_code;
}

}  // namespace maillage::server
