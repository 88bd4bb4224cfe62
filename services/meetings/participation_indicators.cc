// ParticipationIndicators (see participation_indicators.h).
#include "services/meetings/participation_indicators.h"

#include "common/db/values.h"

namespace maillage::meetings {
namespace {

bool IsRegistered(v1::ParticipantStatus status) {
  return status == v1::PARTICIPANT_STATUS_REGISTERED || status == v1::PARTICIPANT_STATUS_ATTENDED ||
         status == v1::PARTICIPANT_STATUS_NO_SHOW;
}

// Calls `f` for every value of an enum but UNSPECIFIED (0), in enum order.
template <typename Enum, typename F>
void ForEachValue(const google::protobuf::EnumDescriptor* descriptor, F f) {
  for (int i = 0; i < descriptor->value_count(); ++i) {
    int number = descriptor->value(i)->number();
    if (number != 0) f(static_cast<Enum>(number));
  }
}

template <typename K, typename V>
V Lookup(const std::map<K, V>& map, const K& key) {
  auto it = map.find(key);
  return it == map.end() ? V{} : it->second;
}

v1::CoverageGroup Coverage(const DirectorySnapshot::Group& group, int mobilized, int actors) {
  v1::CoverageGroup coverage;
  coverage.set_group(group.code);
  coverage.set_display_name(group.display_name);
  coverage.set_mobilized_actors(mobilized);
  coverage.set_directory_actors(actors);
  coverage.set_coverage(actors == 0 ? 0.0 : static_cast<double>(mobilized) / actors);
  return coverage;
}

}  // namespace

v1::Ratio MakeRatio(int numerator, int denominator) {
  v1::Ratio ratio;
  ratio.set_numerator(numerator);
  ratio.set_denominator(denominator);
  ratio.set_value(denominator == 0 ? 0.0 : static_cast<double>(numerator) / denominator);
  return ratio;
}

v1::Indicators ComputeIndicators(const IndicatorInputs& inputs,
                                 const std::optional<DirectorySnapshot>& directory) {
  v1::Indicators out;
  // One breakdown per MeetingKind value, then per kind of the network's own (those of its file
  // first, in its order, then any the meetings still use but the file no longer lists).
  std::map<KindKey, v1::MeetingKindBreakdown> kinds;
  std::vector<KindKey> kind_order;
  auto add_kind = [&](const KindKey& key, const std::string& label) {
    if (kinds.count(key)) return;
    v1::MeetingKindBreakdown& k = kinds[key];
    k.set_kind(key.kind);
    k.set_custom_kind(key.custom);
    k.set_display_name(label);
    kind_order.push_back(key);
  };
  ForEachValue<v1::MeetingKind>(v1::MeetingKind_descriptor(),
                                [&](v1::MeetingKind kind) { add_kind(kind, ""); });
  for (const auto& [code, label] : inputs.custom_kinds) {
    add_kind(KindKey(v1::MEETING_KIND_OTHER, code), label);
  }
  for (const auto& [key, count] : inputs.meetings) add_kind(key.first, key.first.custom);
  for (const auto& [group, count] : inputs.participants) add_kind(group.kind, group.kind.custom);
  for (const auto& [key, count] : inputs.meetings) {
    v1::MeetingKindBreakdown& k = kinds[key.first];
    switch (key.second) {
      case v1::MEETING_STATE_PLANNED:
        out.set_meetings_planned(out.meetings_planned() + count);
        k.set_meetings_planned(k.meetings_planned() + count);
        break;
      case v1::MEETING_STATE_HELD:
        out.set_meetings_awaiting_closure(out.meetings_awaiting_closure() + count);
        k.set_meetings_awaiting_closure(k.meetings_awaiting_closure() + count);
        break;
      case v1::MEETING_STATE_CLOSED:
        out.set_meetings_held(out.meetings_held() + count);
        k.set_meetings_held(k.meetings_held() + count);
        break;
      case v1::MEETING_STATE_CANCELLED:
        out.set_meetings_cancelled(out.meetings_cancelled() + count);
        k.set_meetings_cancelled(k.meetings_cancelled() + count);
        break;
      default:
        break;
    }
  }

  std::map<v1::ParticipantRole, v1::RoleBreakdown> roles;
  ForEachValue<v1::ParticipantRole>(v1::ParticipantRole_descriptor(),
                                    [&](v1::ParticipantRole role) { roles[role].set_role(role); });
  for (const auto& [group, count] : inputs.participants) {
    bool attended = group.status == v1::PARTICIPANT_STATUS_ATTENDED;
    out.set_invitations(out.invitations() + count);
    if (IsRegistered(group.status)) out.set_registered(out.registered() + count);
    if (attended) out.set_attended(out.attended() + count);
    if (group.status == v1::PARTICIPANT_STATUS_EXCUSED) out.set_excused(out.excused() + count);
    if (group.status == v1::PARTICIPANT_STATUS_NO_SHOW) out.set_no_show(out.no_show() + count);
    v1::RoleBreakdown& r = roles[group.role];
    r.set_invitations(r.invitations() + count);
    if (IsRegistered(group.status)) r.set_registered(r.registered() + count);
    if (attended) r.set_attended(r.attended() + count);
    v1::MeetingKindBreakdown& k = kinds[group.kind];
    k.set_invitations(k.invitations() + count);
    if (attended) k.set_attended(k.attended() + count);
  }
  out.set_attendees_outside_directory(inputs.attended_outside_directory);
  *out.mutable_participation_rate() = MakeRatio(out.attended(), out.invitations());
  *out.mutable_registered_participation_rate() = MakeRatio(out.attended(), out.registered());
  out.set_distinct_actors_mobilized(static_cast<int>(inputs.mobilized_actors.size()));
  for (auto& [role, r] : roles) {
    r.set_distinct_actors_mobilized(Lookup(inputs.mobilized_actors_by_role, role));
    *r.mutable_participation_rate() = MakeRatio(r.attended(), r.invitations());
    *out.add_by_role() = r;
  }
  for (const KindKey& key : kind_order) {
    v1::MeetingKindBreakdown& k = kinds[key];
    *k.mutable_participation_rate() = MakeRatio(k.attended(), k.invitations());
    *out.add_by_meeting_kind() = k;
  }

  if (directory) {
    std::map<std::string, int> category_actors, category_mobilized, commune_actors,
        commune_mobilized;
    int mobilized_active = 0;
    for (const DirectorySnapshot::Actor& actor : directory->active_actors) {
      bool mobilized = inputs.mobilized_actors.count(actor.name) > 0;
      mobilized_active += mobilized;
      for (const std::string& category : actor.network_categories) {
        ++category_actors[category];
        category_mobilized[category] += mobilized;
      }
      if (!actor.commune.empty()) {
        ++commune_actors[actor.commune];
        commune_mobilized[actor.commune] += mobilized;
      }
    }
    *out.mutable_directory_coverage() =
        MakeRatio(mobilized_active, static_cast<int>(directory->active_actors.size()));
    for (const auto& group : directory->network_categories) {
      *out.add_coverage_by_network_category() =
          Coverage(group, category_mobilized[group.code], category_actors[group.code]);
    }
    for (const auto& group : directory->communes) {
      *out.add_coverage_by_commune() =
          Coverage(group, commune_mobilized[group.code], commune_actors[group.code]);
    }
    *out.mutable_directory_data_time() = db::TimestampOf(directory->read_time_micros);
  }

  ForEachValue<v1::DocumentKind>(v1::DocumentKind_descriptor(), [&](v1::DocumentKind kind) {
    int count = Lookup(inputs.documents, kind);
    out.set_documents_produced(out.documents_produced() + count);
    v1::DocumentKindCount* entry = out.add_documents_by_kind();
    entry->set_kind(kind);
    entry->set_count(count);
  });
  ForEachValue<v1::ProposalState>(v1::ProposalState_descriptor(), [&](v1::ProposalState state) {
    int count = Lookup(inputs.proposals, state);
    out.set_proposals_produced(out.proposals_produced() + count);
    v1::ProposalStateCount* entry = out.add_proposals_by_state();
    entry->set_state(state);
    entry->set_count(count);
  });
  out.set_proposals_integrated(Lookup(inputs.proposals, v1::PROPOSAL_STATE_INTEGRATED));

  int live_items = 0;
  int64_t live_progress = 0;
  ForEachValue<v1::RoadmapItemState>(
      v1::RoadmapItemState_descriptor(), [&](v1::RoadmapItemState state) {
        int count = Lookup(inputs.roadmap_items, state);
        out.set_roadmap_items(out.roadmap_items() + count);
        v1::RoadmapItemStateCount* entry = out.add_roadmap_items_by_state();
        entry->set_state(state);
        entry->set_count(count);
        if (state != v1::ROADMAP_ITEM_STATE_ABANDONED) {
          live_items += count;
          live_progress += Lookup(inputs.roadmap_progress_sum, state);
        }
      });
  out.set_roadmap_mean_progress(live_items == 0 ? 0.0
                                                : static_cast<double>(live_progress) / live_items);
  return out;
}

}  // namespace maillage::meetings
