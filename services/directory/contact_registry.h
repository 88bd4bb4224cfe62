// ContactRegistry: the persons attached to actors (personal data): get, list, create, update,
// delete. Every write is one transaction with its change-feed row (and its request_id record for
// a create). A delete forgets the person as an erasure does (ForgetPerson in
// personal_data_requests.h: row, snapshots under every name, idempotency records, a journal
// line), announced by a DELETED change on which followers of the feed anonymise their copies
// as on ERASED. SQL is ContactStore's; the requests of the persons themselves (export, erasure)
// are PersonalDataRequests'.
//
// Only roles that may read personal data (auth::MayReadPersonalData: admin, staff) reach these
// methods: the permission table refuses the others before any of them runs.
#pragma once

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

class ContactRegistry {
 public:
  explicit ContactRegistry(db::Pool& pool) : pool_(pool) {}

  // NOT_FOUND (CONTACT_NOT_FOUND); INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<v1::Contact> Get(const v1::GetContactRequest& request, db::Deadline deadline);
  // NOT_FOUND for an unknown parent actor; INVALID_ARGUMENT for a bad filter, order or page.
  absl::StatusOr<v1::ListContactsResponse> List(const v1::ListContactsRequest& request,
                                                db::Deadline deadline);
  // NOT_FOUND (actor), FAILED_PRECONDITION (merged actor), INVALID_ARGUMENT naming every field.
  absl::StatusOr<v1::Contact> Create(const v1::CreateContactRequest& request,
                                     db::Deadline deadline);
  // NOT_FOUND, INVALID_ARGUMENT (fields, mask), ABORTED (ETAG_MISMATCH).
  absl::StatusOr<v1::Contact> Update(const v1::UpdateContactRequest& request,
                                     db::Deadline deadline);
  // NOT_FOUND, ABORTED.
  absl::StatusOr<v1::DeleteContactResponse> Delete(const v1::DeleteContactRequest& request,
                                                   db::Deadline deadline);

 private:
  db::Pool& pool_;
};

}  // namespace maillage::directory
