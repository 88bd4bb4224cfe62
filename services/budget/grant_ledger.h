// GrantLedger: the grants received for an action, followed from the request to the
// justification (REQUESTED → NOTIFIED → PAID in instalments → JUSTIFIED, forward only).
#pragma once

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "google/protobuf/empty.pb.h"
#include "maillage/budget/v1/budget_service.pb.h"

namespace maillage::budget {

// INVALID_ARGUMENT naming every field that the grant's state lacks or gets wrong: each state
// needs its data (REQUESTED request_date and requested_amount_cents, NOTIFIED notify_date and
// notified_amount_cents, PAID at least one instalment, JUSTIFIED justify_date and — a grant is
// justified once paid — an instalment), instalments only from PAID on and never above the
// notified amount, amounts within 0..10^15 cents, valid dates in the grant's order: the
// notification not before the request, no instalment before the notification, the
// justification not before the first instalment (the balance may be paid after it).
absl::Status ValidateGrant(const v1::Grant& grant, absl::string_view prefix);

// From NOTIFIED on, a grant without a justification_due_date gets the legal one: the financial
// report (compte rendu financier) is due within six months of the end of the year funded
// (loi 2000-321, art. 10), so 30 June of the next year. A date given (a convention's own) is
// kept.
void DefaultJustificationDueDate(v1::Grant& grant);

class GrantLedger {
 public:
  explicit GrantLedger(db::Pool& pool) : pool_(pool) {}

  // NOT_FOUND (GRANT_NOT_FOUND, ACTION_NOT_FOUND); INVALID_ARGUMENT for malformed names.
  absl::StatusOr<v1::Grant> Get(const v1::GetGrantRequest& request, db::Deadline deadline);
  absl::StatusOr<v1::ListGrantsResponse> List(const v1::ListGrantsRequest& request,
                                              db::Deadline deadline);
  // FAILED_PRECONDITION: FUNDER_NOT_FOUND, ACTION_ARCHIVED; INVALID_ARGUMENT as ValidateGrant.
  absl::StatusOr<v1::Grant> Create(const v1::CreateGrantRequest& request, db::Deadline deadline);
  // FAILED_PRECONDITION (INVALID_STATE_TRANSITION) for a backward move; ABORTED (ETAG_MISMATCH).
  absl::StatusOr<v1::Grant> Update(const v1::UpdateGrantRequest& request, db::Deadline deadline);
  absl::StatusOr<google::protobuf::Empty> Delete(const v1::DeleteGrantRequest& request,
                                                 db::Deadline deadline);

 private:
  db::Pool& pool_;
};

}  // namespace maillage::budget
