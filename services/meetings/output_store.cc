// SQL of outputs and roadmap items (see output_store.h).
#include "services/meetings/output_store.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/resource_name.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/meetings/meeting_rules.h"
#include "services/meetings/meeting_store.h"

namespace maillage::meetings {
namespace {

constexpr const char* kOutputSelect =
    "SELECT o.id, o.meeting_id, o.content, o.document_kind, o.title, o.uri, o.proposal_text, "
    "o.proposal_authors, o.proposal_state, COALESCE(o.roadmap_item_id, 0), " MAILLAGE_SQL_MICROS(
        "o.create_time") ", " MAILLAGE_SQL_MICROS("o.update_time") ", o.revision";
constexpr int kOutputColumns = 13;

constexpr const char* kSelectProposalHistory =
    "SELECT output_id, state, " MAILLAGE_SQL_MICROS("change_time") ", changed_by, note "
    "FROM proposal_state_changes WHERE output_id = ANY($1::bigint[]) "
    "ORDER BY output_id, position";

// The output and, for a proposal, its first history entry (changed_by $9): the output's columns
// (kOutputSelect over the row written) and the entry's time (NULL for a document).
constexpr const char* kInsertOutput =
    "WITH o AS (INSERT INTO outputs (meeting_id, content, document_kind, title, uri, "
    "proposal_text, proposal_authors, proposal_state) VALUES ($1, $2, $3, $4, $5, $6, "
    "$7::text[], $8) RETURNING *), "
    "entry AS (INSERT INTO proposal_state_changes (output_id, position, state, changed_by, note) "
    "SELECT id, 1, proposal_state, $9, '' FROM o WHERE content = 'proposal' "
    "RETURNING change_time) ";

constexpr const char* kWriteOutput =
    "UPDATE outputs SET document_kind = $2, title = $3, uri = $4, proposal_text = $5, "
    "proposal_authors = $6::text[], revision = revision + 1, update_time = now() WHERE id = $1 "
    "RETURNING revision, " MAILLAGE_SQL_MICROS("update_time");

// The new state and its history entry (changed_by $4, note $5) in one statement.
constexpr const char* kWriteProposalState =
    "WITH o AS (UPDATE outputs SET proposal_state = $2, roadmap_item_id = NULLIF($3::bigint, 0), "
    "revision = revision + 1, update_time = now() WHERE id = $1 RETURNING id, revision, "
    "update_time), "
    "entry AS (INSERT INTO proposal_state_changes (output_id, position, state, changed_by, note) "
    "SELECT o.id, COALESCE((SELECT max(h.position) FROM proposal_state_changes h "
    "WHERE h.output_id = o.id), 0) + 1, $2, $4, $5 FROM o) "
    "SELECT revision, " MAILLAGE_SQL_MICROS("update_time") " FROM o";

constexpr const char* kRoadmapSelect =
    "SELECT r.id, r.action, r.axis, r.title, r.description, r.state, r.progress, "
    "r.source_proposals, r.source_meetings, " MAILLAGE_SQL_MICROS(
        "r.create_time") ", " MAILLAGE_SQL_MICROS("r.update_time") ", r.revision";
constexpr int kRoadmapColumns = 12;

constexpr const char* kSelectRoadmapHistory =
    "SELECT roadmap_item_id, progress, state, " MAILLAGE_SQL_MICROS("change_time") ", changed_by, "
    "note FROM roadmap_progress WHERE roadmap_item_id = ANY($1::bigint[]) "
    "ORDER BY roadmap_item_id, position";

constexpr const char* kInsertRoadmapHistory =
    "INSERT INTO roadmap_progress (roadmap_item_id, position, progress, state, changed_by, note) "
    "SELECT $1, COALESCE(max(position), 0) + 1, $2, $3, $4, $5 FROM roadmap_progress "
    "WHERE roadmap_item_id = $1";

// The item and its first history entry (changed_by $7): the item's columns (kRoadmapSelect
// over the row written), then the entry's time.
constexpr const char* kInsertRoadmapItem =
    "WITH r AS (INSERT INTO roadmap_items (action, axis, title, description, state, progress, "
    "source_proposals, source_meetings) VALUES ($1, $2, $3, $4, 'ROADMAP_ITEM_STATE_PLANNED', 0, "
    "$5::text[], $6::text[]) RETURNING *), "
    "entry AS (INSERT INTO roadmap_progress (roadmap_item_id, position, progress, state, "
    "changed_by, note) SELECT id, 1, 0, state, $7, 'created' FROM r RETURNING change_time) ";

constexpr const char* kWriteRoadmapFields =
    "UPDATE roadmap_items SET action = $2, axis = $3, title = $4, description = $5, "
    "source_proposals = $6::text[], source_meetings = $7::text[], revision = revision + 1, "
    "update_time = now() WHERE id = $1";

constexpr const char* kWriteRoadmapProgress =
    "UPDATE roadmap_items SET progress = $2, state = $3, revision = revision + 1, "
    "update_time = now() WHERE id = $1";

constexpr const char* kAddRoadmapSources =
    "UPDATE roadmap_items SET "
    "source_proposals = CASE WHEN $2 = ANY(source_proposals) THEN source_proposals "
    "  ELSE array_append(source_proposals, $2) END, "
    "source_meetings = CASE WHEN $3 = ANY(source_meetings) THEN source_meetings "
    "  ELSE array_append(source_meetings, $3) END, "
    "revision = revision + 1, update_time = now() WHERE id = $1";

std::string IdArray(const std::vector<int64_t>& ids) {
  return absl::StrCat("{", absl::StrJoin(ids, ","), "}");
}

v1::Output OutputFromRow(const pqxx::row& row) {
  v1::Output o;
  o.set_name(absl::StrCat(api::ResourceName("meetings", row[1].as<int64_t>()), "/",
                          api::ResourceName("outputs", row[0].as<int64_t>())));
  if (row[2].as<std::string>() == "document") {
    v1::Document* d = o.mutable_document();
    v1::DocumentKind kind;
    if (v1::DocumentKind_Parse(row[3].as<std::string>(), &kind)) d->set_kind(kind);
    d->set_title(row[4].as<std::string>());
    d->set_uri(row[5].as<std::string>());
  } else {
    v1::Proposal* p = o.mutable_proposal();
    p->set_title(row[4].as<std::string>());
    p->set_text(row[6].as<std::string>());
    for (std::string& author : db::ReadTextArray(row[7])) p->add_authors(std::move(author));
    v1::ProposalState state;
    if (v1::ProposalState_Parse(row[8].as<std::string>(), &state)) p->set_state(state);
    int64_t item = row[9].as<int64_t>();
    if (item != 0) p->set_roadmap_item(api::ResourceName("roadmapItems", item));
  }
  db::ReadMicros(row[10], o.mutable_create_time());
  db::ReadMicros(row[11], o.mutable_update_time());
  o.set_etag(row[12].as<std::string>());
  return o;
}

void AttachProposalHistories(pqxx::work& txn, std::map<int64_t, v1::Output*>& by_id) {
  std::vector<int64_t> ids;
  for (auto& [id, output] : by_id) {
    if (output->has_proposal()) ids.push_back(id);
  }
  if (ids.empty()) return;
  static const auto* const kStatement =
      new db::Statement{"meetings_proposal_history", kSelectProposalHistory};
  for (const pqxx::row& row : db::ExecStatement(txn, *kStatement, IdArray(ids))) {
    v1::ProposalStateChange* change =
        by_id[row[0].as<int64_t>()]->mutable_proposal()->add_state_history();
    v1::ProposalState state;
    if (v1::ProposalState_Parse(row[1].as<std::string>(), &state)) change->set_state(state);
    db::ReadMicros(row[2], change->mutable_time());
    change->set_changed_by(row[3].as<std::string>());
    change->set_note(row[4].as<std::string>());
  }
}

v1::RoadmapItem RoadmapItemFromRow(const pqxx::row& row) {
  v1::RoadmapItem r;
  r.set_name(api::ResourceName("roadmapItems", row[0].as<int64_t>()));
  r.set_action(row[1].as<std::string>());
  r.set_axis(row[2].as<std::string>());
  r.set_title(row[3].as<std::string>());
  r.set_description(row[4].as<std::string>());
  v1::RoadmapItemState state;
  if (v1::RoadmapItemState_Parse(row[5].as<std::string>(), &state)) r.set_state(state);
  r.set_progress(row[6].as<int>());
  for (std::string& s : db::ReadTextArray(row[7])) r.add_source_proposals(std::move(s));
  for (std::string& s : db::ReadTextArray(row[8])) r.add_source_meetings(std::move(s));
  db::ReadMicros(row[9], r.mutable_create_time());
  db::ReadMicros(row[10], r.mutable_update_time());
  r.set_etag(row[11].as<std::string>());
  return r;
}

void AttachRoadmapHistories(pqxx::work& txn, std::map<int64_t, v1::RoadmapItem*>& by_id) {
  if (by_id.empty()) return;
  std::vector<int64_t> ids;
  for (auto& [id, item] : by_id) ids.push_back(id);
  for (const pqxx::row& row : txn.exec_params(kSelectRoadmapHistory, IdArray(ids))) {
    v1::RoadmapProgressEntry* entry = by_id[row[0].as<int64_t>()]->add_progress_history();
    entry->set_progress(row[1].as<int>());
    v1::RoadmapItemState state;
    if (v1::RoadmapItemState_Parse(row[2].as<std::string>(), &state)) entry->set_state(state);
    db::ReadMicros(row[3], entry->mutable_time());
    entry->set_changed_by(row[4].as<std::string>());
    entry->set_note(row[5].as<std::string>());
  }
}

}  // namespace

namespace {

absl::Status OutputNotFound(int64_t meeting_id, int64_t output_id) {
  std::string name = absl::StrCat(api::ResourceName("meetings", meeting_id), "/",
                                  api::ResourceName("outputs", output_id));
  return NotFound(kDomain, "OUTPUT_NOT_FOUND", absl::StrCat("no output ", name), {{"name", name}});
}

absl::Status RoadmapItemNotFound(int64_t id) {
  std::string name = api::ResourceName("roadmapItems", id);
  return NotFound(kDomain, "ROADMAP_ITEM_NOT_FOUND", absl::StrCat("no roadmap item ", name),
                  {{"name", name}});
}

// The arrays of a history aggregated in position order (the columns after `columns` of a
// row), one entry per element.
struct HistoryArrays {
  std::vector<std::vector<std::string>> columns;
  HistoryArrays(const pqxx::row& row, int first, int count) {
    for (int i = 0; i < count; ++i) columns.push_back(db::ReadTextArray(row[first + i]));
  }
  size_t size() const { return columns.empty() ? 0 : columns[0].size(); }
  const std::string& at(int column, size_t i) const {
    static const auto* const kEmpty = new std::string;
    return i < columns[column].size() ? columns[column][i] : *kEmpty;
  }
};

google::protobuf::Timestamp TimeOf(const std::string& micros_text) {
  int64_t micros = 0;
  absl::SimpleAtoi(micros_text, &micros);
  return db::TimestampOf(micros);
}

}  // namespace

absl::StatusOr<v1::Output> LoadOutput(pqxx::work& txn, int64_t meeting_id, int64_t output_id,
                                      bool for_update) {
  static const auto* const kRead = new db::Statement{
      "meetings_load_output",
      absl::StrCat(kOutputSelect, " FROM outputs o WHERE o.id = $1 AND o.meeting_id = $2")};
  static const auto* const kLock =
      new db::Statement{"meetings_lock_output", absl::StrCat(kRead->sql, " FOR UPDATE")};
  pqxx::result rows = db::ExecStatement(txn, for_update ? *kLock : *kRead, output_id, meeting_id);
  if (rows.empty()) return OutputNotFound(meeting_id, output_id);
  v1::Output output = OutputFromRow(rows[0]);
  std::map<int64_t, v1::Output*> by_id = {{output_id, &output}};
  AttachProposalHistories(txn, by_id);
  return output;
}

absl::StatusOr<v1::Output> ReadOutput(db::Pool& pool, db::Deadline deadline, int64_t meeting_id,
                                      int64_t output_id) {
  // The output and its proposal history (arrays in position order) in one statement.
  static const auto* const kStatement = new db::Statement{
      "meetings_read_output",
      absl::StrCat(kOutputSelect,
                   ", h.states, h.times, h.authors, h.notes FROM outputs o CROSS JOIN LATERAL "
                   "(SELECT array_agg(c.state ORDER BY c.position) AS states, "
                   "array_agg(" MAILLAGE_SQL_MICROS(
                       "c.change_time") " ORDER BY c.position) AS times, "
                                        "array_agg(c.changed_by ORDER BY c.position) AS authors, "
                                        "array_agg(c.note ORDER BY c.position) AS notes "
                                        "FROM proposal_state_changes c WHERE c.output_id = o.id) h "
                                        "WHERE o.id = $1 AND o.meeting_id = $2")};
  MAILLAGE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      pool.Query(deadline, *kStatement, {absl::StrCat(output_id), absl::StrCat(meeting_id)}));
  if (rows.empty()) return OutputNotFound(meeting_id, output_id);
  v1::Output output = OutputFromRow(rows[0]);
  if (!output.has_proposal()) return output;
  HistoryArrays history(rows[0], kOutputColumns, 4);
  for (size_t i = 0; i < history.size(); ++i) {
    v1::ProposalStateChange* change = output.mutable_proposal()->add_state_history();
    v1::ProposalState state;
    if (v1::ProposalState_Parse(history.at(0, i), &state)) change->set_state(state);
    *change->mutable_time() = TimeOf(history.at(1, i));
    change->set_changed_by(history.at(2, i));
    change->set_note(history.at(3, i));
  }
  return output;
}

