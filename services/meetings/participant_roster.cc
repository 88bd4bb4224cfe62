// ParticipantRoster (see participant_roster.h).
#include "services/meetings/participant_roster.h"

#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/etag.h"
#include "common/api/list_query.h"
#include "common/api/resource_name.h"
#include "common/api/update_mask.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/meetings/meeting_children.h"
#include "services/meetings/meeting_planner.h"
#include "services/meetings/meeting_rules.h"
#include "services/meetings/meeting_store.h"
#include "services/meetings/participant_store.h"

namespace maillage::meetings {
namespace {

struct ParticipantId {
  int64_t meeting = 0;
  int64_t participant = 0;
};

absl::StatusOr<ParticipantId> ParseParticipantName(const std::string& name,
                                                   absl::string_view field) {
  MAILLAGE_ASSIGN_OR_RETURN(
      auto ids, api::ParseResourceIds(name, {"meetings", "participants"}, field, kDomain));
  return ParticipantId{ids[0], ids[1]};
}

// FAILED_PRECONDITION MEETING_FROZEN unless the meeting is PLANNED or HELD.
absl::Status CheckNotFrozen(const v1::Meeting& meeting) {
  if (meeting.state() == v1::MEETING_STATE_PLANNED || meeting.state() == v1::MEETING_STATE_HELD) {
    return absl::OkStatus();
  }
  return FailedPrecondition(
      kDomain, "MEETING_FROZEN",
      absl::StrCat(meeting.name(), " is ", v1::MeetingState_Name(meeting.state()),
                   ": its participants can no longer change"),
      {{"name", meeting.name()}, {"state", v1::MeetingState_Name(meeting.state())}});
}

// FAILED_PRECONDITION MEETING_NOT_TODAY unless `day_reached` (see MeetingDayReached).
absl::Status CheckMeetingDayReached(const v1::Meeting& meeting, bool day_reached) {
  if (day_reached) return absl::OkStatus();
  return FailedPrecondition(
      kDomain, "MEETING_NOT_TODAY",
      absl::StrCat("check-ins open on the day of ", meeting.name(), " (Europe/Paris)"),
      {{"name", meeting.name()}});
}

absl::Status AlreadyThere(const std::string& existing) {
  return AlreadyExists(kDomain, "PARTICIPANT_ALREADY_EXISTS",
                       absl::StrCat("the meeting already has this participant: ", existing),
                       {{"existing_participant", existing}});
}

// Frees a seat if `before` held one and the participant no longer does.
void PromoteIfSeatFreed(pqxx::work& txn, const v1::Meeting& meeting, int64_t meeting_id,
                        v1::ParticipantStatus before, v1::ParticipantStatus after) {
  if (HoldsSeat(before) && !HoldsSeat(after)) {
    PromoteWaitingList(txn, meeting_id, meeting.capacity());
  }
}

}  // namespace

ParticipantRoster::ParticipantRoster(db::Pool& pool, DirectoryClient& directory)
    : pool_(pool), directory_(directory) {}

absl::StatusOr<v1::Participant> ParticipantRoster::Get(const v1::GetParticipantRequest& request,
                                                       db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(ParticipantId id, ParseParticipantName(request.name(), "name"));
  return ReadParticipant(pool_, deadline, id.meeting, id.participant);
}

absl::StatusOr<v1::ListParticipantsResponse> ParticipantRoster::List(
    const v1::ListParticipantsRequest& request, db::Deadline deadline) {
  static const auto* const kFilters = new api::FilterSchema{
      {"actor", {"p.actor", api::FilterField::Type::kString}},
      {"contact", {"p.contact", api::FilterField::Type::kString}},
      {"role", api::EnumField("p.role", v1::ParticipantRole_descriptor(), "PARTICIPANT_ROLE_")},
      {"status",
       api::EnumField("p.status", v1::ParticipantStatus_descriptor(), "PARTICIPANT_STATUS_")},
      {"anonymized", {"p.anonymized", api::FilterField::Type::kBool}},
      {"check_in_time", {"p.check_in_time", api::FilterField::Type::kTimestamp}},
  };
  static const auto* const kSorts = new api::SortSchema{
      {"create_time", {"p.create_time", "timestamptz"}},
      {"waiting_list_position", {"COALESCE(p.waiting_order, 0)", "bigint"}},
      {"check_in_time", {"COALESCE(p.check_in_time, 'epoch'::timestamptz)", "timestamptz"}},
  };
  return ListMeetingChildren<v1::ListParticipantsResponse, ParticipantPageRow>(
      pool_, deadline, request, {*kFilters, *kSorts, "create_time", "p.id"}, "p.meeting_id",
      [](pqxx::work& txn, const api::ListQuery& query, int limit) {
        return SelectParticipants(txn, query.where, query.keyset, query.order.sort.sql, limit);
      },
      [](ParticipantPageRow& row, v1::ListParticipantsResponse& response) {
        *response.add_participants() = std::move(row.participant);
      });
}

absl::StatusOr<v1::Participant> ParticipantRoster::Create(
    const v1::CreateParticipantRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t meeting_id,
                            api::ParseResourceId(request.parent(), "meetings", "parent", kDomain));
  FieldViolations violations;
  ValidateNewParticipant(request.participant(), "participant", violations);
  MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
  v1::Participant participant = request.participant();
  if (!participant.contact().empty() && participant.actor().empty()) {
    participant.set_actor(ActorOfContact(participant.contact()));
  }
  // Directory references, before anything is written.
  if (!participant.actor().empty()) {
    MAILLAGE_ASSIGN_OR_RETURN(auto actors, directory_.GetActors({participant.actor()}, deadline));
    if (!actors.empty() && !actors[0].merged_into().empty()) {
      participant.set_actor(actors[0].merged_into());
    }
  }
  if (!participant.contact().empty()) {
    MAILLAGE_RETURN_IF_ERROR(directory_.GetContact(participant.contact(), deadline).status());
  }
  v1::ParticipantStatus asked = participant.status() == v1::PARTICIPANT_STATUS_UNSPECIFIED
                                    ? v1::PARTICIPANT_STATUS_INVITED
                                    : participant.status();
  return pool_.Transact<v1::Participant>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Participant>(
        txn, request.request_id(), "CreateParticipant", request, kDomain,
        [&]() -> absl::StatusOr<v1::Participant> {
          MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting meeting, LockMeeting(txn, meeting_id));
          MAILLAGE_RETURN_IF_ERROR(CheckNotFrozen(meeting));
          v1::ParticipantStatus status = asked;
          std::optional<int64_t> check_in;
          if (status == v1::PARTICIPANT_STATUS_ATTENDED) {
            MAILLAGE_RETURN_IF_ERROR(
                CheckMeetingDayReached(meeting, MeetingDayReached(txn, meeting_id)));
            check_in = db::NowMicros();
          } else if (status == v1::PARTICIPANT_STATUS_REGISTERED && meeting.capacity() > 0 &&
                     SeatsTaken(txn, meeting_id) >= meeting.capacity()) {
            status = v1::PARTICIPANT_STATUS_WAITING_LIST;
          }
          // The duplicate is looked for by the insert itself (the meeting's lock is held).
          ParticipantInserted inserted = InsertParticipant(txn, meeting_id, participant, status,
                                                           CallerPrincipal(), "", check_in);
          if (!inserted.existing.empty()) return AlreadyThere(inserted.existing);
          return std::move(*inserted.participant);
        });
  });
}

