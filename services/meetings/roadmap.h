// Roadmap: the items of the metropolitan ESS roadmap (feuille de route) of an action, with
// their progress history and the meetings and proposals they come from.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/meetings/v1/meetings_service.pb.h"
#include "services/meetings/reference_clients.h"

namespace maillage::meetings {

class Roadmap {
 public:
  // `pool` and `actions` must outlive the roadmap.
  Roadmap(db::Pool& pool, ActionRegistry& actions);

  // NOT_FOUND ROADMAP_ITEM_NOT_FOUND.
  absl::StatusOr<v1::RoadmapItem> Get(const v1::GetRoadmapItemRequest& request,
                                      db::Deadline deadline);
  // INVALID_ARGUMENT for bad paging, filter or order_by.
  absl::StatusOr<v1::ListRoadmapItemsResponse> List(const v1::ListRoadmapItemsRequest& request,
                                                    db::Deadline deadline);
  // INVALID_ARGUMENT for bad fields; FAILED_PRECONDITION ACTION_NOT_FOUND or
  // SOURCE_OF_ANOTHER_ACTION; UNAVAILABLE when the budget service cannot be reached.
  absl::StatusOr<v1::RoadmapItem> Create(const v1::CreateRoadmapItemRequest& request,
                                         db::Deadline deadline);
  // Axis, title, description, action and sources; FAILED_PRECONDITION ROADMAP_ITEM_ABANDONED.
  absl::StatusOr<v1::RoadmapItem> Update(const v1::UpdateRoadmapItemRequest& request,
                                         db::Deadline deadline);
  // FAILED_PRECONDITION ROADMAP_ITEM_HAS_INTEGRATED_PROPOSALS.
  absl::Status Delete(const v1::DeleteRoadmapItemRequest& request, db::Deadline deadline);
  // See RecordRoadmapProgress.
  absl::StatusOr<v1::RoadmapItem> RecordProgress(const v1::RecordRoadmapProgressRequest& request,
                                                 db::Deadline deadline);

 private:
  db::Pool& pool_;
  ActionRegistry& actions_;
};

}  // namespace maillage::meetings
