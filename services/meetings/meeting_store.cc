// SQL of the meetings table (see meeting_store.h).
#include "services/meetings/meeting_store.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/meetings/meeting_rules.h"
#include "services/meetings/participant_store.h"

namespace maillage::meetings {
namespace {

// Columns of a meeting (the attendance columns follow).
#define MAILLAGE_MEETING_COLUMNS \
  "SELECT m.id, m.title, m.kind, m.format, m.action, " MAILLAGE_SQL_MICROS("m.start_time") ", "      \
  MAILLAGE_SQL_MICROS("m.end_time") ", m.venue, m.address, m.commune_insee_code, m.online_url, "     \
  "m.capacity, m.agenda, m.state, m.minutes, m.cancellation_reason, m.calendar_uid, "            \
  "m.calendar_sequence, " MAILLAGE_SQL_MICROS("m.held_time") ", " MAILLAGE_SQL_MICROS(                   \
      "m.close_time") ", " MAILLAGE_SQL_MICROS("m.cancel_time") ", " MAILLAGE_SQL_MICROS("m.create_time") \
      ", " MAILLAGE_SQL_MICROS("m.update_time") ", m.revision, m.custom_kind, "                          \
      "COALESCE((SELECT k.display_name FROM meeting_kinds k WHERE k.code = m.custom_kind), ''), "

// A meeting followed by its attendance, for FROM meetings m.
constexpr const char* kMeetingSelect = MAILLAGE_MEETING_COLUMNS
    "a.total, a.invited, a.registered, a.waiting, a.attended, a.excused, a.no_show, "
    "a.cancelled, a.actors_attended "
    "FROM meetings m CROSS JOIN LATERAL ("
    "  SELECT count(*) AS total,"
    "    count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_INVITED') AS invited,"
    "    count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_REGISTERED') AS registered,"
    "    count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_WAITING_LIST') AS waiting,"
    "    count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_ATTENDED') AS attended,"
    "    count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_EXCUSED') AS excused,"
    "    count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_NO_SHOW') AS no_show,"
    "    count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_CANCELLED') AS cancelled,"
    "    count(DISTINCT p.actor) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_ATTENDED'"
    "      AND p.actor <> '') AS actors_attended"
    "  FROM participants p WHERE p.meeting_id = m.id) a ";

// A meeting without its attendance (zeros), for writes that only need its state.
constexpr const char* kMeetingSelectForWrite =
    MAILLAGE_MEETING_COLUMNS "0, 0, 0, 0, 0, 0, 0, 0, 0 FROM meetings m WHERE m.id = $1 FOR UPDATE";

// Whether the day of the meeting `m` has come (Europe/Paris): check-ins are open from then on.
#define MAILLAGE_DAY_REACHED \
  "(now() AT TIME ZONE 'Europe/Paris')::date >= (m.start_time AT TIME ZONE 'Europe/Paris')::date"

// The same with a lock of `lock` ("SHARE" or "UPDATE"), whether check-ins are open, and the
// participant $2 of the meeting under its row lock (its columns from kColumns + 1).
std::string MeetingAndParticipantSelect(absl::string_view lock) {
  return absl::StrCat(MAILLAGE_MEETING_COLUMNS "0, 0, 0, 0, 0, 0, 0, 0, 0, " MAILLAGE_DAY_REACHED
                                               ", ",
                      ParticipantColumns(),
                      " FROM meetings m JOIN participants p ON p.meeting_id = m.id "
                      "WHERE m.id = $1 AND p.id = $2 FOR ",
                      lock, " OF m FOR UPDATE OF p");
}
constexpr const char* kMeetingExists = "SELECT 1 FROM meetings WHERE id = $1";
constexpr const char* kDayReached =
    "SELECT " MAILLAGE_DAY_REACHED " FROM meetings m WHERE m.id = $1";

constexpr int kColumns = 35;

// `write` (an INSERT or UPDATE of one meeting, RETURNING *) and the meeting it leaves, with its
// attendance, in one statement: the meeting's row comes from the write, the attendance is read
// beside it (the writes of the meeting's participants wait for its row lock, taken before).
std::string MeetingAfter(const std::string& write) {
  std::string sql = absl::StrCat("WITH w AS (", write, ") ", kMeetingSelect);
  sql.replace(sql.find("FROM meetings m "), std::strlen("FROM meetings m "), "FROM w m ");
  return sql;
}

const db::Statement& LoadStatement() {
  static const auto* const kStatement =
      new db::Statement{"meetings_load_meeting", absl::StrCat(kMeetingSelect, "WHERE m.id = $1")};
  return *kStatement;
}

v1::Meeting MeetingFromRow(const pqxx::row& row) {
  v1::Meeting m;
  m.set_name(api::ResourceName("meetings", row[0].as<int64_t>()));
  m.set_title(row[1].as<std::string>());
  v1::MeetingKind kind;
  if (v1::MeetingKind_Parse(row[2].as<std::string>(), &kind)) m.set_kind(kind);
  v1::MeetingFormat format;
  if (v1::MeetingFormat_Parse(row[3].as<std::string>(), &format)) m.set_format(format);
  m.set_action(row[4].as<std::string>());
  db::ReadMicros(row[5], m.mutable_start_time());
  db::ReadMicros(row[6], m.mutable_end_time());
  m.set_time_zone(std::string(kTimeZone));
  v1::Place* place = m.mutable_place();
  place->set_venue(row[7].as<std::string>());
  place->set_address(row[8].as<std::string>());
  place->set_commune_insee_code(row[9].as<std::string>());
  place->set_online_url(row[10].as<std::string>());
  m.set_capacity(row[11].as<int>());
  m.set_agenda(row[12].as<std::string>());
  v1::MeetingState state;
  if (v1::MeetingState_Parse(row[13].as<std::string>(), &state)) m.set_state(state);
  m.set_minutes(row[14].as<std::string>());
  m.set_cancellation_reason(row[15].as<std::string>());
  m.set_calendar_uid(row[16].as<std::string>());
  m.set_calendar_sequence(row[17].as<int>());
  db::ReadMicros(row[18], m.mutable_held_time());
  db::ReadMicros(row[19], m.mutable_close_time());
  db::ReadMicros(row[20], m.mutable_cancel_time());
  db::ReadMicros(row[21], m.mutable_create_time());
  db::ReadMicros(row[22], m.mutable_update_time());
  m.set_etag(row[23].as<std::string>());
  m.set_custom_kind(row[24].as<std::string>());
  m.set_kind_label(row[25].as<std::string>());
  v1::AttendanceSummary* a = m.mutable_attendance();
  a->set_participants(row[26].as<int>());
  a->set_invited(row[27].as<int>());
  a->set_registered(row[28].as<int>());
  a->set_waiting_list(row[29].as<int>());
  a->set_attended(row[30].as<int>());
  a->set_excused(row[31].as<int>());
  a->set_no_show(row[32].as<int>());
  a->set_cancelled(row[33].as<int>());
  a->set_distinct_actors_attended(row[34].as<int>());
  return m;
}

const std::string& InsertSql() {
  static const std::string* const sql = new std::string(absl::StrCat(
      "INSERT INTO meetings (title, kind, format, action, start_time, end_time, venue, address, "
      "commune_insee_code, online_url, capacity, agenda, state, calendar_uid, custom_kind) VALUES "
      "($1, $2, $3, $4, ",
      db::TimeParam(5), ", ", db::TimeParam(6),
      ", $7, $8, $9, $10, $11, $12, 'MEETING_STATE_PLANNED', "
      "'meeting-' || gen_random_uuid() || '@maillage', $13) RETURNING *"));
  return *sql;
}

const std::string& UpdateSql() {
  static const std::string* const sql = new std::string(absl::StrCat(
      "UPDATE meetings SET title = $2, kind = $3, format = $4, action = $5, start_time = ",
      db::TimeParam(6), ", end_time = ", db::TimeParam(7),
      ", venue = $8, address = $9, commune_insee_code = $10, online_url = $11, capacity = $12, "
      "agenda = $13, minutes = $14, calendar_sequence = calendar_sequence + $15, "
      "custom_kind = $16, revision = revision + 1, update_time = now() WHERE id = $1 "
      "RETURNING *"));
  return *sql;
}

constexpr const char* kMarkHeld =
    "UPDATE meetings SET state = 'MEETING_STATE_HELD', held_time = now(), "
    "calendar_sequence = calendar_sequence + 1, revision = revision + 1, update_time = now() "
    "WHERE id = $1 RETURNING *";
constexpr const char* kClose =
    "UPDATE meetings SET state = 'MEETING_STATE_CLOSED', minutes = $2, close_time = now(), "
    "calendar_sequence = calendar_sequence + 1, revision = revision + 1, update_time = now() "
    "WHERE id = $1 RETURNING *";
constexpr const char* kCancel =
    "UPDATE meetings SET state = 'MEETING_STATE_CANCELLED', cancellation_reason = $2, "
    "cancel_time = now(), calendar_sequence = calendar_sequence + 1, revision = revision + 1, "
    "update_time = now() WHERE id = $1 RETURNING *";
constexpr const char* kCountDependents =
    "SELECT (SELECT count(*) FROM participants WHERE meeting_id = $1) + "
    "(SELECT count(*) FROM outputs WHERE meeting_id = $1)";
constexpr const char* kDelete = "DELETE FROM meetings WHERE id = $1";
constexpr const char* kAnyMeeting = "SELECT EXISTS (SELECT 1 FROM meetings)";

}  // namespace

namespace {

absl::StatusOr<v1::Meeting> MeetingOrNotFound(const pqxx::result& rows, int64_t id) {
  if (rows.empty()) {
    std::string name = api::ResourceName("meetings", id);
    return NotFound(kDomain, "MEETING_NOT_FOUND", absl::StrCat("no meeting ", name),
                    {{"name", name}});
  }
  return MeetingFromRow(rows[0]);
}

}  // namespace

absl::StatusOr<v1::Meeting> LoadMeeting(pqxx::work& txn, int64_t id) {
  return MeetingOrNotFound(db::ExecStatement(txn, LoadStatement(), id), id);
}

absl::StatusOr<v1::Meeting> ReadMeeting(db::Pool& pool, db::Deadline deadline, int64_t id) {
  static const auto* const kStatement =
      new db::Statement{"meetings_read_meeting", absl::StrCat(kMeetingSelect, "WHERE m.id = $1")};
  MAILLAGE_ASSIGN_OR_RETURN(pqxx::result rows,
                            pool.Query(deadline, *kStatement, {absl::StrCat(id)}));
  return MeetingOrNotFound(rows, id);
}

absl::StatusOr<v1::Meeting> LockMeeting(pqxx::work& txn, int64_t id) {
  static const auto* const kStatement =
      new db::Statement{"meetings_lock_meeting", kMeetingSelectForWrite};
  pqxx::result rows = db::ExecStatement(txn, *kStatement, id);
  if (rows.empty()) {
    std::string name = api::ResourceName("meetings", id);
    return NotFound(kDomain, "MEETING_NOT_FOUND", absl::StrCat("no meeting ", name),
                    {{"name", name}});
  }
  return MeetingFromRow(rows[0]);
}

absl::StatusOr<LockedParticipant> LockMeetingAndParticipant(pqxx::work& txn, int64_t id,
                                                            int64_t participant_id,
                                                            MeetingLock lock) {
  static const auto* const kShared =
      new db::Statement{"meetings_lock_for_check_in", MeetingAndParticipantSelect("SHARE")};
  static const auto* const kExclusive =
      new db::Statement{"meetings_lock_with_participant", MeetingAndParticipantSelect("UPDATE")};
  pqxx::result rows = db::ExecStatement(txn, lock == MeetingLock::kShared ? *kShared : *kExclusive,
                                        id, participant_id);
  if (rows.empty()) {
    if (txn.exec_params(kMeetingExists, id).empty()) {
      std::string name = api::ResourceName("meetings", id);
      return NotFound(kDomain, "MEETING_NOT_FOUND", absl::StrCat("no meeting ", name),
                      {{"name", name}});
    }
    return ParticipantNotFound(id, participant_id);
  }
  const pqxx::row& row = rows[0];
  return LockedParticipant{MeetingFromRow(row), row[kColumns].as<bool>(),
                           ParticipantFromRow(row.slice(kColumns + 1, row.size()))};
}

bool MeetingDayReached(pqxx::work& txn, int64_t id) {
  pqxx::result rows = txn.exec_params(kDayReached, id);
  return !rows.empty() && rows[0][0].as<bool>();
}

v1::Meeting InsertMeeting(pqxx::work& txn, const v1::Meeting& m) {
  const v1::Place& p = m.place();
  static const auto* const kStatement =
      new db::Statement{"meetings_insert_meeting", MeetingAfter(InsertSql())};
  pqxx::result rows = db::ExecStatement(txn, *kStatement, m.title(), v1::MeetingKind_Name(m.kind()),
                                        v1::MeetingFormat_Name(m.format()), m.action(),
                                        db::MicrosOf(m.start_time()), db::MicrosOf(m.end_time()),
                                        p.venue(), p.address(), p.commune_insee_code(),
                                        p.online_url(), m.capacity(), m.agenda(), m.custom_kind());
  return MeetingFromRow(rows.at(0));
}

absl::StatusOr<v1::Meeting> WriteMeetingFields(pqxx::work& txn, const v1::Meeting& m,
                                               bool calendar_changed) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(m.name(), "meetings", "name", kDomain));
  const v1::Place& p = m.place();
  static const auto* const kStatement =
      new db::Statement{"meetings_write_meeting", MeetingAfter(UpdateSql())};
  pqxx::result rows = db::ExecStatement(
      txn, *kStatement, id, m.title(), v1::MeetingKind_Name(m.kind()),
      v1::MeetingFormat_Name(m.format()), m.action(), db::MicrosOf(m.start_time()),
      db::MicrosOf(m.end_time()), p.venue(), p.address(), p.commune_insee_code(), p.online_url(),
      m.capacity(), m.agenda(), m.minutes(), calendar_changed ? 1 : 0, m.custom_kind());
  return MeetingOrNotFound(rows, id);
}

