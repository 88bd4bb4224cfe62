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
  // `pool` and `directory` must outlive the report.
  IndicatorReport(db::Pool& pool, DirectoryClient& directory);

  // INVALID_ARGUMENT for a bad action name or period (an invalid date, end before start). When
  // the directory cannot be reached the coverage figures stay empty and the call succeeds.
  absl::StatusOr<v1::Indicators> Get(const v1::GetIndicatorsRequest& request,
                                     db::Deadline deadline);

 private:
  db::Pool& pool_;
  DirectoryClient& directory_;
};

}  // namespace maillage::meetings
