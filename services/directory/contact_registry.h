// ContactRegistry: the people attached to actors (personal data) and the requests of the
// persons themselves (ExportPersonData, ErasePerson), plus the relationships between actors.
// Every write is one transaction with its change-feed row and request_id record.
//
// Field-level visibility of personal data by role comes with the gateway issue (signed
// principal): today every caller of these methods sees whole contacts.
#pragma once

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "common/db/pool.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

// The contact or relationship with this id as the API shows it; nullopt when there is none.
absl::optional<v1::Contact> ContactById(pqxx::work& txn, int64_t id);
absl::optional<v1::Relationship> RelationshipById(pqxx::work& txn, int64_t id);

class ContactRegistry {
 public:
  explicit ContactRegistry(db::Pool& pool) : pool_(pool) {}

  // NOT_FOUND (CONTACT_NOT_FOUND); INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<v1::Contact> Get(db::Deadline deadline, const v1::GetContactRequest& request);
  // NOT_FOUND for an unknown parent actor; INVALID_ARGUMENT for a bad filter, order or page.
  absl::StatusOr<v1::ListContactsResponse> List(db::Deadline deadline,
                                                const v1::ListContactsRequest& request);
  // NOT_FOUND (actor), FAILED_PRECONDITION (merged actor), INVALID_ARGUMENT naming every field.
  absl::StatusOr<v1::Contact> Create(db::Deadline deadline,
                                     const v1::CreateContactRequest& request);
  // NOT_FOUND, INVALID_ARGUMENT (fields, mask), ABORTED (ETAG_MISMATCH).
  absl::StatusOr<v1::Contact> Update(db::Deadline deadline,
                                     const v1::UpdateContactRequest& request);
  // NOT_FOUND, ABORTED.
  absl::StatusOr<v1::DeleteContactResponse> Delete(db::Deadline deadline,
                                                   const v1::DeleteContactRequest& request);
  // NOT_FOUND.
  absl::StatusOr<v1::ExportPersonDataResponse> ExportPersonData(
      db::Deadline deadline, const v1::ExportPersonDataRequest& request);
  // NOT_FOUND; INVALID_ARGUMENT for a missing or too long reason.
  absl::StatusOr<v1::ErasePersonResponse> ErasePerson(db::Deadline deadline,
                                                      const v1::ErasePersonRequest& request);

  // Relationships. NOT_FOUND (RELATIONSHIP_NOT_FOUND); INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<v1::Relationship> GetRelationship(db::Deadline deadline,
                                                   const v1::GetRelationshipRequest& request);
  // NOT_FOUND for an unknown parent; INVALID_ARGUMENT for a bad filter, order or page.
  absl::StatusOr<v1::ListRelationshipsResponse> ListRelationships(
      db::Deadline deadline, const v1::ListRelationshipsRequest& request);
  // NOT_FOUND (parent), FAILED_PRECONDITION (other actor unknown or merged, parent merged),
  // INVALID_ARGUMENT (type, self link, dates), ALREADY_EXISTS (overlapping relationship).
  absl::StatusOr<v1::Relationship> CreateRelationship(db::Deadline deadline,
                                                      const v1::CreateRelationshipRequest& request);
  // NOT_FOUND, INVALID_ARGUMENT (immutable or unknown mask path, dates), ABORTED.
  absl::StatusOr<v1::Relationship> UpdateRelationship(db::Deadline deadline,
                                                      const v1::UpdateRelationshipRequest& request);
  // NOT_FOUND, ABORTED.
  absl::StatusOr<v1::DeleteRelationshipResponse> DeleteRelationship(
      db::Deadline deadline, const v1::DeleteRelationshipRequest& request);

 private:
  db::Pool& pool_;
};

}  // namespace maillage::directory
