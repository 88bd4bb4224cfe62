// The meetings service's rules that need neither a database nor a server: validation of
// meetings, participants and outputs, the state machines of meetings, proposals and roadmap
// items, and what counts as a change the calendar shows.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "google/type/date.pb.h"
#include "maillage/meetings/v1/meeting.pb.h"
#include "maillage/meetings/v1/output.pb.h"
#include "maillage/meetings/v1/participant.pb.h"
#include "maillage/meetings/v1/roadmap.pb.h"

namespace maillage::meetings {

inline constexpr absl::string_view kDomain = "meetings.maillage";
// Local time of every meeting.
inline constexpr absl::string_view kTimeZone = "Europe/Paris";

// Author recorded in histories for a change asked through the API: the caller's principal, the
// API key name the gateway signed ("apiKeys/7"), as the handler's AuthorizedCall
// (common/auth/caller.h) put it in scope on this thread; "system" outside any call.
std::string CallerPrincipal();

// True for "actions/{id}" with id 1 to 63 characters of [a-z0-9-] (the budget service's ids).
bool IsActionName(absl::string_view name);

// Adds to `violations` every bad field of `meeting` (paths under `prefix`, e.g. "meeting"):
// required title, kind, format, action, start and end times; a custom_kind shaped as a code, with
// kind MEETING_KIND_OTHER; end after start; the place parts
// the format requires; an https/http online_url; a 5-character commune code; capacity >= 0.
// Output-only fields are not looked at. Whether the commune belongs to the territory is the
// directory's to say (not checked here).
void ValidateMeeting(const v1::Meeting& meeting, absl::string_view prefix,
                     FieldViolations& violations);

// OK when a meeting may move from `from` to `to` (PLANNED -> HELD -> CLOSED, PLANNED ->
// CANCELLED); FAILED_PRECONDITION ILLEGAL_STATE_TRANSITION with metadata from/to otherwise.
absl::Status CheckMeetingTransition(v1::MeetingState from, v1::MeetingState to);

// Same for proposals: SUBMITTED -> UNDER_STUDY -> RETAINED -> INTEGRATED, and SUBMITTED,
// UNDER_STUDY or RETAINED -> REJECTED.
absl::Status CheckProposalTransition(v1::ProposalState from, v1::ProposalState to);

// Same for roadmap items: PLANNED -> IN_PROGRESS -> DONE, DONE -> IN_PROGRESS, PLANNED -> DONE,
// PLANNED or IN_PROGRESS -> ABANDONED. Staying in the same state is allowed (progress only),
// except for ABANDONED.
absl::Status CheckRoadmapTransition(v1::RoadmapItemState from, v1::RoadmapItemState to);

// True when `before` and `after` differ in what the iCalendar event shows: title, kind, start
// and end times, place, agenda, state.
bool CalendarVisibleChange(const v1::Meeting& before, const v1::Meeting& after);

// Sets kind to MEETING_KIND_OTHER when a custom_kind is given without a kind.
void DefaultKindOfCustomKind(v1::Meeting* meeting);

// Adds every bad identity field of a participant to create (see Participant): actor alone,
// contact (with its actor or none), or an outside person with a display name; contact and
// person never together; names well formed; role required; initial status INVITED,
// REGISTERED or ATTENDED (unspecified allowed).
void ValidateNewParticipant(const v1::Participant& participant, absl::string_view prefix,
                            FieldViolations& violations);

// Adds every bad field of an output: exactly one of document and proposal; a document's kind
// and title, an http(s) uri when set; a proposal's text and well-formed author names.
void ValidateOutput(const v1::Output& output, absl::string_view prefix,
                    FieldViolations& violations);

// The actor of a contact name "actors/{a}/contacts/{c}": "actors/{a}"; empty when malformed.
std::string ActorOfContact(absl::string_view contact);

// True for a google.type.Date with year, month and day all 0 (an open period bound).
bool IsUnsetDate(const google::type::Date& date);

// A period bound as "YYYY-MM-DD", or empty when unset; nullopt for a date that does not exist.
std::optional<std::string> PeriodDate(const google::type::Date& date);

// Adds the violations of a period (each bound a real date or unset; end not before start) on
// fields `start_field` and `end_field`.
void ValidatePeriod(const google::type::Date& start, const google::type::Date& end,
                    FieldViolations& violations);

// True when `status` holds a seat (REGISTERED, ATTENDED).
bool HoldsSeat(v1::ParticipantStatus status);

// `attendance` as it reads once the meeting is closed: its REGISTERED participants counted as
// NO_SHOW (CloseMeeting marks them so with its COMMIT and answers with the counts it read).
void CountRegisteredAsNoShow(v1::AttendanceSummary& attendance);

}  // namespace maillage::meetings
