// BudgetBook: the lines of a budget. Each write locks the budget row first, then writes the
// line and the totals in the same transaction: the totals read under the lock, changed by what
// the line write adds and takes away (ApplyLineChange), never re-summed from every line.
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/etag.h"
#include "common/api/update_mask.h"
#include "common/db/idempotency.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/budget/action_registry.h"
#include "services/budget/budget_access.h"
#include "services/budget/budget_book.h"
#include "services/budget/budget_names.h"
#include "services/budget/budget_totals.h"
#include "services/budget/money.h"

namespace maillage::budget {
namespace {

bool ValidCode(const std::string& code) {
  if (code.size() < 2 || code.size() > 6) return false;
  for (char c : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void CheckLine(const v1::BudgetLine& line, const std::string& at, FieldViolations& v) {
  if (line.side() != v1::SIDE_CHARGE && line.side() != v1::SIDE_INCOME) {
    v.Add(at + "side", "required: CHARGE or INCOME");
  }
  if (!line.account_code().empty() && !ValidCode(line.account_code())) {
    v.Add(at + "account_code", "2 to 6 digits, or empty under a chapter");
  }
  if (line.is_chapter() && line.account_code().size() != 2) {
    v.Add(at + "account_code", "a chapter line needs a two-digit chapter code");
  }
  if (line.label().empty() || line.label().size() > 500) {
    v.Add(at + "label", "required, at most 500 characters");
  }
  if (line.has_amount_cents() &&
      (line.amount_cents() < -kMaxAmountCents || line.amount_cents() > kMaxAmountCents)) {
    v.Add(at + "amount_cents", "between -10^15 and 10^15 cents");
  }
  if (line.is_chapter() && !line.chapter_line().empty()) {
    v.Add(at + "chapter_line", "a chapter line sits under no chapter");
  }
  if (!line.funder_id().empty() && !IsValidActionKey(line.funder_id())) {
    v.Add(at + "funder_id", "a funder key: [a-z0-9-], starting with a letter");
  }
  if (line.note().size() > 2000) v.Add(at + "note", "at most 2000 characters");
  if (line.position() < 0) v.Add(at + "position", "0 (append) or a positive position");
}

// The id of `chapter_line` when it is a chapter of the same budget and side; 0 when empty.
absl::StatusOr<int64_t> ResolveChapter(pqxx::work& txn, const StoredBudget& budget,
                                       const v1::BudgetLine& line) {
  if (line.chapter_line().empty()) return 0;
  absl::StatusOr<ChildRef> ref = ParseLineName(line.chapter_line(), "budget_line.chapter_line");
  if (ref.ok() && ref->action == budget.action_key && ref->budget == budget.id &&
      IsChapterOf(txn, budget.id, ref->line, line.side())) {
    return ref->line;
  }
  return FailedPrecondition(kDomain, "CHAPTER_NOT_FOUND",
                            absl::StrCat(line.chapter_line(), " is not a chapter line of ",
                                         budget.budget.name(), " on the same side"),
                            {{"chapter_line", line.chapter_line()}});
}

}  // namespace

absl::StatusOr<v1::BudgetLine> BudgetBook::GetLine(const v1::GetBudgetLineRequest& request,
                                                   db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(ChildRef ref, ParseLineName(request.name(), "name"));
  return ReadLine(pool_, deadline, ref);
}

absl::StatusOr<v1::ListBudgetLinesResponse> BudgetBook::ListLines(
    const v1::ListBudgetLinesRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(BudgetRef ref, ParseBudgetName(request.parent(), "parent"));
  return pool_.ReadOnly<v1::ListBudgetLinesResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListBudgetLinesResponse> {
        MAILLAGE_RETURN_IF_ERROR(FindBudget(txn, ref, false).status());
        return SelectLinePage(txn, request, ref);
      });
}

absl::StatusOr<v1::BudgetLine> BudgetBook::CreateLine(const v1::CreateBudgetLineRequest& request,
                                                      db::Deadline deadline) {
  FieldViolations v;
  absl::StatusOr<BudgetRef> ref = ParseBudgetName(request.parent(), "parent");
  if (!ref.ok()) v.Add("parent", "expected a name like \"actions/fa3/budgets/1\"");
  CheckLine(request.budget_line(), "budget_line.", v);
  MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));
  return pool_.Transact<v1::BudgetLine>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::BudgetLine>(
        txn, request.request_id(), "CreateBudgetLine", request, kDomain,
        [&]() -> absl::StatusOr<v1::BudgetLine> {
          MAILLAGE_ASSIGN_OR_RETURN(StoredBudget budget, LockDraft(txn, *ref, ""));
          MAILLAGE_ASSIGN_OR_RETURN(int64_t chapter,
                                    ResolveChapter(txn, budget, request.budget_line()));
          v1::BudgetLine line = request.budget_line();
          line.set_source_row(0);
          line.set_source_text("");
          v1::ComputedTotals totals = budget.budget.computed_totals();
          MAILLAGE_RETURN_IF_ERROR(ApplyLineChange(nullptr, &line, 0, totals));
          return InsertLineWithTotals(txn, ref->action, budget.id, line, chapter, totals);
        });
  });
}

