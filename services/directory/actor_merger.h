// ActorMerger: likely duplicates (FindDuplicates) and the merge of two actors into one
// (MergeActors), which moves contacts and relationships and leaves a redirect.
#pragma once

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

class ActorMerger {
 public:
  explicit ActorMerger(db::Pool& pool) : pool_(pool) {}

  // Pairs of non-merged actors proposed by the rules of DuplicateRule, strongest rule and score
  // first. INVALID_ARGUMENT for a bad filter, min_score outside 0..1, page size or token.
  absl::StatusOr<v1::FindDuplicatesResponse> FindDuplicates(
      const v1::FindDuplicatesRequest& request, db::Deadline deadline);

  // Folds other_actor into the survivor `name` (see directory_service.proto). NOT_FOUND,
  // INVALID_ARGUMENT (same actor, malformed names), FAILED_PRECONDITION (ACTOR_MERGED, or
  // IDENTIFIER_CONFLICT naming the field), ABORTED (ETAG_MISMATCH).
  absl::StatusOr<v1::Actor> Merge(const v1::MergeActorsRequest& request, db::Deadline deadline);

 private:
  db::Pool& pool_;
};

}  // namespace maillage::directory
