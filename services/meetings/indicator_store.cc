// SQL behind GetIndicators (see indicator_store.h).
#include "services/meetings/indicator_store.h"

#include <iterator>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

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

constexpr const char* kMeetingsByKindAndState =
    "SELECT m.kind, m.state, count(*) FROM meetings m WHERE " MAILLAGE_PERIOD " GROUP BY 1, 2";
// Counted participants by meeting kind and role, one column per status, from the summaries.
constexpr const char* kSummedAttendance =
    "SELECT m.kind, s.role, sum(s.invited), sum(s.registered), sum(s.waiting_list), "
    "sum(s.attended), sum(s.excused), sum(s.no_show), sum(s.cancelled), "
    "sum(s.attended_outside_directory) "
    "FROM attendance_summaries s JOIN meetings m ON m.id = s.meeting_id WHERE " MAILLAGE_HELD
    " GROUP BY 1, 2";
// Mobilised actors by role, from the summaries.
constexpr const char* kMobilizedActors =
    "SELECT DISTINCT s.role, a.actor FROM attendance_summaries s "
    "JOIN meetings m ON m.id = s.meeting_id CROSS JOIN unnest(s.attended_actors) AS a(actor) "
    "WHERE " MAILLAGE_HELD;
// The reference: counted participants grouped by meeting kind, role, status and actor, from
// the participants themselves.
constexpr const char* kCountedParticipants =
    "SELECT m.kind, p.role, p.status, p.actor, count(*) FROM participants p "
    "JOIN meetings m ON m.id = p.meeting_id WHERE " MAILLAGE_HELD " GROUP BY 1, 2, 3, 4";
constexpr const char* kOutputs =
    "SELECT o.content, o.document_kind, o.proposal_state, count(*) FROM outputs o "
    "JOIN meetings m ON m.id = o.meeting_id WHERE " MAILLAGE_HELD " GROUP BY 1, 2, 3";
constexpr const char* kRoadmapItems =
    "SELECT state, count(*), COALESCE(sum(progress), 0) FROM roadmap_items WHERE action = $1 "
    "GROUP BY 1";
constexpr const char* kSummarizeClosed =
    "SELECT summarize_attendance(ARRAY(SELECT id FROM meetings WHERE id = ANY($1::bigint[]) "
    "AND state = 'MEETING_STATE_CLOSED'))";

// The status of each count column of kSummedAttendance, from column 2.
constexpr v1::ParticipantStatus kStatusColumns[] = {
    v1::PARTICIPANT_STATUS_INVITED,      v1::PARTICIPANT_STATUS_REGISTERED,
    v1::PARTICIPANT_STATUS_WAITING_LIST, v1::PARTICIPANT_STATUS_ATTENDED,
    v1::PARTICIPANT_STATUS_EXCUSED,      v1::PARTICIPANT_STATUS_NO_SHOW,
    v1::PARTICIPANT_STATUS_CANCELLED};

template <typename Enum>
Enum ParseEnum(const pqxx::field& field, bool (*parse)(const std::string&, Enum*)) {
  Enum value{};
  parse(field.as<std::string>(), &value);
  return value;
}

// Everything but the participant figures.
IndicatorInputs ReadMeetingsOutputsAndRoadmap(pqxx::work& txn, const std::string& action,
                                              const std::string& period_start,
                                              const std::string& period_end) {
  txn.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  IndicatorInputs in;
  for (const pqxx::row& row :
       txn.exec_params(kMeetingsByKindAndState, action, period_start, period_end)) {
    in.meetings[{ParseEnum(row[0], &v1::MeetingKind_Parse),
                 ParseEnum(row[1], &v1::MeetingState_Parse)}] += row[2].as<int>();
  }
  for (const pqxx::row& row : txn.exec_params(kOutputs, action, period_start, period_end)) {
    if (row[0].as<std::string>() == "document") {
      in.documents[ParseEnum(row[1], &v1::DocumentKind_Parse)] += row[3].as<int>();
    } else {
      in.proposals[ParseEnum(row[2], &v1::ProposalState_Parse)] += row[3].as<int>();
    }
  }
  for (const pqxx::row& row : txn.exec_params(kRoadmapItems, action)) {
    v1::RoadmapItemState state = ParseEnum(row[0], &v1::RoadmapItemState_Parse);
    in.roadmap_items[state] += row[1].as<int>();
    in.roadmap_progress_sum[state] += row[2].as<int64_t>();
  }
  return in;
}