v1::Meeting MarkHeldRow(pqxx::work& txn, int64_t id) {
  static const auto* const kStatement =
      new db::Statement{"meetings_mark_held", MeetingAfter(kMarkHeld)};
  return MeetingFromRow(db::ExecStatement(txn, *kStatement, id).at(0));
}
v1::Meeting CloseRow(pqxx::work& txn, int64_t id, const std::string& minutes) {
  static const auto* const kStatement = new db::Statement{"meetings_close", MeetingAfter(kClose)};
  return MeetingFromRow(db::ExecStatement(txn, *kStatement, id, minutes).at(0));
}
v1::Meeting CancelRow(pqxx::work& txn, int64_t id, const std::string& reason) {
  static const auto* const kStatement = new db::Statement{"meetings_cancel", MeetingAfter(kCancel)};
  return MeetingFromRow(db::ExecStatement(txn, *kStatement, id, reason).at(0));
}

int64_t CountDependents(pqxx::work& txn, int64_t id) {
  return txn.exec_params(kCountDependents, id)[0][0].as<int64_t>();
}

void DeleteMeetingRow(pqxx::work& txn, int64_t id) { txn.exec_params(kDelete, id); }

std::vector<MeetingPageRow> SelectMeetings(pqxx::work& txn, const api::SqlCondition& where,
                                           const api::KeysetClause& keyset,
                                           const std::string& sort_sql, int limit) {
  std::string sql = absl::StrCat(kMeetingSelect, ", LATERAL (SELECT (", sort_sql,
                                 ")::text AS sort_key) k WHERE ", where.sql, " AND ", keyset.where,
                                 " ORDER BY ", keyset.order_by, " LIMIT ", limit);
  // Column kColumns is the sort key text.
  sql.replace(sql.find(" FROM meetings m"), 0, ", k.sort_key");
  std::vector<std::string> params = where.params;
  params.insert(params.end(), keyset.params.begin(), keyset.params.end());
  pqxx::result rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
  std::vector<MeetingPageRow> page;
  for (const pqxx::row& row : rows) {
    page.push_back({MeetingFromRow(row), row[kColumns].as<std::string>(), row[0].as<int64_t>()});
  }
  return page;
}

std::vector<v1::Meeting> SelectActionMeetings(pqxx::work& txn, const std::string& action,
                                              const std::string& first_day,
                                              const std::string& last_day) {
  pqxx::result rows = txn.exec_params(
      absl::StrCat(kMeetingSelect,
                   "WHERE m.action = $1 AND (m.start_time AT TIME ZONE 'Europe/Paris')::date >= "
                   "COALESCE(NULLIF($2, '')::date, '-infinity'::date) AND "
                   "(m.start_time AT TIME ZONE 'Europe/Paris')::date <= "
                   "COALESCE(NULLIF($3, '')::date, 'infinity'::date) "
                   "ORDER BY m.start_time, m.id"),
      action, first_day, last_day);
  std::vector<v1::Meeting> meetings;
  meetings.reserve(rows.size());
  for (const pqxx::row& row : rows) meetings.push_back(MeetingFromRow(row));
  return meetings;
}

bool AnyMeeting(pqxx::work& txn) { return txn.exec(kAnyMeeting)[0][0].as<bool>(); }

}  // namespace maillage::meetings
