// BudgetBook: comparisons of versions, the financial report and the exported forms.
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/budget/budget_access.h"
#include "services/budget/budget_book.h"
#include "services/budget/budget_comparison.h"
#include "services/budget/budget_export.h"

namespace maillage::budget {
namespace {

// The budgets of one year's report: `forecast_name` / `actual_name` when given (they must be
// budgets of the action, of the right kind), else the default choice of each kind.
struct ReportSides {
  StoredAction action;
  absl::optional<StoredBudget> forecast;
  absl::optional<StoredBudget> actual;
};

absl::StatusOr<absl::optional<StoredBudget>> ChooseBudget(pqxx::work& txn,
                                                          const StoredAction& action, int year,
                                                          v1::BudgetKind kind,
                                                          const std::string& name,
                                                          absl::string_view field) {
  std::string key = action.action.name().substr(8);
  if (!name.empty()) {
    MAILLAGE_ASSIGN_OR_RETURN(BudgetRef ref, ParseBudgetName(name, field));
    if (ref.action != key) {
      return InvalidField(kDomain, field, "a budget of the same action");
    }
    MAILLAGE_ASSIGN_OR_RETURN(StoredBudget budget, FindBudget(txn, ref, false));
    if (budget.budget.kind() != kind) {
      return InvalidField(kDomain, field,
                          absl::StrCat("a budget of kind ", v1::BudgetKind_Name(kind)));
    }
    return absl::optional<StoredBudget>(budget);
  }
  int64_t id = ComparedBudgetId(txn, action.id, year, kind);
  if (id == 0) return absl::optional<StoredBudget>();
  MAILLAGE_ASSIGN_OR_RETURN(StoredBudget budget, FindBudget(txn, {key, id}, false));
  return absl::optional<StoredBudget>(budget);
}

v1::FinancialReport BuildReport(pqxx::work& txn, const ReportSides& sides, int year) {
  v1::FinancialReport report;
  report.set_action(sides.action.action.name());
  report.set_year(year);
  std::vector<v1::BudgetLine> forecast, actual;
  if (sides.forecast) {
    report.set_forecast_budget(sides.forecast->budget.name());
    *report.mutable_forecast_totals() = sides.forecast->budget.computed_totals();
    forecast = SelectLines(txn, sides.forecast->action_key, sides.forecast->id);
  }
  if (sides.actual) {
    report.set_actual_budget(sides.actual->budget.name());
    *report.mutable_actual_totals() = sides.actual->budget.computed_totals();
    report.set_comment(sides.actual->budget.note());
    actual = SelectLines(txn, sides.actual->action_key, sides.actual->id);
  }
  for (v1::FinancialReportRow& row : CompareForecastWithActual(forecast, actual)) {
    *report.add_rows() = std::move(row);
  }
  return report;
}

}  // namespace

absl::StatusOr<v1::DiffBudgetVersionsResponse> BudgetBook::Diff(
    const v1::DiffBudgetVersionsRequest& request, db::Deadline deadline) {
  FieldViolations v;
  absl::StatusOr<BudgetRef> base = ParseBudgetName(request.base_budget(), "base_budget");
  absl::StatusOr<BudgetRef> target = ParseBudgetName(request.target_budget(), "target_budget");
  if (!base.ok()) v.Add("base_budget", "expected a name like \"actions/fa3/budgets/1\"");
  if (!target.ok()) v.Add("target_budget", "expected a name like \"actions/fa3/budgets/2\"");
  if (base.ok() && target.ok() && base->action != target->action) {
    v.Add("target_budget", "a budget of the same action as base_budget");
  }
  MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));
  return pool_.ReadOnly<v1::DiffBudgetVersionsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::DiffBudgetVersionsResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(StoredBudget from, FindBudget(txn, *base, false));
        MAILLAGE_ASSIGN_OR_RETURN(StoredBudget to, FindBudget(txn, *target, false));
        v1::DiffBudgetVersionsResponse response;
        response.set_base_budget(from.budget.name());
        response.set_target_budget(to.budget.name());
        for (v1::LineChange& change :
             DiffLines(SelectLines(txn, from.action_key, from.id),
                       SelectLines(txn, to.action_key, to.id), request.include_unchanged())) {
          *response.add_changes() = std::move(change);
        }
        *response.mutable_base_totals() = from.budget.computed_totals();
        *response.mutable_target_totals() = to.budget.computed_totals();
        if (from.budget.title() != to.budget.title()) response.add_changed_budget_fields("title");
        if (from.budget.note() != to.budget.note()) response.add_changed_budget_fields("note");
        if (from.budget.stated_totals().SerializeAsString() !=
            to.budget.stated_totals().SerializeAsString()) {
          response.add_changed_budget_fields("stated_totals");
        }
        return response;
      });
}

