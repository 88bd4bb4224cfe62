#include "common/service/service_main.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/api/change_outbox.h"
#include "common/api/pagination.h"
#include "common/auth/caller.h"
#include "common/db/idempotency.h"
#include "common/log/log.h"
#include "common/server/memory.h"
#include "prometheus/gauge.h"

namespace maillage::service {
namespace {

db::Deadline In(std::chrono::milliseconds delay) {
  return std::chrono::system_clock::now() + delay;
}

}  // namespace

ServiceEnvironment ReadCommonEnvironment(config::Env& env, absl::string_view service_name,
                                         int default_grpc_port) {
  ServiceEnvironment out;
  out.server.service_name = std::string(service_name);
  out.server.error_domain = absl::StrCat(service_name, ".maillage");
  out.server.grpc_port = env.Port("MAILLAGE_GRPC_PORT", default_grpc_port);
  out.server.threads = 64;
  out.server.drain_timeout = env.Duration("MAILLAGE_DRAIN_TIMEOUT", std::chrono::seconds(10));
  out.pool.url = env.Required("MAILLAGE_DATABASE_URL");
  out.pool.size = env.Int("MAILLAGE_DB_POOL_SIZE", 8, 1, 256);
  out.pool.error_domain = out.server.error_domain;
  out.pool.application_name = absl::StrCat("maillage-", service_name);
  out.log_level = env.OneOf("MAILLAGE_LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  out.principal_secret = env.Secret("MAILLAGE_PRINCIPAL_SECRET", auth::kMinSecretLength);
  // libpq reads the database password from PGPASSWORD (the containers' entrypoint sets it).
  env.RefusePublishedSecret("PGPASSWORD");
  out.server.tls = server::ReadInternalTls(env);
  // The channels a service opens to others (made in main() before RunService) use it too.
  server::SetInternalTls(out.server.tls);
  out.retention_interval =
      absl::FromChrono(env.Duration("MAILLAGE_RETENTION_INTERVAL", std::chrono::hours(1)));
  return out;
}

ServiceEnvironment ReadServiceEnvironment(config::Env& env, absl::string_view service_name,
                                          int default_grpc_port, int default_metrics_port) {
  ServiceEnvironment out = ReadCommonEnvironment(env, service_name, default_grpc_port);
  out.server.metrics_port = env.Int("MAILLAGE_METRICS_PORT", default_metrics_port, -1, 65535);
  out.server.threads = env.Int("MAILLAGE_GRPC_THREADS", 64, 2, 1024);
  out.server.reflection = env.Bool("MAILLAGE_REFLECTION", true);
  out.pool.acquire_timeout =
      env.Duration("MAILLAGE_DB_ACQUIRE_TIMEOUT", std::chrono::milliseconds(2000));
  return out;
}

int ConfigError(const absl::Status& status) {
  std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
  return 2;
}

void InitProcess(const ServiceEnvironment& environment) {
  server::LimitAllocatorArenas();  // before the log's and the pool's threads
  log::Init(environment.server.service_name, environment.log_level);
  auth::SetProcessSecret(environment.principal_secret);
  // Page tokens are signed with a key every replica derives from the same secret.
  api::SetPageTokenKeyFromSecret(environment.principal_secret);
  log::Info("starting", {{"database", db::RedactPassword(environment.pool.url)},
                         {"grpc_port", absl::StrCat(environment.server.grpc_port)}});
}

std::function<absl::Status()> MigrateThen(db::Pool& pool, const std::string& service_name,
                                          const std::vector<db::Migration>& migrations,
                                          std::function<absl::Status()> after_migrate) {
  return [&pool, service_name, &migrations, after_migrate = std::move(after_migrate)] {
    absl::Status migrated = db::Migrate(pool, service_name, migrations);
    if (!migrated.ok()) return migrated;
    return after_migrate ? after_migrate() : absl::OkStatus();
  };
}

PeriodicJob RequestIdRetentionJob(db::Pool& pool, absl::Duration interval) {
  return {"request_ids retention", interval, [&pool](absl::Time now) {
            return pool.Transact<int64_t>(
                In(std::chrono::minutes(5)), [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
                  return db::PurgeRequestIds(txn, now - db::kRequestIdRetention);
                });
          }};
}

PeriodicJob OutboxRetentionJob(db::Pool& pool, absl::Duration retention, absl::Duration interval) {
  return {"change outbox retention", interval, [&pool, retention](absl::Time now) {
            return pool.Transact<int64_t>(In(std::chrono::minutes(5)),
                                          [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
                                            return api::PruneOutbox(txn, now - retention);
                                          });
          }};
}

int RunService(const ServiceEnvironment& environment, db::Pool& pool,
               const std::vector<db::Migration>& migrations, std::vector<grpc::Service*> services,
               std::function<absl::Status()> after_migrate, std::vector<PeriodicJob> jobs) {
  InitProcess(environment);
  server::Server server(environment.server, std::move(services));

  auto& connections = prometheus::BuildGauge()
                          .Name("db_pool_connections")
                          .Help("Database connections of the pool by state")
                          .Register(server.metrics());
  auto& waiting = prometheus::BuildGauge()
                      .Name("db_pool_waiting")
                      .Help("Calls waiting for a database connection")
                      .Register(server.metrics());
  prometheus::Gauge& open = connections.Add({{"state", "open"}});
  prometheus::Gauge& in_use = connections.Add({{"state", "in_use"}});
  connections.Add({{"state", "max"}}).Set(environment.pool.size);
  prometheus::Gauge& waiting_now = waiting.Add({});

  PeriodicJobs periodic;
  periodic.Add(RequestIdRetentionJob(pool, environment.retention_interval));
  for (PeriodicJob& job : jobs) periodic.Add(std::move(job));
  auto migrate =
      MigrateThen(pool, environment.server.service_name, migrations, std::move(after_migrate));
  auto startup = [&periodic, migrate]() -> absl::Status {
    absl::Status ready = migrate();
    if (ready.ok()) periodic.Start();  // once the schema is there (no-op when started)
    return ready;
  };
  auto check = [&]() -> absl::Status {
    db::PoolStats stats = pool.Stats();
    open.Set(stats.open);
    in_use.Set(stats.in_use);
    waiting_now.Set(stats.waiting);
    return pool.Ping(In(std::chrono::seconds(2)));
  };
  return server::RunUntilSignal(server, startup, check);
}

}  // namespace maillage::service
