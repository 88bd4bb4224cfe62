// SQL of outputs (documents and proposals with their state history) and roadmap items (with
// their progress history). Every function runs inside the caller's transaction and lets
// libpqxx exceptions through to db::Pool.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/filter.h"
#include "common/db/pool.h"
#include "maillage/meetings/v1/output.pb.h"
#include "maillage/meetings/v1/roadmap.pb.h"

namespace maillage::meetings {

// The output `output_id` of meeting `meeting_id` with its history; `for_update` locks it.
// NOT_FOUND OUTPUT_NOT_FOUND.
absl::StatusOr<v1::Output> LoadOutput(pqxx::work& txn, int64_t meeting_id, int64_t output_id,
                                      bool for_update);
// LoadOutput without lock in one round trip outside any transaction (db::Pool::Query), for
// GetOutput.
absl::StatusOr<v1::Output> ReadOutput(db::Pool& pool, db::Deadline deadline, int64_t meeting_id,
                                      int64_t output_id);
// The revision a write of one row left and the time of the change (the transaction's now():
// the row's update_time and its history entry's time).
struct RowWritten {
  int64_t revision = 0;
  int64_t time_micros = 0;
};

// Inserts an output (a proposal starts SUBMITTED with one history entry, by `changed_by`) and
// returns it as stored, in one statement.
v1::Output InsertOutput(pqxx::work& txn, int64_t meeting_id, const v1::Output& output,
                        const std::string& changed_by);
// Replaces the writable fields of the output's content; revision + 1. One statement.
RowWritten WriteOutputFields(pqxx::work& txn, int64_t output_id, const v1::Output& output);
// Moves a proposal to `state` (and its roadmap item for INTEGRATED, 0 for none) with a
// history entry; revision + 1. One statement.
RowWritten WriteProposalState(pqxx::work& txn, int64_t output_id, v1::ProposalState state,
                              int64_t roadmap_item_id, const std::string& changed_by,
                              const std::string& note);
void DeleteOutputRow(pqxx::work& txn, int64_t output_id);

struct OutputPageRow {
  v1::Output output;
  std::string sort_key;
  int64_t id = 0;
};
// One page of outputs (FROM outputs o JOIN meetings m): `where` parameters from $1, then the
// keyset's.
std::vector<OutputPageRow> SelectOutputs(pqxx::work& txn, const api::SqlCondition& where,
                                         const api::KeysetClause& keyset,
                                         const std::string& sort_sql, int limit);

// The action of a meeting; empty when the meeting does not exist.
std::string ActionOfMeeting(pqxx::work& txn, int64_t meeting_id);

// The roadmap item `id` with its history; `for_update` locks it. NOT_FOUND
// ROADMAP_ITEM_NOT_FOUND.
absl::StatusOr<v1::RoadmapItem> LoadRoadmapItem(pqxx::work& txn, int64_t id, bool for_update);
// LoadRoadmapItem without lock in one round trip outside any transaction (db::Pool::Query),
// for GetRoadmapItem.
absl::StatusOr<v1::RoadmapItem> ReadRoadmapItem(db::Pool& pool, db::Deadline deadline, int64_t id);
// Inserts a PLANNED item with progress 0 and its first history entry ("created", by
// `changed_by`), and returns it as stored, in one statement.
v1::RoadmapItem InsertRoadmapItem(pqxx::work& txn, const v1::RoadmapItem& item,
                                  const std::string& changed_by);
// Replaces action, axis, title, description and sources; revision + 1.
void WriteRoadmapFields(pqxx::work& txn, int64_t id, const v1::RoadmapItem& item);
// Records progress and state with a history entry; revision + 1.
void WriteRoadmapProgress(pqxx::work& txn, int64_t id, int progress, v1::RoadmapItemState state,
                          const std::string& changed_by, const std::string& note);
// Appends a proposal and its meeting to the item's sources (each once); revision + 1.
void AddRoadmapSources(pqxx::work& txn, int64_t id, const std::string& proposal,
                       const std::string& meeting);
// Number of proposals integrated in the item.
int64_t IntegratedProposals(pqxx::work& txn, int64_t id);
void DeleteRoadmapItemRow(pqxx::work& txn, int64_t id);

struct RoadmapPageRow {
  v1::RoadmapItem item;
  std::string sort_key;
  int64_t id = 0;
};
std::vector<RoadmapPageRow> SelectRoadmapItems(pqxx::work& txn, const api::SqlCondition& where,
                                               const api::KeysetClause& keyset,
                                               const std::string& sort_sql, int limit);

}  // namespace maillage::meetings
