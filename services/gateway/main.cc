// maillage-gateway: the public door of maillage. Serves every google.api.http-annotated method
// of the directory, meetings and budget services (and its own GatewayAdminService) as
// HTTP/JSON (described at /openapi.json and /docs), its own services over gRPC with health, and an
// admin port (/healthz, /readyz, /metrics); owns the database of API keys and audit, migrated at
// start-up (retried until the database answers). SIGTERM or SIGINT: /readyz turns 503, the ports
// stop accepting, requests in progress get MAILLAGE_DRAIN_TIMEOUT to finish, exit 0.
//
// Environment (one line on stderr and exit 2 when a value is bad):
//   MAILLAGE_DATABASE_URL (required), MAILLAGE_DB_POOL_SIZE (8), MAILLAGE_HTTP_PORT (8080),
//   MAILLAGE_GRPC_PORT (9090),
//   MAILLAGE_ADMIN_PORT (8081), MAILLAGE_DIRECTORY_ADDR (localhost:9101),
//   MAILLAGE_MEETINGS_ADDR (localhost:9102), MAILLAGE_BUDGET_ADDR (localhost:9103),
//   MAILLAGE_REQUEST_TIMEOUT (10s), MAILLAGE_MAX_BODY_BYTES (4 MiB), MAILLAGE_HTTP_THREADS (64),
//   MAILLAGE_DRAIN_TIMEOUT (10s), MAILLAGE_LOG_LEVEL (info),
//   MAILLAGE_PRINCIPAL_SECRET (required, >= 32 bytes, the same as the services'),
//   MAILLAGE_TLS_CERT_FILE and MAILLAGE_TLS_KEY_FILE (the public certificate: gRPC over TLS),
//   MAILLAGE_INTERNAL_TLS_CA_FILE, _CERT_FILE, _KEY_FILE (mutual TLS to the services),
//   MAILLAGE_ADMIN_API_KEY (optional: a key mlg_<prefix>_<secret> made an ADMIN key at start-up,
//   the first admin key of a new installation), MAILLAGE_RATE_LIMIT_RPS (50),
//   MAILLAGE_RATE_LIMIT_BURST (100), MAILLAGE_KEY_CACHE_TTL (5s), MAILLAGE_CORS_ORIGINS (none;
//   comma-separated origins, or *), MAILLAGE_AUDIT_RETENTION_DAYS (365: older audit lines are
//   deleted), MAILLAGE_RETENTION_INTERVAL (1h: how often the retention jobs run, the audit's and
//   the request_ids' 24 h).
//
// `maillage-gateway keys create|list|revoke ...` manages the API keys in the gateway's database
// instead of serving (keys_cli.h); it needs only MAILLAGE_DATABASE_URL.
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/caller.h"
#include "common/config/env.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/log/log.h"
#include "common/server/client.h"
#include "common/server/server.h"
#include "common/server/tls.h"
#include "common/service/periodic_jobs.h"
#include "common/service/service_main.h"
#include "prometheus/registry.h"
#include "services/gateway/access/access_control.h"
#include "services/gateway/access/api_key_store.h"
#include "services/gateway/access/audit_store.h"
#include "services/gateway/access/gateway_admin_service.h"
#include "services/gateway/access/keys_cli.h"
#include "services/gateway/docs/docs_page.h"
#include "services/gateway/docs/openapi.h"
#include "services/gateway/errors/http_errors.h"
#include "services/gateway/grpc/grpc_passthrough.h"
#include "services/gateway/http/admin_server.h"
#include "services/gateway/http/http_metrics.h"
#include "services/gateway/http/http_server.h"
#include "services/gateway/reports/report_service.h"
#include "services/gateway/reports/report_sources.h"
#include "services/gateway/routing/backend_caller.h"
#include "services/gateway/routing/route_table.h"

namespace maillage::gateway {

const std::vector<db::Migration>& Migrations();

namespace {

// Header timeouts above this are cut to it (or to MAILLAGE_REQUEST_TIMEOUT if that is longer).
constexpr std::chrono::milliseconds kMaxRequestTimeout = std::chrono::seconds(60);

struct Backend {
  std::string name;     // "directory"
  std::string package;  // "maillage.directory.v1": every service of it is routed to this backend
  std::string address;
};

// SIGTERM and SIGINT, blocked in every thread and taken synchronously by the main thread.
class TerminationSignals {
 public:
  // Call before any thread starts, so that every thread inherits the mask.
  TerminationSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  // true when a signal arrived within `timeout`.
  bool WaitFor(std::chrono::milliseconds timeout) const {
    timespec ts{static_cast<time_t>(timeout.count() / 1000),
                static_cast<long>(timeout.count() % 1000) * 1000000};
    return sigtimedwait(&set_, nullptr, &ts) > 0;
  }

