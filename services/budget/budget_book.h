// BudgetBook: the budget tables of the actions — versions and their states (DRAFT →
// SUBMITTED → APPROVED, revisions as new drafts), lines with their totals kept in step,
// validation, import of tables as written, comparisons, the financial report and exports.
//
// Every write is one transaction that first locks the budget row, so that concurrent writers
// of one budget's lines queue up and the stored totals always match the lines.
#pragma once

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "google/api/httpbody.pb.h"
#include "google/protobuf/empty.pb.h"
#include "maillage/budget/v1/budget_service.pb.h"
#include "services/budget/budget_validator.h"
#include "services/budget/chart_of_accounts.h"

namespace maillage::budget {

class BudgetBook {
 public:
  BudgetBook(db::Pool& pool, const ChartOfAccounts& chart)
      : pool_(pool), chart_(chart), validator_(chart) {}

  // Budgets. Errors besides INVALID_ARGUMENT for malformed names and fields: NOT_FOUND
  // (ACTION_NOT_FOUND, BUDGET_NOT_FOUND), ABORTED (ETAG_MISMATCH), FAILED_PRECONDITION
  // (DRAFT_EXISTS, ACTION_ARCHIVED, BUDGET_NOT_EDITABLE, INVALID_STATE_TRANSITION,
  // BUDGET_HAS_ERRORS with a PreconditionFailure listing the error findings).
  absl::StatusOr<v1::Budget> GetBudget(const v1::GetBudgetRequest& request, db::Deadline deadline);
  absl::StatusOr<v1::ListBudgetsResponse> ListBudgets(const v1::ListBudgetsRequest& request,
                                                      db::Deadline deadline);
  absl::StatusOr<v1::Budget> CreateBudget(const v1::CreateBudgetRequest& request,
                                          db::Deadline deadline);
  absl::StatusOr<v1::Budget> UpdateBudget(const v1::UpdateBudgetRequest& request,
                                          db::Deadline deadline);
  absl::StatusOr<google::protobuf::Empty> DeleteBudget(const v1::DeleteBudgetRequest& request,
                                                       db::Deadline deadline);
  absl::StatusOr<v1::Budget> SubmitBudget(const v1::SubmitBudgetRequest& request,
                                          db::Deadline deadline);
  absl::StatusOr<v1::Budget> ApproveBudget(const v1::ApproveBudgetRequest& request,
                                           db::Deadline deadline);
  absl::StatusOr<v1::Budget> ReviseBudget(const v1::ReviseBudgetRequest& request,
                                          db::Deadline deadline);
  absl::StatusOr<v1::ValidateBudgetResponse> ValidateBudget(
      const v1::ValidateBudgetRequest& request, db::Deadline deadline);
  // INVALID_ARGUMENT (TABLE_UNREADABLE) with a BadRequest violation per unreadable row when a
  // real import meets one; validate_only reports instead.
  absl::StatusOr<v1::ImportBudgetTableResponse> ImportBudgetTable(
      const v1::ImportBudgetTableRequest& request, db::Deadline deadline);

  // Lines. Besides the errors above: NOT_FOUND (LINE_NOT_FOUND), FAILED_PRECONDITION
  // (CHAPTER_NOT_FOUND, CHAPTER_NOT_EMPTY), OUT_OF_RANGE (AMOUNT_OVERFLOW) when a total would
  // overflow.
  absl::StatusOr<v1::BudgetLine> GetLine(const v1::GetBudgetLineRequest& request,
                                         db::Deadline deadline);
  absl::StatusOr<v1::ListBudgetLinesResponse> ListLines(const v1::ListBudgetLinesRequest& request,
                                                        db::Deadline deadline);
  absl::StatusOr<v1::BudgetLine> CreateLine(const v1::CreateBudgetLineRequest& request,
                                            db::Deadline deadline);
  absl::StatusOr<v1::BudgetLine> UpdateLine(const v1::UpdateBudgetLineRequest& request,
                                            db::Deadline deadline);
  absl::StatusOr<google::protobuf::Empty> DeleteLine(const v1::DeleteBudgetLineRequest& request,
                                                     db::Deadline deadline);

  // Comparisons and documents (budget_book_reports.cc). INVALID_ARGUMENT when the budgets
  // compared belong to different actions; NOT_FOUND as above.
  absl::StatusOr<v1::DiffBudgetVersionsResponse> Diff(const v1::DiffBudgetVersionsRequest& request,
                                                      db::Deadline deadline);
  absl::StatusOr<v1::FinancialReport> FinancialReport(const v1::GetFinancialReportRequest& request,
                                                      db::Deadline deadline);
  absl::StatusOr<google::api::HttpBody> Export(const v1::ExportBudgetRequest& request,
                                               db::Deadline deadline);

  // The change feed (common/api/change_outbox.h): INVALID_ARGUMENT for a malformed cursor,
  // FAILED_PRECONDITION (CHANGE_CURSOR_EXPIRED) for a pruned one.
  absl::StatusOr<v1::ListBudgetChangesResponse> Changes(const v1::ListBudgetChangesRequest& request,
                                                        db::Deadline deadline);

 private:
  db::Pool& pool_;
  const ChartOfAccounts& chart_;
  BudgetValidator validator_;
};

}  // namespace maillage::budget
