// MeetingPlanner (see meeting_planner.h).
#include "services/meetings/meeting_planner.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/list_query.h"
#include "common/api/resource_name.h"
#include "common/auth/caller.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/meetings/calendar_export.h"
#include "services/meetings/indicator_store.h"
#include "services/meetings/meeting_rules.h"
#include "services/meetings/meeting_store.h"
#include "services/meetings/participant_store.h"

namespace maillage::meetings {
namespace {

using google::protobuf::FieldMask;
using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::MessageDifferencer;

const std::vector<std::string>& WritableMeetingFields() {
  static const auto* const fields =
      new std::vector<std::string>{"title",    "kind",  "format",   "action", "start_time",
                                   "end_time", "place", "capacity", "agenda", "minutes"};
  return *fields;
}

const std::set<std::string>& MeetingMaskPaths() {
  static const auto* const paths = new std::set<std::string>{"title",
                                                             "kind",
                                                             "format",
                                                             "action",
                                                             "start_time",
                                                             "end_time",
                                                             "place",
                                                             "place.venue",
                                                             "place.address",
                                                             "place.commune_insee_code",
                                                             "place.online_url",
                                                             "capacity",
                                                             "agenda",
                                                             "minutes"};
  return *paths;
}

const std::set<std::string>& MeetingOutputOnlyPaths() {
  static const auto* const paths = new std::set<std::string>{
      "name",         "time_zone",         "state",     "cancellation_reason", "attendance",
      "calendar_uid", "calendar_sequence", "held_time", "close_time",          "cancel_time",
      "create_time",  "update_time",       "etag"};
  return *paths;
}

// The mask to apply: "*" -> every writable field; empty -> the writable fields set in
// `meeting`; otherwise the writable paths named (output-only ones dropped). INVALID_ARGUMENT
// for an unknown path.
absl::StatusOr<FieldMask> EffectiveMask(const FieldMask& mask, const v1::Meeting& meeting) {
  FieldMask effective;
  if (mask.paths().empty()) {
    const auto* reflection = meeting.GetReflection();
    for (const std::string& field : WritableMeetingFields()) {
      const auto* descriptor = meeting.GetDescriptor()->FindFieldByName(field);
      if (reflection->HasField(meeting, descriptor)) effective.add_paths(field);
    }
    return effective;
  }
  for (const std::string& path : mask.paths()) {
    if (path == "*") {
      for (const std::string& field : WritableMeetingFields()) effective.add_paths(field);
    } else if (MeetingMaskPaths().count(path)) {
      effective.add_paths(path);
    } else if (!MeetingOutputOnlyPaths().count(path)) {
      return InvalidField(kDomain, "update_mask",
                          absl::StrCat("unknown or immutable field '", path, "'"));
    }
  }
  return effective;
}

// The writable fields of `m` only.
v1::Meeting WritablePart(const v1::Meeting& m) {
  v1::Meeting part;
  FieldMask all;
  for (const std::string& field : WritableMeetingFields()) all.add_paths(field);
  FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  FieldMaskUtil::MergeMessageTo(m, all, options, &part);
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

absl::Status CheckEtag(const std::string& etag, const std::string& current,
                       const std::string& name) {
  if (etag.empty() || etag == current) return absl::OkStatus();
  return Aborted(kDomain, "ETAG_MISMATCH",
                 absl::StrCat(name, " changed since it was read (etag ", etag, ", now ", current,
                              "): read it again"),
                 {{"name", name}, {"etag", etag}, {"current_etag", current}});
}

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
  return pool_.ReadOnly<v1::Meeting>(deadline,
                                     [&](pqxx::work& txn) { return LoadMeeting(txn, id, false); });
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
        for (int i = 0; i < static_cast<int>(rows.size()) && i < query.page_size; ++i) {
          *response.add_meetings() = std::move(rows[i].meeting);
        }
        if (static_cast<int>(rows.size()) > query.page_size) {
          const MeetingPageRow& last = rows[query.page_size - 1];
          response.set_next_page_token(api::NextPageToken(query, last.sort_key, last.id));
        }
        return response;
      });
}

absl::StatusOr<v1::Meeting> MeetingPlanner::Create(const v1::CreateMeetingRequest& request,
                                                   db::Deadline deadline) {
  FieldViolations violations;
  if (!request.has_meeting()) violations.Add("meeting", "required");
  ValidateMeeting(request.meeting(), "meeting", violations);
  MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
  MAILLAGE_RETURN_IF_ERROR(actions_.CheckAction(request.meeting().action(), deadline));
  MAILLAGE_RETURN_IF_ERROR(CheckCommune(request.meeting().place().commune_insee_code(),
                                        "meeting.place.commune_insee_code", deadline));
  return pool_.Transact<v1::Meeting>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Meeting>(
        txn, request.request_id(), "CreateMeeting", request, kDomain,
        [&]() -> absl::StatusOr<v1::Meeting> { return InsertMeeting(txn, request.meeting()); });
  });
}

