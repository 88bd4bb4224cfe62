// Totals of a budget table.
#include "services/budget/budget_totals.h"

#include <limits>
#include <string>

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

namespace {

// The sums of ComputedTotals, wide enough that one line write cannot overflow them.
struct WideTotals {
  __int128 charges = 0, income = 0, used = 0, received = 0, subsidies = 0, count = 0;

  void Add(const v1::BudgetLine& line, int sign) {
    count += sign;
    if (!line.chapter_line().empty()) return;
    const __int128 amount = static_cast<__int128>(line.amount_cents()) * sign;
    (line.side() == v1::SIDE_INCOME ? income : charges) += amount;
    const std::string& code = line.account_code();
    if (absl::StartsWith(code, "86")) used += amount;
    if (absl::StartsWith(code, "87")) received += amount;
    if (absl::StartsWith(code, "74")) subsidies += amount;
  }
};

bool FitsInt64(__int128 value) {
  return value >= std::numeric_limits<int64_t>::min() &&
         value <= std::numeric_limits<int64_t>::max();
}

}  // namespace

absl::Status ApplyLineChange(const v1::BudgetLine* removed, const v1::BudgetLine* added,
                             int removed_details, v1::ComputedTotals& totals) {
  WideTotals wide;
  wide.charges = totals.charges_cents();
  wide.income = totals.income_cents();
  wide.used = totals.contributions_used_cents();
  wide.received = totals.contributions_received_cents();
  wide.subsidies = totals.subsidies_cents();
  wide.count = totals.line_count() - removed_details;
  if (removed != nullptr) wide.Add(*removed, -1);
  if (added != nullptr) wide.Add(*added, +1);
  const __int128 balance = wide.income - wide.charges;
  if (!FitsInt64(wide.charges) || !FitsInt64(wide.income) || !FitsInt64(wide.used) ||
      !FitsInt64(wide.received) || !FitsInt64(wide.subsidies) || !FitsInt64(balance) ||
      wide.count < 0 || wide.count > std::numeric_limits<int32_t>::max()) {
    return MakeError(absl::StatusCode::kOutOfRange, "budget.maillage", "AMOUNT_OVERFLOW",
                     "a total of the budget would leave the int64 range of cents");
  }
  totals.set_charges_cents(static_cast<int64_t>(wide.charges));
  totals.set_income_cents(static_cast<int64_t>(wide.income));
  totals.set_balance_cents(static_cast<int64_t>(balance));
  totals.set_contributions_used_cents(static_cast<int64_t>(wide.used));
  totals.set_contributions_received_cents(static_cast<int64_t>(wide.received));
  totals.set_subsidies_cents(static_cast<int64_t>(wide.subsidies));
  totals.set_line_count(static_cast<int32_t>(wide.count));
  return absl::OkStatus();
}

}  // namespace maillage::budget