v1::Output InsertOutput(pqxx::work& txn, int64_t meeting_id, const v1::Output& o,
                        const std::string& changed_by) {
  static const auto* const kStatement = new db::Statement{
      "meetings_insert_output",
      absl::StrCat(kInsertOutput, kOutputSelect,
                   ", " MAILLAGE_SQL_MICROS("e.change_time") " FROM o LEFT JOIN entry e ON true")};
  bool document = o.has_document();
  pqxx::result rows = db::ExecStatement(
      txn, *kStatement, meeting_id, document ? "document" : "proposal",
      document ? v1::DocumentKind_Name(o.document().kind()) : "",
      document ? o.document().title() : o.proposal().title(), document ? o.document().uri() : "",
      document ? "" : o.proposal().text(),
      db::PgArray(document ? google::protobuf::RepeatedPtrField<std::string>()
                           : o.proposal().authors()),
      document ? "" : v1::ProposalState_Name(v1::PROPOSAL_STATE_SUBMITTED), changed_by);
  const pqxx::row& row = rows.at(0);
  v1::Output output = OutputFromRow(row);
  if (!document) {
    v1::ProposalStateChange* change = output.mutable_proposal()->add_state_history();
    change->set_state(v1::PROPOSAL_STATE_SUBMITTED);
    db::ReadMicros(row[kOutputColumns], change->mutable_time());
    change->set_changed_by(changed_by);
  }
  return output;
}

