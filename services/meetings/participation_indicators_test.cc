// ParticipationIndicators on a fixture whose every figure was computed by hand (see the
// comments beside the expectations).
#include "services/meetings/participation_indicators.h"

#include "gtest/gtest.h"

namespace maillage::meetings {
namespace {

using G = IndicatorInputs::ParticipantGroup;

IndicatorInputs Fixture() {
  IndicatorInputs in;
  in.meetings[{v1::MEETING_KIND_ACTORS_WORKSHOP, v1::MEETING_STATE_CLOSED}] = 2;
  in.meetings[{v1::MEETING_KIND_ACTORS_WORKSHOP, v1::MEETING_STATE_PLANNED}] = 1;
  in.meetings[{v1::MEETING_KIND_ELECTED_OFFICIALS_MEETING, v1::MEETING_STATE_CLOSED}] = 1;
  in.meetings[{v1::MEETING_KIND_RESTITUTION_DAY, v1::MEETING_STATE_HELD}] = 1;
  in.meetings[{v1::MEETING_KIND_ESS_MONTH_EVENT, v1::MEETING_STATE_CANCELLED}] = 1;
  const auto W = v1::MEETING_KIND_ACTORS_WORKSHOP;
  const auto E = v1::MEETING_KIND_ELECTED_OFFICIALS_MEETING;
  in.participants[G{W, v1::PARTICIPANT_ROLE_ESS_ACTOR, v1::PARTICIPANT_STATUS_ATTENDED}] = 6;
  in.participants[G{W, v1::PARTICIPANT_ROLE_ESS_ACTOR, v1::PARTICIPANT_STATUS_NO_SHOW}] = 2;
  in.participants[G{W, v1::PARTICIPANT_ROLE_ESS_ACTOR, v1::PARTICIPANT_STATUS_INVITED}] = 4;
  in.participants[G{W, v1::PARTICIPANT_ROLE_ESS_ACTOR, v1::PARTICIPANT_STATUS_CANCELLED}] = 1;
  in.participants[G{W, v1::PARTICIPANT_ROLE_INHABITANT, v1::PARTICIPANT_STATUS_ATTENDED}] = 3;
  in.participants[G{E, v1::PARTICIPANT_ROLE_ELECTED_OFFICIAL, v1::PARTICIPANT_STATUS_ATTENDED}] = 5;
  in.participants[G{E, v1::PARTICIPANT_ROLE_ELECTED_OFFICIAL, v1::PARTICIPANT_STATUS_EXCUSED}] = 1;
  in.participants[G{E, v1::PARTICIPANT_ROLE_STAFF, v1::PARTICIPANT_STATUS_ATTENDED}] = 1;
  in.attended_outside_directory = 8;  // the 3 inhabitants and the 5 elected officials
  in.mobilized_actors = {"actors/1", "actors/2", "actors/3", "actors/9"};  // 9: merged away
  in.mobilized_actors_by_role[v1::PARTICIPANT_ROLE_ESS_ACTOR] = 3;
  in.mobilized_actors_by_role[v1::PARTICIPANT_ROLE_STAFF] = 1;
  in.documents[v1::DOCUMENT_KIND_SYNTHESIS] = 2;
  in.documents[v1::DOCUMENT_KIND_MINUTES] = 1;
  in.proposals[v1::PROPOSAL_STATE_SUBMITTED] = 1;
  in.proposals[v1::PROPOSAL_STATE_RETAINED] = 2;
  in.proposals[v1::PROPOSAL_STATE_INTEGRATED] = 3;
  in.proposals[v1::PROPOSAL_STATE_REJECTED] = 1;
  in.roadmap_items[v1::ROADMAP_ITEM_STATE_PLANNED] = 2;
  in.roadmap_items[v1::ROADMAP_ITEM_STATE_IN_PROGRESS] = 2;
  in.roadmap_progress_sum[v1::ROADMAP_ITEM_STATE_IN_PROGRESS] = 80;  // 30 + 50
  in.roadmap_items[v1::ROADMAP_ITEM_STATE_DONE] = 1;
  in.roadmap_progress_sum[v1::ROADMAP_ITEM_STATE_DONE] = 100;
  in.roadmap_items[v1::ROADMAP_ITEM_STATE_ABANDONED] = 1;
  in.roadmap_progress_sum[v1::ROADMAP_ITEM_STATE_ABANDONED] = 40;
  return in;
}

DirectorySnapshot Directory() {
  DirectorySnapshot d;
  d.active_actors = {{"actors/1", {"culture", "iae"}, "21231"},
                     {"actors/2", {"culture"}, "21617"},
                     {"actors/3", {}, "21231"},
                     {"actors/4", {"iae"}, ""},
                     {"actors/5", {"culture"}, "21231"}};
  d.network_categories = {{"culture", "Culture"}, {"iae", "IAE"}, {"habitat", "Habitat"}};
  d.communes = {{"21231", "Dijon"}, {"21617", "Talant"}, {"21452", "Neuilly-Crimolois"}};
  d.read_time_micros = 1700000000000000;
  return d;
}

void ExpectRatio(const v1::Ratio& ratio, int numerator, int denominator) {
  EXPECT_EQ(ratio.numerator(), numerator);
  EXPECT_EQ(ratio.denominator(), denominator);
  EXPECT_DOUBLE_EQ(ratio.value(),
                   denominator == 0 ? 0.0 : static_cast<double>(numerator) / denominator);
}

TEST(ParticipationIndicatorsTest, MeetingsAndParticipation) {
  v1::Indicators out = ComputeIndicators(Fixture(), Directory());
  EXPECT_EQ(out.meetings_planned(), 1);
  EXPECT_EQ(out.meetings_awaiting_closure(), 1);
  EXPECT_EQ(out.meetings_held(), 3);
  EXPECT_EQ(out.meetings_cancelled(), 1);
  EXPECT_EQ(out.invitations(), 23);  // 6+2+4+1+3+5+1+1
  EXPECT_EQ(out.registered(), 17);   // attended 15 + no-show 2
  EXPECT_EQ(out.attended(), 15);     // 6+3+5+1
  EXPECT_EQ(out.excused(), 1);
  EXPECT_EQ(out.no_show(), 2);
  ExpectRatio(out.participation_rate(), 15, 23);
  ExpectRatio(out.registered_participation_rate(), 15, 17);
  EXPECT_EQ(out.distinct_actors_mobilized(), 4);
  EXPECT_EQ(out.attendees_outside_directory(), 8);  // 3 inhabitants + 5 elected officials
}

TEST(ParticipationIndicatorsTest, BreakdownsListEveryValueInEnumOrder) {
  v1::Indicators out = ComputeIndicators(Fixture(), Directory());
  ASSERT_EQ(out.by_role_size(), 6);
  EXPECT_EQ(out.by_role(0).role(), v1::PARTICIPANT_ROLE_ELECTED_OFFICIAL);
  EXPECT_EQ(out.by_role(0).invitations(), 6);
  EXPECT_EQ(out.by_role(0).registered(), 5);
  ExpectRatio(out.by_role(0).participation_rate(), 5, 6);
  EXPECT_EQ(out.by_role(1).role(), v1::PARTICIPANT_ROLE_TECHNICIAN);
  ExpectRatio(out.by_role(1).participation_rate(), 0, 0);
  const v1::RoleBreakdown& ess = out.by_role(2);
  EXPECT_EQ(ess.role(), v1::PARTICIPANT_ROLE_ESS_ACTOR);
  EXPECT_EQ(ess.invitations(), 13);
  EXPECT_EQ(ess.registered(), 8);
  EXPECT_EQ(ess.attended(), 6);
  EXPECT_EQ(ess.distinct_actors_mobilized(), 3);
  EXPECT_EQ(out.by_role(5).role(), v1::PARTICIPANT_ROLE_STAFF);
  EXPECT_EQ(out.by_role(5).distinct_actors_mobilized(), 1);

  ASSERT_EQ(out.by_meeting_kind_size(), 8);
  const v1::MeetingKindBreakdown& workshop = out.by_meeting_kind(2);
  EXPECT_EQ(workshop.kind(), v1::MEETING_KIND_ACTORS_WORKSHOP);
  EXPECT_EQ(workshop.meetings_planned(), 1);
  EXPECT_EQ(workshop.meetings_held(), 2);
  EXPECT_EQ(workshop.invitations(), 16);
  EXPECT_EQ(workshop.attended(), 9);
  ExpectRatio(workshop.participation_rate(), 9, 16);
  EXPECT_EQ(out.by_meeting_kind(1).invitations(), 7);
  EXPECT_EQ(out.by_meeting_kind(1).attended(), 6);
  EXPECT_EQ(out.by_meeting_kind(3).meetings_awaiting_closure(), 1);
  EXPECT_EQ(out.by_meeting_kind(4).meetings_cancelled(), 1);
}

TEST(ParticipationIndicatorsTest, CoverageCountsActiveActorsOnly) {
  v1::Indicators out = ComputeIndicators(Fixture(), Directory());
  ExpectRatio(out.directory_coverage(), 3, 5);  // actors/9 is no longer active
  ASSERT_EQ(out.coverage_by_network_category_size(), 3);
  const v1::CoverageGroup& culture = out.coverage_by_network_category(0);
  EXPECT_EQ(culture.group(), "culture");
  EXPECT_EQ(culture.display_name(), "Culture");
  EXPECT_EQ(culture.mobilized_actors(), 2);
  EXPECT_EQ(culture.directory_actors(), 3);
  EXPECT_DOUBLE_EQ(culture.coverage(), 2.0 / 3);
  EXPECT_EQ(out.coverage_by_network_category(1).mobilized_actors(), 1);
  EXPECT_EQ(out.coverage_by_network_category(1).directory_actors(), 2);
  EXPECT_EQ(out.coverage_by_network_category(2).directory_actors(), 0);
  EXPECT_DOUBLE_EQ(out.coverage_by_network_category(2).coverage(), 0.0);
  ASSERT_EQ(out.coverage_by_commune_size(), 3);
  EXPECT_EQ(out.coverage_by_commune(0).mobilized_actors(), 2);
  EXPECT_EQ(out.coverage_by_commune(0).directory_actors(), 3);
  EXPECT_EQ(out.coverage_by_commune(1).mobilized_actors(), 1);
  EXPECT_EQ(out.coverage_by_commune(1).directory_actors(), 1);
  EXPECT_EQ(out.coverage_by_commune(2).directory_actors(), 0);
  EXPECT_EQ(out.directory_data_time().seconds(), 1700000000);

  v1::Indicators without = ComputeIndicators(Fixture(), std::nullopt);
  EXPECT_FALSE(without.has_directory_data_time());
  EXPECT_FALSE(without.has_directory_coverage());
  EXPECT_EQ(without.coverage_by_commune_size(), 0);
  EXPECT_EQ(without.attended(), 15);
}

TEST(ParticipationIndicatorsTest, OutputsAndRoadmap) {
  v1::Indicators out = ComputeIndicators(Fixture(), Directory());
  EXPECT_EQ(out.documents_produced(), 3);
  ASSERT_EQ(out.documents_by_kind_size(), 4);
  EXPECT_EQ(out.documents_by_kind(0).kind(), v1::DOCUMENT_KIND_SYNTHESIS);
  EXPECT_EQ(out.documents_by_kind(0).count(), 2);
  EXPECT_EQ(out.documents_by_kind(3).count(), 0);
  EXPECT_EQ(out.proposals_produced(), 7);
  ASSERT_EQ(out.proposals_by_state_size(), 5);
  EXPECT_EQ(out.proposals_by_state(1).state(), v1::PROPOSAL_STATE_UNDER_STUDY);
  EXPECT_EQ(out.proposals_by_state(1).count(), 0);
  EXPECT_EQ(out.proposals_integrated(), 3);
  EXPECT_EQ(out.roadmap_items(), 6);
  ASSERT_EQ(out.roadmap_items_by_state_size(), 4);
  EXPECT_EQ(out.roadmap_items_by_state(3).count(), 1);
  EXPECT_DOUBLE_EQ(out.roadmap_mean_progress(), 36.0);  // (0 + 0 + 30 + 50 + 100) / 5
}

TEST(ParticipationIndicatorsTest, NothingGivesZeros) {
  v1::Indicators out = ComputeIndicators(IndicatorInputs(), std::nullopt);
  EXPECT_EQ(out.meetings_held(), 0);
  ExpectRatio(out.participation_rate(), 0, 0);
  EXPECT_DOUBLE_EQ(out.roadmap_mean_progress(), 0.0);
  EXPECT_EQ(out.by_role_size(), 6);
}

}  // namespace
}  // namespace maillage::meetings
