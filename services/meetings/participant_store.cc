// SQL of participants (see participant_store.h).
#include "services/meetings/participant_store.h"

#include <cstring>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/resource_name.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/meetings/meeting_rules.h"
#include "services/meetings/meeting_store.h"

namespace maillage::meetings {
namespace {

constexpr const char* kParticipantSelect =
    "SELECT p.id, p.meeting_id, p.actor, p.contact, p.person_display_name, "
    "p.person_organization, p.person_email, p.role, p.status, "
    "CASE WHEN p.status = 'PARTICIPANT_STATUS_WAITING_LIST' THEN (SELECT count(*) FROM "
    "participants q WHERE q.meeting_id = p.meeting_id AND q.status = "
    "'PARTICIPANT_STATUS_WAITING_LIST' AND q.waiting_order <= p.waiting_order) ELSE 0 "
    "END, " MAILLAGE_SQL_MICROS("p.check_in_time") ", p.anonymized, " MAILLAGE_SQL_MICROS(
        "p.create_time") ", " MAILLAGE_SQL_MICROS("p.update_time") ", p.revision";
constexpr int kColumns = 15;

// The status history of `p` as parallel arrays in position order, so that LoadParticipant
// reads a participant and its history in one statement.
constexpr const char* kFromParticipantWithHistory =
    ", h.statuses, h.times, h.authors, h.notes FROM participants p CROSS JOIN LATERAL (SELECT "
    "array_agg(c.status ORDER BY c.position) AS statuses, array_agg(" MAILLAGE_SQL_MICROS(
        "c.change_time") " ORDER BY c.position) AS times, array_agg(c.changed_by ORDER BY "
                         "c.position) AS authors, array_agg(c.note ORDER BY c.position) AS notes "
                         "FROM participant_status_changes c WHERE c.participant_id = p.id) h";

constexpr const char* kSelectHistory =
    "SELECT participant_id, status, " MAILLAGE_SQL_MICROS("change_time") ", changed_by, note "
    "FROM participant_status_changes WHERE participant_id = ANY($1::bigint[]) "
    "ORDER BY participant_id, position";

// A new status ($2, check-in time $3) and its history entry ($4 changed_by, $5 note), in one
// statement.
const std::string& WriteStatusSql() {
  static const auto* const kSql = new std::string(absl::StrCat(
      "WITH changed AS (UPDATE participants SET status = $2, "
      "waiting_order = CASE WHEN $2 = 'PARTICIPANT_STATUS_WAITING_LIST' THEN "
      "nextval('waiting_list_order') ELSE NULL END, "
      "check_in_time = CASE WHEN $2 = 'PARTICIPANT_STATUS_ATTENDED' THEN ",
      db::TimeParam(3),
      " ELSE NULL END, revision = revision + 1, update_time = now() WHERE id = $1 "
      "RETURNING id, revision, update_time), "
      "entry AS (INSERT INTO participant_status_changes (participant_id, position, status, "
      "changed_by, note) SELECT c.id, COALESCE((SELECT max(h.position) FROM "
      "participant_status_changes h WHERE h.participant_id = c.id), 0) + 1, $2, $4, $5 "
      "FROM changed c) "
      "SELECT revision, " MAILLAGE_SQL_MICROS("update_time") " FROM changed"));
  return *kSql;
}

constexpr const char* kSeatsTaken =
    "SELECT count(*) FROM participants WHERE meeting_id = $1 AND status IN "
    "('PARTICIPANT_STATUS_REGISTERED', 'PARTICIPANT_STATUS_ATTENDED')";

constexpr const char* kFirstWaiting =
    "SELECT id FROM participants WHERE meeting_id = $1 AND status = "
    "'PARTICIPANT_STATUS_WAITING_LIST' ORDER BY waiting_order LIMIT 1";

// A participant that another would duplicate (same contact, same outside e-mail, or an
// actor-alone participant of the same actor) as a CTE `dup` (meeting $1, contact $2, e-mail $3,
// actor $4, the participant $5 itself excluded), for the writes that look for it in their own
// statement: one index probe per kind of identity (participant_duplicate(), migrations/0007).
#define MAILLAGE_DUPLICATE_CTE(meeting, contact, email, actor, except)                    \
  "dup AS (SELECT id FROM (SELECT participant_duplicate(" meeting ", " contact ", " email \
  ", " actor ", " except ") AS id) d WHERE id IS NOT NULL)"

// Role and person ($3..$6) of participant $2 of meeting $1 unless a duplicate (contact $7,
// e-mail $8, actor $9) is there: the duplicate's id, or the revision and time written, the place
// in line and the status history (read by this statement, after the locks its transaction
// holds: kParticipantSelect's place in line and kFromParticipantWithHistory's arrays).
constexpr const char* kWriteRoleAndPerson =
    "WITH " MAILLAGE_DUPLICATE_CTE("$1", "$7", "$8", "$9", "$2") ", "
    "written AS (UPDATE participants SET role = $3, person_display_name = $4, "
    "person_organization = $5, person_email = $6, revision = revision + 1, update_time = now() "
    "WHERE id = $2 AND meeting_id = $1 AND NOT EXISTS (SELECT 1 FROM dup) "
    "RETURNING id, meeting_id, status, waiting_order, revision, update_time) "
    "SELECT (SELECT id FROM dup), w.revision, " MAILLAGE_SQL_MICROS("w.update_time") ", "
    "CASE WHEN w.status = 'PARTICIPANT_STATUS_WAITING_LIST' THEN (SELECT count(*) FROM "
    "participants q WHERE q.meeting_id = w.meeting_id AND q.status = "
    "'PARTICIPANT_STATUS_WAITING_LIST' AND q.waiting_order <= w.waiting_order) ELSE 0 END, "
    "h.statuses, h.times, h.authors, h.notes "
    "FROM (SELECT 1) one LEFT JOIN written w ON true LEFT JOIN LATERAL (SELECT "
    "array_agg(c.status ORDER BY c.position) AS statuses, array_agg(" MAILLAGE_SQL_MICROS(
        "c.change_time") " ORDER BY c.position) AS times, array_agg(c.changed_by ORDER BY "
                         "c.position) AS authors, array_agg(c.note ORDER BY c.position) AS notes "
                         "FROM participant_status_changes c WHERE c.participant_id = w.id) h ON true";

constexpr const char* kAnonymize =
    "UPDATE participants SET contact = '', person_display_name = '', person_organization = '', "
    "person_email = '', anonymized = true, revision = revision + 1, update_time = now() "
    "WHERE id = $1 AND meeting_id = $2 RETURNING revision, " MAILLAGE_SQL_MICROS("update_time");

constexpr const char* kDelete =
    "DELETE FROM participants WHERE id = $1 AND meeting_id = $2 RETURNING status, revision";

// Every REGISTERED participant of meeting `meeting_id` becomes NO_SHOW, each with its history
// entry (by "system", "meeting closed"): WriteStatusSql for a set of rows, as literals for
// db::ExecAtCommit.
std::string RegisteredToNoShowSql(pqxx::work& txn, int64_t meeting_id) {
  return absl::StrCat(
      "WITH changed AS (UPDATE participants SET status = 'PARTICIPANT_STATUS_NO_SHOW', "
      "waiting_order = NULL, check_in_time = NULL, revision = revision + 1, update_time = now() "
      "WHERE meeting_id = ",
      meeting_id,
      " AND status = 'PARTICIPANT_STATUS_REGISTERED' RETURNING id) "
      "INSERT INTO participant_status_changes (participant_id, position, status, changed_by, "
      "note) SELECT c.id, COALESCE((SELECT max(h.position) FROM participant_status_changes h "
      "WHERE h.participant_id = c.id), 0) + 1, 'PARTICIPANT_STATUS_NO_SHOW', ",
      txn.quote(std::string(kSystemPrincipal)), ", ", txn.quote(std::string("meeting closed")),
      " FROM changed c;");
}

}  // namespace

v1::Participant ParticipantFromRow(const pqxx::row& row) {
  v1::Participant p;
  p.set_name(absl::StrCat(api::ResourceName("meetings", row[1].as<int64_t>()), "/",
                          api::ResourceName("participants", row[0].as<int64_t>())));
  p.set_actor(row[2].as<std::string>());
  p.set_contact(row[3].as<std::string>());
  if (!row[4].as<std::string>().empty() || !row[5].as<std::string>().empty() ||
      !row[6].as<std::string>().empty()) {
    v1::OutsidePerson* person = p.mutable_person();
    person->set_display_name(row[4].as<std::string>());
    person->set_organization(row[5].as<std::string>());
    person->set_email(row[6].as<std::string>());
  }
  v1::ParticipantRole role;
  if (v1::ParticipantRole_Parse(row[7].as<std::string>(), &role)) p.set_role(role);
  v1::ParticipantStatus status;
  if (v1::ParticipantStatus_Parse(row[8].as<std::string>(), &status)) p.set_status(status);
  p.set_waiting_list_position(row[9].as<int>());
  db::ReadMicros(row[10], p.mutable_check_in_time());
  p.set_anonymized(row[11].as<bool>());
  db::ReadMicros(row[12], p.mutable_create_time());
  db::ReadMicros(row[13], p.mutable_update_time());
  p.set_etag(row[14].as<std::string>());
  return p;
}

namespace {

// Fills the status histories of `participants` (ids in `ids`, same order).
void AttachHistories(pqxx::work& txn, const std::vector<int64_t>& ids,
                     std::vector<v1::Participant*>& participants) {
  if (ids.empty()) return;
  std::map<int64_t, v1::Participant*> by_id;
  for (size_t i = 0; i < ids.size(); ++i) by_id[ids[i]] = participants[i];
  pqxx::result rows =
      txn.exec_params(kSelectHistory, absl::StrCat("{", absl::StrJoin(ids, ","), "}"));
  for (const pqxx::row& row : rows) {
    v1::ParticipantStatusChange* change = by_id[row[0].as<int64_t>()]->add_status_history();
    v1::ParticipantStatus status;
    if (v1::ParticipantStatus_Parse(row[1].as<std::string>(), &status)) change->set_status(status);
    db::ReadMicros(row[2], change->mutable_time());
    change->set_changed_by(row[3].as<std::string>());
    change->set_note(row[4].as<std::string>());
  }
}

}  // namespace

const std::string& ParticipantColumns() {
  static const auto* const kColumnsSql =
      new std::string(absl::string_view(kParticipantSelect).substr(std::strlen("SELECT ")));
  return *kColumnsSql;
}

absl::Status ParticipantNotFound(int64_t meeting_id, int64_t participant_id) {
  std::string name = absl::StrCat(api::ResourceName("meetings", meeting_id), "/",
                                  api::ResourceName("participants", participant_id));
  return NotFound(kDomain, "PARTICIPANT_NOT_FOUND", absl::StrCat("no participant ", name),
                  {{"name", name}});
}

namespace {

// The history in the arrays of `row` from column `first` (statuses, times, authors, notes),
// appended to `participant`.
void AppendHistoryArrays(const pqxx::row& row, int first, v1::Participant& participant) {
  std::vector<std::string> statuses = db::ReadTextArray(row[first]);
  std::vector<std::string> times = db::ReadTextArray(row[first + 1]);
  std::vector<std::string> authors = db::ReadTextArray(row[first + 2]);
  std::vector<std::string> notes = db::ReadTextArray(row[first + 3]);
  for (size_t i = 0; i < statuses.size(); ++i) {
    v1::ParticipantStatusChange* change = participant.add_status_history();
    v1::ParticipantStatus status;
    if (v1::ParticipantStatus_Parse(statuses[i], &status)) change->set_status(status);
    int64_t micros = 0;
    if (i < times.size() && absl::SimpleAtoi(times[i], &micros)) {
      *change->mutable_time() = db::TimestampOf(micros);
    }
    if (i < authors.size()) change->set_changed_by(authors[i]);
    if (i < notes.size()) change->set_note(notes[i]);
  }
}

// The participant of a row of kSelectWithHistory, its history from the arrays that follow
// its columns.
v1::Participant ParticipantWithHistoryFromRow(const pqxx::row& row) {
  v1::Participant participant = ParticipantFromRow(row);
  AppendHistoryArrays(row, kColumns, participant);
  return participant;
}

// Unlocked, the participant and its history in one statement.
const std::string& SelectWithHistorySql() {
  static const auto* const kSql = new std::string(absl::StrCat(
      kParticipantSelect, kFromParticipantWithHistory, " WHERE p.id = $1 AND p.meeting_id = $2"));
  return *kSql;
}

}  // namespace

absl::StatusOr<v1::Participant> LoadParticipant(pqxx::work& txn, int64_t meeting_id,
                                                int64_t participant_id, bool lock) {
  if (!lock) {
    static const auto* const kStatement =
        new db::Statement{"meetings_load_participant", SelectWithHistorySql()};
    pqxx::result rows = db::ExecStatement(txn, *kStatement, participant_id, meeting_id);
    if (rows.empty()) return ParticipantNotFound(meeting_id, participant_id);
    return ParticipantWithHistoryFromRow(rows[0]);
  }
  // Locked, the history is read by a second statement once the row lock is held: a statement
  // that waited for the lock sees the row the other transaction committed but not that
  // transaction's history entries.
  static const auto* const kSelectForUpdate = new std::string(absl::StrCat(
      kParticipantSelect, " FROM participants p WHERE p.id = $1 AND p.meeting_id = $2 ",
      "FOR UPDATE OF p"));
  pqxx::result rows = txn.exec_params(*kSelectForUpdate, participant_id, meeting_id);
  if (rows.empty()) return ParticipantNotFound(meeting_id, participant_id);
  v1::Participant participant = ParticipantFromRow(rows[0]);
  std::vector<v1::Participant*> list = {&participant};
  AttachHistories(txn, {participant_id}, list);
  return participant;
}

absl::StatusOr<v1::Participant> ReadParticipant(db::Pool& pool, db::Deadline deadline,
                                                int64_t meeting_id, int64_t participant_id) {
  static const auto* const kStatement =
      new db::Statement{"meetings_read_participant", SelectWithHistorySql()};
  MAILLAGE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      pool.Query(deadline, *kStatement, {absl::StrCat(participant_id), absl::StrCat(meeting_id)}));
  if (rows.empty()) return ParticipantNotFound(meeting_id, participant_id);
  return ParticipantWithHistoryFromRow(rows[0]);
}