absl::StatusOr<v1::Participant> ParticipantRoster::Update(
    const v1::UpdateParticipantRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(ParticipantId id,
                            ParseParticipantName(request.participant().name(), "participant.name"));
  // actor, contact and status are immutable here (status moves with SetParticipantStatus and
  // CheckIn).
  MAILLAGE_ASSIGN_OR_RETURN(
      google::protobuf::FieldMask mask,
      api::EffectiveUpdateMask(request.update_mask(), request.participant(), kDomain));
  // Two statements: the meeting and the participant locked and read by one, the duplicate
  // looked for, the row written and its history and place in line read by the other.
  return pool_.Transact<v1::Participant>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::Participant> {
        MAILLAGE_ASSIGN_OR_RETURN(
            LockedParticipant locked,
            LockMeetingAndParticipant(txn, id.meeting, id.participant, MeetingLock::kExclusive));
        const v1::Participant& current = locked.participant;
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(request.participant().etag(), current.etag(), current.name(), kDomain));
        MAILLAGE_RETURN_IF_ERROR(CheckNotFrozen(locked.meeting));
        v1::Participant merged = current;
        api::MergeUpdate(request.participant(), mask, &merged);
        merged.set_status(v1::PARTICIPANT_STATUS_UNSPECIFIED);  // not validated on update
        FieldViolations violations;
        ValidateNewParticipant(merged, "participant", violations);
        MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
        RoleAndPersonWritten written = WriteRoleAndPerson(txn, id.meeting, id.participant, merged);
        if (!written.existing.empty()) return AlreadyThere(written.existing);
        // The answer is built from what was read under the locks and what the write returned
        // (history and place in line), not read back; an empty person reads as none.
        merged.set_status(current.status());
        if (merged.person().display_name().empty() && merged.person().organization().empty() &&
            merged.person().email().empty()) {
          merged.clear_person();
        }
        *merged.mutable_update_time() = db::TimestampOf(written.written.time_micros);
        merged.set_etag(absl::StrCat(written.written.revision));
        return merged;
      });
}

