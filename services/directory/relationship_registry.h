// RelationshipRegistry: the dated links between actors (MEMBER_OF, PARTNER_OF), stored under
// the actor they start from. Every write is one transaction with its change-feed row (and its
// request_id record for a create). SQL is RelationshipStore's.
#pragma once

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

class RelationshipRegistry {
 public:
  explicit RelationshipRegistry(db::Pool& pool) : pool_(pool) {}

  // NOT_FOUND (RELATIONSHIP_NOT_FOUND); INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<v1::Relationship> Get(const v1::GetRelationshipRequest& request,
                                       db::Deadline deadline);
  // NOT_FOUND for an unknown parent; INVALID_ARGUMENT for a bad filter, order or page.
  absl::StatusOr<v1::ListRelationshipsResponse> List(const v1::ListRelationshipsRequest& request,
                                                     db::Deadline deadline);
  // NOT_FOUND (parent), FAILED_PRECONDITION (other actor unknown or merged, parent merged),
  // INVALID_ARGUMENT (type, self link, dates), ALREADY_EXISTS (overlapping relationship).
  absl::StatusOr<v1::Relationship> Create(const v1::CreateRelationshipRequest& request,
                                          db::Deadline deadline);
  // NOT_FOUND, INVALID_ARGUMENT (immutable or unknown mask path, dates), ABORTED.
  absl::StatusOr<v1::Relationship> Update(const v1::UpdateRelationshipRequest& request,
                                          db::Deadline deadline);
  // NOT_FOUND, ABORTED.
  absl::StatusOr<v1::DeleteRelationshipResponse> Delete(
      const v1::DeleteRelationshipRequest& request, db::Deadline deadline);

 private:
  db::Pool& pool_;
};

}  // namespace maillage::directory
