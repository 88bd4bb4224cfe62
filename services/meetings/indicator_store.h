// SQL behind GetIndicators: the counts of one action and period (see
// participation_indicators.h), read by one statement, and the attendance summaries of closed
// meetings they are read from (migrations/0002_attendance_summaries.sql) with their per-day
// totals (migrations/0003_attendance_by_day.sql).
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "services/meetings/participation_indicators.h"

namespace maillage::meetings {

// `period_start` and `period_end` are "YYYY-MM-DD" local dates (Europe/Paris), empty for an
// open bound. The participant figures come from the per-day totals of the attendance summaries
// (a few rows per day of the period, one per mobilised actor, role and day). One statement,
// so one snapshot whatever the isolation level.
IndicatorInputs ReadIndicatorInputs(pqxx::work& txn, const std::string& action,
                                    const std::string& period_start, const std::string& period_end);

// The same inputs with the participant figures recomputed from the participants rows, not
// from the summaries: the reference the summaries are checked against (tests, bench). Slower:
// it reads every participant of the held meetings.
IndicatorInputs ReadIndicatorInputsFromParticipants(pqxx::work& txn, const std::string& action,
                                                    const std::string& period_start,
                                                    const std::string& period_end);

// Rewrites, from their participants, the attendance summaries of those of `meeting_ids` that
// are CLOSED, and moves the per-day totals by the difference: one statement sent with the
// transaction's COMMIT (db::ExecAtCommit), after the statements queued before this call, so
// that the rows of the totals are locked only while the COMMIT's round trip runs. Called in
// the transaction that closes a meeting and in every one that changes participants of closed
// meetings (the directory change feed).
void SummarizeClosedAttendance(pqxx::work& txn, const std::vector<int64_t>& meeting_ids);

}  // namespace maillage::meetings
