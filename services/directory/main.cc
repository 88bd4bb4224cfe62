// maillage-directory: the directory service binary (see README.md for its environment).
#include <memory>

#include "common/config/env.h"
#include "common/service/service_main.h"
#include "services/directory/change_feed.h"
#include "services/directory/directory_service.h"
#include "services/directory/reference_data.h"

namespace maillage::directory {
const std::vector<db::Migration>& Migrations();
}  // namespace maillage::directory

int main() {
  maillage::config::Env env;
  auto environment = maillage::service::ReadServiceEnvironment(env, "directory", 9101, 9111);
  std::string territory_file = env.String("MAILLAGE_TERRITORY_FILE", "");
  int retention_days = env.Int("MAILLAGE_CHANGE_RETENTION_DAYS", 400, 1, 36500);
  if (absl::Status status = env.Finish(); !status.ok()) {
    return maillage::service::ConfigError(status);
  }
  maillage::db::Pool pool(environment.pool);
  maillage::directory::DirectoryServiceImpl directory(pool);
  // Started once the migrations ran (the start-up hook may be retried).
  std::unique_ptr<maillage::directory::ChangeFeedPruner> pruner;
  return maillage::service::RunService(
      environment, pool, maillage::directory::Migrations(), {&directory}, [&] {
        absl::Status synced = maillage::directory::SyncReferenceData(pool, territory_file);
        if (synced.ok() && pruner == nullptr) {
          pruner = std::make_unique<maillage::directory::ChangeFeedPruner>(
              pool, std::chrono::hours(24) * retention_days);
        }
        return synced;
      });
}
