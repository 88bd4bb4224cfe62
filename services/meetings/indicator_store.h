// SQL behind GetIndicators: the raw counts of one action and period (see
// participation_indicators.h), read in one REPEATABLE READ snapshot.
#pragma once

#include <pqxx/pqxx>
#include <string>

#include "services/meetings/participation_indicators.h"

namespace maillage::meetings {

// `period_start` and `period_end` are "YYYY-MM-DD" local dates (Europe/Paris), empty for an
// open bound. Must be the first statement of its transaction (it sets the isolation level).
IndicatorInputs ReadIndicatorInputs(pqxx::work& txn, const std::string& action,
                                    const std::string& period_start, const std::string& period_end);

}  // namespace maillage::meetings
