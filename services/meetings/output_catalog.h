// OutputCatalog: what meetings produce — documents and proposals, with the proposal life
// cycle (TransitionProposal) that feeds the roadmap.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/meetings/v1/meetings_service.pb.h"
#include "services/meetings/reference_clients.h"

namespace maillage::meetings {

class OutputCatalog {
 public:
  // `pool` and `directory` must outlive the catalog.
  OutputCatalog(db::Pool& pool, DirectoryClient& directory);

  // NOT_FOUND OUTPUT_NOT_FOUND.
  absl::StatusOr<v1::Output> Get(const v1::GetOutputRequest& request, db::Deadline deadline);
  // NOT_FOUND MEETING_NOT_FOUND for an unknown parent; INVALID_ARGUMENT for bad paging/filter.
  absl::StatusOr<v1::ListOutputsResponse> List(const v1::ListOutputsRequest& request,
                                               db::Deadline deadline);
  // INVALID_ARGUMENT for bad fields; FAILED_PRECONDITION MEETING_CANCELLED or ACTOR_NOT_FOUND
  // (an author); UNAVAILABLE when the directory cannot be reached; NOT_FOUND.
  absl::StatusOr<v1::Output> Create(const v1::CreateOutputRequest& request, db::Deadline deadline);
  // INVALID_ARGUMENT for a change of kind or a bad mask; FAILED_PRECONDITION PROPOSAL_FINAL.
  absl::StatusOr<v1::Output> Update(const v1::UpdateOutputRequest& request, db::Deadline deadline);
  // FAILED_PRECONDITION PROPOSAL_INTEGRATED for an integrated proposal.
  absl::Status Delete(const v1::DeleteOutputRequest& request, db::Deadline deadline);
  // See TransitionProposal: FAILED_PRECONDITION ILLEGAL_STATE_TRANSITION, NOT_A_PROPOSAL,
  // ROADMAP_ITEM_OF_ANOTHER_ACTION; INVALID_ARGUMENT for roadmap_item missing or misplaced.
  absl::StatusOr<v1::Output> TransitionProposal(const v1::TransitionProposalRequest& request,
                                                db::Deadline deadline);

 private:
  db::Pool& pool_;
  DirectoryClient& directory_;
};

}  // namespace maillage::meetings
