// Pure rules of the meetings service (see meeting_rules.h).
#include "services/meetings/meeting_rules.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "common/api/resource_name.h"
#include "common/auth/caller.h"
#include "common/csv/coded_list.h"
#include "google/protobuf/util/message_differencer.h"

namespace maillage::meetings {
namespace {

bool IsHttpUrl(absl::string_view url) {
  return (absl::StartsWith(url, "https://") && url.size() > 8) ||
         (absl::StartsWith(url, "http://") && url.size() > 7);
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

bool IsActorName(absl::string_view name) {
  return api::ParseResourceId(name, "actors", "actor", kDomain).ok();
}

bool IsContactName(absl::string_view name) {
  return api::ParseResourceIds(name, {"actors", "contacts"}, "contact", kDomain).ok();
}

absl::Status Illegal(absl::string_view what, const std::string& from, const std::string& to) {
  return FailedPrecondition(kDomain, "ILLEGAL_STATE_TRANSITION",
                            absl::StrCat("a ", what, " cannot move from ", from, " to ", to),
                            {{"from", from}, {"to", to}});
}

}  // namespace

std::string CallerPrincipal() {
  const auth::Principal* caller = auth::CurrentCaller();
  return caller != nullptr && !caller->key_name.empty() ? caller->key_name : "system";
}

bool IsActionName(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, "actions/")) return false;
  if (name.empty() || name.size() > 63) return false;
  for (char c : name) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) return false;
  }
  return true;
}

void ValidateMeeting(const v1::Meeting& meeting, absl::string_view prefix,
                     FieldViolations& violations) {
  auto field = [&](absl::string_view name) { return absl::StrCat(prefix, ".", name); };
  if (absl::StripAsciiWhitespace(meeting.title()).empty()) {
    violations.Add(field("title"), "required");
  } else if (meeting.title().size() > 300) {
    violations.Add(field("title"), "at most 300 characters");
  }
  if (meeting.kind() == v1::MEETING_KIND_UNSPECIFIED || !v1::MeetingKind_IsValid(meeting.kind())) {
    violations.Add(field("kind"), "required: one of the MeetingKind values");
  }
  if (!meeting.custom_kind().empty()) {
    if (!csv::IsListCode(meeting.custom_kind())) {
      violations.Add(field("custom_kind"),
                     "a code of the network's kinds file: lower case letters, digits, dashes");
    }
    if (meeting.kind() != v1::MEETING_KIND_OTHER &&
        meeting.kind() != v1::MEETING_KIND_UNSPECIFIED) {
      violations.Add(field("kind"), "MEETING_KIND_OTHER (or unset) with a custom_kind");
    }
  }
  bool in_room = meeting.format() == v1::MEETING_FORMAT_IN_PERSON ||
                 meeting.format() == v1::MEETING_FORMAT_HYBRID;
  bool online = meeting.format() == v1::MEETING_FORMAT_ONLINE ||
                meeting.format() == v1::MEETING_FORMAT_HYBRID;
  if (!in_room && !online) violations.Add(field("format"), "required: IN_PERSON, ONLINE or HYBRID");
  if (meeting.action().empty()) {
    violations.Add(field("action"), "required: the funded action, \"actions/{action}\"");
  } else if (!IsActionName(meeting.action())) {
    violations.Add(field("action"), "must be \"actions/{action}\"");
  }
  bool has_start = meeting.has_start_time();
  bool has_end = meeting.has_end_time();
  if (!has_start) violations.Add(field("start_time"), "required");
  if (!has_end) violations.Add(field("end_time"), "required");
  if (has_start && has_end && Micros(meeting.end_time()) <= Micros(meeting.start_time())) {
    violations.Add(field("end_time"), "must be after start_time");
  }
  const v1::Place& place = meeting.place();
  if (in_room && place.address().empty() && place.commune_insee_code().empty()) {
    violations.Add(field("place.address"),
                   "an in-person or hybrid meeting needs an address or a commune");
  }
  if (online && place.online_url().empty()) {
    violations.Add(field("place.online_url"), "an online or hybrid meeting needs a link");
  } else if (!place.online_url().empty() && !IsHttpUrl(place.online_url())) {
    violations.Add(field("place.online_url"), "must be an http or https URL");
  }
  const std::string& commune = place.commune_insee_code();
  if (!commune.empty()) {
    bool shaped = commune.size() == 5;
    for (char c : commune) shaped = shaped && absl::ascii_isalnum(c);
    if (!shaped) violations.Add(field("place.commune_insee_code"), "an INSEE code of 5 characters");
  }
  if (meeting.capacity() < 0) violations.Add(field("capacity"), "must be 0 (unlimited) or more");
}

