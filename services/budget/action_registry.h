// ActionRegistry: the funded actions — validation of their fields (every bad field at once),
// creation with request ids, updates by field mask with etags, deletion of empty actions.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "common/status/errors.h"
#include "google/protobuf/empty.pb.h"
#include "maillage/budget/v1/budget_service.pb.h"

namespace maillage::budget {

// INVALID_ARGUMENT naming every bad field of `action` under `prefix` ("action.").
absl::Status ValidateAction(const v1::Action& action, absl::string_view prefix);
// The same checks, added to `violations`.
void CollectActionViolations(const v1::Action& action, absl::string_view prefix,
                             FieldViolations& violations);

class ActionRegistry {
 public:
  explicit ActionRegistry(db::Pool& pool) : pool_(pool) {}

  // NOT_FOUND (ACTION_NOT_FOUND); INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<v1::Action> Get(const v1::GetActionRequest& request, db::Deadline deadline);
  // INVALID_ARGUMENT for a bad filter, order or page token.
  absl::StatusOr<v1::ListActionsResponse> List(const v1::ListActionsRequest& request,
                                               db::Deadline deadline);
  // INVALID_ARGUMENT naming each bad field; ALREADY_EXISTS (ACTION_CODE_EXISTS).
  absl::StatusOr<v1::Action> Create(const v1::CreateActionRequest& request, db::Deadline deadline);
  // INVALID_ARGUMENT (fields, unknown mask paths); NOT_FOUND; ABORTED (ETAG_MISMATCH).
  absl::StatusOr<v1::Action> Update(const v1::UpdateActionRequest& request, db::Deadline deadline);
  // NOT_FOUND; ABORTED (ETAG_MISMATCH); FAILED_PRECONDITION (ACTION_NOT_EMPTY).
  absl::StatusOr<google::protobuf::Empty> Delete(const v1::DeleteActionRequest& request,
                                                 db::Deadline deadline);

 private:
  db::Pool& pool_;
};

}  // namespace maillage::budget