absl::StatusOr<v1::Meeting> MeetingPlanner::Update(const v1::UpdateMeetingRequest& request,
                                                   db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.meeting().name(), "meetings",
                                                             "meeting.name", kDomain));
  MAILLAGE_ASSIGN_OR_RETURN(FieldMask mask,
                            EffectiveMask(request.update_mask(), request.meeting()));
  FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  auto merge = [&](const v1::Meeting& current) -> absl::StatusOr<v1::Meeting> {
    v1::Meeting merged = current;
    FieldMaskUtil::MergeMessageTo(request.meeting(), mask, options, &merged);
    FieldViolations violations;
    ValidateMeeting(merged, "meeting", violations);
    MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
    MAILLAGE_RETURN_IF_ERROR(CheckChangeAllowed(current, merged));
    return merged;
  };
  // References are checked outside the transaction (remote calls), then confirmed unchanged.
  MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting current,
                            pool_.ReadOnly<v1::Meeting>(deadline, [&](pqxx::work& txn) {
                              return LoadMeeting(txn, id, false);
                            }));
  MAILLAGE_RETURN_IF_ERROR(CheckEtag(request.meeting().etag(), current.etag(), current.name()));
  MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting planned, merge(current));
  if (planned.action() != current.action()) {
    MAILLAGE_RETURN_IF_ERROR(actions_.CheckAction(planned.action(), deadline));
  }
  const std::string& commune = planned.place().commune_insee_code();
  if (commune != current.place().commune_insee_code()) {
    MAILLAGE_RETURN_IF_ERROR(CheckCommune(commune, "meeting.place.commune_insee_code", deadline));
  }
  return pool_.Transact<v1::Meeting>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::Meeting> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting fresh, LoadMeeting(txn, id, true));
    MAILLAGE_RETURN_IF_ERROR(CheckEtag(request.meeting().etag(), fresh.etag(), fresh.name()));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting merged, merge(fresh));
    if (merged.action() != planned.action() || merged.place().commune_insee_code() != commune) {
      return Aborted(kDomain, "CONCURRENT_CHANGE",
                     absl::StrCat(fresh.name(), " changed during the update: retry"));
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        v1::Meeting written, WriteMeetingFields(txn, merged, CalendarVisibleChange(fresh, merged)));
    if (written.capacity() != fresh.capacity()) {
      PromoteWaitingList(txn, id, written.capacity());
      return LoadMeeting(txn, id, false);
    }
    return written;
  });
}

absl::Status MeetingPlanner::Delete(const v1::DeleteMeetingRequest& request,
                                    db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(request.name(), "meetings", "name", kDomain));
  return pool_.Transact(deadline, [&](pqxx::work& txn) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting meeting, LoadMeeting(txn, id, true));
    MAILLAGE_RETURN_IF_ERROR(CheckEtag(request.etag(), meeting.etag(), meeting.name()));
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
          MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting meeting, LoadMeeting(txn, id, true));
          MAILLAGE_RETURN_IF_ERROR(CheckEtag(request.etag(), meeting.etag(), meeting.name()));
          MAILLAGE_RETURN_IF_ERROR(CheckMeetingTransition(meeting.state(), v1::MEETING_STATE_HELD));
          if (db::MicrosOf(meeting.start_time()) > db::NowMicros()) {
            return FailedPrecondition(kDomain, "MEETING_NOT_STARTED",
                                      absl::StrCat(meeting.name(), " has not started yet"),
                                      {{"name", meeting.name()}});
          }
          MarkHeldRow(txn, id);
          return LoadMeeting(txn, id, false);
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
          MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting meeting, LoadMeeting(txn, id, true));
          MAILLAGE_RETURN_IF_ERROR(CheckEtag(request.etag(), meeting.etag(), meeting.name()));
          MAILLAGE_RETURN_IF_ERROR(
              CheckMeetingTransition(meeting.state(), v1::MEETING_STATE_CLOSED));
          MarkRegisteredAsNoShow(txn, id);
          CloseRow(txn, id, request.minutes());
          // Attendance is frozen from now on: its summary is what the indicators read.
          SummarizeClosedAttendance(txn, {id});
          return LoadMeeting(txn, id, false);
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
          MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting meeting, LoadMeeting(txn, id, true));
          MAILLAGE_RETURN_IF_ERROR(CheckEtag(request.etag(), meeting.etag(), meeting.name()));
          MAILLAGE_RETURN_IF_ERROR(
              CheckMeetingTransition(meeting.state(), v1::MEETING_STATE_CANCELLED));
          CancelRow(txn, id, request.reason());
          return LoadMeeting(txn, id, false);
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

}  // namespace maillage::meetings
