// maillage-gateway: the public door of maillage. Serves every google.api.http-annotated method
// of the directory, meetings and budget services (and its own GatewayAdminService) as
// HTTP/JSON (described at /openapi.json and /docs, the contract downloadable at /v1/contract and
// reflected over gRPC, docs/contract.h), its own services over gRPC with health, and an
// admin port (/healthz, /readyz, /metrics); owns the database of API keys and audit, migrated at
// start-up (retried until the database answers). SIGTERM or SIGINT: /readyz turns 503, the ports
// stop accepting, requests in progress get MAILLAGE_DRAIN_TIMEOUT to finish, exit 0.
//
// Environment (one line on stderr and exit 2 when a value is bad):
//   MAILLAGE_DATABASE_URL (required), MAILLAGE_DB_POOL_SIZE (8), MAILLAGE_HTTP_PORT (8080),
//   MAILLAGE_GRPC_PORT (9090),
//   MAILLAGE_ADMIN_PORT (8081), MAILLAGE_DIRECTORY_ADDR (localhost:9101),
//   MAILLAGE_MEETINGS_ADDR (localhost:9102), MAILLAGE_BUDGET_ADDR (localhost:9103),
//   MAILLAGE_REQUEST_TIMEOUT (10s), MAILLAGE_MAX_REQUEST_TIMEOUT (60s: HTTP and native gRPC),
//   MAILLAGE_MAX_BODY_BYTES (4 MiB), MAILLAGE_HTTP_THREADS (64), MAILLAGE_HTTP_MAX_QUEUED (256),
//   MAILLAGE_HTTP_HEADER_TIMEOUT (10s), MAILLAGE_HTTP_BODY_TIMEOUT (30s),
//   MAILLAGE_UPLOAD_TIMEOUT (10m: a raw file upload, whole), MAILLAGE_MAX_UPLOADS (8 at once),
//   MAILLAGE_HTTP_MAX_CONNECTIONS (10000), MAILLAGE_HTTP_MAX_CONNECTIONS_PER_ADDRESS (256),
//   MAILLAGE_PRE_AUTH_RPS (20) / MAILLAGE_PRE_AUTH_BURST (100), MAILLAGE_PRE_AUTH_DELAY (1s),
//   MAILLAGE_REFUSAL_AUDIT_WINDOW (60s), MAILLAGE_DRAIN_TIMEOUT (10s), MAILLAGE_LOG_LEVEL (info),
//   MAILLAGE_PRINCIPAL_SECRET (required, >= 32 bytes, the same as the services'),
//   MAILLAGE_TLS_CERT_FILE and MAILLAGE_TLS_KEY_FILE (the public certificate: HTTPS and gRPC
//   over TLS), MAILLAGE_INTERNAL_TLS_CA_FILE, _CERT_FILE, _KEY_FILE (mutual TLS to the services),
//   MAILLAGE_ADMIN_API_KEY (optional: a key mlg_<prefix>_<secret> made an ADMIN key at start-up,
//   the first admin key of a new installation), MAILLAGE_RATE_LIMIT_RPS (50),
//   MAILLAGE_RATE_LIMIT_BURST (100), MAILLAGE_KEY_CACHE_TTL (5s), MAILLAGE_CORS_ORIGINS (none;
//   comma-separated origins, or *), MAILLAGE_AUDIT_RETENTION_DAYS (365: older audit lines are
//   deleted), MAILLAGE_RETENTION_INTERVAL (1h: how often the retention jobs run, the audit's and
//   the request_ids' 24 h), MAILLAGE_CONSOLE_DIR (the staff console's pages; the source tree's
//   services/gateway/console/web by default), MAILLAGE_CONSOLE_IDLE_TIMEOUT (30m) and
//   MAILLAGE_CONSOLE_SESSION_LIFETIME (12h): a console session ends after either.
// Webhooks (webhooks/, README "Webhooks"): MAILLAGE_WEBHOOK_ALLOWED_ADDRESSES (none; addresses or
//   CIDR blocks, comma-separated, that deliveries may reach although loopback, private,
//   link-local or metadata), MAILLAGE_WEBHOOK_ALLOW_HTTP (false: https only),
//   MAILLAGE_WEBHOOK_WORKERS (8), MAILLAGE_WEBHOOK_POLL_INTERVAL (1s),
//   MAILLAGE_WEBHOOK_CONNECT_TIMEOUT (5s), MAILLAGE_WEBHOOK_TIMEOUT (10s),
//   MAILLAGE_WEBHOOK_RETRY_BASE (5s), MAILLAGE_WEBHOOK_RETRY_MAX (1h),
//   MAILLAGE_WEBHOOK_DISABLE_AFTER (72h), MAILLAGE_WEBHOOK_EVENT_RETENTION_DAYS (30).
// Reads without a key (links/, README "Share links" and "Public read mode"):
//   MAILLAGE_SHARE_LINK_RPS (1) / MAILLAGE_SHARE_LINK_BURST (30) per link,
//   MAILLAGE_SHARE_LINK_MAX_AGE (5m), MAILLAGE_PUBLIC_READ (off), MAILLAGE_PUBLIC_READ_RPS (10) /
//   MAILLAGE_PUBLIC_READ_BURST (60) per client address, MAILLAGE_PUBLIC_READ_MAX_AGE (60s).
//
// `maillage-gateway keys create|list|revoke ...` manages the API keys in the gateway's database
// instead of serving (keys_cli.h); `maillage-gateway users add|list|disable|ensure-admin ...` the
// staff console's accounts (console/users_cli.h). Both need only MAILLAGE_DATABASE_URL.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/config/env.h"
#include "common/db/pool.h"
#include "common/log/log.h"
#include "common/log/log_buffer.h"
#include "common/server/build_info.h"
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
#include "services/gateway/console/console_http.h"
#include "services/gateway/console/staff_account_admin.h"
#include "services/gateway/console/staff_accounts.h"
#include "services/gateway/console/staff_sessions.h"
#include "services/gateway/console/users_cli.h"
#include "services/gateway/docs/contract.h"
#include "services/gateway/docs/docs_page.h"
#include "services/gateway/docs/openapi.h"
#include "services/gateway/errors/http_errors.h"
#include "services/gateway/grpc/contract_reflection.h"
#include "services/gateway/grpc/grpc_passthrough.h"
#include "services/gateway/http/admin_server.h"
#include "services/gateway/http/http_metrics.h"
#include "services/gateway/http/http_server.h"
#include "services/gateway/links/public_read_door.h"
#include "services/gateway/links/share_link_door.h"
#include "services/gateway/links/share_link_service.h"
#include "services/gateway/links/share_link_store.h"
#include "services/gateway/reports/report_service.h"
#include "services/gateway/reports/report_sources.h"
#include "services/gateway/routing/backend_caller.h"
#include "services/gateway/routing/route_table.h"
#include "services/gateway/webhooks/feed_source.h"
#include "services/gateway/webhooks/webhook_client.h"
#include "services/gateway/webhooks/webhook_dispatcher.h"
#include "services/gateway/webhooks/webhook_service.h"
#include "services/gateway/webhooks/webhook_store.h"

