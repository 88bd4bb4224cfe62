// SQL of the grants table. Every function runs inside the caller's transaction.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/budget/v1/budget_service.pb.h"
#include "maillage/budget/v1/grant.pb.h"
#include "services/budget/budget_names.h"

namespace maillage::budget {

// The grants of an action for one year, oldest first.
std::vector<v1::Grant> SelectGrantsOfYear(pqxx::work& txn, const std::string& action_key,
                                          int64_t action_id, int year);
// NOT_FOUND (GRANT_NOT_FOUND) unless the grant is the action's; `lock` takes FOR UPDATE.
absl::StatusOr<v1::Grant> FindGrant(pqxx::work& txn, const GrantRef& ref, bool lock);
// The same read in one round trip outside any transaction (db::Pool::Query), for GetGrant.
absl::StatusOr<v1::Grant> ReadGrant(db::Pool& pool, db::Deadline deadline, const GrantRef& ref);
// Inserts `grant` for the action; returns it as stored.
absl::StatusOr<v1::Grant> InsertGrant(pqxx::work& txn, int64_t action_id,
                                      const std::string& action_key, const v1::Grant& grant);
// Writes every field of `grant` over row `id`; revision + 1.
absl::StatusOr<v1::Grant> SaveGrant(pqxx::work& txn, const GrantRef& ref, const v1::Grant& grant);
void DeleteGrantRow(pqxx::work& txn, int64_t id);
// INVALID_ARGUMENT for a bad filter, order or page token.
absl::StatusOr<v1::ListGrantsResponse> SelectGrants(pqxx::work& txn,
                                                    const v1::ListGrantsRequest& request,
                                                    const std::string& action_key);

}  // namespace maillage::budget