ParticipantInserted InsertParticipant(pqxx::work& txn, int64_t meeting_id, const v1::Participant& p,
                                      v1::ParticipantStatus status, const std::string& changed_by,
                                      const std::string& note,
                                      std::optional<int64_t> check_in_micros) {
  // The row (revision 1: its first status is not a second change) and its first history entry,
  // unless a duplicate is there; the participant is read from the row written and the entry,
  // in the shape of SelectWithHistorySql (history arrays after its columns), then the
  // duplicate's id.
  static const auto* const kStatement = new db::Statement{
      "meetings_insert_participant",
      absl::StrCat(
          "WITH " MAILLAGE_DUPLICATE_CTE(
              "$1", "$10", "$11", "$12",
              "0") ", "
                   "p AS (INSERT INTO participants (meeting_id, actor, contact, "
                   "person_display_name, "
                   "person_organization, person_email, role, status, waiting_order, check_in_time) "
                   "SELECT $1, $2, $3, $4, $5, $6, $7, $8, "
                   "CASE WHEN $8 = 'PARTICIPANT_STATUS_WAITING_LIST' THEN "
                   "nextval('waiting_list_order') "
                   "END, CASE WHEN $8 = 'PARTICIPANT_STATUS_ATTENDED' THEN ",
          db::TimeParam(9),
          " END WHERE NOT EXISTS (SELECT 1 FROM dup) RETURNING *), "
          "entry AS (INSERT INTO participant_status_changes (participant_id, position, status, "
          "changed_by, note) SELECT id, 1, status, $13, $14 FROM p RETURNING change_time) ",
          kParticipantSelect,
          ", ARRAY[p.status], ARRAY[" MAILLAGE_SQL_MICROS(
              "e.change_time") "], ARRAY[$13::text], "
                               "ARRAY[$14::text], (SELECT id FROM dup) "
                               "FROM (SELECT 1) one LEFT JOIN p ON true LEFT JOIN entry e ON "
                               "true")};
  bool actor_alone = p.contact().empty() && p.person().display_name().empty();
  pqxx::result rows = db::ExecStatement(
      txn, *kStatement, meeting_id, p.actor(), p.contact(), p.person().display_name(),
      p.person().organization(), p.person().email(), v1::ParticipantRole_Name(p.role()),
      v1::ParticipantStatus_Name(status), check_in_micros.value_or(0), p.contact(),
      p.contact().empty() ? p.person().email() : "", actor_alone ? p.actor() : "", changed_by,
      note);
  const pqxx::row& row = rows.at(0);
  ParticipantInserted inserted;
  if (!row[kColumns + 4].is_null()) {
    inserted.existing =
        absl::StrCat(api::ResourceName("meetings", meeting_id), "/",
                     api::ResourceName("participants", row[kColumns + 4].as<int64_t>()));
    return inserted;
  }
  inserted.participant = ParticipantWithHistoryFromRow(row);
  // The statement does not see the row it writes: its place in line counts the others only.
  if (status == v1::PARTICIPANT_STATUS_WAITING_LIST) {
    inserted.participant->set_waiting_list_position(inserted.participant->waiting_list_position() +
                                                    1);
  }
  return inserted;
}

