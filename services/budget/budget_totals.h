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

}  // namespace maillage::budget