RowWritten WriteOutputFields(pqxx::work& txn, int64_t output_id, const v1::Output& o) {
  static const auto* const kStatement = new db::Statement{"meetings_write_output", kWriteOutput};
  bool document = o.has_document();
  pqxx::result rows = db::ExecStatement(
      txn, *kStatement, output_id, document ? v1::DocumentKind_Name(o.document().kind()) : "",
      document ? o.document().title() : o.proposal().title(), document ? o.document().uri() : "",
      document ? "" : o.proposal().text(),
      db::PgArray(document ? google::protobuf::RepeatedPtrField<std::string>()
                           : o.proposal().authors()));
  return {rows.at(0)[0].as<int64_t>(), rows.at(0)[1].as<int64_t>()};
}

RowWritten WriteProposalState(pqxx::work& txn, int64_t output_id, v1::ProposalState state,
                              int64_t roadmap_item_id, const std::string& changed_by,
                              const std::string& note) {
  static const auto* const kStatement =
      new db::Statement{"meetings_write_proposal_state", kWriteProposalState};
  pqxx::result rows = db::ExecStatement(txn, *kStatement, output_id, v1::ProposalState_Name(state),
                                        roadmap_item_id, changed_by, note);
  return {rows.at(0)[0].as<int64_t>(), rows.at(0)[1].as<int64_t>()};
}

