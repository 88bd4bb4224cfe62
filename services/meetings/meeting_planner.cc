// MeetingPlanner (see meeting_planner.h).
#include "services/meetings/meeting_planner.h"

#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "common/api/change_outbox.h"
#include "common/api/etag.h"
#include "common/api/list_query.h"
#include "common/api/resource_name.h"
#include "common/api/update_mask.h"
#include "common/auth/caller.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/meetings/calendar_export.h"
#include "services/meetings/indicator_store.h"
#include "services/meetings/meeting_kinds.h"
#include "services/meetings/meeting_rules.h"
#include "services/meetings/meeting_store.h"
#include "services/meetings/participant_store.h"

namespace maillage::meetings {
namespace {

using google::protobuf::FieldMask;
using google::protobuf::util::MessageDifferencer;

// The writable fields of `m` only.
v1::Meeting WritablePart(const v1::Meeting& m) {
  google::protobuf::FieldMask all;
  all.add_paths("*");
  v1::Meeting part;
  api::MergeUpdate(m, *api::EffectiveUpdateMask(all, m, kDomain), &part);
  return part;
}

// FAILED_PRECONDITION when the change from `before` to `after` is not allowed in the state of
// `before` (see UpdateMeeting).
absl::Status CheckChangeAllowed(const v1::Meeting& before, const v1::Meeting& after) {
  v1::Meeting old_part = WritablePart(before);
  v1::Meeting new_part = WritablePart(after);
  if (MessageDifferencer::Equals(old_part, new_part)) return absl::OkStatus();
  std::string state = v1::MeetingState_Name(before.state());
  switch (before.state()) {
    case v1::MEETING_STATE_CANCELLED:
      return FailedPrecondition(kDomain, "MEETING_FROZEN",
                                absl::StrCat(before.name(), " is cancelled: it cannot change"),
                                {{"name", before.name()}, {"state", state}});
    case v1::MEETING_STATE_CLOSED:
      new_part.set_title(old_part.title());
      new_part.set_minutes(old_part.minutes());
      if (!MessageDifferencer::Equals(old_part, new_part)) {
        return FailedPrecondition(
            kDomain, "MEETING_FROZEN",
            absl::StrCat(before.name(), " is closed: only its title and minutes can change"),
            {{"name", before.name()}, {"state", state}});
      }
      return absl::OkStatus();
    default:
      if (old_part.minutes() != new_part.minutes()) {
        return FailedPrecondition(
            kDomain, "MEETING_NOT_CLOSED",
            absl::StrCat("minutes are recorded by CloseMeeting; ", before.name(), " is ", state),
            {{"name", before.name()}, {"state", state}});
      }
      return absl::OkStatus();
  }
}

}  // namespace

MeetingPlanner::MeetingPlanner(db::Pool& pool, ActionRegistry& actions, DirectoryClient& directory)
    : pool_(pool), actions_(actions), directory_(directory) {}

absl::Status MeetingPlanner::CheckCommune(const std::string& commune, const std::string& field,
                                          db::Deadline deadline) {
  if (commune.empty()) return absl::OkStatus();
  MAILLAGE_ASSIGN_OR_RETURN(auto communes, directory_.ListCommunes(deadline));
  for (const auto& known : communes) {
    if (known.insee_code() == commune) return absl::OkStatus();
  }
  return InvalidField(kDomain, field,
                      absl::StrCat("commune ", commune, " is not a commune of the territory"));
}

absl::StatusOr<v1::Meeting> MeetingPlanner::Get(const v1::GetMeetingRequest& request,
                                                db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(request.name(), "meetings", "name", kDomain));
  return ReadMeeting(pool_, deadline, id);
}

