// ParticipantRoster: who takes part in a meeting — identity rules checked with the directory,
// statuses with their history, check-in, capacity with a waiting list promoted in order, batch
// invitations read from the directory, anonymisation. Every write locks the meeting's row, so
// concurrent registrations for one meeting queue and never oversell a seat.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/meetings/v1/meetings_service.pb.h"
#include "services/meetings/reference_clients.h"

namespace maillage::meetings {

class ParticipantRoster {
 public:
  // `pool` and `directory` must outlive the roster.
  ParticipantRoster(db::Pool& pool, DirectoryClient& directory);

  // NOT_FOUND PARTICIPANT_NOT_FOUND; INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<v1::Participant> Get(const v1::GetParticipantRequest& request,
                                      db::Deadline deadline);
  // NOT_FOUND MEETING_NOT_FOUND for an unknown parent; INVALID_ARGUMENT for bad paging/filter.
  absl::StatusOr<v1::ListParticipantsResponse> List(const v1::ListParticipantsRequest& request,
                                                    db::Deadline deadline);
  // See CreateParticipant: INVALID_ARGUMENT, FAILED_PRECONDITION (ACTOR_NOT_FOUND,
  // CONTACT_NOT_FOUND, MEETING_FROZEN, MEETING_NOT_TODAY), ALREADY_EXISTS
  // PARTICIPANT_ALREADY_EXISTS (metadata existing_participant), UNAVAILABLE, NOT_FOUND.
  absl::StatusOr<v1::Participant> Create(const v1::CreateParticipantRequest& request,
                                         db::Deadline deadline);
  // Role and person only; INVALID_ARGUMENT for actor, contact or status in the mask.
  absl::StatusOr<v1::Participant> Update(const v1::UpdateParticipantRequest& request,
                                         db::Deadline deadline);
  // Frees the seat and promotes the first of the waiting list.
  absl::Status Delete(const v1::DeleteParticipantRequest& request, db::Deadline deadline);
  // ATTENDED with check_in_time; FAILED_PRECONDITION MEETING_NOT_TODAY before the meeting's day.
  absl::StatusOr<v1::Participant> CheckIn(const v1::CheckInRequest& request, db::Deadline deadline);
  // See SetParticipantStatus; FAILED_PRECONDITION STATUS_NOT_SETTABLE, MEETING_NOT_STARTED.
  absl::StatusOr<v1::Participant> SetStatus(const v1::SetParticipantStatusRequest& request,
                                            db::Deadline deadline);
  // Clears the person's data; allowed on closed meetings; idempotent.
  absl::StatusOr<v1::Participant> Anonymize(const v1::AnonymizeParticipantRequest& request,
                                            db::Deadline deadline);
  // See BatchInviteParticipants: the selection is read from the directory first, then written
  // in one transaction (nothing on any error).
  absl::StatusOr<v1::BatchInviteParticipantsResponse> BatchInvite(
      const v1::BatchInviteParticipantsRequest& request, db::Deadline deadline);

 private:
  db::Pool& pool_;
  DirectoryClient& directory_;
};

}  // namespace maillage::meetings
