// Comparisons of budget tables, pure logic: the line-by-line diff of two versions and the
// financial report (CERFA 15059) of a forecast against its actual.
#pragma once

#include <vector>

#include "maillage/budget/v1/budget.pb.h"
#include "maillage/budget/v1/budget_service.pb.h"
#include "maillage/budget/v1/financial_report.pb.h"
#include "maillage/budget/v1/line.pb.h"

namespace maillage::budget {

// The changes from `base` to `target` (both in table order): lines paired by lineage, then by
// side, effective account code and label (accents and case ignored). Target order first, then
// the removed lines in base order; unchanged pairs only when `include_unchanged`.
std::vector<v1::LineChange> DiffLines(const std::vector<v1::BudgetLine>& base,
                                      const std::vector<v1::BudgetLine>& target,
                                      bool include_unchanged);

// The rows of the financial report: chapters paired by side and code, detail lines by side,
// chapter, effective code and label; charges then income, each in forecast order then rows
// found only in the actual budget, a chapter's details after it. Either list may be empty.
std::vector<v1::FinancialReportRow> CompareForecastWithActual(
    const std::vector<v1::BudgetLine>& forecast, const std::vector<v1::BudgetLine>& actual);

// The gap as hundredths of a percent of `forecast`, rounded half away from zero (forecast ≠ 0).
int64_t GapBasisPoints(int64_t gap, int64_t forecast);

}  // namespace maillage::budget