absl::Status CheckMeetingTransition(v1::MeetingState from, v1::MeetingState to) {
  bool legal = (from == v1::MEETING_STATE_PLANNED &&
                (to == v1::MEETING_STATE_HELD || to == v1::MEETING_STATE_CANCELLED)) ||
               (from == v1::MEETING_STATE_HELD && to == v1::MEETING_STATE_CLOSED);
  if (legal) return absl::OkStatus();
  return Illegal("meeting", v1::MeetingState_Name(from), v1::MeetingState_Name(to));
}

absl::Status CheckProposalTransition(v1::ProposalState from, v1::ProposalState to) {
  using v1::ProposalState;
  bool legal = (from == v1::PROPOSAL_STATE_SUBMITTED && to == v1::PROPOSAL_STATE_UNDER_STUDY) ||
               (from == v1::PROPOSAL_STATE_UNDER_STUDY && to == v1::PROPOSAL_STATE_RETAINED) ||
               (from == v1::PROPOSAL_STATE_RETAINED && to == v1::PROPOSAL_STATE_INTEGRATED) ||
               ((from == v1::PROPOSAL_STATE_SUBMITTED || from == v1::PROPOSAL_STATE_UNDER_STUDY ||
                 from == v1::PROPOSAL_STATE_RETAINED) &&
                to == v1::PROPOSAL_STATE_REJECTED);
  if (legal) return absl::OkStatus();
  return Illegal("proposal", v1::ProposalState_Name(from), v1::ProposalState_Name(to));
}

absl::Status CheckRoadmapTransition(v1::RoadmapItemState from, v1::RoadmapItemState to) {
  bool legal =
      (from == to && from != v1::ROADMAP_ITEM_STATE_ABANDONED) ||
      (from == v1::ROADMAP_ITEM_STATE_PLANNED &&
       (to == v1::ROADMAP_ITEM_STATE_IN_PROGRESS || to == v1::ROADMAP_ITEM_STATE_DONE)) ||
      (from == v1::ROADMAP_ITEM_STATE_IN_PROGRESS && to == v1::ROADMAP_ITEM_STATE_DONE) ||
      (from == v1::ROADMAP_ITEM_STATE_DONE && to == v1::ROADMAP_ITEM_STATE_IN_PROGRESS) ||
      ((from == v1::ROADMAP_ITEM_STATE_PLANNED || from == v1::ROADMAP_ITEM_STATE_IN_PROGRESS) &&
       to == v1::ROADMAP_ITEM_STATE_ABANDONED);
  if (legal) return absl::OkStatus();
  return Illegal("roadmap item", v1::RoadmapItemState_Name(from), v1::RoadmapItemState_Name(to));
}

void DefaultKindOfCustomKind(v1::Meeting* meeting) {
  if (!meeting->custom_kind().empty() && meeting->kind() == v1::MEETING_KIND_UNSPECIFIED) {
    meeting->set_kind(v1::MEETING_KIND_OTHER);
  }
}

bool CalendarVisibleChange(const v1::Meeting& before, const v1::Meeting& after) {
  using google::protobuf::util::MessageDifferencer;
  return before.title() != after.title() || before.kind() != after.kind() ||
         before.custom_kind() != after.custom_kind() ||
         !MessageDifferencer::Equals(before.start_time(), after.start_time()) ||
         !MessageDifferencer::Equals(before.end_time(), after.end_time()) ||
         !MessageDifferencer::Equals(before.place(), after.place()) ||
         before.agenda() != after.agenda() || before.state() != after.state();
}