void DeleteOutputRow(pqxx::work& txn, int64_t output_id) {
  txn.exec_params("DELETE FROM outputs WHERE id = $1", output_id);
}

std::vector<OutputPageRow> SelectOutputs(pqxx::work& txn, const api::SqlCondition& where,
                                         const api::KeysetClause& keyset,
                                         const std::string& sort_sql, int limit) {
  std::string sql = absl::StrCat(
      kOutputSelect, ", (", sort_sql,
      ")::text FROM outputs o JOIN meetings m ON m.id = o.meeting_id WHERE ", where.sql, " AND ",
      keyset.where, " ORDER BY ", keyset.order_by, " LIMIT ", limit);
  std::vector<std::string> params = where.params;
  params.insert(params.end(), keyset.params.begin(), keyset.params.end());
  pqxx::result rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
  std::vector<OutputPageRow> page;
  page.reserve(rows.size());
  for (const pqxx::row& row : rows) {
    page.push_back(
        {OutputFromRow(row), row[kOutputColumns].as<std::string>(), row[0].as<int64_t>()});
  }
  std::map<int64_t, v1::Output*> by_id;
  for (OutputPageRow& row : page) by_id[row.id] = &row.output;
  AttachProposalHistories(txn, by_id);
  return page;
}

std::string ActionOfMeeting(pqxx::work& txn, int64_t meeting_id) {
  pqxx::result rows = txn.exec_params("SELECT action FROM meetings WHERE id = $1", meeting_id);
  return rows.empty() ? "" : rows[0][0].as<std::string>();
}