absl::StatusOr<v1::ListMeetingsResponse> MeetingPlanner::List(
    const v1::ListMeetingsRequest& request, db::Deadline deadline) {
  static const auto* const kFilters = new api::FilterSchema{
      {"action", {"m.action", api::FilterField::Type::kString}},
      {"kind", api::EnumField("m.kind", v1::MeetingKind_descriptor(), "MEETING_KIND_")},
      {"format", api::EnumField("m.format", v1::MeetingFormat_descriptor(), "MEETING_FORMAT_")},
      {"state", api::EnumField("m.state", v1::MeetingState_descriptor(), "MEETING_STATE_")},
      {"start_time", {"m.start_time", api::FilterField::Type::kTimestamp}},
      {"end_time", {"m.end_time", api::FilterField::Type::kTimestamp}},
      {"commune", {"m.commune_insee_code", api::FilterField::Type::kString}},
  };
  static const auto* const kSorts = new api::SortSchema{
      {"start_time", {"m.start_time", "timestamptz"}},
      {"create_time", {"m.create_time", "timestamptz"}},
      {"update_time", {"m.update_time", "timestamptz"}},
  };
  MAILLAGE_ASSIGN_OR_RETURN(api::ListQuery query,
                            api::PrepareList({request.page_size(), request.page_token(),
                                              request.filter(), request.order_by(), "meetings"},
                                             {*kFilters, *kSorts, "start_time", "m.id"}, kDomain));
  return pool_.ReadOnly<v1::ListMeetingsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListMeetingsResponse> {
        std::vector<MeetingPageRow> rows = SelectMeetings(
            txn, query.where, query.keyset, query.order.sort.sql, query.page_size + 1);
        v1::ListMeetingsResponse response;
        int count = api::CutPage(
            query, rows.size(), [&](int i) { return std::make_pair(rows[i].sort_key, rows[i].id); },
            response.mutable_next_page_token());
        for (int i = 0; i < count; ++i) *response.add_meetings() = std::move(rows[i].meeting);
        return response;
      });
}

absl::StatusOr<v1::Meeting> MeetingPlanner::Create(const v1::CreateMeetingRequest& request,
                                                   db::Deadline deadline) {
  FieldViolations violations;
  if (!request.has_meeting()) violations.Add("meeting", "required");
  v1::Meeting meeting = request.meeting();
  DefaultKindOfCustomKind(&meeting);
  ValidateMeeting(meeting, "meeting", violations);
  MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
  MAILLAGE_RETURN_IF_ERROR(actions_.CheckAction(meeting.action(), deadline));
  MAILLAGE_RETURN_IF_ERROR(CheckCommune(meeting.place().commune_insee_code(),
                                        "meeting.place.commune_insee_code", deadline));
  return pool_.Transact<v1::Meeting>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Meeting>(
        txn, request.request_id(), "CreateMeeting", request, kDomain,
        [&]() -> absl::StatusOr<v1::Meeting> {
          MAILLAGE_RETURN_IF_ERROR(CheckCustomKind(txn, meeting, "meeting.custom_kind"));
          v1::Meeting inserted = InsertMeeting(txn, meeting);
          api::AppendOutboxEvent(txn, "meeting.planned", inserted.name(), &inserted);
          return inserted;
        });
  });
}

absl::StatusOr<v1::Meeting> MeetingPlanner::Update(const v1::UpdateMeetingRequest& request,
                                                   db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.meeting().name(), "meetings",
                                                             "meeting.name", kDomain));
  MAILLAGE_ASSIGN_OR_RETURN(
      FieldMask mask, api::EffectiveUpdateMask(request.update_mask(), request.meeting(), kDomain));
  auto merge = [&](const v1::Meeting& current) -> absl::StatusOr<v1::Meeting> {
    v1::Meeting merged = current;
    api::MergeUpdate(request.meeting(), mask, &merged);
    DefaultKindOfCustomKind(&merged);
    FieldViolations violations;
    ValidateMeeting(merged, "meeting", violations);
    MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
    MAILLAGE_RETURN_IF_ERROR(CheckChangeAllowed(current, merged));
    return merged;
  };
  // References are checked outside the transaction (remote calls), then confirmed unchanged,
  // when the mask may change them; an update that cannot goes straight to the transaction, which
  // checks the same things (one read under the row lock, the write returning the meeting).
  bool may_change_references =
      api::MaskTouches(mask, "action") || api::MaskTouches(mask, "place.commune_insee_code");
  for (const std::string& path : mask.paths()) may_change_references |= path == "*";
  absl::optional<v1::Meeting> planned;
  if (may_change_references) {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting current, ReadMeeting(pool_, deadline, id));
    MAILLAGE_RETURN_IF_ERROR(
        api::CheckEtag(request.meeting().etag(), current.etag(), current.name(), kDomain));
    MAILLAGE_ASSIGN_OR_RETURN(planned, merge(current));
    if (planned->action() != current.action()) {
      MAILLAGE_RETURN_IF_ERROR(actions_.CheckAction(planned->action(), deadline));
    }
    const std::string& commune = planned->place().commune_insee_code();
    if (commune != current.place().commune_insee_code()) {
      MAILLAGE_RETURN_IF_ERROR(CheckCommune(commune, "meeting.place.commune_insee_code", deadline));
    }
  }
  return pool_.Transact<v1::Meeting>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::Meeting> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting fresh, LockMeeting(txn, id));
    MAILLAGE_RETURN_IF_ERROR(
        api::CheckEtag(request.meeting().etag(), fresh.etag(), fresh.name(), kDomain));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting merged, merge(fresh));
    const v1::Meeting& checked = planned.has_value() ? *planned : fresh;
    if (merged.action() != checked.action() ||
        merged.place().commune_insee_code() != checked.place().commune_insee_code()) {
      return Aborted(kDomain, "CONCURRENT_CHANGE",
                     absl::StrCat(fresh.name(), " changed during the update: retry"));
    }
    if (merged.custom_kind() != fresh.custom_kind()) {
      MAILLAGE_RETURN_IF_ERROR(CheckCustomKind(txn, merged, "meeting.custom_kind"));
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        v1::Meeting written, WriteMeetingFields(txn, merged, CalendarVisibleChange(fresh, merged)));
    if (written.capacity() != fresh.capacity()) {
      PromoteWaitingList(txn, id, written.capacity());
      return LoadMeeting(txn, id);
    }
    return written;
  });
}