void ValidateNewParticipant(const v1::Participant& participant, absl::string_view prefix,
                            FieldViolations& violations) {
  auto field = [&](absl::string_view name) { return absl::StrCat(prefix, ".", name); };
  const v1::OutsidePerson& person = participant.person();
  bool has_person =
      !person.display_name().empty() || !person.organization().empty() || !person.email().empty();
  if (!participant.actor().empty() && !IsActorName(participant.actor())) {
    violations.Add(field("actor"), "must be \"actors/{actor}\"");
  }
  if (!participant.contact().empty()) {
    if (!IsContactName(participant.contact())) {
      violations.Add(field("contact"), "must be \"actors/{actor}/contacts/{contact}\"");
    } else if (!participant.actor().empty() &&
               ActorOfContact(participant.contact()) != participant.actor()) {
      violations.Add(field("actor"), "must be the contact's actor (or empty)");
    }
    if (has_person) violations.Add(field("person"), "a contact and a person never go together");
  } else if (has_person) {
    if (absl::StripAsciiWhitespace(person.display_name()).empty()) {
      violations.Add(field("person.display_name"), "required for a person outside the directory");
    }
    if (!participant.actor().empty() && !person.organization().empty()) {
      violations.Add(field("person.organization"),
                     "leave empty when the person represents a directory actor");
    }
    if (!person.email().empty() && (person.email().find('@') == std::string::npos ||
                                    person.email().find(' ') != std::string::npos)) {
      violations.Add(field("person.email"), "not an e-mail address");
    }
  } else if (participant.actor().empty()) {
    violations.Add(field("actor"), "an actor, a contact or a person is required");
  }
  if (participant.role() == v1::PARTICIPANT_ROLE_UNSPECIFIED ||
      !v1::ParticipantRole_IsValid(participant.role())) {
    violations.Add(field("role"), "required: one of the ParticipantRole values");
  }
  v1::ParticipantStatus status = participant.status();
  if (status != v1::PARTICIPANT_STATUS_UNSPECIFIED && status != v1::PARTICIPANT_STATUS_INVITED &&
      status != v1::PARTICIPANT_STATUS_REGISTERED && status != v1::PARTICIPANT_STATUS_ATTENDED) {
    violations.Add(field("status"), "on create: INVITED, REGISTERED or ATTENDED");
  }
}

void ValidateOutput(const v1::Output& output, absl::string_view prefix,
                    FieldViolations& violations) {
  auto field = [&](absl::string_view name) { return absl::StrCat(prefix, ".", name); };
  switch (output.content_case()) {
    case v1::Output::kDocument: {
      const v1::Document& document = output.document();
      if (document.kind() == v1::DOCUMENT_KIND_UNSPECIFIED ||
          !v1::DocumentKind_IsValid(document.kind())) {
        violations.Add(field("document.kind"), "required: one of the DocumentKind values");
      }
      if (absl::StripAsciiWhitespace(document.title()).empty()) {
        violations.Add(field("document.title"), "required");
      }
      if (!document.uri().empty() && !IsHttpUrl(document.uri())) {
        violations.Add(field("document.uri"), "must be an http or https URL");
      }
      break;
    }
    case v1::Output::kProposal: {
      const v1::Proposal& proposal = output.proposal();
      if (absl::StripAsciiWhitespace(proposal.text()).empty()) {
        violations.Add(field("proposal.text"), "required");
      }
      for (int i = 0; i < proposal.authors_size(); ++i) {
        if (!IsActorName(proposal.authors(i))) {
          violations.Add(field(absl::StrCat("proposal.authors[", i, "]")),
                         "must be \"actors/{actor}\"");
        }
      }
      break;
    }
    case v1::Output::CONTENT_NOT_SET:
      violations.Add(field("content"), "exactly one of document and proposal is required");
      break;
  }
}

std::string ActorOfContact(absl::string_view contact) {
  auto ids = api::ParseResourceIds(contact, {"actors", "contacts"}, "contact", kDomain);
  if (!ids.ok()) return "";
  return api::ResourceName("actors", (*ids)[0]);
}

bool IsUnsetDate(const google::type::Date& date) {
  return date.year() == 0 && date.month() == 0 && date.day() == 0;
}

std::optional<std::string> PeriodDate(const google::type::Date& date) {
  if (IsUnsetDate(date)) return std::string();
  absl::CivilDay day(date.year(), date.month(), date.day());
  if (date.year() < 1 || date.year() > 9999 || day.year() != date.year() ||
      day.month() != date.month() || day.day() != date.day()) {
    return std::nullopt;
  }
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

void ValidatePeriod(const google::type::Date& start, const google::type::Date& end,
                    FieldViolations& violations) {
  std::optional<std::string> first = PeriodDate(start);
  std::optional<std::string> last = PeriodDate(end);
  if (!first) violations.Add("period_start", "not a valid date");
  if (!last) violations.Add("period_end", "not a valid date");
  if (first && last && !first->empty() && !last->empty() && *last < *first) {
    violations.Add("period_end", "before period_start");
  }
}

bool HoldsSeat(v1::ParticipantStatus status) {
  return status == v1::PARTICIPANT_STATUS_REGISTERED || status == v1::PARTICIPANT_STATUS_ATTENDED;
}

void CountRegisteredAsNoShow(v1::AttendanceSummary& attendance) {
  attendance.set_no_show(attendance.no_show() + attendance.registered());
  attendance.set_registered(0);
}

}  // namespace maillage::meetings
