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
#include "common/db/statement.h"
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
  int64_t action_id = 0;  // the action of action_key, when known
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
// Inserts a DRAFT as the next version of (action `action_key`, year, kind) and returns it, in
// one statement that also finds the action, checks it is ACTIVE and that the triple has no
// draft. FAILED_PRECONDITION (DRAFT_EXISTS, metadata "draft") when the triple already has a
// draft; nullopt, nothing written, when there is no such ACTIVE action (ActiveAction says why).
absl::StatusOr<absl::optional<StoredBudget>> InsertBudget(pqxx::work& txn, const NewBudget& budget);
// Writes title, note and stated totals; revision + 1. Returns the budget as stored (the same
// statement). The caller holds the budget's row lock.
StoredBudget SaveBudgetFields(pqxx::work& txn, int64_t id, const v1::Budget& budget);
// Moves to `state`, stamping submit/approve time (and the approval note); revision + 1. Returns
// the budget as stored (the same statement). The caller holds the budget's row lock.
StoredBudget SetBudgetState(pqxx::work& txn, int64_t id, v1::BudgetState state,
                            const std::string& approval_note);
void DeleteBudgetRow(pqxx::work& txn, int64_t id);
// Recomputes the stored totals from the lines; revision + 1. OUT_OF_RANGE (AMOUNT_OVERFLOW)
// when a total leaves the int64 range. For the writes of many lines at once (import, revision).
absl::Status RefreshTotals(pqxx::work& txn, int64_t budget_id);
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
// The one-line writes: each writes the line and the budget's `totals` (computed by the caller
// under the budget's row lock: ApplyLineChange of budget_totals.h; the budget's revision + 1)
// in one statement.
// InsertLine with a new lineage, returning the line as stored (names under `action_key`).
v1::BudgetLine InsertLineWithTotals(pqxx::work& txn, const std::string& action_key,
                                    int64_t budget_id, const v1::BudgetLine& line,
                                    int64_t chapter_line_id, const v1::ComputedTotals& totals);
// Writes the updatable fields of `line` over row `line_id` (revision + 1), returning the line as
// stored.
v1::BudgetLine SaveLineWithTotals(pqxx::work& txn, const std::string& action_key, int64_t budget_id,
                                  int64_t line_id, const v1::BudgetLine& line,
                                  int64_t chapter_line_id, const v1::ComputedTotals& totals);
// Deletes the line and, for a chapter, its detail lines; returns how many rows went. `totals`
// are the totals without the line (ApplyLineChange with no detail): the statement takes the
// detail lines deleted off line_count.
int DeleteLineWithTotals(pqxx::work& txn, int64_t budget_id, int64_t line_id,
                         const v1::ComputedTotals& totals);
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
