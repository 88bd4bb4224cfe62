// ParticipationIndicators: the arithmetic of GetIndicators (definitions in indicators.proto and
// README.md), from raw counts read from the meetings database and a snapshot of the directory's
// actors. Pure: no database, no server, so each figure can be checked by hand.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "maillage/meetings/v1/indicators.pb.h"

namespace maillage::meetings {

// A meeting kind as the indicators count it: a MeetingKind, with the code of the network's own
// kind (Meeting.custom_kind) for the MEETING_KIND_OTHER meetings that have one.
struct KindKey {
  v1::MeetingKind kind = v1::MEETING_KIND_UNSPECIFIED;
  std::string custom;
  KindKey() = default;
  // Implicit: a MeetingKind is the key of the meetings of that kind without a custom kind.
  KindKey(v1::MeetingKind k, std::string c = "")  // NOLINT(google-explicit-constructor)
      : kind(k), custom(std::move(c)) {}
  bool operator<(const KindKey& o) const {
    return std::tie(kind, custom) < std::tie(o.kind, o.custom);
  }
  bool operator==(const KindKey& o) const { return kind == o.kind && custom == o.custom; }
};

// What the meetings database holds for one action and period, already grouped.
struct IndicatorInputs {
  // Meetings of the period, by (kind, state).
  std::map<std::pair<KindKey, v1::MeetingState>, int> meetings;
  // Counted participants (participants of held meetings), by (meeting kind, role, status).
  struct ParticipantGroup {
    KindKey kind;
    v1::ParticipantRole role;
    v1::ParticipantStatus status;
    bool operator<(const ParticipantGroup& o) const {
      return std::tie(kind, role, status) < std::tie(o.kind, o.role, o.status);
    }
    bool operator==(const ParticipantGroup& o) const {
      return std::tie(kind, role, status) == std::tie(o.kind, o.role, o.status);
    }
  };
  std::map<ParticipantGroup, int> participants;
  // ATTENDED counted participants without a directory actor.
  int attended_outside_directory = 0;
  // Mobilised actors: distinct actors of ATTENDED counted participants.
  std::set<std::string> mobilized_actors;
  // Distinct mobilised actors per role.
  std::map<v1::ParticipantRole, int> mobilized_actors_by_role;
  // Outputs of held meetings: documents by kind, proposals by state.
  std::map<v1::DocumentKind, int> documents;
  std::map<v1::ProposalState, int> proposals;
  // Roadmap items of the action (whatever the period), by state, with their progress summed.
  std::map<v1::RoadmapItemState, int> roadmap_items;
  std::map<v1::RoadmapItemState, int64_t> roadmap_progress_sum;
  // The network's own meeting kinds (code, label), in the order of its kinds file: each gets a
  // MeetingKindBreakdown after those of the MeetingKind values.
  std::vector<std::pair<std::string, std::string>> custom_kinds;

  bool operator==(const IndicatorInputs& o) const {
    return meetings == o.meetings && participants == o.participants &&
           custom_kinds == o.custom_kinds &&
           attended_outside_directory == o.attended_outside_directory &&
           mobilized_actors == o.mobilized_actors &&
           mobilized_actors_by_role == o.mobilized_actors_by_role && documents == o.documents &&
           proposals == o.proposals && roadmap_items == o.roadmap_items &&
           roadmap_progress_sum == o.roadmap_progress_sum;
  }
};

// The directory's side of the coverage figures.
struct DirectorySnapshot {
  struct Actor {
    std::string name;
    std::vector<std::string> network_categories;
    std::string commune;  // INSEE code of the address; empty when none
  };
  struct Group {
    std::string code;
    std::string display_name;
  };
  std::vector<Actor> active_actors;
  std::vector<Group> network_categories;  // in the directory's order
  std::vector<Group> communes;            // in the directory's order
  int64_t read_time_micros = 0;
};

// numerator / denominator (0 when the denominator is 0).
v1::Ratio MakeRatio(int numerator, int denominator);

// Every figure of Indicators but action, period and compute_time (left for the caller). The
// coverage figures and directory_data_time are filled only when `directory` is given.
v1::Indicators ComputeIndicators(const IndicatorInputs& inputs,
                                 const std::optional<DirectorySnapshot>& directory);

}  // namespace maillage::meetings
