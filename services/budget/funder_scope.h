// What a funder's key may read: the actions that list its funder, their budgets, lines, grants
// and reports — and nothing of the other actions. Every other role is not concerned here (the
// permission table, common/auth/permissions.h, already decided what its role may call).
//
// The gateway names the funder of a ROLE_FUNDER key in the signed principal (funder_id, the id
// the actions use in Action.funders, e.g. "dijon-metropole"). The adapter checks the action a
// request names before the handler runs, so that permission comes before existence: a funder
// asking for an action it does not fund, or for one that does not exist, gets the same
// PERMISSION_DENIED.
//
//   MAILLAGE_AUTHORIZE(context, "maillage.budget.v1.BudgetService", "GetBudget", kDomain);
//   absl::Status scope = funders_.Check(authorized_call.principal(), {request->name()}, deadline);
//   if (!scope.ok()) return ToGrpcStatus(scope, kDomain);
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/auth/principal.h"
#include "common/db/pool.h"

namespace maillage::budget {

class FunderScope {
 public:
  explicit FunderScope(db::Pool& pool) : pool_(pool) {}

  // OK for every role but FUNDER. For a FUNDER principal, OK when every action the resource
  // names of `names` belong to ("actions/{action}..."; names of another shape are left to the
  // handler, which refuses them as INVALID_ARGUMENT) lists principal.funder_id among its
  // funders. PERMISSION_DENIED (domain budget.maillage, reason ACTION_NOT_FUNDED, metadata
  // funder_id and action) otherwise — for a missing action too — and for "actions/-" (every
  // action: a funder reads its actions one at a time); PERMISSION_DENIED (FUNDER_NOT_NAMED)
  // for a FUNDER principal that names no funder and a request that names an action.
  // UNAVAILABLE and the like from the database.
  absl::Status Check(const auth::Principal& principal, const std::vector<std::string>& names,
                     db::Deadline deadline) const;

  // The ListActions filter of `principal`: for FUNDER, `funders.funder_id:"<funder_id>"`
  // combined (AND) with `filter`; `filter` unchanged for every other role. A FUNDER principal
  // that names no funder gets a filter nothing matches.
  static std::string ScopedActionFilter(const auth::Principal& principal,
                                        const std::string& filter);

 private:
  db::Pool& pool_;
};

}  // namespace maillage::budget