 private:
  sigset_t set_;
};

// Applies the migrations, retrying with backoff while the database is unreachable; false when
// a termination signal came first.
bool MigrateUntilDone(db::Pool& pool, const TerminationSignals& signals) {
  std::chrono::milliseconds backoff(500);
  std::string last_failure;
  while (true) {
    absl::Status status = db::Migrate(pool, "gateway", Migrations());
    if (status.ok()) return true;
    std::string failure = std::string(status.message());
    if (failure != last_failure) {
      log::Warn("database migration failed; retrying", {{"error", failure}});
      last_failure = failure;
    }
    if (signals.WaitFor(backoff)) return false;
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(5));
  }
}

// Makes MAILLAGE_ADMIN_API_KEY an admin key, retrying while the database is unreachable; false
// when a termination signal came first or the key conflicts with another (logged).
bool EnsureAdminKey(ApiKeyStore& keys, const std::optional<ApiKeyText>& key,
                    const TerminationSignals& signals, bool& unusable) {
  if (!key.has_value()) return true;
  while (true) {
    absl::Status status = keys.EnsureKey(std::chrono::system_clock::now() + std::chrono::seconds(5),
                                         *key, v1::ROLE_ADMIN, "first admin key");
    if (status.ok()) {
      log::Info("first admin key ready", {{"prefix", key->prefix}});
      return true;
    }
    if (status.code() == absl::StatusCode::kFailedPrecondition) {
      log::Error("MAILLAGE_ADMIN_API_KEY cannot be used",
                 {{"error", std::string(status.message())}});
      unusable = true;
      return false;
    }
    log::Warn("cannot record the first admin key; retrying",
              {{"error", std::string(status.message())}});
    if (signals.WaitFor(std::chrono::seconds(1))) return false;
  }
}

int Run() {
  const TerminationSignals signals;
  config::Env env;
  const std::string log_level =
      env.OneOf("MAILLAGE_LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  db::PoolOptions pool_options;
  pool_options.url = env.Required("MAILLAGE_DATABASE_URL");
  pool_options.size = env.Int("MAILLAGE_DB_POOL_SIZE", 8, 1, 1000);
  pool_options.error_domain = std::string(kGatewayDomain);
  pool_options.application_name = "maillage-gateway";
  const int http_port = env.Port("MAILLAGE_HTTP_PORT", 8080);
  const int admin_port = env.Port("MAILLAGE_ADMIN_PORT", 8081);
  server::ServerOptions grpc_options;
  grpc_options.service_name = "gateway";
  grpc_options.error_domain = std::string(kGatewayDomain);
  grpc_options.grpc_port = env.Port("MAILLAGE_GRPC_PORT", 9090);
  grpc_options.threads = 64;
  const std::vector<Backend> backends = {
      {"directory", "maillage.directory.v1",
       env.String("MAILLAGE_DIRECTORY_ADDR", "localhost:9101")},
      {"meetings", "maillage.meetings.v1", env.String("MAILLAGE_MEETINGS_ADDR", "localhost:9102")},
      {"budget", "maillage.budget.v1", env.String("MAILLAGE_BUDGET_ADDR", "localhost:9103")},
  };
  HttpServerOptions http_options;
  http_options.threads = env.Int("MAILLAGE_HTTP_THREADS", 64, 1, 4096);
  http_options.max_body_bytes = env.Int("MAILLAGE_MAX_BODY_BYTES", 4 << 20, 1, 1 << 30);
  http_options.timeouts.default_timeout =
      env.Duration("MAILLAGE_REQUEST_TIMEOUT", std::chrono::seconds(10));
  http_options.timeouts.max_timeout =
      std::max(kMaxRequestTimeout, http_options.timeouts.default_timeout);
  const std::chrono::milliseconds drain_timeout =
      env.Duration("MAILLAGE_DRAIN_TIMEOUT", std::chrono::seconds(10));
  const std::string principal_secret =
      env.Secret("MAILLAGE_PRINCIPAL_SECRET", auth::kMinSecretLength);
  env.RefusePublishedSecret("PGPASSWORD");  // libpq's, set by the containers' entrypoint
  // The public gRPC port over TLS with the gateway's public certificate (both or neither), and
  // mutual TLS to the services with the installation's private CA (common/server/tls.h).
  grpc_options.tls.cert_file = env.String("MAILLAGE_TLS_CERT_FILE", "");
  grpc_options.tls.key_file = env.String("MAILLAGE_TLS_KEY_FILE", "");
  const server::TlsFiles internal_tls = server::ReadInternalTls(env);
  const std::string admin_key_text = env.String("MAILLAGE_ADMIN_API_KEY", "");
  const int audit_retention_days = env.Int("MAILLAGE_AUDIT_RETENTION_DAYS", 365, 1, 36500);
  const absl::Duration retention_interval =
      absl::FromChrono(env.Duration("MAILLAGE_RETENTION_INTERVAL", std::chrono::hours(1)));
  AccessOptions access_options;
  access_options.default_rps = env.Int("MAILLAGE_RATE_LIMIT_RPS", 50, 1, 1000000);
  access_options.default_burst = env.Int("MAILLAGE_RATE_LIMIT_BURST", 100, 1, 1000000);
  access_options.cache_ttl =
      absl::FromChrono(env.Duration("MAILLAGE_KEY_CACHE_TTL", std::chrono::seconds(5)));
  http_options.cors_origins =
      absl::StrSplit(env.String("MAILLAGE_CORS_ORIGINS", ""), ',', absl::SkipWhitespace());
  if (absl::Status s = env.Finish(); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (http_options.timeouts.default_timeout.count() <= 0) {
    std::fprintf(stderr, "configuration: MAILLAGE_REQUEST_TIMEOUT: expected a positive duration\n");
    return 2;
  }
  std::optional<ApiKeyText> admin_key;
  if (!admin_key_text.empty()) {
    absl::StatusOr<ApiKeyText> parsed = ParseApiKeyText(admin_key_text);
    if (!parsed.ok()) {
      std::fprintf(stderr,
                   "configuration: MAILLAGE_ADMIN_API_KEY: expected mlg_<8 lowercase letters or "
                   "digits>_<40 letters or digits> (maillage-gateway keys generate prints one)\n");
      return 2;
    }
    admin_key = *parsed;
  }
  for (std::string& origin : http_options.cors_origins) {
    origin = std::string(absl::StripAsciiWhitespace(origin));
  }
  if (grpc_options.tls.cert_file.empty() != grpc_options.tls.key_file.empty()) {
    std::fprintf(stderr,
                 "configuration: MAILLAGE_TLS_CERT_FILE and MAILLAGE_TLS_KEY_FILE go together\n");
    return 2;
  }
  for (const server::TlsFiles* tls :
       std::initializer_list<const server::TlsFiles*>{&grpc_options.tls, &internal_tls}) {
    if (tls->empty()) continue;
    if (absl::Status usable = server::CheckTlsFiles(*tls, tls == &grpc_options.tls); !usable.ok()) {
      std::fprintf(stderr, "configuration: %s\n", std::string(usable.message()).c_str());
      return 2;
    }
  }
  log::Init("gateway", log_level);
  grpc_options.drain_timeout = drain_timeout;
  auth::SetProcessSecret(principal_secret);
  server::SetInternalTls(internal_tls);

  db::Pool pool(pool_options);
  ApiKeyStore keys(pool);
  AuditStore audit(pool);
  AccessControl access(keys, audit, access_options);
  http_options.access = &access;

  std::map<std::string, std::shared_ptr<grpc::Channel>> channel_of_service;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channel_of_backend;
  std::vector<std::string> services;
  auto add_backend = [&](const std::string& name, const std::string& package,
                         std::shared_ptr<grpc::Channel> channel) {
    channel_of_backend[name] = channel;
    for (const std::string& service : GeneratedServicesInPackages({package})) {
      channel_of_service[service] = channel;
      services.push_back(service);
    }
  };
  for (const Backend& backend : backends) {
    add_backend(backend.name, backend.package, server::MakeChannel(backend.address));
  }

  // Native gRPC on MAILLAGE_GRPC_PORT: every method of the three services passed through,
  // admitted like the HTTP calls (key, permission table, rate limit, audit).
  absl::StatusOr<std::unique_ptr<GrpcPassthrough>> passthrough =
      GrpcPassthrough::Create(channel_of_service, AdmitNativeGrpc(access));
  if (!passthrough.ok()) {
    log::Error("cannot pass gRPC through",
               {{"error", std::string(passthrough.status().message())}});
    return 1;
  }

  // The gateway's own gRPC services, twice (own_call.h): on MAILLAGE_GRPC_PORT for gRPC clients,
  // admitted by their API key alone (a principal they send is ignored), and on a server without
  // a port for the HTTP side, which reaches it in-process with the principal it signed.
  ReportSources report_sources(channel_of_backend["directory"], channel_of_backend["meetings"],
                               channel_of_backend["budget"]);
  GatewayAdminServiceImpl admin_service(keys, audit, access, OwnDoor::kPublic);
  ReportServiceImpl report_service(report_sources, access, OwnDoor::kPublic);
  GatewayAdminServiceImpl inner_admin_service(keys, audit, access, OwnDoor::kInProcess);
  ReportServiceImpl inner_report_service(report_sources, access, OwnDoor::kInProcess);
  server::Server grpc_server(grpc_options, {&admin_service, &report_service});
  grpc_server.SetGenericService(passthrough->get());
  server::ServerOptions inner_options = grpc_options;
  inner_options.service_name = "gateway-in-process";
  inner_options.grpc_port = -1;
  inner_options.tls = {};
  inner_options.reflection = false;
  server::Server inner_server(inner_options, {&inner_admin_service, &inner_report_service});
  for (server::Server* server : {&grpc_server, &inner_server}) {
    if (absl::Status started = server->Start(); !started.ok()) {
      log::Error("gateway failed to start", {{"error", std::string(started.message())}});
      return 1;
    }
  }
  add_backend("gateway", "maillage.gateway.v1", inner_server.InProcessChannel());
  absl::StatusOr<RouteTable> routes = RouteTable::Build(services);
  if (!routes.ok()) {
    log::Error("cannot build the HTTP routes", {{"error", std::string(routes.status().message())}});
    return 1;
  }

  http_options.openapi_json = BuildOpenApiDocument(*routes);
  http_options.docs_html = RenderDocsPage(http_options.openapi_json);

  prometheus::Registry registry;
  HttpMetrics metrics(registry);
  BackendCaller caller(channel_of_service);
  GatewayHttpServer http(*routes, caller, metrics, http_options);
  AdminHttpServer admin(channel_of_backend, registry);
  absl::StatusOr<int> bound_admin = admin.Start("0.0.0.0", admin_port);
  absl::StatusOr<int> bound_http =
      bound_admin.ok() ? http.Start("0.0.0.0", http_port) : bound_admin.status();
  if (!bound_http.ok()) {
    log::Error("gateway failed to start", {{"error", std::string(bound_http.status().message())}});
    return 1;
  }
  log::Info("gateway listening", {{"http_port", std::to_string(*bound_http)},
                                  {"grpc_port", std::to_string(grpc_server.port())},
                                  {"admin_port", std::to_string(*bound_admin)},
                                  {"services", std::to_string(services.size())},
                                  {"routes", std::to_string(routes->routes().size())}});

  bool admin_key_unusable = false;
  service::PeriodicJobs retention;
  if (MigrateUntilDone(pool, signals) &&
      EnsureAdminKey(keys, admin_key, signals, admin_key_unusable)) {
    grpc_server.SetServing(true);
    inner_server.SetServing(true);
    admin.SetServing(true);
    log::Info("serving");
    // Retentions (deploy/README.md, "Retention periods"), once the schema is there.
    retention.Add(service::RequestIdRetentionJob(pool, retention_interval));
    retention.Add(
        AuditRetentionJob(audit, absl::Hours(24) * audit_retention_days, retention_interval));
    retention.Start();
    while (!signals.WaitFor(std::chrono::hours(1))) {
    }
  }

  retention.Stop();
  if (!admin_key_unusable) log::Info("termination signal received; draining");
  admin.SetServing(false);
  auto stopped = std::async(std::launch::async, [&] {
    http.Stop();
    admin.Stop();
    grpc_server.Shutdown();
    inner_server.Shutdown();
  });
  if (stopped.wait_for(drain_timeout) == std::future_status::timeout) {
    log::Warn("requests still in progress at the end of the drain timeout; exiting");
    std::_Exit(0);
  }
  log::Info("gateway stopped");
  return admin_key_unusable ? 1 : 0;
}

}  // namespace
}  // namespace maillage::gateway

int main(int argc, char** argv) {
  if (argc > 1) return maillage::gateway::RunKeysCli(argc, argv);
  return maillage::gateway::Run();
}