absl::Status MeetingPlanner::Delete(const v1::DeleteMeetingRequest& request,
                                    db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(request.name(), "meetings", "name", kDomain));
  return pool_.Transact(deadline, [&](pqxx::work& txn) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting meeting, LockMeeting(txn, id));
    MAILLAGE_RETURN_IF_ERROR(
        api::CheckEtag(request.etag(), meeting.etag(), meeting.name(), kDomain));
    if (meeting.state() == v1::MEETING_STATE_HELD || meeting.state() == v1::MEETING_STATE_CLOSED) {
      return FailedPrecondition(
          kDomain, "MEETING_IS_EVIDENCE",
          absl::StrCat(meeting.name(), " took place: it is the funder's evidence and stays"),
          {{"name", meeting.name()}, {"state", v1::MeetingState_Name(meeting.state())}});
    }
    if (!request.force() && CountDependents(txn, id) > 0) {
      return FailedPrecondition(
          kDomain, "MEETING_HAS_DEPENDENTS",
          absl::StrCat(meeting.name(), " has participants or outputs: set force to delete them"),
          {{"name", meeting.name()}});
    }
    DeleteMeetingRow(txn, id);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Meeting> MeetingPlanner::MarkHeld(const v1::MarkMeetingHeldRequest& request,
                                                     db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(request.name(), "meetings", "name", kDomain));
  return pool_.Transact<v1::Meeting>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Meeting>(
        txn, request.request_id(), "MarkMeetingHeld", request, kDomain,
        [&]() -> absl::StatusOr<v1::Meeting> {
          MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting meeting, LockMeeting(txn, id));
          MAILLAGE_RETURN_IF_ERROR(
              api::CheckEtag(request.etag(), meeting.etag(), meeting.name(), kDomain));
          MAILLAGE_RETURN_IF_ERROR(CheckMeetingTransition(meeting.state(), v1::MEETING_STATE_HELD));
          if (db::MicrosOf(meeting.start_time()) > db::NowMicros()) {
            return FailedPrecondition(kDomain, "MEETING_NOT_STARTED",
                                      absl::StrCat(meeting.name(), " has not started yet"),
                                      {{"name", meeting.name()}});
          }
          return MarkHeldRow(txn, id);
        });
  });
}

absl::StatusOr<v1::Meeting> MeetingPlanner::Close(const v1::CloseMeetingRequest& request,
                                                  db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(request.name(), "meetings", "name", kDomain));
  return pool_.Transact<v1::Meeting>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Meeting>(
        txn, request.request_id(), "CloseMeeting", request, kDomain,
        [&]() -> absl::StatusOr<v1::Meeting> {
          MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting meeting, LockMeeting(txn, id));
          MAILLAGE_RETURN_IF_ERROR(
              api::CheckEtag(request.etag(), meeting.etag(), meeting.name(), kDomain));
          MAILLAGE_RETURN_IF_ERROR(
              CheckMeetingTransition(meeting.state(), v1::MEETING_STATE_CLOSED));
          v1::Meeting closed = CloseRow(txn, id, request.minutes());
          // Sent with the COMMIT, in this order, whatever the number of participants: the
          // REGISTERED become NO_SHOW (the answer counts them so: the meeting's lock is held
          // since they were counted), the attendance, frozen from now on, is summarized for the
          // indicators, and the event is appended.
          MarkRegisteredAsNoShow(txn, id);
          CountRegisteredAsNoShow(*closed.mutable_attendance());
          SummarizeClosedAttendance(txn, {id});
          api::AppendOutboxEvent(txn, "meeting.closed", closed.name(), &closed);
          return closed;
        });
  });
}

