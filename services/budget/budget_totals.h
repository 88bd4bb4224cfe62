// Totals of a budget table computed from its lines (never typed), with overflow checks.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "maillage/budget/v1/budget.pb.h"
#include "maillage/budget/v1/line.pb.h"

namespace maillage::budget {

// The totals of `lines` (each with effective_account_code set): sums of the top-level lines
// (chapters and lines outside any chapter) of each side, of chapters 86/87 and 74, and the
// line count. A blank amount counts as 0. OUT_OF_RANGE (reason AMOUNT_OVERFLOW) when a sum
// leaves the int64 range.
absl::StatusOr<v1::ComputedTotals> ComputeTotals(const std::vector<v1::BudgetLine>& lines);

// The totals of a budget after one line write, from its totals before it, without reading the
// other lines: `removed` (the line as stored before, null for an insert) taken out, `added`
// (the line as written, null for a delete) put in, and `removed_details` more lines (the
// detail lines deleted with a chapter, which count in line_count only) taken out. A line counts
// in the sums when it is top-level (no chapter_line), on its own account_code, as in
// ComputeTotals. OUT_OF_RANGE (AMOUNT_OVERFLOW) when a total leaves the int64 range; `totals`
// is then untouched.
absl::Status ApplyLineChange(const v1::BudgetLine* removed, const v1::BudgetLine* added,
                             int removed_details, v1::ComputedTotals& totals);

}  // namespace maillage::budget