absl::StatusOr<v1::RoadmapItem> LoadRoadmapItem(pqxx::work& txn, int64_t id, bool for_update) {
  pqxx::result rows =
      txn.exec_params(absl::StrCat(kRoadmapSelect, " FROM roadmap_items r WHERE r.id = $1",
                                   for_update ? " FOR UPDATE" : ""),
                      id);
  if (rows.empty()) return RoadmapItemNotFound(id);
  v1::RoadmapItem item = RoadmapItemFromRow(rows[0]);
  std::map<int64_t, v1::RoadmapItem*> by_id = {{id, &item}};
  AttachRoadmapHistories(txn, by_id);
  return item;
}

absl::StatusOr<v1::RoadmapItem> ReadRoadmapItem(db::Pool& pool, db::Deadline deadline, int64_t id) {
  // The item and its progress history (arrays in position order) in one statement.
  static const auto* const kStatement = new db::Statement{
      "meetings_read_roadmap_item",
      absl::StrCat(kRoadmapSelect,
                   ", h.progress, h.states, h.times, h.authors, h.notes FROM roadmap_items r "
                   "CROSS JOIN LATERAL (SELECT array_agg(c.progress ORDER BY c.position) AS "
                   "progress, array_agg(c.state ORDER BY c.position) AS states, "
                   "array_agg(" MAILLAGE_SQL_MICROS(
                       "c.change_time") " ORDER BY c.position) AS times, "
                                        "array_agg(c.changed_by ORDER BY c.position) AS authors, "
                                        "array_agg(c.note ORDER BY c.position) AS notes "
                                        "FROM roadmap_progress c WHERE c.roadmap_item_id = r.id) h "
                                        "WHERE r.id = $1")};
  MAILLAGE_ASSIGN_OR_RETURN(pqxx::result rows,
                            pool.Query(deadline, *kStatement, {absl::StrCat(id)}));
  if (rows.empty()) return RoadmapItemNotFound(id);
  v1::RoadmapItem item = RoadmapItemFromRow(rows[0]);
  HistoryArrays history(rows[0], kRoadmapColumns, 5);
  for (size_t i = 0; i < history.size(); ++i) {
    v1::RoadmapProgressEntry* entry = item.add_progress_history();
    int progress = 0;
    absl::SimpleAtoi(history.at(0, i), &progress);
    entry->set_progress(progress);
    v1::RoadmapItemState state;
    if (v1::RoadmapItemState_Parse(history.at(1, i), &state)) entry->set_state(state);
    *entry->mutable_time() = TimeOf(history.at(2, i));
    entry->set_changed_by(history.at(3, i));
    entry->set_note(history.at(4, i));
  }
  return item;
}