namespace maillage::gateway {

const std::vector<db::Migration>& Migrations();

namespace {

struct Backend {
  std::string name;     // "directory"
  std::string package;  // "maillage.directory.v1": every service of it is routed to this backend
  std::string address;
};

// Makes MAILLAGE_ADMIN_API_KEY an admin key (a start-up step, retried while the database is
// unreachable); a key that conflicts with another is a permanent start-up error.
absl::Status EnsureAdminKey(ApiKeyStore& keys, const std::optional<ApiKeyText>& key) {
  if (!key.has_value()) return absl::OkStatus();
  absl::Status status = keys.EnsureKey(std::chrono::system_clock::now() + std::chrono::seconds(5),
                                       *key, v1::ROLE_ADMIN, "first admin key");
  if (status.ok()) {
    log::Info("first admin key ready", {{"prefix", key->prefix}});
  } else if (status.code() == absl::StatusCode::kFailedPrecondition) {
    log::Error("MAILLAGE_ADMIN_API_KEY cannot be used", {{"error", std::string(status.message())}});
    return server::PermanentStartupError(status);
  }
  return status;
}

int Run() {
  config::Env env;
  // MAILLAGE_DATABASE_URL, MAILLAGE_GRPC_PORT, MAILLAGE_DB_POOL_SIZE, MAILLAGE_DRAIN_TIMEOUT,
  // MAILLAGE_LOG_LEVEL, MAILLAGE_PRINCIPAL_SECRET, MAILLAGE_INTERNAL_TLS_*: as the services.
  service::ServiceEnvironment environment = service::ReadCommonEnvironment(env, "gateway", 9090);
  // The public gRPC port over TLS with the gateway's public certificate (both or neither), and
  // mutual TLS to the services with the installation's private CA (common/server/tls.h).
  const server::TlsFiles internal_tls = environment.server.tls;
  environment.server.tls = {};
  environment.server.tls.cert_file = env.String("MAILLAGE_TLS_CERT_FILE", "");
  environment.server.tls.key_file = env.String("MAILLAGE_TLS_KEY_FILE", "");
  const server::TlsFiles& public_tls = environment.server.tls;
  const int http_port = env.Port("MAILLAGE_HTTP_PORT", 8080);
  const int admin_port = env.Port("MAILLAGE_ADMIN_PORT", 8081);
  const std::vector<Backend> backends = {
      {"directory", "maillage.directory.v1",
       env.String("MAILLAGE_DIRECTORY_ADDR", "localhost:9101")},
      {"meetings", "maillage.meetings.v1", env.String("MAILLAGE_MEETINGS_ADDR", "localhost:9102")},
      {"budget", "maillage.budget.v1", env.String("MAILLAGE_BUDGET_ADDR", "localhost:9103")},
  };
  // The access log (a line per request) written in batches; 0: each line at once.
  const std::chrono::milliseconds log_flush_interval =
      env.Duration("MAILLAGE_LOG_FLUSH_INTERVAL", std::chrono::milliseconds(100));
  HttpServerOptions http_options;
  GuardedListenerOptions& listener = http_options.listener;
  listener.threads = env.Int("MAILLAGE_HTTP_THREADS", 64, 1, 4096);
  listener.max_queued = env.Int("MAILLAGE_HTTP_MAX_QUEUED", 256, 0, 1000000);
  listener.max_body_bytes = env.Int("MAILLAGE_MAX_BODY_BYTES", 4 << 20, 1, 1 << 30);
  listener.header_timeout = env.Duration("MAILLAGE_HTTP_HEADER_TIMEOUT", std::chrono::seconds(10));
  listener.body_timeout = env.Duration("MAILLAGE_HTTP_BODY_TIMEOUT", std::chrono::seconds(30));
  listener.upload_timeout = env.Duration("MAILLAGE_UPLOAD_TIMEOUT", std::chrono::minutes(10));
  listener.max_uploads = env.Int("MAILLAGE_MAX_UPLOADS", 8, 1, 1024);
  listener.max_connections = env.Int("MAILLAGE_HTTP_MAX_CONNECTIONS", 10000, 1, 1000000);
  listener.max_connections_per_address =
      env.Int("MAILLAGE_HTTP_MAX_CONNECTIONS_PER_ADDRESS", 256, 1, 1000000);
  listener.tls_cert_file = public_tls.cert_file;  // HTTPS with the same certificate
  listener.tls_key_file = public_tls.key_file;
  http_options.timeouts.default_timeout =
      env.Duration("MAILLAGE_REQUEST_TIMEOUT", std::chrono::seconds(10));
  // Header timeouts above this are cut to it (or to MAILLAGE_REQUEST_TIMEOUT if that is
  // longer); native gRPC calls too, whatever deadline they carry.
  http_options.timeouts.max_timeout =
      std::max(env.Duration("MAILLAGE_MAX_REQUEST_TIMEOUT", std::chrono::seconds(60)),
               http_options.timeouts.default_timeout);
  const std::string admin_key_text = env.String("MAILLAGE_ADMIN_API_KEY", "");
  const int audit_retention_days = env.Int("MAILLAGE_AUDIT_RETENTION_DAYS", 365, 1, 36500);
  AccessOptions access_options;
  access_options.default_rps = env.Int("MAILLAGE_RATE_LIMIT_RPS", 50, 1, 1000000);
  access_options.default_burst = env.Int("MAILLAGE_RATE_LIMIT_BURST", 100, 1, 1000000);
  access_options.cache_ttl =
      absl::FromChrono(env.Duration("MAILLAGE_KEY_CACHE_TTL", std::chrono::seconds(5)));
  access_options.pre_auth.rps = env.Int("MAILLAGE_PRE_AUTH_RPS", 20, 1, 1000000);
  access_options.pre_auth.burst = env.Int("MAILLAGE_PRE_AUTH_BURST", 100, 1, 1000000);
  http_options.pre_auth_refusal_delay =
      env.Duration("MAILLAGE_PRE_AUTH_DELAY", std::chrono::seconds(1));
  access_options.refusal_audit.window =
      absl::FromChrono(env.Duration("MAILLAGE_REFUSAL_AUDIT_WINDOW", std::chrono::seconds(60)));
  http_options.cors_origins =
      absl::StrSplit(env.String("MAILLAGE_CORS_ORIGINS", ""), ',', absl::SkipWhitespace());
  // The staff console: its pages, and how long a person's session lasts.
  ConsoleHttpOptions console_options;
  console_options.static_dir = env.String("MAILLAGE_CONSOLE_DIR", MAILLAGE_CONSOLE_SOURCE_DIR);
  SessionOptions session_options;
  session_options.idle =
      absl::FromChrono(env.Duration("MAILLAGE_CONSOLE_IDLE_TIMEOUT", std::chrono::minutes(30)));
  session_options.absolute =
      absl::FromChrono(env.Duration("MAILLAGE_CONSOLE_SESSION_LIFETIME", std::chrono::hours(12)));
  const std::string webhook_allowed = env.String("MAILLAGE_WEBHOOK_ALLOWED_ADDRESSES", "");
  WebhookClientOptions webhook_client_options;
  webhook_client_options.allow_plain_http = env.Bool("MAILLAGE_WEBHOOK_ALLOW_HTTP", false);
  webhook_client_options.connect_timeout =
      env.Duration("MAILLAGE_WEBHOOK_CONNECT_TIMEOUT", std::chrono::seconds(5));
  webhook_client_options.total_timeout =
      env.Duration("MAILLAGE_WEBHOOK_TIMEOUT", std::chrono::seconds(10));
  WebhookDispatcherOptions webhook_options;
  webhook_options.workers = env.Int("MAILLAGE_WEBHOOK_WORKERS", 8, 1, 256);
  webhook_options.poll_interval =
      absl::FromChrono(env.Duration("MAILLAGE_WEBHOOK_POLL_INTERVAL", std::chrono::seconds(1)));
  webhook_options.retry.base =
      absl::FromChrono(env.Duration("MAILLAGE_WEBHOOK_RETRY_BASE", std::chrono::seconds(5)));
  webhook_options.retry.max =
      absl::FromChrono(env.Duration("MAILLAGE_WEBHOOK_RETRY_MAX", std::chrono::hours(1)));
  webhook_options.retry.disable_after =
      absl::FromChrono(env.Duration("MAILLAGE_WEBHOOK_DISABLE_AFTER", std::chrono::hours(72)));
  webhook_options.lease = absl::FromChrono(webhook_client_options.connect_timeout +
                                           webhook_client_options.total_timeout) +
                          absl::Seconds(30);
  const int webhook_retention_days = env.Int("MAILLAGE_WEBHOOK_EVENT_RETENTION_DAYS", 30, 1, 36500);
  ShareLinkDoorOptions link_options;
  link_options.rps = env.Int("MAILLAGE_SHARE_LINK_RPS", 1, 1, 1000000);
  link_options.burst = env.Int("MAILLAGE_SHARE_LINK_BURST", 30, 1, 1000000);
  link_options.max_age =
      absl::FromChrono(env.Duration("MAILLAGE_SHARE_LINK_MAX_AGE", std::chrono::minutes(5)));
  const bool public_read = env.Bool("MAILLAGE_PUBLIC_READ", false);
  PublicReadOptions public_read_options;
  public_read_options.per_address.rps = env.Int("MAILLAGE_PUBLIC_READ_RPS", 10, 1, 1000000);
  public_read_options.per_address.burst = env.Int("MAILLAGE_PUBLIC_READ_BURST", 60, 1, 1000000);
  public_read_options.max_age =
      absl::FromChrono(env.Duration("MAILLAGE_PUBLIC_READ_MAX_AGE", std::chrono::seconds(60)));
  if (absl::Status s = env.Finish(); !s.ok()) return service::ConfigError(s);
  absl::StatusOr<AddressFilter> webhook_filter = AddressFilter::Parse(webhook_allowed);
  if (!webhook_filter.ok()) {
    std::fprintf(stderr, "configuration: MAILLAGE_WEBHOOK_ALLOWED_ADDRESSES: %s\n",
                 std::string(webhook_filter.status().message()).c_str());
    return 2;
  }
  webhook_client_options.filter = *webhook_filter;
  if (http_options.timeouts.default_timeout.count() <= 0) {
    std::fprintf(stderr, "configuration: MAILLAGE_REQUEST_TIMEOUT: expected a positive duration\n");
    return 2;
  }
  const std::pair<const char*, std::chrono::milliseconds> durations[] = {
      {"MAILLAGE_MAX_REQUEST_TIMEOUT", http_options.timeouts.max_timeout},
      {"MAILLAGE_HTTP_HEADER_TIMEOUT", listener.header_timeout},
      {"MAILLAGE_HTTP_BODY_TIMEOUT", listener.body_timeout},
      {"MAILLAGE_UPLOAD_TIMEOUT", listener.upload_timeout},
      {"MAILLAGE_CONSOLE_IDLE_TIMEOUT", absl::ToChronoMilliseconds(session_options.idle)},
      {"MAILLAGE_CONSOLE_SESSION_LIFETIME", absl::ToChronoMilliseconds(session_options.absolute)},

      {"MAILLAGE_WEBHOOK_CONNECT_TIMEOUT", webhook_client_options.connect_timeout},
      {"MAILLAGE_WEBHOOK_TIMEOUT", webhook_client_options.total_timeout},
      {"MAILLAGE_WEBHOOK_POLL_INTERVAL", absl::ToChronoMilliseconds(webhook_options.poll_interval)},
      {"MAILLAGE_WEBHOOK_RETRY_BASE", absl::ToChronoMilliseconds(webhook_options.retry.base)}};
  for (const auto& [name, value] : durations) {
    if (value.count() <= 0) {
      std::fprintf(stderr, "configuration: %s: expected a positive duration\n", name);
      return 2;
    }
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
  if (public_tls.cert_file.empty() != public_tls.key_file.empty()) {
    std::fprintf(stderr,
                 "configuration: MAILLAGE_TLS_CERT_FILE and MAILLAGE_TLS_KEY_FILE go together\n");
    return 2;
  }
  for (const server::TlsFiles* tls :
       std::initializer_list<const server::TlsFiles*>{&public_tls, &internal_tls}) {
    if (tls->empty()) continue;
    if (absl::Status usable = server::CheckTlsFiles(*tls, tls == &public_tls); !usable.ok()) {
      std::fprintf(stderr, "configuration: %s\n", std::string(usable.message()).c_str());
      return 2;
    }
  }
  service::InitProcess(environment);  // also the page-token key: keys and audit lists sign theirs
  if (log_flush_interval.count() > 0) log::BufferLines(log_flush_interval);

  prometheus::Registry registry;
  server::RegisterBuildInfoMetric(registry);
  access_options.metrics = &registry;
  db::Pool pool(environment.pool);
  ApiKeyStore keys(pool);
  AuditStore audit(pool);
  AccessControl access(keys, audit, access_options);
  http_options.access = &access;
  StaffAccounts staff_accounts(pool);
  StaffSessions staff_sessions(pool, staff_accounts, session_options);
  StaffAccountAdmin staff_account_admin(staff_accounts);
  ConsoleHttp console(staff_sessions, access, console_options);
  http_options.console = &console;

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
  // Server reflection on the same port over the published contract, comments included
  // (contract_reflection.h): every public service, not only the gateway's registered ones, so
  // gRPC's own reflection plugin is off on this server. No key needed.
  const Contract& contract = Contract::Embedded();
  std::vector<std::string> reflected = contract.ServiceNames();
  reflected.insert(reflected.end(), {"grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                                     "grpc.reflection.v1alpha.ServerReflection"});
  ContractReflection reflection(contract.pool(), reflected);
  environment.server.reflection = false;
  absl::StatusOr<std::unique_ptr<GrpcPassthrough>> passthrough =
      GrpcPassthrough::Create(channel_of_service, AdmitNativeGrpc(access),
                              {.reflection = &reflection,
                               .max_deadline = http_options.timeouts.max_timeout,
                               .admit_without_blocking = AdmitNativeGrpcFromCache(access)});
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
  // Webhooks: the services' change feeds followed for each audience role, deliveries signed
  // and sent by a bounded pool of workers (webhooks/webhook_dispatcher.h).
  WebhookStore webhook_store(pool);
  WebhookClient webhook_client(webhook_client_options);
  std::unique_ptr<FeedSource> feeds[] = {MakeDirectoryFeed(channel_of_backend["directory"]),
                                         MakeMeetingsFeed(channel_of_backend["meetings"]),
                                         MakeBudgetFeed(channel_of_backend["budget"])};
  WebhookDispatcher webhooks(webhook_store, webhook_client,
                             {feeds[0].get(), feeds[1].get(), feeds[2].get()}, webhook_options);
  WebhookServiceImpl webhook_service(webhook_store, webhooks, webhook_client, access,
                                     OwnDoor::kPublic);
  WebhookServiceImpl inner_webhook_service(webhook_store, webhooks, webhook_client, access,
                                           OwnDoor::kInProcess);
  ShareLinkStore share_links(pool);
  ShareLinkServiceImpl share_link_service(share_links, access, OwnDoor::kPublic);
  ShareLinkServiceImpl inner_share_link_service(share_links, access, OwnDoor::kInProcess);
  GatewayAdminServiceImpl admin_service(keys, audit, access, staff_account_admin, OwnDoor::kPublic);
  ReportServiceImpl report_service(report_sources, access, OwnDoor::kPublic);
  GatewayAdminServiceImpl inner_admin_service(keys, audit, access, staff_account_admin,
                                              OwnDoor::kInProcess);
  ReportServiceImpl inner_report_service(report_sources, access, OwnDoor::kInProcess);
  server::Server grpc_server(
      environment.server, {&admin_service, &report_service, &webhook_service, &share_link_service});
  grpc_server.SetGenericService(passthrough->get());
  server::ServerOptions inner_options = environment.server;
  inner_options.service_name = "gateway-in-process";
  inner_options.grpc_port = -1;
  inner_options.tls = {};
  inner_options.reflection = false;
  server::Server inner_server(inner_options, {&inner_admin_service, &inner_report_service,
                                              &inner_webhook_service, &inner_share_link_service});

  // Beside the gRPC server (run by RunUntilSignal): the in-process server, the HTTP and admin
  // HTTP ports.
  std::optional<RouteTable> routes;
  HttpMetrics metrics(registry);
  std::unique_ptr<BackendCaller> caller;
  std::unique_ptr<ShareLinkDoor> link_door;
  std::unique_ptr<PublicReadDoor> public_door;
  std::unique_ptr<GatewayHttpServer> http;
  std::unique_ptr<AdminHttpServer> admin;
  server::Listeners listeners;
  listeners.start = [&]() -> absl::Status {
    if (absl::Status started = inner_server.Start(); !started.ok()) return started;
    add_backend("gateway", "maillage.gateway.v1", inner_server.InProcessChannel());
    absl::StatusOr<RouteTable> built = RouteTable::Build(services);
    if (!built.ok()) return built.status();
    routes.emplace(*std::move(built));
    http_options.openapi_json = BuildOpenApiDocument(*routes);
    http_options.docs_html = RenderDocsPage(http_options.openapi_json);
    http_options.public_files = ContractDownloads(contract);
    caller = std::make_unique<BackendCaller>(channel_of_service);
    // Reads without a key: share links always, the public read mode when it is on.
    link_door = std::make_unique<ShareLinkDoor>(share_links, audit, *caller, link_options);
    http_options.doors.push_back(
        [&](const HttpRequest& request, absl::string_view path,
            const std::multimap<std::string, std::string>&,
            HttpResponse& response) { return link_door->Handle(request, path, response); });
    if (public_read) {
      public_door = std::make_unique<PublicReadDoor>(*routes, *caller, public_read_options);
      http_options.doors.push_back([&](const HttpRequest& request, absl::string_view path,
                                       const std::multimap<std::string, std::string>& query,
                                       HttpResponse& response) {
        return public_door->Handle(request, path, query, response);
      });
      log::Info("public read mode on", {});
    }
    http = std::make_unique<GatewayHttpServer>(*routes, *caller, metrics, http_options);
    admin = std::make_unique<AdminHttpServer>(channel_of_backend, registry);
    absl::StatusOr<int> bound_admin = admin->Start("0.0.0.0", admin_port);
    if (!bound_admin.ok()) return bound_admin.status();
    absl::StatusOr<int> bound_http = http->Start("0.0.0.0", http_port);
    if (!bound_http.ok()) return bound_http.status();
    log::Info("gateway listening", {{"http_port", std::to_string(*bound_http)},
                                    {"grpc_port", std::to_string(grpc_server.port())},
                                    {"admin_port", std::to_string(*bound_admin)},
                                    {"services", std::to_string(services.size())},
                                    {"routes", std::to_string(routes->routes().size())}});
    return absl::OkStatus();
  };
  listeners.set_serving = [&](bool serving) {
    inner_server.SetServing(serving);
    admin->SetServing(serving);
  };
  listeners.stop = [&] {
    http->Stop();
    admin->Stop();
    inner_server.Shutdown();
  };
  // Retentions (deploy/README.md, "Retention periods"), once the schema is there.
  service::PeriodicJobs retention;
  retention.Add(service::RequestIdRetentionJob(pool, environment.retention_interval));
  retention.Add(AuditRetentionJob(audit, absl::Hours(24) * audit_retention_days,
                                  environment.retention_interval));
  retention.Add(SessionRetentionJob(staff_sessions, environment.retention_interval));
  retention.Add(WebhookRetentionJob(webhook_store, absl::Hours(24) * webhook_retention_days,
                                    environment.retention_interval));
  auto after_migrate = [&]() -> absl::Status {
    absl::Status ready = EnsureAdminKey(keys, admin_key);
    if (ready.ok()) {
      retention.Start();
      webhooks.Start();
    }
    return ready;
  };
  int exit_code = server::RunUntilSignal(
      grpc_server, service::MigrateThen(pool, "gateway", Migrations(), after_migrate),
      /*check=*/{}, std::chrono::seconds(2), listeners);
  webhooks.Stop();
  retention.Stop();
  log::Info("gateway stopped");
  log::StopBuffering();
  return exit_code;
}

}  // namespace
}  // namespace maillage::gateway

int main(int argc, char** argv) {
  if (maillage::server::PrintVersionIfAsked(argc, argv)) return 0;
  if (argc > 1 && std::string(argv[1]) == "users")
    return maillage::gateway::RunUsersCli(argc, argv);
  if (argc > 1) return maillage::gateway::RunKeysCli(argc, argv);
  return maillage::gateway::Run();
}