StatusWritten WriteStatus(pqxx::work& txn, int64_t participant_id, v1::ParticipantStatus status,
                          const std::string& changed_by, const std::string& note,
                          std::optional<int64_t> check_in_micros) {
  static const auto* const kStatement =
      new db::Statement{"meetings_write_status", WriteStatusSql()};
  pqxx::result rows =
      db::ExecStatement(txn, *kStatement, participant_id, v1::ParticipantStatus_Name(status),
                        check_in_micros.value_or(0), changed_by, note);
  if (rows.empty()) return {};
  return {rows[0][0].as<int64_t>(), rows[0][1].as<int64_t>()};
}

StatusWritten WriteStatusReadingHistory(pqxx::work& txn, int64_t participant_id,
                                        v1::ParticipantStatus status, const std::string& changed_by,
                                        const std::string& note,
                                        std::optional<int64_t> check_in_micros,
                                        v1::Participant& participant) {
  // WriteStatusSql with the history beside the answer: the entry the statement inserts is not
  // visible to it, so the arrays hold the history before this change.
  static const auto* const kSql = [] {
    std::string sql = WriteStatusSql();
    const std::string tail = "SELECT revision, " MAILLAGE_SQL_MICROS("update_time") " FROM changed";
    sql.replace(sql.rfind(tail), tail.size(),
                absl::StrCat("SELECT c.revision, ", MAILLAGE_SQL_MICROS("c.update_time"),
                             ", h.statuses, h.times, h.authors, h.notes FROM changed c "
                             "CROSS JOIN LATERAL (SELECT "
                             "array_agg(x.status ORDER BY x.position) AS statuses, array_agg(",
                             MAILLAGE_SQL_MICROS("x.change_time"),
                             " ORDER BY x.position) AS times, "
                             "array_agg(x.changed_by ORDER BY x.position) AS authors, "
                             "array_agg(x.note ORDER BY x.position) AS notes "
                             "FROM participant_status_changes x WHERE x.participant_id = c.id) h"));
    return new std::string(std::move(sql));
  }();
  static const auto* const kStatement =
      new db::Statement{"meetings_write_status_reading_history", *kSql};
  pqxx::result rows =
      db::ExecStatement(txn, *kStatement, participant_id, v1::ParticipantStatus_Name(status),
                        check_in_micros.value_or(0), changed_by, note);
  if (rows.empty()) return {};
  AppendHistoryArrays(rows[0], 2, participant);
  return {rows[0][0].as<int64_t>(), rows[0][1].as<int64_t>()};
}

