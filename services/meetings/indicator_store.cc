// SQL behind GetIndicators (see indicator_store.h).
#include "services/meetings/indicator_store.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"

namespace maillage::meetings {
namespace {

// Meetings of the period: $1 action, $2 first day, $3 last day (Europe/Paris local dates of
// start_time; '' for an open bound).
#define MAILLAGE_PERIOD                                                 \
  "m.action = $1 AND (m.start_time AT TIME ZONE 'Europe/Paris')::date " \
  ">= COALESCE(NULLIF($2, '')::date, '-infinity'::date) AND "           \
  "(m.start_time AT TIME ZONE 'Europe/Paris')::date <= "                \
  "COALESCE(NULLIF($3, '')::date, 'infinity'::date)"
#define MAILLAGE_HELD MAILLAGE_PERIOD " AND m.state = 'MEETING_STATE_CLOSED'"

constexpr const char* kMeetingsByKindAndState =
    "SELECT m.kind, m.state, count(*) FROM meetings m WHERE " MAILLAGE_PERIOD " GROUP BY 1, 2";
// Counted participants grouped by meeting kind, role, status and actor: one scan gives both
// the counts and the mobilised actors (the number of groups is bounded by the actors).
constexpr const char* kCountedParticipants =
    "SELECT m.kind, p.role, p.status, p.actor, count(*) FROM participants p "
    "JOIN meetings m ON m.id = p.meeting_id WHERE " MAILLAGE_HELD " GROUP BY 1, 2, 3, 4";
constexpr const char* kOutputs =
    "SELECT o.content, o.document_kind, o.proposal_state, count(*) FROM outputs o "
    "JOIN meetings m ON m.id = o.meeting_id WHERE " MAILLAGE_HELD " GROUP BY 1, 2, 3";
constexpr const char* kRoadmapItems =
    "SELECT state, count(*), COALESCE(sum(progress), 0) FROM roadmap_items WHERE action = $1 "
    "GROUP BY 1";

template <typename Enum>
Enum ParseEnum(const pqxx::field& field, bool (*parse)(const std::string&, Enum*)) {
  Enum value{};
  parse(field.as<std::string>(), &value);
  return value;
}

}  // namespace

IndicatorInputs ReadIndicatorInputs(pqxx::work& txn, const std::string& action,
                                    const std::string& period_start,
                                    const std::string& period_end) {
  txn.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  IndicatorInputs in;
  for (const pqxx::row& row :
       txn.exec_params(kMeetingsByKindAndState, action, period_start, period_end)) {
    in.meetings[{ParseEnum(row[0], &v1::MeetingKind_Parse),
                 ParseEnum(row[1], &v1::MeetingState_Parse)}] += row[2].as<int>();
  }
  std::map<v1::ParticipantRole, std::set<std::string>> mobilized_by_role;
  for (const pqxx::row& row :
       txn.exec_params(kCountedParticipants, action, period_start, period_end)) {
    std::string actor = row[3].as<std::string>();
    IndicatorInputs::ParticipantGroup group{
        ParseEnum(row[0], &v1::MeetingKind_Parse), ParseEnum(row[1], &v1::ParticipantRole_Parse),
        ParseEnum(row[2], &v1::ParticipantStatus_Parse), !actor.empty()};
    in.participants[group] += row[4].as<int>();
    if (group.status == v1::PARTICIPANT_STATUS_ATTENDED && !actor.empty()) {
      in.mobilized_actors.insert(actor);
      mobilized_by_role[group.role].insert(actor);
    }
  }
  for (const auto& [role, actors] : mobilized_by_role) {
    in.mobilized_actors_by_role[role] = static_cast<int>(actors.size());
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

}  // namespace maillage::meetings
