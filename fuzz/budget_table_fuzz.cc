// Fuzzes the budget table import without a database (services/budget/table_importer.h): the
// text of ImportBudgetTable read as the service does for validate_only (import, computed
// totals, validation), and ParseEuros on each cell-sized piece. The first byte chooses the
// delimiter and the layout; the rest is the table. Never a crash or UB; amounts stay within
// ±kMaxAmountCents; a parsed amount formats and parses back to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "fuzz/fuzz_check.h"
#include "services/budget/budget_totals.h"
#include "services/budget/budget_validator.h"
#include "services/budget/chart_of_accounts.h"
#include "services/budget/money.h"
#include "services/budget/table_importer.h"

namespace {

namespace budget = maillage::budget;
namespace v1 = maillage::budget::v1;

const v1::Action& TheAction() {
  static const v1::Action* const action = [] {
    auto* a = new v1::Action();
    a->set_name("actions/fa3");
    a->set_code("FA3");
    v1::ActionFunder* f = a->add_funders();
    f->set_funder_id("region");
    f->set_display_name("Région Bourgogne-Franche-Comté");
    f->set_kind(v1::FUNDER_KIND_REGION);
    f = a->add_funders();
    f->set_funder_id("fdva");
    f->set_display_name("FDVA");
    f->set_kind(v1::FUNDER_KIND_STATE);
    return a;
  }();
  return *action;
}

void CheckAmount(absl::string_view cell) {
  budget::ParsedAmount parsed = budget::ParseEuros(cell);
  if (parsed.outcome != budget::ParsedAmount::Outcome::kAmount) return;
  MAILLAGE_FUZZ_CHECK(
      parsed.cents <= budget::kMaxAmountCents && parsed.cents >= -budget::kMaxAmountCents,
      std::string(cell));
  std::string written = budget::FormatEuros(parsed.cents);
  budget::ParsedAmount back = budget::ParseEuros(written);
  MAILLAGE_FUZZ_CHECK(
      back.outcome == budget::ParsedAmount::Outcome::kAmount && back.cents == parsed.cents,
      std::string(cell) + " -> " + written);
  (void)budget::FormatWholeEuros(parsed.cents);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto delimiter = static_cast<v1::TableDelimiter>(data[0] % 4);
  const auto layout = static_cast<v1::ImportLayout>((data[0] / 4) % 4);
  absl::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  for (absl::string_view cell : absl::StrSplit(text, absl::ByAnyChar("\n;\t"))) {
    if (cell.size() <= budget::kMaxCellBytes) CheckAmount(cell);
  }

  const budget::ChartOfAccounts& chart = budget::ChartOfAccounts::Pca2018();
  budget::ImportedTable table =
      budget::ImportBudgetTable(text, delimiter, layout, TheAction(), chart);
  for (const v1::BudgetLine& line : table.lines) {
    MAILLAGE_FUZZ_CHECK(line.amount_cents() <= budget::kMaxAmountCents &&
                            line.amount_cents() >= -budget::kMaxAmountCents,
                        line.DebugString());
  }
  if (table.has_errors) return 0;
  v1::Budget fields;
  fields.set_year(2024);
  fields.set_kind(v1::BUDGET_KIND_FORECAST);
  *fields.mutable_stated_totals() = table.stated_totals;
  auto totals = budget::ComputeTotals(table.lines);
  if (totals.ok()) *fields.mutable_computed_totals() = *totals;
  budget::ValidationInput input{&TheAction(), &fields, &table.lines, {}, nullptr};
  (void)budget::BudgetValidator(chart).Validate(input);
  return 0;
}
