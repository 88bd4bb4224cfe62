// SQL of the actions table. Every function runs inside the caller's transaction; libpqxx
// exceptions are left to the pool, which maps them (unique violation → ALREADY_EXISTS...).
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/budget/v1/action.pb.h"
#include "maillage/budget/v1/budget_service.pb.h"

namespace maillage::budget {

struct StoredAction {
  int64_t id = 0;
  v1::Action action;  // with name, etag and times
};

// Inserts `action` under `key`. ALREADY_EXISTS (ACTION_CODE_EXISTS, metadata "action") when
// the code or the key is taken.
absl::StatusOr<StoredAction> InsertAction(pqxx::work& txn, const std::string& key,
                                          const v1::Action& action);
// NOT_FOUND (ACTION_NOT_FOUND) when there is no such action; `lock` takes FOR UPDATE.
absl::StatusOr<StoredAction> FindAction(pqxx::work& txn, const std::string& key, bool lock);
// The same read in one round trip outside any transaction (db::Pool::Query), for GetAction.
absl::StatusOr<StoredAction> ReadAction(db::Pool& pool, db::Deadline deadline,
                                        const std::string& key);
// Writes every field of `action` over row `id`, revision + 1. ALREADY_EXISTS when the new code
// is another action's.
absl::StatusOr<StoredAction> SaveAction(pqxx::work& txn, int64_t id, const v1::Action& action);
// True when the action has a budget or a grant.
bool ActionHasChildren(pqxx::work& txn, int64_t id);
void DeleteActionRow(pqxx::work& txn, int64_t id);
// INVALID_ARGUMENT for a bad filter, order or page token.
absl::StatusOr<v1::ListActionsResponse> SelectActions(pqxx::work& txn,
                                                      const v1::ListActionsRequest& request);

}  // namespace maillage::budget
