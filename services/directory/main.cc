// maillage-directory: the directory service binary (see README.md for its environment).
//
//   maillage-directory                         serves
//   maillage-directory replay-erasures FILE    forgets again the persons of an erasure journal
//                                              after a restore (deploy/README.md), then exits
#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/config/env.h"
#include "common/log/log.h"
#include "common/server/build_info.h"
#include "common/service/service_main.h"
#include "services/directory/change_feed.h"
#include "services/directory/directory_service.h"
#include "services/directory/personal_data_requests.h"
#include "services/directory/reference_data.h"

namespace maillage::directory {
const std::vector<db::Migration>& Migrations();
}  // namespace maillage::directory

namespace {

// Migrates the database, then replays the journal in `path`. Exit code 0 on success, 1 on
// failure (printed on stderr).
int ReplayErasures(const maillage::service::ServiceEnvironment& environment,
                   const std::string& path) {
  using namespace maillage;
  log::Init(environment.server.service_name, environment.log_level);
  std::ifstream file(path);
  if (!file) {
    std::fprintf(stderr, "replay-erasures: cannot read %s\n", path.c_str());
    return 1;
  }
  std::stringstream text;
  text << file.rdbuf();
  absl::StatusOr<std::vector<directory::ErasureJournalEntry>> journal =
      directory::ParseErasureJournal(text.str());
  db::Pool pool(environment.pool);
  absl::Status migrated =
      journal.ok() ? db::Migrate(pool, "directory", directory::Migrations()) : journal.status();
  absl::StatusOr<int64_t> forgotten =
      migrated.ok() ? directory::PersonalDataRequests(pool).ReplayErasures(*journal) : migrated;
  if (!forgotten.ok()) {
    std::fprintf(stderr, "replay-erasures: %s\n", forgotten.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "replay-erasures: %zu erasures replayed, %lld contacts back from the backup "
      "forgotten again\n",
      journal->size(), static_cast<long long>(*forgotten));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (maillage::server::PrintVersionIfAsked(argc, argv)) return 0;
  maillage::config::Env env;
  auto environment = maillage::service::ReadServiceEnvironment(env, "directory", 9101, 9111);
  maillage::directory::ReferenceFiles reference_files{env.String("MAILLAGE_TERRITORY_FILE", ""),
                                                      env.String("MAILLAGE_CATEGORIES_FILE", ""),
                                                      env.String("MAILLAGE_THEMES_FILE", "")};
  int retention_days = env.Int("MAILLAGE_CHANGE_RETENTION_DAYS", 400, 1, 36500);
  if (absl::Status status = env.Finish(); !status.ok()) {
    return maillage::service::ConfigError(status);
  }
  // The reference files are checked before anything starts: a bad one is a configuration error
  // (exit 2) naming the variable, the file, the line and the field, not a start-up retried.
  if (auto lists = maillage::directory::LoadReferenceLists(reference_files); !lists.ok()) {
    return maillage::service::ConfigError(lists.status());
  }
  if (argc == 3 && std::string(argv[1]) == "replay-erasures") {
    return ReplayErasures(environment, argv[2]);
  }
  if (argc != 1) {
    std::fprintf(stderr, "usage: %s [replay-erasures FILE]\n", argv[0]);
    return 2;
  }
  maillage::db::Pool pool(environment.pool);
  maillage::directory::DirectoryServiceImpl directory(pool);
  maillage::directory::PersonalDataRequests personal_data(pool);
  return maillage::service::RunService(
      environment, pool, maillage::directory::Migrations(), {&directory},
      [&] { return maillage::directory::SyncReferenceData(pool, reference_files); },
      {maillage::directory::ChangeFeedRetentionJob(pool, absl::Hours(24) * retention_days,
                                                   environment.retention_interval),
       {"contacts retain_until", environment.retention_interval,
        [&](absl::Time now) { return personal_data.EraseExpired(now); }}});
}