v1::RoadmapItem InsertRoadmapItem(pqxx::work& txn, const v1::RoadmapItem& item,
                                  const std::string& changed_by) {
  static const auto* const kStatement =
      new db::Statement{"meetings_insert_roadmap_item",
                        absl::StrCat(kInsertRoadmapItem, kRoadmapSelect,
                                     ", " MAILLAGE_SQL_MICROS("e.change_time") " FROM r, entry e")};
  pqxx::result rows = db::ExecStatement(txn, *kStatement, item.action(), item.axis(), item.title(),
                                        item.description(), db::PgArray(item.source_proposals()),
                                        db::PgArray(item.source_meetings()), changed_by);
  const pqxx::row& row = rows.at(0);
  v1::RoadmapItem inserted = RoadmapItemFromRow(row);
  v1::RoadmapProgressEntry* entry = inserted.add_progress_history();
  entry->set_progress(0);
  entry->set_state(v1::ROADMAP_ITEM_STATE_PLANNED);
  db::ReadMicros(row[kRoadmapColumns], entry->mutable_time());
  entry->set_changed_by(changed_by);
  entry->set_note("created");
  return inserted;
}

void WriteRoadmapFields(pqxx::work& txn, int64_t id, const v1::RoadmapItem& item) {
  txn.exec_params(kWriteRoadmapFields, id, item.action(), item.axis(), item.title(),
                  item.description(), db::PgArray(item.source_proposals()),
                  db::PgArray(item.source_meetings()));
}

void WriteRoadmapProgress(pqxx::work& txn, int64_t id, int progress, v1::RoadmapItemState state,
                          const std::string& changed_by, const std::string& note) {
  txn.exec_params(kWriteRoadmapProgress, id, progress, v1::RoadmapItemState_Name(state));
  txn.exec_params(kInsertRoadmapHistory, id, progress, v1::RoadmapItemState_Name(state), changed_by,
                  note);
}

void AddRoadmapSources(pqxx::work& txn, int64_t id, const std::string& proposal,
                       const std::string& meeting) {
  txn.exec_params(kAddRoadmapSources, id, proposal, meeting);
}

int64_t IntegratedProposals(pqxx::work& txn, int64_t id) {
  return txn.exec_params("SELECT count(*) FROM outputs WHERE roadmap_item_id = $1", id)[0][0]
      .as<int64_t>();
}

void DeleteRoadmapItemRow(pqxx::work& txn, int64_t id) {
  txn.exec_params("DELETE FROM roadmap_items WHERE id = $1", id);
}

std::vector<RoadmapPageRow> SelectRoadmapItems(pqxx::work& txn, const api::SqlCondition& where,
                                               const api::KeysetClause& keyset,
                                               const std::string& sort_sql, int limit) {
  std::string sql = absl::StrCat(kRoadmapSelect, ", (", sort_sql,
                                 ")::text FROM roadmap_items r WHERE ", where.sql, " AND ",
                                 keyset.where, " ORDER BY ", keyset.order_by, " LIMIT ", limit);
  std::vector<std::string> params = where.params;
  params.insert(params.end(), keyset.params.begin(), keyset.params.end());
  pqxx::result rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
  std::vector<RoadmapPageRow> page;
  page.reserve(rows.size());
  for (const pqxx::row& row : rows) {
    page.push_back(
        {RoadmapItemFromRow(row), row[kRoadmapColumns].as<std::string>(), row[0].as<int64_t>()});
  }
  std::map<int64_t, v1::RoadmapItem*> by_id;
  for (RoadmapPageRow& row : page) by_id[row.id] = &row.item;
  AttachRoadmapHistories(txn, by_id);
  return page;
}

}  // namespace maillage::meetings
