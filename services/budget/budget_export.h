// The French forms as files: the budget of the action (CERFA 12156) and the financial report
// (CERFA 15059), as CSV (UTF-8 with BOM, ";" separated, CRLF, euros written "6 000 €" with
// U+202F narrow no-break spaces, see money.h) or XLSX (amounts as numbers in whole euros with
// a euro number format). Pure logic apart from a temporary file for libxlsxwriter.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "maillage/budget/v1/action.pb.h"
#include "maillage/budget/v1/budget.pb.h"
#include "maillage/budget/v1/financial_report.pb.h"
#include "maillage/budget/v1/line.pb.h"

namespace maillage::budget {

inline constexpr char kCsvContentType[] = "text/csv; charset=utf-8";
inline constexpr char kXlsxContentType[] =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// The grid of the CERFA 12156 budget: title rows, a "CHARGES / PRODUITS" header, charges and
// income side by side (chapters "60 - Achats", details under them), and the totals row (the
// stated totals as written, else the computed ones). Cells of amounts hold cents; blank amounts
// are absent.
struct FormCell {
  std::string text;
  bool is_amount = false;
  bool has_amount = false;
  int64_t cents = 0;
  bool bold = false;
};
using FormGrid = std::vector<std::vector<FormCell>>;

FormGrid Cerfa12156Grid(const v1::Action& action, const v1::Budget& budget,
                        const std::vector<v1::BudgetLine>& lines);
FormGrid FinancialReportGrid(const v1::Action& action, const v1::FinancialReport& report);

// The grid as CSV (amounts with FormatWholeEuros; percentages as written in the grid).
std::string GridToCsv(const FormGrid& grid);
// The grid as an XLSX workbook with one sheet named `sheet`. INTERNAL when libxlsxwriter fails.
absl::StatusOr<std::string> GridToXlsx(const FormGrid& grid, const std::string& sheet);

}  // namespace maillage::budget
