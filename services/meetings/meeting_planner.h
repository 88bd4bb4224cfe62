// MeetingPlanner: the meetings themselves — standard methods with etags, request ids, keyset
// pages and filters, and the state machine PLANNED -> HELD -> CLOSED or PLANNED -> CANCELLED.
// References are checked with the budget service (action) and the directory (commune) before
// anything is written.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "google/api/httpbody.pb.h"
#include "maillage/meetings/v1/meetings_service.pb.h"
#include "services/meetings/reference_clients.h"

namespace maillage::meetings {

class MeetingPlanner {
 public:
  // `pool`, `actions` and `directory` must outlive the planner.
  MeetingPlanner(db::Pool& pool, ActionRegistry& actions, DirectoryClient& directory);

  // NOT_FOUND MEETING_NOT_FOUND; INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<v1::Meeting> Get(const v1::GetMeetingRequest& request, db::Deadline deadline);
  // INVALID_ARGUMENT for a bad filter, order_by, page size or token.
  absl::StatusOr<v1::ListMeetingsResponse> List(const v1::ListMeetingsRequest& request,
                                                db::Deadline deadline);
  // INVALID_ARGUMENT naming every bad field (commune outside the territory included);
  // FAILED_PRECONDITION ACTION_NOT_FOUND; UNAVAILABLE when the budget service or the directory
  // cannot be reached (nothing written). A replayed request_id returns the first result.
  absl::StatusOr<v1::Meeting> Create(const v1::CreateMeetingRequest& request,
                                     db::Deadline deadline);
  // The rules of UpdateMeeting (meetings_service.proto); ABORTED ETAG_MISMATCH;
  // FAILED_PRECONDITION MEETING_FROZEN for a change the state does not allow.
  absl::StatusOr<v1::Meeting> Update(const v1::UpdateMeetingRequest& request,
                                     db::Deadline deadline);
  // FAILED_PRECONDITION for a HELD or CLOSED meeting (MEETING_IS_EVIDENCE) or one with
  // participants or outputs without force (MEETING_HAS_DEPENDENTS).
  absl::Status Delete(const v1::DeleteMeetingRequest& request, db::Deadline deadline);
  // State changes; FAILED_PRECONDITION ILLEGAL_STATE_TRANSITION, MEETING_NOT_STARTED.
  absl::StatusOr<v1::Meeting> MarkHeld(const v1::MarkMeetingHeldRequest& request,
                                       db::Deadline deadline);
  absl::StatusOr<v1::Meeting> Close(const v1::CloseMeetingRequest& request, db::Deadline deadline);
  absl::StatusOr<v1::Meeting> Cancel(const v1::CancelMeetingRequest& request,
                                     db::Deadline deadline);
  // The iCalendar file of one meeting (see calendar_export.h). NOT_FOUND MEETING_NOT_FOUND.
  absl::StatusOr<google::api::HttpBody> Calendar(const v1::GetMeetingCalendarRequest& request,
                                                 db::Deadline deadline);
  // The calendar feed of an action's meetings in the period, by start time, cancelled ones
  // included. INVALID_ARGUMENT for a bad action name or period.
  absl::StatusOr<google::api::HttpBody> ActionCalendar(const v1::GetActionCalendarRequest& request,
                                                       db::Deadline deadline);

  // The change feed (common/api/change_outbox.h): INVALID_ARGUMENT for a malformed cursor,
  // FAILED_PRECONDITION (CHANGE_CURSOR_EXPIRED) for a pruned one.
  absl::StatusOr<v1::ListMeetingChangesResponse> Changes(
      const v1::ListMeetingChangesRequest& request, db::Deadline deadline);

 private:
  // INVALID_ARGUMENT (field `field`) when `commune` is not one of the directory's communes;
  // UNAVAILABLE when the directory cannot say.
  absl::Status CheckCommune(const std::string& commune, const std::string& field,
                            db::Deadline deadline);

  db::Pool& pool_;
  ActionRegistry& actions_;
  DirectoryClient& directory_;
};

}  // namespace maillage::meetings