absl::StatusOr<v1::BudgetLine> BudgetBook::UpdateLine(const v1::UpdateBudgetLineRequest& request,
                                                      db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(ChildRef ref,
                            ParseLineName(request.budget_line().name(), "budget_line.name"));
  MAILLAGE_ASSIGN_OR_RETURN(
      google::protobuf::FieldMask mask,
      api::EffectiveUpdateMask(request.update_mask(), request.budget_line(), kDomain));
  return pool_.Transact<
      v1::BudgetLine>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::BudgetLine> {
    MAILLAGE_ASSIGN_OR_RETURN(StoredBudget budget, LockDraft(txn, {ref.action, ref.budget}, ""));
    MAILLAGE_ASSIGN_OR_RETURN(v1::BudgetLine stored, FindLine(txn, ref, true));
    MAILLAGE_RETURN_IF_ERROR(
        api::CheckEtag(request.budget_line().etag(), stored.etag(), stored.name(), kDomain));
    v1::BudgetLine updated = stored;
    api::MergeUpdate(request.budget_line(), mask, &updated);
    FieldViolations v;
    CheckLine(updated, "budget_line.", v);
    if (updated.position() == 0) v.Add("budget_line.position", "a positive position");
    MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));
    if (updated.chapter_line() == stored.name()) {
      return InvalidField(kDomain, "budget_line.chapter_line", "a line cannot be its own chapter");
    }
    MAILLAGE_ASSIGN_OR_RETURN(int64_t chapter, ResolveChapter(txn, budget, updated));
    v1::ComputedTotals totals = budget.budget.computed_totals();
    MAILLAGE_RETURN_IF_ERROR(ApplyLineChange(&stored, &updated, 0, totals));
    return SaveLineWithTotals(txn, ref.action, budget.id, ref.line, updated, chapter, totals);
  });
}

absl::StatusOr<google::protobuf::Empty> BudgetBook::DeleteLine(
    const v1::DeleteBudgetLineRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(ChildRef ref, ParseLineName(request.name(), "name"));
  return pool_.Transact<
      google::protobuf::
          Empty>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<google::protobuf::Empty> {
    MAILLAGE_ASSIGN_OR_RETURN(StoredBudget budget, LockDraft(txn, {ref.action, ref.budget}, ""));
    MAILLAGE_ASSIGN_OR_RETURN(v1::BudgetLine stored, FindLine(txn, ref, true));
    MAILLAGE_RETURN_IF_ERROR(api::CheckEtag(request.etag(), stored.etag(), stored.name(), kDomain));
    if (stored.is_chapter() && !request.force() && HasDetails(txn, ref.line)) {
      return FailedPrecondition(kDomain, "CHAPTER_NOT_EMPTY",
                                absl::StrCat(stored.name(),
                                             " has detail lines: delete them first, or "
                                             "set force to delete them with it"),
                                {{"name", stored.name()}});
    }
    // The totals without the line; the statement takes its detail lines off line_count.
    v1::ComputedTotals totals = budget.budget.computed_totals();
    MAILLAGE_RETURN_IF_ERROR(ApplyLineChange(&stored, nullptr, 0, totals));
    DeleteLineWithTotals(txn, budget.id, ref.line, totals);  // with its detail lines
    return google::protobuf::Empty();
  });
}

}  // namespace maillage::budget