void ReadHistory(pqxx::work& txn, int64_t participant_id, v1::Participant& participant) {
  std::vector<v1::Participant*> list = {&participant};
  AttachHistories(txn, {participant_id}, list);
}

void ApplyStatus(v1::Participant& participant, v1::ParticipantStatus status,
                 const std::string& changed_by, const std::string& note,
                 std::optional<int64_t> check_in_micros, const StatusWritten& written) {
  participant.set_status(status);
  participant.set_waiting_list_position(0);
  if (status == v1::PARTICIPANT_STATUS_ATTENDED) {
    *participant.mutable_check_in_time() = db::TimestampOf(check_in_micros.value_or(0));
  } else {
    *participant.mutable_check_in_time() = google::protobuf::Timestamp();  // as a NULL reads
  }
  *participant.mutable_update_time() = db::TimestampOf(written.time_micros);
  participant.set_etag(absl::StrCat(written.revision));
  v1::ParticipantStatusChange* change = participant.add_status_history();
  change->set_status(status);
  *change->mutable_time() = db::TimestampOf(written.time_micros);
  change->set_changed_by(changed_by);
  change->set_note(note);
}

RoleAndPersonWritten WriteRoleAndPerson(pqxx::work& txn, int64_t meeting_id, int64_t participant_id,
                                        v1::Participant& p) {
  static const auto* const kStatement =
      new db::Statement{"meetings_write_role_and_person", kWriteRoleAndPerson};
  bool actor_alone = p.contact().empty() && p.person().display_name().empty();
  pqxx::result rows = db::ExecStatement(
      txn, *kStatement, meeting_id, participant_id, v1::ParticipantRole_Name(p.role()),
      p.person().display_name(), p.person().organization(), p.person().email(), p.contact(),
      p.contact().empty() ? p.person().email() : "", actor_alone ? p.actor() : "");
  const pqxx::row& row = rows.at(0);
  RoleAndPersonWritten result;
  if (!row[0].is_null()) {
    result.existing = absl::StrCat(api::ResourceName("meetings", meeting_id), "/",
                                   api::ResourceName("participants", row[0].as<int64_t>()));
  } else if (!row[1].is_null()) {
    result.written = {row[1].as<int64_t>(), row[2].as<int64_t>()};
    p.set_waiting_list_position(row[3].as<int>());
    p.clear_status_history();
    AppendHistoryArrays(row, 4, p);
  }
  return result;
}

