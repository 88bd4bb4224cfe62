// maillage-directory: the directory service binary (see README.md for its environment).
#include "common/config/env.h"
#include "common/service/service_main.h"
#include "services/directory/directory_service.h"
#include "services/directory/reference_data.h"

namespace maillage::directory {
const std::vector<db::Migration>& Migrations();
}  // namespace maillage::directory

int main() {
  maillage::config::Env env;
  auto environment = maillage::service::ReadServiceEnvironment(env, "directory", 9101, 9111);
  std::string territory_file = env.String("MAILLAGE_TERRITORY_FILE", "");
  if (absl::Status status = env.Finish(); !status.ok()) {
    return maillage::service::ConfigError(status);
  }
  maillage::db::Pool pool(environment.pool);
  maillage::directory::DirectoryServiceImpl directory(pool);
  return maillage::service::RunService(
      environment, pool, maillage::directory::Migrations(), {&directory},
      [&] { return maillage::directory::SyncReferenceData(pool, territory_file); });
}
