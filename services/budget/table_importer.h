// Reads a budget table as people write it (the seed's layout: a title, a "DÉPENSES / RECETTES"
// header, chapter headings "60 - Achats" with their amount, detail lines under them, charges
// and income side by side, a TOTAL row) into budget lines kept exactly as written, with a
// per-row report. Pure logic: nothing is stored here.
//
// Rows and what becomes of them (row and column numbers are 1-based):
//   - empty rows, a title before the table, "DÉPENSES"/"RECETTES"/"CHARGES"/"PRODUITS"
//     headers: skipped (INFO SKIPPED_ROW);
//   - "NN - Label": a chapter line of account NN; "NNN - Label": a detail line coded NNN under
//     the current chapter of its side;
//   - a label without code: a detail line under the current chapter of its side (WARNING
//     DETAIL_WITHOUT_CHAPTER above the first one); a funding heading without code
//     ("Financements privés", "Ressources propres", "Aides privées", "Autres financements")
//     is kept as a line outside any chapter (WARNING HEADING_WITHOUT_CODE) and closes the
//     current chapter;
//   - "TOTAL...": the stated total of its side (INFO STATED_TOTAL);
//   - a blank amount stays blank (INFO BLANK_AMOUNT); an income label naming one of the
//     action's funders sets funder_id (INFO FUNDER_MATCHED).
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "maillage/budget/v1/action.pb.h"
#include "maillage/budget/v1/budget.pb.h"
#include "maillage/budget/v1/line.pb.h"
#include "maillage/budget/v1/table.pb.h"
#include "services/budget/chart_of_accounts.h"

namespace maillage::budget {

inline constexpr size_t kMaxTableBytes = 4 << 20;
inline constexpr size_t kMaxCellBytes = 1000;

struct ImportedTable {
  // Charges then income, each in table order, positions from 1. Names are "pending/<n>"
  // (chapter_line refers to them) until the lines are stored.
  std::vector<v1::BudgetLine> lines;
  v1::StatedTotals stated_totals;
  std::vector<v1::ImportIssue> issues;  // in row order
  int rows_read = 0;
  bool has_errors = false;  // an ERROR issue: nothing may be imported
};

// Reads `text` (UTF-8, CSV or TSV). `action` gives the funders to match. Never fails: problems
// are ERROR issues.
ImportedTable ImportBudgetTable(absl::string_view text, v1::TableDelimiter delimiter,
                                v1::ImportLayout layout, const v1::Action& action,
                                const ChartOfAccounts& chart);

}  // namespace maillage::budget