absl::StatusOr<v1::Meeting> MeetingPlanner::Cancel(const v1::CancelMeetingRequest& request,
                                                   db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(request.name(), "meetings", "name", kDomain));
  if (request.reason().empty()) return InvalidField(kDomain, "reason", "required");
  return pool_.Transact<v1::Meeting>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Meeting>(
        txn, request.request_id(), "CancelMeeting", request, kDomain,
        [&]() -> absl::StatusOr<v1::Meeting> {
          MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting meeting, LockMeeting(txn, id));
          MAILLAGE_RETURN_IF_ERROR(
              api::CheckEtag(request.etag(), meeting.etag(), meeting.name(), kDomain));
          MAILLAGE_RETURN_IF_ERROR(
              CheckMeetingTransition(meeting.state(), v1::MEETING_STATE_CANCELLED));
          v1::Meeting cancelled = CancelRow(txn, id, request.reason());
          api::AppendOutboxEvent(txn, "meeting.cancelled", cancelled.name(), &cancelled);
          return cancelled;
        });
  });
}

absl::StatusOr<google::api::HttpBody> MeetingPlanner::Calendar(
    const v1::GetMeetingCalendarRequest& request, db::Deadline deadline) {
  v1::GetMeetingRequest get;
  get.set_name(request.name());
  absl::StatusOr<v1::Meeting> meeting = Get(get, deadline);
  // A funder reads the calendars of the actions it funds only; a missing meeting is refused to
  // it the same way (permission before existence).
  const auth::Principal* caller = auth::CurrentCaller();
  if (caller != nullptr && caller->role == gateway::v1::ROLE_FUNDER) {
    if (meeting.status().code() == absl::StatusCode::kNotFound) {
      return MakeError(absl::StatusCode::kPermissionDenied, kDomain, "ACTION_NOT_FUNDED",
                       "a funder's key reads the meetings of the actions it funds only",
                       {{"name", request.name()}});
    }
    if (meeting.ok())
      MAILLAGE_RETURN_IF_ERROR(actions_.CheckCallerFunds(meeting->action(), deadline));
  }
  if (!meeting.ok()) return meeting.status();
  MAILLAGE_ASSIGN_OR_RETURN(std::string text, RenderCalendar({*meeting}, db::NowMicros()));
  google::api::HttpBody body;
  body.set_content_type(kCalendarContentType);
  body.set_data(std::move(text));
  return body;
}

absl::StatusOr<google::api::HttpBody> MeetingPlanner::ActionCalendar(
    const v1::GetActionCalendarRequest& request, db::Deadline deadline) {
  FieldViolations violations;
  if (!IsActionName(request.action())) violations.Add("action", "must be \"actions/{action}\"");
  ValidatePeriod(request.period_start(), request.period_end(), violations);
  MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
  MAILLAGE_RETURN_IF_ERROR(actions_.CheckCallerFunds(request.action(), deadline));
  std::string first_day = *PeriodDate(request.period_start());
  std::string last_day = *PeriodDate(request.period_end());
  MAILLAGE_ASSIGN_OR_RETURN(
      std::vector<v1::Meeting> meetings,
      pool_.ReadOnly<std::vector<v1::Meeting>>(
          deadline, [&](pqxx::work& txn) -> absl::StatusOr<std::vector<v1::Meeting>> {
            return SelectActionMeetings(txn, request.action(), first_day, last_day);
          }));
  MAILLAGE_ASSIGN_OR_RETURN(std::string text, RenderCalendar(meetings, db::NowMicros()));
  google::api::HttpBody body;
  body.set_content_type(kCalendarContentType);
  body.set_data(std::move(text));
  return body;
}

absl::StatusOr<v1::ListMeetingChangesResponse> MeetingPlanner::Changes(
    const v1::ListMeetingChangesRequest& request, db::Deadline deadline) {
  return pool_.ReadOnly<v1::ListMeetingChangesResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListMeetingChangesResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(
            api::OutboxPage page,
            api::ReadOutbox(txn, request.since(), request.page_size(), kDomain));
        v1::ListMeetingChangesResponse response;
        for (const api::OutboxEvent& event : page.events) {
          v1::MeetingChange* change = response.add_changes();
          api::SetChangeHeader(event, change);
          if (!event.has_snapshot) continue;
          if (absl::StartsWith(event.event_type, "output.")) {
            change->mutable_output()->ParseFromString(event.snapshot);
          } else {
            change->mutable_meeting()->ParseFromString(event.snapshot);
          }
        }
        response.set_next_cursor(page.next_cursor);
        response.set_caught_up(page.caught_up);
        return response;
      });
}

}  // namespace maillage::meetings