absl::Status ParticipantRoster::Delete(const v1::DeleteParticipantRequest& request,
                                       db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(ParticipantId id, ParseParticipantName(request.name(), "name"));
  // The row is deleted first and its status and revision returned by the delete; a refusal
  // (etag, frozen meeting) then rolls the delete back.
  return pool_.Transact(deadline, [&](pqxx::work& txn) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting meeting, LockMeeting(txn, id.meeting));
    std::optional<ParticipantDeleted> deleted =
        DeleteParticipantRow(txn, id.meeting, id.participant);
    if (!deleted.has_value()) return ParticipantNotFound(id.meeting, id.participant);
    MAILLAGE_RETURN_IF_ERROR(
        api::CheckEtag(request.etag(), deleted->etag,
                       absl::StrCat(api::ResourceName("meetings", id.meeting), "/",
                                    api::ResourceName("participants", id.participant)),
                       kDomain));
    MAILLAGE_RETURN_IF_ERROR(CheckNotFrozen(meeting));
    PromoteIfSeatFreed(txn, meeting, id.meeting, deleted->status,
                       v1::PARTICIPANT_STATUS_UNSPECIFIED);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Participant> ParticipantRoster::CheckIn(const v1::CheckInRequest& request,
                                                           db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(ParticipantId id, ParseParticipantName(request.name(), "name"));
  int64_t now = db::NowMicros();
  if (request.has_check_in_time() && db::MicrosOf(request.check_in_time()) > now) {
    return InvalidField(kDomain, "check_in_time", "cannot be in the future");
  }
  int64_t when = request.has_check_in_time() ? db::MicrosOf(request.check_in_time()) : now;
  // The check-ins of one meeting run side by side: a shared lock on the meeting (its state and
  // day cannot change meanwhile), the participant's own row locked, both by one statement; the
  // write then reads the history beside it: two statements in all.
  return pool_.Transact<v1::Participant>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::Participant> {
        MAILLAGE_ASSIGN_OR_RETURN(
            LockedParticipant locked,
            LockMeetingAndParticipant(txn, id.meeting, id.participant, MeetingLock::kShared));
        v1::Participant& current = locked.participant;
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(request.etag(), current.etag(), current.name(), kDomain));
        if (current.status() == v1::PARTICIPANT_STATUS_ATTENDED) {
          ReadHistory(txn, id.participant, current);
          return current;
        }
        MAILLAGE_RETURN_IF_ERROR(CheckNotFrozen(locked.meeting));
        MAILLAGE_RETURN_IF_ERROR(CheckMeetingDayReached(locked.meeting, locked.day_reached));
        StatusWritten written =
            WriteStatusReadingHistory(txn, id.participant, v1::PARTICIPANT_STATUS_ATTENDED,
                                      CallerPrincipal(), "checked in", when, current);
        // The row is locked since it was read: the answer is built, not read back.
        ApplyStatus(current, v1::PARTICIPANT_STATUS_ATTENDED, CallerPrincipal(), "checked in", when,
                    written);
        return std::move(current);
      });
}