StatusWritten AnonymizeRow(pqxx::work& txn, int64_t meeting_id, int64_t participant_id) {
  static const auto* const kStatement = new db::Statement{"meetings_anonymize", kAnonymize};
  pqxx::result rows = db::ExecStatement(txn, *kStatement, participant_id, meeting_id);
  if (rows.empty()) return {};
  db::ForgetRequestsAbout(
      txn, {absl::StrCat("meetings/", meeting_id, "/participants/", participant_id)});
  return {rows[0][0].as<int64_t>(), rows[0][1].as<int64_t>()};
}

std::optional<ParticipantDeleted> DeleteParticipantRow(pqxx::work& txn, int64_t meeting_id,
                                                       int64_t participant_id) {
  static const auto* const kStatement = new db::Statement{"meetings_delete_participant", kDelete};
  pqxx::result rows = db::ExecStatement(txn, *kStatement, participant_id, meeting_id);
  if (rows.empty()) return std::nullopt;
  ParticipantDeleted deleted;
  v1::ParticipantStatus status;
  if (v1::ParticipantStatus_Parse(rows[0][0].as<std::string>(), &status)) deleted.status = status;
  deleted.etag = rows[0][1].as<std::string>();
  return deleted;
}

int64_t SeatsTaken(pqxx::work& txn, int64_t meeting_id) {
  return txn.exec_params(kSeatsTaken, meeting_id)[0][0].as<int64_t>();
}