absl::StatusOr<v1::FinancialReport> BudgetBook::FinancialReport(
    const v1::GetFinancialReportRequest& request, db::Deadline deadline) {
  FieldViolations v;
  absl::StatusOr<std::string> key = ParseActionName(request.action(), "action");
  if (!key.ok()) v.Add("action", "expected a name like \"actions/fa3\"");
  if (request.year() < 2000 || request.year() > 2100) v.Add("year", "between 2000 and 2100");
  MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));
  return pool_.ReadOnly<v1::FinancialReport>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::FinancialReport> {
        ReportSides sides;
        MAILLAGE_ASSIGN_OR_RETURN(sides.action, FindAction(txn, *key, false));
        MAILLAGE_ASSIGN_OR_RETURN(
            sides.forecast,
            ChooseBudget(txn, sides.action, request.year(), v1::BUDGET_KIND_FORECAST,
                         request.forecast_budget(), "forecast_budget"));
        MAILLAGE_ASSIGN_OR_RETURN(
            sides.actual, ChooseBudget(txn, sides.action, request.year(), v1::BUDGET_KIND_ACTUAL,
                                       request.actual_budget(), "actual_budget"));
        return BuildReport(txn, sides, request.year());
      });
}

absl::StatusOr<google::api::HttpBody> BudgetBook::Export(const v1::ExportBudgetRequest& request,
                                                         db::Deadline deadline) {
  FieldViolations v;
  absl::StatusOr<BudgetRef> ref = ParseBudgetName(request.name(), "name");
  if (!ref.ok()) v.Add("name", "expected a name like \"actions/fa3/budgets/1\"");
  if (request.format() == v1::EXPORT_FORMAT_UNSPECIFIED) v.Add("format", "required: CSV or XLSX");
  if (request.layout() == v1::EXPORT_LAYOUT_UNSPECIFIED) {
    v.Add("layout", "required: CERFA_12156 or FINANCIAL_REPORT_15059");
  }
  MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));
  return pool_.ReadOnly<google::api::HttpBody>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<google::api::HttpBody> {
        MAILLAGE_ASSIGN_OR_RETURN(StoredBudget budget, FindBudget(txn, *ref, false));
        ReportSides sides;
        MAILLAGE_ASSIGN_OR_RETURN(sides.action, FindAction(txn, budget.action_key, false));
        FormGrid grid;
        std::string sheet;
        if (request.layout() == v1::EXPORT_LAYOUT_CERFA_12156) {
          grid = Cerfa12156Grid(sides.action.action, budget.budget,
                                SelectLines(txn, budget.action_key, budget.id));
          sheet = "Budget";
        } else {
          bool actual = budget.budget.kind() == v1::BUDGET_KIND_ACTUAL;
          MAILLAGE_ASSIGN_OR_RETURN(
              absl::optional<StoredBudget> other,
              ChooseBudget(txn, sides.action, budget.budget.year(),
                           actual ? v1::BUDGET_KIND_FORECAST : v1::BUDGET_KIND_ACTUAL,
                           request.compare_budget(), "compare_budget"));
          (actual ? sides.actual : sides.forecast) = budget;
          (actual ? sides.forecast : sides.actual) = other;
          grid = FinancialReportGrid(sides.action.action,
                                     BuildReport(txn, sides, budget.budget.year()));
          sheet = "Compte-rendu";
        }
        google::api::HttpBody body;
        if (request.format() == v1::EXPORT_FORMAT_CSV) {
          body.set_content_type(kCsvContentType);
          body.set_data(GridToCsv(grid));
        } else {
          MAILLAGE_ASSIGN_OR_RETURN(std::string xlsx, GridToXlsx(grid, sheet));
          body.set_content_type(kXlsxContentType);
          body.set_data(std::move(xlsx));
        }
        return body;
      });
}

}  // namespace maillage::budget
