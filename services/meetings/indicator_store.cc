// SQL behind GetIndicators (see indicator_store.h).
#include "services/meetings/indicator_store.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/pool.h"

namespace maillage::meetings {
namespace {

// Meetings of the period: $1 action, $2 first day, $3 last day (Europe/Paris local dates of
// start_time; '' for an open bound). The bounds become instants once (local midnight of the
// first day, local midnight after the last day) instead of converting every start_time: the
// same meetings, and the index on (action, start_time) applies.
#define MAILLAGE_PERIOD                                                                   \
  "m.action = $1 AND m.start_time >= COALESCE((NULLIF($2, '')::date)::timestamp AT TIME " \
  "ZONE 'Europe/Paris', '-infinity'::timestamptz) AND m.start_time < "                    \
  "COALESCE((NULLIF($3, '')::date + 1)::timestamp AT TIME ZONE 'Europe/Paris', "          \
  "'infinity'::timestamptz)"
#define MAILLAGE_HELD MAILLAGE_PERIOD " AND m.state = 'MEETING_STATE_CLOSED'"
// Days of the period in the per-day totals (migrations/0003_attendance_by_day.sql), whose
// `day` is that same local date of the meetings' start_time.
#define MAILLAGE_DAYS                                                                 \
  "d.action = $1 AND d.day >= COALESCE(NULLIF($2, '')::date, '-infinity'::date) AND " \
  "d.day <= COALESCE(NULLIF($3, '')::date, 'infinity'::date)"

// Every input is read by ONE statement (one round trip, one snapshot) whose rows are
// (figure, three keys, two numbers), one branch of a UNION ALL per figure:
// - meeting (kind, state): meetings of the period; a kind is meeting_kind_key() (migration
//   0005): "MEETING_KIND_OTHER/<custom kind>" for a meeting of the network's own kind;
// - output (content, document kind, proposal state): outputs of held meetings;
// - roadmap (state): items and their summed progress;
// - participants (meeting kind, role, status): counted participants;
// - outside: ATTENDED counted participants without actor;
// - actor (role, actor): one row per mobilised actor and role.
constexpr const char* kMeetingsOutputsAndRoadmap =
    "SELECT 'meeting', meeting_kind_key(m.kind, m.custom_kind), m.state, NULL::text, count(*), "
    "NULL::bigint FROM meetings m WHERE " MAILLAGE_PERIOD
    " GROUP BY meeting_kind_key(m.kind, m.custom_kind), m.state "
    "UNION ALL SELECT 'output', o.content, o.document_kind, o.proposal_state, count(*), NULL "
    "FROM outputs o JOIN meetings m ON m.id = o.meeting_id WHERE " MAILLAGE_HELD
    " GROUP BY o.content, o.document_kind, o.proposal_state "
    "UNION ALL SELECT 'roadmap', state, NULL, NULL, count(*), COALESCE(sum(progress), 0) "
    "FROM roadmap_items WHERE action = $1 GROUP BY state ";
// The participant figures from the per-day totals of the summaries: a few rows per day of the
// period, and one index probe per (role, actor) ever mobilised for the action.
constexpr const char* kParticipantsFromTotals =
    "UNION ALL SELECT 'participants', t.kind, t.role, c.status, c.n, NULL FROM (SELECT d.kind, "
    "d.role, sum(d.invited) AS invited, sum(d.registered) AS registered, sum(d.waiting_list) AS "
    "waiting_list, sum(d.attended) AS attended, sum(d.excused) AS excused, sum(d.no_show) AS "
    "no_show, sum(d.cancelled) AS cancelled FROM attendance_by_day d WHERE " MAILLAGE_DAYS
    " GROUP BY d.kind, d.role) t CROSS JOIN LATERAL (VALUES "
    "('PARTICIPANT_STATUS_INVITED', t.invited), ('PARTICIPANT_STATUS_REGISTERED', t.registered), "
    "('PARTICIPANT_STATUS_WAITING_LIST', t.waiting_list), "
    "('PARTICIPANT_STATUS_ATTENDED', t.attended), ('PARTICIPANT_STATUS_EXCUSED', t.excused), "
    "('PARTICIPANT_STATUS_NO_SHOW', t.no_show), ('PARTICIPANT_STATUS_CANCELLED', t.cancelled)) "
    "AS c(status, n) "
    "UNION ALL SELECT 'outside', NULL, NULL, NULL, sum(d.attended_outside_directory), NULL "
    "FROM attendance_by_day d WHERE " MAILLAGE_DAYS
    " UNION ALL SELECT 'actor', a.role, a.actor, NULL, NULL, NULL FROM mobilized_actors a "
    "WHERE a.action = $1 AND EXISTS (SELECT 1 FROM mobilized_actor_days d WHERE " MAILLAGE_DAYS
    " AND d.role = a.role AND d.actor = a.actor)";
// The reference: the same participant figures from the participants rows themselves.
constexpr const char* kParticipantsFromRows =
    "UNION ALL SELECT 'participants', meeting_kind_key(m.kind, m.custom_kind), p.role, p.status, "
    "count(*), NULL FROM participants p JOIN meetings m ON m.id = p.meeting_id WHERE " MAILLAGE_HELD
    " GROUP BY meeting_kind_key(m.kind, m.custom_kind), p.role, p.status "
    "UNION ALL SELECT 'outside', NULL, NULL, NULL, count(*), NULL "
    "FROM participants p JOIN meetings m ON m.id = p.meeting_id WHERE " MAILLAGE_HELD
    " AND p.status = 'PARTICIPANT_STATUS_ATTENDED' AND p.actor = '' "
    "UNION ALL SELECT DISTINCT 'actor', p.role, p.actor, NULL::text, NULL::bigint, NULL::bigint "
    "FROM participants p JOIN meetings m ON m.id = p.meeting_id WHERE " MAILLAGE_HELD
    " AND p.status = 'PARTICIPANT_STATUS_ATTENDED' AND p.actor <> ''";

constexpr const char* kCustomKinds =
    "SELECT code, display_name FROM meeting_kinds ORDER BY position, code";

template <typename Enum>
Enum ParseEnum(const pqxx::field& field, bool (*parse)(const std::string&, Enum*)) {
  Enum value{};
  parse(field.as<std::string>(), &value);
  return value;
}

// A meeting_kind_key(): "MEETING_KIND_X" or "MEETING_KIND_OTHER/<custom kind>".
KindKey ParseKindKey(const pqxx::field& field) {
  const std::string text = field.as<std::string>();
  const size_t slash = text.find('/');
  v1::MeetingKind kind{};
  v1::MeetingKind_Parse(text.substr(0, slash), &kind);
  return KindKey(kind, slash == std::string::npos ? "" : text.substr(slash + 1));
}

// Runs `sql` (kMeetingsOutputsAndRoadmap followed by participant figures) and groups its rows
// into the inputs.
IndicatorInputs ReadInputs(pqxx::work& txn, const std::string& sql, const std::string& action,
                           const std::string& period_start, const std::string& period_end) {
  IndicatorInputs in;
  std::map<v1::ParticipantRole, std::set<std::string>> mobilized_by_role;
  for (const pqxx::row& row : txn.exec_params(sql, action, period_start, period_end)) {
    const std::string figure = row[0].as<std::string>();
    if (figure == "actor") {
      std::string actor = row[2].as<std::string>();
      in.mobilized_actors.insert(actor);
      mobilized_by_role[ParseEnum(row[1], &v1::ParticipantRole_Parse)].insert(std::move(actor));
      continue;
    }
    const int64_t count = row[4].is_null() ? 0 : row[4].as<int64_t>();
    if (figure == "participants") {
      if (count == 0) continue;  // a status nobody of the group has (per-day totals)
      in.participants[{ParseKindKey(row[1]), ParseEnum(row[2], &v1::ParticipantRole_Parse),
                       ParseEnum(row[3], &v1::ParticipantStatus_Parse)}] += static_cast<int>(count);
    } else if (figure == "outside") {
      in.attended_outside_directory += static_cast<int>(count);
    } else if (figure == "meeting") {
      in.meetings[{ParseKindKey(row[1]), ParseEnum(row[2], &v1::MeetingState_Parse)}] +=
          static_cast<int>(count);
    } else if (figure == "output") {
      if (row[1].as<std::string>() == "document") {
        in.documents[ParseEnum(row[2], &v1::DocumentKind_Parse)] += static_cast<int>(count);
      } else {
        in.proposals[ParseEnum(row[3], &v1::ProposalState_Parse)] += static_cast<int>(count);
      }
    } else if (figure == "roadmap") {
      v1::RoadmapItemState state = ParseEnum(row[1], &v1::RoadmapItemState_Parse);
      in.roadmap_items[state] += static_cast<int>(count);
      in.roadmap_progress_sum[state] += row[5].as<int64_t>();
    }
  }
  for (const auto& [role, actors] : mobilized_by_role) {
    in.mobilized_actors_by_role[role] = static_cast<int>(actors.size());
  }
  for (const pqxx::row& row : txn.exec(kCustomKinds)) {
    in.custom_kinds.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
  }
  return in;
}

}  // namespace

IndicatorInputs ReadIndicatorInputs(pqxx::work& txn, const std::string& action,
                                    const std::string& period_start,
                                    const std::string& period_end) {
  static const auto* const kSql =
      new std::string(absl::StrCat(kMeetingsOutputsAndRoadmap, kParticipantsFromTotals));
  return ReadInputs(txn, *kSql, action, period_start, period_end);
}

IndicatorInputs ReadIndicatorInputsFromParticipants(pqxx::work& txn, const std::string& action,
                                                    const std::string& period_start,
                                                    const std::string& period_end) {
  static const auto* const kSql =
      new std::string(absl::StrCat(kMeetingsOutputsAndRoadmap, kParticipantsFromRows));
  return ReadInputs(txn, *kSql, action, period_start, period_end);
}

void SummarizeClosedAttendance(pqxx::work& txn, const std::vector<int64_t>& meeting_ids) {
  if (meeting_ids.empty()) return;
  db::ExecAtCommit(
      txn, absl::StrCat("SELECT summarize_attendance(ARRAY(SELECT id FROM meetings WHERE id = "
                        "ANY(",
                        txn.quote(absl::StrCat("{", absl::StrJoin(meeting_ids, ","), "}")),
                        "::bigint[]) AND state = 'MEETING_STATE_CLOSED'));"));
}

}  // namespace maillage::meetings
