// Totals of a budget table.
#include "services/budget/budget_totals.h"

#include "absl/strings/match.h"
#include "common/status/errors.h"
#include "services/budget/money.h"

namespace maillage::budget {

absl::StatusOr<v1::ComputedTotals> ComputeTotals(const std::vector<v1::BudgetLine>& lines) {
  int64_t charges = 0, income = 0, used = 0, received = 0, subsidies = 0;
  bool ok = true;
  for (const v1::BudgetLine& line : lines) {
    if (!line.chapter_line().empty()) continue;
    int64_t amount = line.amount_cents();
    const std::string& code = line.effective_account_code();
    ok = ok && CheckedAdd(line.side() == v1::SIDE_INCOME ? income : charges, amount,
                          line.side() == v1::SIDE_INCOME ? income : charges);
    if (absl::StartsWith(code, "86")) ok = ok && CheckedAdd(used, amount, used);
    if (absl::StartsWith(code, "87")) ok = ok && CheckedAdd(received, amount, received);
    if (absl::StartsWith(code, "74")) ok = ok && CheckedAdd(subsidies, amount, subsidies);
  }
  int64_t balance = 0;
  ok = ok && !__builtin_sub_overflow(income, charges, &balance);
  if (!ok) {
    return MakeError(absl::StatusCode::kOutOfRange, "budget.maillage", "AMOUNT_OVERFLOW",
                     "a total of the budget leaves the int64 range of cents");
  }
  v1::ComputedTotals totals;
  totals.set_charges_cents(charges);
  totals.set_income_cents(income);
  totals.set_balance_cents(balance);
  totals.set_contributions_used_cents(used);
  totals.set_contributions_received_cents(received);
  totals.set_subsidies_cents(subsidies);
  totals.set_line_count(static_cast<int32_t>(lines.size()));
  return totals;
}

}  // namespace maillage::budget
