// maillage-budget: the budget service binary (environment variables in README.md).
#include "common/config/env.h"
#include "common/server/build_info.h"
#include "common/service/service_main.h"
#include "services/budget/budget_service.h"

namespace maillage::budget {
const std::vector<db::Migration>& Migrations();
}  // namespace maillage::budget

int main(int argc, char** argv) {
  if (maillage::server::PrintVersionIfAsked(argc, argv)) return 0;
  maillage::config::Env env;
  auto environment = maillage::service::ReadServiceEnvironment(env, "budget", 9103, 9113);
  const int change_retention_days = env.Int("MAILLAGE_CHANGE_RETENTION_DAYS", 400, 1, 36500);
  if (absl::Status status = env.Finish(); !status.ok()) {
    return maillage::service::ConfigError(status);
  }
  maillage::db::Pool pool(environment.pool);
  maillage::budget::BudgetServiceImpl budget(pool);
  return maillage::service::RunService(
      environment, pool, maillage::budget::Migrations(), {&budget},
      [&] {
        return budget.SyncAccounts(std::chrono::system_clock::now() + std::chrono::seconds(30));
      },
      {maillage::service::OutboxRetentionJob(pool, absl::Hours(24) * change_retention_days,
                                             environment.retention_interval)});
}
