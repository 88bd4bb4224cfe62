// IndicatorReport (see indicator_report.h).
#include "services/meetings/indicator_report.h"

#include <optional>

#include "common/auth/caller.h"
#include "common/db/values.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/meetings/indicator_store.h"
#include "services/meetings/meeting_rules.h"
#include "services/meetings/participation_indicators.h"

namespace maillage::meetings {

IndicatorReport::IndicatorReport(db::Pool& pool, DirectoryClient& directory,
                                 ActionRegistry& actions)
    : pool_(pool), directory_(directory), actions_(actions) {}

absl::StatusOr<v1::Indicators> IndicatorReport::Get(const v1::GetIndicatorsRequest& request,
                                                    db::Deadline deadline) {
  FieldViolations violations;
  if (!IsActionName(request.action())) violations.Add("action", "must be \"actions/{action}\"");
  ValidatePeriod(request.period_start(), request.period_end(), violations);
  MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
  std::optional<std::string> start = PeriodDate(request.period_start());
  std::optional<std::string> end = PeriodDate(request.period_end());
  MAILLAGE_RETURN_IF_ERROR(actions_.CheckCallerFunds(request.action(), deadline));

  MAILLAGE_ASSIGN_OR_RETURN(IndicatorInputs inputs,
                            pool_.ReadOnly<IndicatorInputs>(
                                deadline, [&](pqxx::work& txn) -> absl::StatusOr<IndicatorInputs> {
                                  return ReadIndicatorInputs(txn, request.action(), *start, *end);
                                }));

  std::optional<DirectorySnapshot> directory;
  // Counts only, in the service's own name: see the header.
  auth::CallerScope reader(auth::ServicePrincipal("meetings", gateway::v1::ROLE_PARTNER));
  auto actors = directory_.ListActors("", deadline);
  auto categories = actors.ok()
                        ? directory_.ListNetworkCategories(deadline)
                        : decltype(directory_.ListNetworkCategories(deadline))(actors.status());
  auto communes = categories.ok()
                      ? directory_.ListCommunes(deadline)
                      : decltype(directory_.ListCommunes(deadline))(categories.status());
  if (communes.ok()) {
    DirectorySnapshot snapshot;
    snapshot.read_time_micros = db::NowMicros();
    for (const auto& actor : *actors) {
      snapshot.active_actors.push_back(
          {actor.name(),
           {actor.network_categories().begin(), actor.network_categories().end()},
           actor.address().commune_insee_code()});
    }
    for (const auto& c : *categories) {
      snapshot.network_categories.push_back({c.code(), c.display_name()});
    }
    for (const auto& c : *communes) snapshot.communes.push_back({c.insee_code(), c.display_name()});
    directory = std::move(snapshot);
  } else {
    log::Warn("indicators without coverage: the directory cannot be read",
              {{"error", std::string(communes.status().message())}});
  }

  v1::Indicators indicators = ComputeIndicators(inputs, directory);
  indicators.set_action(request.action());
  if (!IsUnsetDate(request.period_start()))
    *indicators.mutable_period_start() = request.period_start();
  if (!IsUnsetDate(request.period_end())) *indicators.mutable_period_end() = request.period_end();
  *indicators.mutable_compute_time() = db::TimestampOf(db::NowMicros());
  return indicators;
}

}  // namespace maillage::meetings
