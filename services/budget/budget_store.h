// SQL of the budgets and budget_lines tables. Every function runs inside the caller's
// transaction; libpqxx exceptions are left to the pool, which maps them.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "common/db/pool.h"
#include "maillage/budget/v1/budget.pb.h"
#include "maillage/budget/v1/budget_service.pb.h"
#include "maillage/budget/v1/line.pb.h"
#include "services/budget/budget_names.h"

namespace maillage::budget {

struct StoredBudget {
  int64_t id = 0;
  int64_t action_id = 0;
  std::string action_key;
  v1::Budget budget;  // with name, etag, totals, latest
};

// What a new budget row holds besides year and kind.
struct NewBudget {
  int64_t action_id = 0;
  std::string action_key;
  v1::Budget fields;  // year, kind, title, note, stated_totals, source.document/table_title
  v1::BudgetOrigin origin = v1::BUDGET_ORIGIN_MANUAL;
  int64_t revised_from = 0;  // 0: none
};

// NOT_FOUND (BUDGET_NOT_FOUND) unless the budget exists under that action. `lock` takes a row
// lock (FOR UPDATE) that serializes the writers of one budget and its lines.
absl::StatusOr<StoredBudget> FindBudget(pqxx::work& txn, const BudgetRef& ref, bool lock);
// The same read in one round trip outside any transaction (db::Pool::Query), for GetBudget.
absl::StatusOr<StoredBudget> ReadBudget(db::Pool& pool, db::Deadline deadline,
                                        const BudgetRef& ref);
// Inserts a DRAFT as the next version of (action, year, kind). FAILED_PRECONDITION
// (DRAFT_EXISTS, metadata "draft") when that triple already has a draft.
absl::StatusOr<StoredBudget> InsertBudget(pqxx::work& txn, const NewBudget& budget);
// Writes title, note and stated totals; revision + 1.
void SaveBudgetFields(pqxx::work& txn, int64_t id, const v1::Budget& budget);
// Moves to `state`, stamping submit/approve time (and the approval note); revision + 1.
void SetBudgetState(pqxx::work& txn, int64_t id, v1::BudgetState state,
                    const std::string& approval_note);
void DeleteBudgetRow(pqxx::work& txn, int64_t id);
// Recomputes the stored totals from the lines; revision + 1. OUT_OF_RANGE (AMOUNT_OVERFLOW)
// when a total leaves the int64 range. For the writes of many lines at once (import, revision).
absl::Status RefreshTotals(pqxx::work& txn, int64_t budget_id);
// Stores `totals` (computed by the caller under the budget's row lock: ApplyLineChange of
// budget_totals.h for a one-line write); revision + 1.
void SaveTotals(pqxx::work& txn, int64_t budget_id, const v1::ComputedTotals& totals);
// The latest version of (action, year, kind) in `state` (any state when unspecified).
absl::optional<int64_t> LatestBudgetId(pqxx::work& txn, int64_t action_id, int year,
                                       v1::BudgetKind kind, v1::BudgetState state);

// The lines of a budget in table order (side, position), names under `action_key`.
std::vector<v1::BudgetLine> SelectLines(pqxx::work& txn, const std::string& action_key,
                                        int64_t budget_id);
// NOT_FOUND (LINE_NOT_FOUND) unless the line is in that budget; `lock` takes FOR UPDATE.
absl::StatusOr<v1::BudgetLine> FindLine(pqxx::work& txn, const ChildRef& ref, bool lock);
// The line of GetBudgetLine, with its budget and action checked, in one round trip outside any
// transaction (db::Pool::Query): NOT_FOUND (BUDGET_NOT_FOUND) when the budget is not under
// that action, else NOT_FOUND (LINE_NOT_FOUND) unless the line is in it.
absl::StatusOr<v1::BudgetLine> ReadLine(db::Pool& pool, db::Deadline deadline, const ChildRef& ref);
// Inserts a line (chapter_line_id 0: none; position 0: after the last of its side; lineage
// empty: a new one). Returns its id.
int64_t InsertLine(pqxx::work& txn, int64_t budget_id, const v1::BudgetLine& line,
                   int64_t chapter_line_id, const std::string& lineage);
// Writes the updatable fields of `line` over row `line_id`; revision + 1.
void SaveLine(pqxx::work& txn, int64_t line_id, const v1::BudgetLine& line,
              int64_t chapter_line_id);
// Deletes the line and, for a chapter, its detail lines; returns how many rows went.
int DeleteLineRow(pqxx::work& txn, int64_t line_id);
// Whether `chapter_line_id` is a chapter line of that budget and side.
bool IsChapterOf(pqxx::work& txn, int64_t budget_id, int64_t chapter_line_id, v1::Side side);
bool HasDetails(pqxx::work& txn, int64_t line_id);

// INVALID_ARGUMENT for a bad filter, order or page token; NOT_FOUND for a missing parent.
absl::StatusOr<v1::ListBudgetsResponse> SelectBudgets(pqxx::work& txn,
                                                      const v1::ListBudgetsRequest& request,
                                                      const std::string& action_key);
absl::StatusOr<v1::ListBudgetLinesResponse> SelectLinePage(
    pqxx::work& txn, const v1::ListBudgetLinesRequest& request, const BudgetRef& parent);

}  // namespace maillage::budget
