// Steps shared by the BudgetBook methods inside one transaction: locking a draft, loading what
// a validation needs. Internal to the budget service.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/budget/action_store.h"
#include "services/budget/budget_store.h"
#include "services/budget/budget_validator.h"

namespace maillage::budget {

// The budget, locked, when it is a DRAFT whose etag matches `etag` (when set). NOT_FOUND,
// ABORTED (ETAG_MISMATCH), FAILED_PRECONDITION (BUDGET_NOT_EDITABLE).
absl::StatusOr<StoredBudget> LockDraft(pqxx::work& txn, const BudgetRef& ref,
                                       const std::string& etag);

// The action, when ACTIVE; FAILED_PRECONDITION (ACTION_ARCHIVED) otherwise; NOT_FOUND.
absl::StatusOr<StoredAction> ActiveAction(pqxx::work& txn, const std::string& key);

// Every finding on a stored budget: its action, lines, and for an actual budget the grants of
// the year and the forecast it is compared with.
absl::StatusOr<std::vector<v1::Finding>> ValidateStored(pqxx::work& txn,
                                                        const BudgetValidator& validator,
                                                        const StoredBudget& budget);

// The budget of `kind` to compare `budget` with in the same action and year: the latest
// APPROVED version, else the latest version; 0 when there is none.
int64_t ComparedBudgetId(pqxx::work& txn, int64_t action_id, int year, v1::BudgetKind kind);

}  // namespace maillage::budget
