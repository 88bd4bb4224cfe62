// Tests of the pure rules: validation, state machines, calendar-visible changes.
#include "services/meetings/meeting_rules.h"

#include <set>
#include <string>

#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::meetings {
namespace {

std::set<std::string> BadFields(const FieldViolations& violations) {
  std::set<std::string> fields;
  auto bad_request = GetBadRequest(violations.ToStatus(kDomain));
  if (bad_request) {
    for (const auto& v : bad_request->field_violations()) fields.insert(v.field());
  }
  return fields;
}

v1::Meeting GoodMeeting() {
  v1::Meeting m;
  m.set_title("Atelier acteurs – Métropole");
  m.set_kind(v1::MEETING_KIND_ACTORS_WORKSHOP);
  m.set_format(v1::MEETING_FORMAT_IN_PERSON);
  m.set_action("actions/fa3");
  m.mutable_start_time()->set_seconds(1678780800);
  m.mutable_end_time()->set_seconds(1678788000);
  m.mutable_place()->set_address("12 avenue Gustave Eiffel, 21000 Dijon");
  m.mutable_place()->set_commune_insee_code("21231");
  return m;
}

TEST(ValidateMeetingTest, AcceptsACompleteMeeting) {
  FieldViolations violations;
  ValidateMeeting(GoodMeeting(), "meeting", violations);
  EXPECT_TRUE(violations.empty()) << violations.ToStatus(kDomain);
}

TEST(ValidateMeetingTest, NamesEveryMissingFieldAtOnce) {
  FieldViolations violations;
  ValidateMeeting(v1::Meeting(), "meeting", violations);
  EXPECT_EQ(BadFields(violations),
            (std::set<std::string>{"meeting.title", "meeting.kind", "meeting.format",
                                   "meeting.action", "meeting.start_time", "meeting.end_time"}));
}

TEST(ValidateMeetingTest, RefusesEndBeforeStartAndPlaceNotMatchingFormat) {
  v1::Meeting m = GoodMeeting();
  m.mutable_end_time()->set_seconds(m.start_time().seconds());
  m.set_format(v1::MEETING_FORMAT_HYBRID);
  m.mutable_place()->set_online_url("ftp://example.org");
  m.set_capacity(-1);
  FieldViolations violations;
  ValidateMeeting(m, "meeting", violations);
  EXPECT_EQ(
      BadFields(violations),
      (std::set<std::string>{"meeting.end_time", "meeting.place.online_url", "meeting.capacity"}));
  v1::Meeting online = GoodMeeting();
  online.set_format(v1::MEETING_FORMAT_ONLINE);
  FieldViolations missing_link;
  ValidateMeeting(online, "meeting", missing_link);
  EXPECT_EQ(BadFields(missing_link), (std::set<std::string>{"meeting.place.online_url"}));
}

TEST(ValidateMeetingTest, ActionNamesFollowTheBudgetServiceIds) {
  EXPECT_TRUE(IsActionName("actions/fa3"));
  EXPECT_TRUE(IsActionName("actions/1"));
  EXPECT_FALSE(IsActionName("actions/"));
  EXPECT_FALSE(IsActionName("actions/FA3"));
  EXPECT_FALSE(IsActionName("budgets/fa3"));
  EXPECT_FALSE(IsActionName("actions/fa3/budgets/1"));
}

TEST(MeetingTransitionTest, OnlyTheDocumentedMovesAreLegal) {
  using v1::MeetingState;
  const MeetingState states[] = {v1::MEETING_STATE_PLANNED, v1::MEETING_STATE_HELD,
                                 v1::MEETING_STATE_CLOSED, v1::MEETING_STATE_CANCELLED};
  std::set<std::pair<int, int>> legal = {{v1::MEETING_STATE_PLANNED, v1::MEETING_STATE_HELD},
                                         {v1::MEETING_STATE_HELD, v1::MEETING_STATE_CLOSED},
                                         {v1::MEETING_STATE_PLANNED, v1::MEETING_STATE_CANCELLED}};
  for (MeetingState from : states) {
    for (MeetingState to : states) {
      absl::Status status = CheckMeetingTransition(from, to);
      bool expected = legal.count({from, to}) > 0;
      EXPECT_EQ(status.ok(), expected)
          << v1::MeetingState_Name(from) << " -> " << v1::MeetingState_Name(to);
      if (!expected) {
        EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
        auto info = GetErrorInfo(status);
        ASSERT_TRUE(info.has_value());
        EXPECT_EQ(info->reason(), "ILLEGAL_STATE_TRANSITION");
        EXPECT_EQ(info->metadata().at("from"), v1::MeetingState_Name(from));
        EXPECT_EQ(info->metadata().at("to"), v1::MeetingState_Name(to));
      }
    }
  }
}

TEST(ProposalTransitionTest, FollowsTheLifeCycle) {
  EXPECT_THAT(CheckProposalTransition(v1::PROPOSAL_STATE_SUBMITTED, v1::PROPOSAL_STATE_UNDER_STUDY),
              IsOk());
  EXPECT_THAT(CheckProposalTransition(v1::PROPOSAL_STATE_RETAINED, v1::PROPOSAL_STATE_INTEGRATED),
              IsOk());
  EXPECT_THAT(CheckProposalTransition(v1::PROPOSAL_STATE_UNDER_STUDY, v1::PROPOSAL_STATE_REJECTED),
              IsOk());
  EXPECT_FALSE(
      CheckProposalTransition(v1::PROPOSAL_STATE_SUBMITTED, v1::PROPOSAL_STATE_INTEGRATED).ok());
  EXPECT_FALSE(
      CheckProposalTransition(v1::PROPOSAL_STATE_REJECTED, v1::PROPOSAL_STATE_UNDER_STUDY).ok());
  EXPECT_FALSE(
      CheckProposalTransition(v1::PROPOSAL_STATE_INTEGRATED, v1::PROPOSAL_STATE_REJECTED).ok());
}

TEST(RoadmapTransitionTest, FollowsTheLifeCycle) {
  EXPECT_THAT(CheckRoadmapTransition(v1::ROADMAP_ITEM_STATE_PLANNED, v1::ROADMAP_ITEM_STATE_DONE),
              IsOk());
  EXPECT_THAT(
      CheckRoadmapTransition(v1::ROADMAP_ITEM_STATE_DONE, v1::ROADMAP_ITEM_STATE_IN_PROGRESS),
      IsOk());
  EXPECT_THAT(CheckRoadmapTransition(v1::ROADMAP_ITEM_STATE_IN_PROGRESS,
                                     v1::ROADMAP_ITEM_STATE_IN_PROGRESS),
              IsOk());
  EXPECT_FALSE(
      CheckRoadmapTransition(v1::ROADMAP_ITEM_STATE_DONE, v1::ROADMAP_ITEM_STATE_ABANDONED).ok());
  EXPECT_FALSE(
      CheckRoadmapTransition(v1::ROADMAP_ITEM_STATE_ABANDONED, v1::ROADMAP_ITEM_STATE_ABANDONED)
          .ok());
  EXPECT_FALSE(
      CheckRoadmapTransition(v1::ROADMAP_ITEM_STATE_IN_PROGRESS, v1::ROADMAP_ITEM_STATE_PLANNED)
          .ok());
}

TEST(CalendarVisibleChangeTest, CapacityAndMinutesAreNotShown) {
  v1::Meeting before = GoodMeeting();
  v1::Meeting after = before;
  after.set_capacity(30);
  after.set_minutes("compte rendu");
  EXPECT_FALSE(CalendarVisibleChange(before, after));
  after.mutable_place()->set_venue("Salle B");
  EXPECT_TRUE(CalendarVisibleChange(before, after));
  v1::Meeting cancelled = before;
  cancelled.set_state(v1::MEETING_STATE_CANCELLED);
  EXPECT_TRUE(CalendarVisibleChange(before, cancelled));
}

TEST(CountRegisteredAsNoShowTest, MovesTheRegisteredToNoShowOnly) {
  v1::AttendanceSummary attendance;
  attendance.set_participants(9);
  attendance.set_invited(1);
  attendance.set_registered(3);
  attendance.set_waiting_list(1);
  attendance.set_attended(2);
  attendance.set_no_show(1);
  attendance.set_excused(1);
  attendance.set_distinct_actors_attended(2);
  v1::AttendanceSummary expected = attendance;
  expected.set_registered(0);
  expected.set_no_show(4);
  CountRegisteredAsNoShow(attendance);
  EXPECT_EQ(attendance.DebugString(), expected.DebugString());
}

TEST(ValidateNewParticipantTest, IdentityRules) {
  struct Case {
    const char* label;
    v1::Participant participant;
    std::set<std::string> bad;
  };
  v1::Participant actor_alone;
  actor_alone.set_actor("actors/4");
  actor_alone.set_role(v1::PARTICIPANT_ROLE_ESS_ACTOR);
  v1::Participant contact = actor_alone;
  contact.set_contact("actors/4/contacts/9");
  v1::Participant wrong_actor = contact;
  wrong_actor.set_actor("actors/5");
  v1::Participant contact_and_person = contact;
  contact_and_person.mutable_person()->set_display_name("Camille");
  v1::Participant person_without_name;
  person_without_name.set_role(v1::PARTICIPANT_ROLE_INHABITANT);
  person_without_name.mutable_person()->set_email("camille@example.org");
  v1::Participant nobody;
  v1::Participant representative = actor_alone;
  representative.mutable_person()->set_display_name("Camille");
  representative.mutable_person()->set_organization("Autre");
  v1::Participant no_show_on_create = actor_alone;
  no_show_on_create.set_status(v1::PARTICIPANT_STATUS_NO_SHOW);
  Case cases[] = {
      {"actor alone", actor_alone, {}},
      {"contact", contact, {}},
      {"contact of another actor", wrong_actor, {"p.actor"}},
      {"contact and person", contact_and_person, {"p.person"}},
      {"person without name", person_without_name, {"p.person.display_name"}},
      {"nobody", nobody, {"p.actor", "p.role"}},
      {"representative with organisation", representative, {"p.person.organization"}},
      {"no-show on create", no_show_on_create, {"p.status"}},
  };
  for (const Case& c : cases) {
    FieldViolations violations;
    ValidateNewParticipant(c.participant, "p", violations);
    EXPECT_EQ(BadFields(violations), c.bad) << c.label;
  }
  EXPECT_EQ(ActorOfContact("actors/4/contacts/9"), "actors/4");
  EXPECT_EQ(ActorOfContact("actors/4"), "");
}

TEST(ValidateOutputTest, ExactlyOneContentWithItsFields) {
  FieldViolations none;
  ValidateOutput(v1::Output(), "output", none);
  EXPECT_EQ(BadFields(none), (std::set<std::string>{"output.content"}));
  v1::Output document;
  document.mutable_document()->set_uri("javascript:alert(1)");
  FieldViolations bad_document;
  ValidateOutput(document, "output", bad_document);
  EXPECT_EQ(BadFields(bad_document),
            (std::set<std::string>{"output.document.kind", "output.document.title",
                                   "output.document.uri"}));
  v1::Output proposal;
  proposal.mutable_proposal()->set_text("Créer un tiers-lieu");
  proposal.mutable_proposal()->add_authors("actors/3");
  proposal.mutable_proposal()->add_authors("acteurs/4");
  FieldViolations bad_author;
  ValidateOutput(proposal, "output", bad_author);
  EXPECT_EQ(BadFields(bad_author), (std::set<std::string>{"output.proposal.authors[1]"}));
}

}  // namespace
}  // namespace maillage::meetings
