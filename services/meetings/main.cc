// maillage-meetings: the meetings service (see README.md for its environment variables).
#include "common/config/env.h"
#include "common/server/build_info.h"
#include "common/server/client.h"
#include "common/service/service_main.h"
#include "common/status/status_macros.h"
#include "services/meetings/directory_feed_follower.h"
#include "services/meetings/indicator_report.h"
#include "services/meetings/meeting_kinds.h"
#include "services/meetings/meeting_planner.h"
#include "services/meetings/meetings_service.h"
#include "services/meetings/output_catalog.h"
#include "services/meetings/participant_roster.h"
#include "services/meetings/reference_clients.h"
#include "services/meetings/roadmap.h"

namespace maillage::meetings {
const std::vector<db::Migration>& Migrations();
}  // namespace maillage::meetings

int main(int argc, char** argv) {
  if (maillage::server::PrintVersionIfAsked(argc, argv)) return 0;
  using namespace maillage;
  config::Env env;
  service::ServiceEnvironment environment =
      service::ReadServiceEnvironment(env, "meetings", 9102, 9112);
  std::string directory_addr = env.String("MAILLAGE_DIRECTORY_ADDR", "127.0.0.1:9101");
  std::string budget_addr = env.String("MAILLAGE_BUDGET_ADDR", "127.0.0.1:9103");
  std::string kinds_file = env.String("MAILLAGE_MEETING_KINDS_FILE", "");
  const int change_retention_days = env.Int("MAILLAGE_CHANGE_RETENTION_DAYS", 400, 1, 36500);
  if (absl::Status s = env.Finish(); !s.ok()) return service::ConfigError(s);
  // The network's own meeting kinds, checked before anything starts (a bad file is a
  // configuration error naming the file, the line and the field).
  absl::StatusOr<std::vector<csv::CodedEntry>> kinds = meetings::LoadMeetingKinds(kinds_file);
  if (!kinds.ok()) return service::ConfigError(kinds.status());

  db::Pool pool(environment.pool);
  meetings::DirectoryClient directory(server::MakeChannel(directory_addr));
  meetings::BudgetActionRegistry actions(server::MakeChannel(budget_addr));
  meetings::MeetingPlanner planner(pool, actions, directory);
  meetings::ParticipantRoster roster(pool, directory);
  meetings::OutputCatalog outputs(pool, directory);
  meetings::Roadmap roadmap(pool, actions);
  meetings::IndicatorReport indicators(pool, directory, actions);
  meetings::MeetingsServiceImpl service(planner, roster, outputs, roadmap, indicators);
  meetings::DirectoryFeedFollower follower(pool, directory, std::chrono::seconds(5));
  return service::RunService(
      environment, pool, meetings::Migrations(), {&service},
      [&] {
        MAILLAGE_RETURN_IF_ERROR(meetings::SyncMeetingKinds(pool, *kinds));
        follower.Start();  // once the schema is there
        return absl::OkStatus();
      },
      {service::OutboxRetentionJob(pool, absl::Hours(24) * change_retention_days,
                                   environment.retention_interval)});
}