int PromoteWaitingList(pqxx::work& txn, int64_t meeting_id, int capacity) {
  int promoted = 0;
  while (capacity == 0 || SeatsTaken(txn, meeting_id) < capacity) {
    pqxx::result first = txn.exec_params(kFirstWaiting, meeting_id);
    if (first.empty()) break;
    WriteStatus(txn, first[0][0].as<int64_t>(), v1::PARTICIPANT_STATUS_REGISTERED, kSystemPrincipal,
                "promoted from waiting list", std::nullopt);
    ++promoted;
  }
  return promoted;
}

void MarkRegisteredAsNoShow(pqxx::work& txn, int64_t meeting_id) {
  db::ExecAtCommit(txn, RegisteredToNoShowSql(txn, meeting_id));
}

std::vector<ParticipantPageRow> SelectParticipants(pqxx::work& txn, const api::SqlCondition& where,
                                                   const api::KeysetClause& keyset,
                                                   const std::string& sort_sql, int limit) {
  std::string sql = absl::StrCat(kParticipantSelect, ", (", sort_sql,
                                 ")::text FROM participants p WHERE ", where.sql, " AND ",
                                 keyset.where, " ORDER BY ", keyset.order_by, " LIMIT ", limit);
  std::vector<std::string> params = where.params;
  params.insert(params.end(), keyset.params.begin(), keyset.params.end());
  pqxx::result rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
  std::vector<ParticipantPageRow> page;
  page.reserve(rows.size());
  std::vector<int64_t> ids;
  for (const pqxx::row& row : rows) {
    page.push_back(
        {ParticipantFromRow(row), row[kColumns].as<std::string>(), row[0].as<int64_t>()});
    ids.push_back(row[0].as<int64_t>());
  }
  std::vector<v1::Participant*> pointers;
  for (ParticipantPageRow& row : page) pointers.push_back(&row.participant);
  AttachHistories(txn, ids, pointers);
  return page;
}

}  // namespace maillage::meetings
