// AccountCatalog: the chart of accounts as the service serves it, from the `accounts` table
// that Sync fills from the embedded chart at start-up.
#pragma once

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/budget/v1/budget_service.pb.h"
#include "services/budget/chart_of_accounts.h"

namespace maillage::budget {

class AccountCatalog {
 public:
  AccountCatalog(db::Pool& pool, const ChartOfAccounts& chart) : pool_(pool), chart_(chart) {}

  // Writes every account of the chart into the table (insert or update; accounts no longer
  // in the chart are removed). Returns the pool's errors.
  absl::Status Sync(db::Deadline deadline);
  // NOT_FOUND (ACCOUNT_NOT_FOUND); INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<v1::Account> Get(const v1::GetAccountRequest& request, db::Deadline deadline);
  // In code order. INVALID_ARGUMENT for a bad filter or page token.
  absl::StatusOr<v1::ListAccountsResponse> List(const v1::ListAccountsRequest& request,
                                                db::Deadline deadline);

 private:
  db::Pool& pool_;
  const ChartOfAccounts& chart_;
};

}  // namespace maillage::budget
