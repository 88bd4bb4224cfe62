// IndicatorReport: GetIndicators — reads the raw counts of an action and period from the
// meetings database and the directory's actors, and computes the figures with
// ParticipationIndicators.
#pragma once

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/meetings/v1/meetings_service.pb.h"
#include "services/meetings/reference_clients.h"

namespace maillage::meetings {

class IndicatorReport {
 public:
  // `pool`, `directory` and `actions` must outlive the report.
  IndicatorReport(db::Pool& pool, DirectoryClient& directory, ActionRegistry& actions);

  // INVALID_ARGUMENT for a bad action name or period (an invalid date, end before start);
  // PERMISSION_DENIED when a funder's key asks for an action it does not fund
  // (ActionRegistry::CheckCallerFunds). The directory's figures are read in the meetings
  // service's own name with the PARTNER role (counts of actors, categories and communes, no
  // personal data), so that every caller allowed to read indicators gets the coverage — a
  // funder's key may not read the directory itself. When the directory cannot be reached the
  // coverage figures stay empty (directory_data_time unset) and the call succeeds.
  absl::StatusOr<v1::Indicators> Get(const v1::GetIndicatorsRequest& request,
                                     db::Deadline deadline);

 private:
  db::Pool& pool_;
  DirectoryClient& directory_;
  ActionRegistry& actions_;
};

}  // namespace maillage::meetings