void CountMobilizedByRole(const std::map<v1::ParticipantRole, std::set<std::string>>& by_role,
                          IndicatorInputs& in) {
  for (const auto& [role, actors] : by_role) {
    in.mobilized_actors_by_role[role] = static_cast<int>(actors.size());
  }
}

}  // namespace

IndicatorInputs ReadIndicatorInputs(pqxx::work& txn, const std::string& action,
                                    const std::string& period_start,
                                    const std::string& period_end) {
  IndicatorInputs in = ReadMeetingsOutputsAndRoadmap(txn, action, period_start, period_end);
  for (const pqxx::row& row :
       txn.exec_params(kSummedAttendance, action, period_start, period_end)) {
    v1::MeetingKind kind = ParseEnum(row[0], &v1::MeetingKind_Parse);
    v1::ParticipantRole role = ParseEnum(row[1], &v1::ParticipantRole_Parse);
    for (size_t i = 0; i < std::size(kStatusColumns); ++i) {
      int count = row[static_cast<int>(i) + 2].as<int>();
      if (count > 0) in.participants[{kind, role, kStatusColumns[i]}] += count;
    }
    in.attended_outside_directory += row[9].as<int>();
  }
  std::map<v1::ParticipantRole, std::set<std::string>> mobilized_by_role;
  for (const pqxx::row& row : txn.exec_params(kMobilizedActors, action, period_start, period_end)) {
    std::string actor = row[1].as<std::string>();
    in.mobilized_actors.insert(actor);
    mobilized_by_role[ParseEnum(row[0], &v1::ParticipantRole_Parse)].insert(std::move(actor));
  }
  CountMobilizedByRole(mobilized_by_role, in);
  return in;
}

IndicatorInputs ReadIndicatorInputsFromParticipants(pqxx::work& txn, const std::string& action,
                                                    const std::string& period_start,
                                                    const std::string& period_end) {
  IndicatorInputs in = ReadMeetingsOutputsAndRoadmap(txn, action, period_start, period_end);
  std::map<v1::ParticipantRole, std::set<std::string>> mobilized_by_role;
  for (const pqxx::row& row :
       txn.exec_params(kCountedParticipants, action, period_start, period_end)) {
    std::string actor = row[3].as<std::string>();
    IndicatorInputs::ParticipantGroup group{ParseEnum(row[0], &v1::MeetingKind_Parse),
                                            ParseEnum(row[1], &v1::ParticipantRole_Parse),
                                            ParseEnum(row[2], &v1::ParticipantStatus_Parse)};
    int count = row[4].as<int>();
    in.participants[group] += count;
    if (group.status == v1::PARTICIPANT_STATUS_ATTENDED) {
      if (actor.empty()) {
        in.attended_outside_directory += count;
      } else {
        in.mobilized_actors.insert(actor);
        mobilized_by_role[group.role].insert(actor);
      }
    }
  }
  CountMobilizedByRole(mobilized_by_role, in);
  return in;
}

void SummarizeClosedAttendance(pqxx::work& txn, const std::vector<int64_t>& meeting_ids) {
  if (meeting_ids.empty()) return;
  txn.exec_params(kSummarizeClosed, absl::StrCat("{", absl::StrJoin(meeting_ids, ","), "}"));
}

}  // namespace maillage::meetings
