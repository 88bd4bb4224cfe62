// The shared main() of the three domain services (and the gateway's bootstrap:
// ReadCommonEnvironment, InitProcess, MigrateThen with server::Listeners): the standard environment
// variables, the database pool, migrations, the gRPC server, health following the database, pool
// gauges.
//
//   int main() {
//     maillage::config::Env env;
//     auto environment = maillage::service::ReadServiceEnvironment(env, "directory", 9101, 9111);
//     if (absl::Status s = env.Finish(); !s.ok()) return maillage::service::ConfigError(s);
//     maillage::db::Pool pool(environment.pool);
//     DirectoryServiceImpl directory(pool);
//     return maillage::service::RunService(environment, pool, maillage::directory::Migrations(),
//                                          {&directory});
//   }
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/config/env.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/server/server.h"
#include "common/service/periodic_jobs.h"
#include "grpcpp/impl/codegen/service_type.h"

namespace maillage::service {

struct ServiceEnvironment {
  server::ServerOptions server;
  db::PoolOptions pool;
  std::string log_level;
  // MAILLAGE_PRINCIPAL_SECRET: RunService installs it (auth::SetProcessSecret) so that handlers
  // verify the gateway's principals and outgoing calls carry the caller on.
  std::string principal_secret;
  // MAILLAGE_RETENTION_INTERVAL: how often the periodic jobs (retention purges) run.
  absl::Duration retention_interval = absl::Hours(1);
};

// Reads the variables every binary with a database takes, the gateway included:
//   MAILLAGE_DATABASE_URL (required), MAILLAGE_GRPC_PORT, MAILLAGE_DB_POOL_SIZE,
//   MAILLAGE_DRAIN_TIMEOUT, MAILLAGE_LOG_LEVEL, MAILLAGE_PRINCIPAL_SECRET (required, at least
//   auth::kMinSecretLength bytes), MAILLAGE_INTERNAL_TLS_CA_FILE,
//   MAILLAGE_INTERNAL_TLS_CERT_FILE, MAILLAGE_INTERNAL_TLS_KEY_FILE (all or none: mutual TLS
//   on the gRPC port and on the calls to other services: installed for server::MakeChannel
//   here, so read the environment before making channels; server/tls.h).
//   MAILLAGE_RETENTION_INTERVAL (1h).
// A secret published in the repository (config::IsPublishedSecret) in any of them, or in
// PGPASSWORD, is an error. 64 gRPC threads, no metrics port (server::ServerOptions).
// Problems are recorded in `env`; call env.Finish() afterwards.
ServiceEnvironment ReadCommonEnvironment(config::Env& env, absl::string_view service_name,
                                         int default_grpc_port);

// Reads the variables every domain service takes (see the service READMEs): the common ones,
// and MAILLAGE_METRICS_PORT, MAILLAGE_GRPC_THREADS, MAILLAGE_DB_ACQUIRE_TIMEOUT,
// MAILLAGE_REFLECTION.
// Problems are recorded in `env`; call env.Finish() afterwards.
ServiceEnvironment ReadServiceEnvironment(config::Env& env, absl::string_view service_name,
                                          int default_grpc_port, int default_metrics_port);

// Prints the configuration error on one line of stderr and returns the exit code 2.
int ConfigError(const absl::Status& status);

// Caps the allocator's arenas (server::LimitAllocatorArenas: call it before any thread starts),
// initialises the logs, installs the principal secret and logs "starting".
void InitProcess(const ServiceEnvironment& environment);

// The start-up step of server::RunUntilSignal: applies `migrations`, then runs `after_migrate`
// (e.g. syncing reference data); retried by RunUntilSignal until the database answers.
std::function<absl::Status()> MigrateThen(db::Pool& pool, const std::string& service_name,
                                          const std::vector<db::Migration>& migrations,
                                          std::function<absl::Status()> after_migrate);

// InitProcess, then runs the server until SIGTERM/SIGINT (server::RunUntilSignal): start-up is
// MigrateThen(migrations, after_migrate); health follows a database ping every 2 s. Exports the
// pool gauges db_pool_connections{state="open|in_use|max"} and db_pool_waiting. Once start-up
// succeeded, runs `jobs` and the request_ids retention (RequestIdRetentionJob) every
// environment.retention_interval on the real clock, until the server stops. Returns the process
// exit code.
int RunService(const ServiceEnvironment& environment, db::Pool& pool,
               const std::vector<db::Migration>& migrations, std::vector<grpc::Service*> services,
               std::function<absl::Status()> after_migrate = {},
               std::vector<PeriodicJob> jobs = {});

// The job that deletes the idempotency records older than db::kRequestIdRetention (24 h) at the
// jobs' clock (table request_ids, common/db/idempotency.h).
PeriodicJob RequestIdRetentionJob(db::Pool& pool, absl::Duration interval);

// The job that prunes a service's change outbox (common/api/change_outbox.h, tables outbox and
// outbox_state) of the events committed more than `retention` ago.
PeriodicJob OutboxRetentionJob(db::Pool& pool, absl::Duration retention, absl::Duration interval);

}  // namespace maillage::service