absl::StatusOr<v1::Participant> ParticipantRoster::SetStatus(
    const v1::SetParticipantStatusRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(ParticipantId id, ParseParticipantName(request.name(), "name"));
  v1::ParticipantStatus asked = request.status();
  if (asked == v1::PARTICIPANT_STATUS_UNSPECIFIED || !v1::ParticipantStatus_IsValid(asked)) {
    return InvalidField(kDomain, "status",
                        "required: REGISTERED, INVITED, EXCUSED, NO_SHOW or "
                        "CANCELLED");
  }
  return pool_.Transact<v1::Participant>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::Participant> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting meeting, LockMeeting(txn, id.meeting));
        MAILLAGE_ASSIGN_OR_RETURN(v1::Participant current,
                                  LoadParticipant(txn, id.meeting, id.participant));
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(request.etag(), current.etag(), current.name(), kDomain));
        MAILLAGE_RETURN_IF_ERROR(CheckNotFrozen(meeting));
        if (asked == v1::PARTICIPANT_STATUS_ATTENDED ||
            asked == v1::PARTICIPANT_STATUS_WAITING_LIST) {
          return FailedPrecondition(
              kDomain, "STATUS_NOT_SETTABLE",
              asked == v1::PARTICIPANT_STATUS_ATTENDED
                  ? "ATTENDED is recorded by CheckIn"
                  : "WAITING_LIST is set by the service when the meeting is full: ask REGISTERED",
              {{"status", v1::ParticipantStatus_Name(asked)}});
        }
        if (asked == current.status()) return current;
        if (asked == v1::PARTICIPANT_STATUS_NO_SHOW &&
            db::MicrosOf(meeting.start_time()) > db::NowMicros()) {
          return FailedPrecondition(
              kDomain, "MEETING_NOT_STARTED",
              absl::StrCat("NO_SHOW needs ", meeting.name(), " to have started"),
              {{"name", meeting.name()}});
        }
        v1::ParticipantStatus status = asked;
        if (asked == v1::PARTICIPANT_STATUS_REGISTERED && !HoldsSeat(current.status()) &&
            meeting.capacity() > 0 && SeatsTaken(txn, id.meeting) >= meeting.capacity()) {
          status = v1::PARTICIPANT_STATUS_WAITING_LIST;
          if (current.status() == status) return current;  // keeps its place in line
        }
        StatusWritten written = WriteStatus(txn, id.participant, status, CallerPrincipal(),
                                            request.note(), std::nullopt);
        PromoteIfSeatFreed(txn, meeting, id.meeting, current.status(), status);
        // Read under the meeting's lock, the participant is built rather than read back, but for
        // its place in line on the waiting list (the promotion moves others, never it).
        if (status == v1::PARTICIPANT_STATUS_WAITING_LIST) {
          return LoadParticipant(txn, id.meeting, id.participant);
        }
        ApplyStatus(current, status, CallerPrincipal(), request.note(), std::nullopt, written);
        return current;
      });
}

absl::StatusOr<v1::Participant> ParticipantRoster::Anonymize(
    const v1::AnonymizeParticipantRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(ParticipantId id, ParseParticipantName(request.name(), "name"));
  return pool_.Transact<v1::Participant>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::Participant> {
        MAILLAGE_RETURN_IF_ERROR(LockMeeting(txn, id.meeting).status());
        MAILLAGE_ASSIGN_OR_RETURN(v1::Participant current,
                                  LoadParticipant(txn, id.meeting, id.participant));
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(request.etag(), current.etag(), current.name(), kDomain));
        if (current.anonymized()) return current;
        StatusWritten written = AnonymizeRow(txn, id.meeting, id.participant);
        // Built from what was read under the meeting's lock, not read back.
        current.clear_contact();
        current.clear_person();
        current.set_anonymized(true);
        *current.mutable_update_time() = db::TimestampOf(written.time_micros);
        current.set_etag(absl::StrCat(written.revision));
        return current;
      });
}

