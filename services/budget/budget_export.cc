// CSV and XLSX writers of the CERFA forms.
#include "services/budget/budget_export.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/csv/csv_writer.h"
#include "common/status/errors.h"
#include "services/budget/budget_names.h"
#include "services/budget/money.h"
#include "xlsxwriter.h"

namespace maillage::budget {
namespace {

FormCell Text(std::string text, bool bold = false) {
  FormCell cell;
  cell.text = std::move(text);
  cell.bold = bold;
  return cell;
}

FormCell Amount(bool has, int64_t cents, bool bold = false) {
  FormCell cell;
  cell.is_amount = true;
  cell.has_amount = has;
  cell.cents = cents;
  cell.bold = bold;
  return cell;
}

std::string LineLabel(const v1::BudgetLine& line) {
  return line.account_code().empty() ? line.label()
                                     : absl::StrCat(line.account_code(), " - ", line.label());
}

// "-12,50 %" for -1250 basis points.
std::string Percent(int64_t basis_points) {
  uint64_t magnitude =
      basis_points < 0 ? -static_cast<uint64_t>(basis_points) : static_cast<uint64_t>(basis_points);
  return absl::StrFormat("%s%d,%02d\xE2\x80\xAF%%", basis_points < 0 ? "-" : "", magnitude / 100,
                         magnitude % 100);
}

}  // namespace

FormGrid Cerfa12156Grid(const v1::Action& action, const v1::Budget& budget,
                        const std::vector<v1::BudgetLine>& lines) {
  FormGrid grid;
  grid.push_back({Text("Budget prévisionnel de l'action (CERFA 12156)", true)});
  grid.push_back({Text(absl::StrCat(action.code(), " - ", action.title()))});
  grid.push_back({Text(absl::StrCat(budget.kind() == v1::BUDGET_KIND_ACTUAL ? "Réalisé " : "Année ",
                                    budget.year(), ", version ", budget.version()))});
  grid.push_back({Text("CHARGES", true), Text(""), Text("PRODUITS", true), Text("")});
  std::vector<const v1::BudgetLine*> charges, income;
  for (const v1::BudgetLine& line : lines) {
    (line.side() == v1::SIDE_INCOME ? income : charges).push_back(&line);
  }
  for (size_t i = 0; i < std::max(charges.size(), income.size()); ++i) {
    std::vector<FormCell> row;
    for (const auto* side : {&charges, &income}) {
      if (i < side->size()) {
        const v1::BudgetLine& line = *(*side)[i];
        row.push_back(Text(LineLabel(line), line.is_chapter()));
        row.push_back(Amount(line.has_amount_cents(), line.amount_cents(), line.is_chapter()));
      } else {
        row.push_back(Text(""));
        row.push_back(Amount(false, 0));
      }
    }
    grid.push_back(std::move(row));
  }
  const v1::StatedTotals& stated = budget.stated_totals();
  const v1::ComputedTotals& computed = budget.computed_totals();
  grid.push_back(
      {Text("TOTAL DES CHARGES", true),
       Amount(true, stated.has_charges_cents() ? stated.charges_cents() : computed.charges_cents(),
              true),
       Text("TOTAL DES PRODUITS", true),
       Amount(true, stated.has_income_cents() ? stated.income_cents() : computed.income_cents(),
              true)});
  return grid;
}

FormGrid FinancialReportGrid(const v1::Action& action, const v1::FinancialReport& report) {
  FormGrid grid;
  grid.push_back({Text("Compte-rendu financier de l'action (CERFA 15059)", true)});
  grid.push_back(
      {Text(absl::StrCat(action.code(), " - ", action.title(), " - année ", report.year()))});
  std::vector<FormCell> header;
  for (const char* title : {"Compte", "Intitulé", "Prévu", "Réalisé", "Écart (€)", "Écart (%)",
                            "Explication des écarts"}) {
    header.push_back(Text(title, true));
  }
  v1::Side side = v1::SIDE_UNSPECIFIED;
  for (const v1::FinancialReportRow& row : report.rows()) {
    if (row.side() != side) {
      side = row.side();
      grid.push_back({Text(side == v1::SIDE_INCOME ? "PRODUITS" : "CHARGES", true)});
      grid.push_back(header);
    }
    grid.push_back({Text(row.account_code(), row.is_chapter()), Text(row.label(), row.is_chapter()),
                    Amount(row.has_forecast_cents(), row.forecast_cents(), row.is_chapter()),
                    Amount(row.has_actual_cents(), row.actual_cents(), row.is_chapter()),
                    Amount(true, row.gap_cents(), row.is_chapter()),
                    Text(row.has_gap_basis_points() ? Percent(row.gap_basis_points()) : ""),
                    Text(row.explanation())});
  }
  const v1::ComputedTotals& f = report.forecast_totals();
  const v1::ComputedTotals& a = report.actual_totals();
  grid.push_back({Text("TOTAL DES CHARGES", true), Text(""), Amount(true, f.charges_cents(), true),
                  Amount(true, a.charges_cents(), true),
                  Amount(true, a.charges_cents() - f.charges_cents(), true)});
  grid.push_back({Text("TOTAL DES PRODUITS", true), Text(""), Amount(true, f.income_cents(), true),
                  Amount(true, a.income_cents(), true),
                  Amount(true, a.income_cents() - f.income_cents(), true)});
  if (!report.comment().empty()) grid.push_back({Text("Commentaire"), Text(report.comment())});
  return grid;
}

std::string GridToCsv(const FormGrid& grid) {
  std::string out = "\xEF\xBB\xBF";
  for (const std::vector<FormCell>& row : grid) {
    std::vector<std::string> cells;
    cells.reserve(row.size());
    for (const FormCell& cell : row) {
      if (cell.is_amount) {
        cells.push_back(cell.has_amount ? FormatWholeEuros(cell.cents) : std::string());
      } else {
        cells.push_back(cell.text);
      }
    }
    out += maillage::csv::CsvLine(cells, ';');
  }
  return out;
}

absl::StatusOr<std::string> GridToXlsx(const FormGrid& grid, const std::string& sheet_name) {
  char path[] = "/tmp/maillage-budget-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return Internal(kDomain, "EXPORT_FAILED", "cannot create a temporary file");
  close(fd);
  lxw_workbook* workbook = workbook_new(path);
  if (workbook == nullptr) {
    unlink(path);
    return Internal(kDomain, "EXPORT_FAILED", "libxlsxwriter cannot open its output");
  }
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, sheet_name.c_str());
  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);
  lxw_format* euros = workbook_add_format(workbook);
  format_set_num_format(euros, "#,##0 \"\xE2\x82\xAC\"");
  lxw_format* bold_euros = workbook_add_format(workbook);
  format_set_num_format(bold_euros, "#,##0 \"\xE2\x82\xAC\"");
  format_set_bold(bold_euros);
  worksheet_set_column(sheet, 0, 0, 48, nullptr);
  worksheet_set_column(sheet, 1, 6, 16, nullptr);
  for (size_t r = 0; r < grid.size(); ++r) {
    for (size_t c = 0; c < grid[r].size(); ++c) {
      const FormCell& cell = grid[r][c];
      lxw_row_t row = static_cast<lxw_row_t>(r);
      lxw_col_t col = static_cast<lxw_col_t>(c);
      if (cell.is_amount) {
        if (cell.has_amount) {
          worksheet_write_number(sheet, row, col, static_cast<double>(RoundToEuros(cell.cents)),
                                 cell.bold ? bold_euros : euros);
        }
      } else if (!cell.text.empty()) {
        worksheet_write_string(sheet, row, col, cell.text.c_str(), cell.bold ? bold : nullptr);
      }
    }
  }
  lxw_error error = workbook_close(workbook);
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  unlink(path);
  if (error != LXW_NO_ERROR) {
    return Internal(kDomain, "EXPORT_FAILED", absl::StrCat("libxlsxwriter: ", lxw_strerror(error)));
  }
  return bytes.str();
}

}  // namespace maillage::budget