absl::StatusOr<v1::BatchInviteParticipantsResponse> ParticipantRoster::BatchInvite(
    const v1::BatchInviteParticipantsRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t meeting_id,
                            api::ParseResourceId(request.parent(), "meetings", "parent", kDomain));
  FieldViolations violations;
  if (request.role() == v1::PARTICIPANT_ROLE_UNSPECIFIED ||
      !v1::ParticipantRole_IsValid(request.role())) {
    violations.Add("role", "required: one of the ParticipantRole values");
  }
  switch (request.selector_case()) {
    case v1::BatchInviteParticipantsRequest::kActorList: {
      int size = request.actor_list().actors_size();
      if (size < 1 || size > 1000) violations.Add("actor_list.actors", "1 to 1000 actor names");
      for (int i = 0; i < size; ++i) {
        if (!api::ParseResourceId(request.actor_list().actors(i), "actors", "actor", kDomain)
                 .ok()) {
          violations.Add(absl::StrCat("actor_list.actors[", i, "]"), "must be \"actors/{actor}\"");
        }
      }
      break;
    }
    case v1::BatchInviteParticipantsRequest::kNetworkCategory:
      if (request.network_category().empty()) violations.Add("network_category", "required");
      break;
    case v1::BatchInviteParticipantsRequest::kCommune:
      if (request.commune().empty()) violations.Add("commune", "required");
      break;
    case v1::BatchInviteParticipantsRequest::SELECTOR_NOT_SET:
      violations.Add("selector", "exactly one of actor_list, network_category, commune");
      break;
  }
  MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));

  // The selection, read from the directory before anything is written.
  std::vector<directory::v1::Actor> selected;
  if (request.has_actor_list()) {
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const std::string& name : request.actor_list().actors()) {
      if (seen.insert(name).second) names.push_back(name);
    }
    MAILLAGE_ASSIGN_OR_RETURN(selected, directory_.GetActors(names, deadline));
  } else if (request.selector_case() == v1::BatchInviteParticipantsRequest::kNetworkCategory) {
    MAILLAGE_ASSIGN_OR_RETURN(auto categories, directory_.ListNetworkCategories(deadline));
    bool known = false;
    for (const auto& category : categories)
      known = known || category.code() == request.network_category();
    if (!known) {
      return FailedPrecondition(
          kDomain, "NETWORK_CATEGORY_NOT_FOUND",
          absl::StrCat("the directory has no network category '", request.network_category(), "'"),
          {{"network_category", request.network_category()}});
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        selected,
        directory_.ListActors(absl::StrCat("network_category:\"", request.network_category(), "\""),
                              deadline));
  } else {
    MAILLAGE_ASSIGN_OR_RETURN(auto communes, directory_.ListCommunes(deadline));
    bool known = false;
    for (const auto& commune : communes) known = known || commune.insee_code() == request.commune();
    if (!known) {
      return InvalidField(kDomain, "commune",
                          absl::StrCat(request.commune(), " is not a commune of the territory"));
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        selected,
        directory_.ListActors(absl::StrCat("commune = \"", request.commune(), "\""), deadline));
  }

  return pool_.Transact<v1::BatchInviteParticipantsResponse>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::BatchInviteParticipantsResponse>(
        txn, request.request_id(), "BatchInviteParticipants", request, kDomain,
        [&]() -> absl::StatusOr<v1::BatchInviteParticipantsResponse> {
          MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting meeting, LockMeeting(txn, meeting_id));
          if (meeting.state() != v1::MEETING_STATE_PLANNED) {
            return FailedPrecondition(
                kDomain, "MEETING_NOT_PLANNED",
                absl::StrCat("invitations go to planned meetings; ", meeting.name(), " is ",
                             v1::MeetingState_Name(meeting.state())),
                {{"name", meeting.name()}, {"state", v1::MeetingState_Name(meeting.state())}});
          }
          v1::BatchInviteParticipantsResponse response;
          std::set<std::string> invited;
          for (const directory::v1::Actor& actor : selected) {
            std::string name = actor.merged_into().empty() ? actor.name() : actor.merged_into();
            if (!invited.insert(name).second) continue;
            if (actor.state() == directory::v1::ACTOR_STATE_ARCHIVED) {
              auto* skipped = response.add_skipped();
              skipped->set_actor(name);
              skipped->set_reason(
                  v1::BatchInviteParticipantsResponse::SkippedActor::REASON_ACTOR_ARCHIVED);
              continue;
            }
            v1::Participant participant;
            participant.set_actor(name);
            participant.set_role(request.role());
            ParticipantInserted inserted =
                InsertParticipant(txn, meeting_id, participant, v1::PARTICIPANT_STATUS_INVITED,
                                  CallerPrincipal(), "batch invitation", std::nullopt);
            if (!inserted.existing.empty()) {
              auto* skipped = response.add_skipped();
              skipped->set_actor(name);
              skipped->set_reason(
                  v1::BatchInviteParticipantsResponse::SkippedActor::REASON_ALREADY_PARTICIPANT);
              skipped->set_existing_participant(inserted.existing);
              continue;
            }
            *response.add_participants() = std::move(*inserted.participant);
          }
          return response;
        });
  });
}

}  // namespace maillage::meetings
