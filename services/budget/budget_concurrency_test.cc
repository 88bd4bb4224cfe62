// Many writers on the lines of one budget: every write is acknowledged once, none is lost,
// and the stored totals equal the sums of the lines afterwards.
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/testing/status_matchers.h"
#include "services/budget/budget_test_server.h"

using maillage::testing::IsOk;

namespace maillage::budget::testing {
namespace {

using Stub = v1::BudgetService::Stub;

TEST_F(BudgetServiceTest, ConcurrentLineWritersKeepTheTotalsConsistent) {
  CreateSeedAction();
  v1::CreateBudgetRequest create;
  create.set_parent("actions/fa3");
  create.mutable_budget()->set_year(2025);
  create.mutable_budget()->set_kind(v1::BUDGET_KIND_FORECAST);
  v1::Budget budget;
  ASSERT_THAT(Call(&Stub::CreateBudget, create, &budget), IsOk());

  constexpr int kWriters = 8;
  constexpr int kLinesPerWriter = 15;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kLinesPerWriter; ++i) {
        v1::CreateBudgetLineRequest request;
        request.set_parent(budget.name());
        request.set_request_id(absl::StrFormat("00000000-0000-4000-8000-%012d", w * 1000 + i));
        v1::BudgetLine* line = request.mutable_budget_line();
        line->set_side(i % 2 == 0 ? v1::SIDE_CHARGE : v1::SIDE_INCOME);
        line->set_account_code(i % 2 == 0 ? "62" : "74");
        line->set_is_chapter(true);
        line->set_label(absl::StrCat("Ligne ", w, "-", i));
        line->set_amount_cents(100 * (w + 1) + i);
        v1::BudgetLine created;
        absl::Status status = Call(&Stub::CreateBudgetLine, request, &created);
        if (!status.ok()) {
          ++failures;
          continue;
        }
        // Then each writer bumps its own line twice, read-modify-write with the etag.
        for (int bump = 0; bump < 2; ++bump) {
          v1::UpdateBudgetLineRequest update;
          *update.mutable_budget_line() = created;
          update.mutable_budget_line()->set_amount_cents(created.amount_cents() + 1);
          update.mutable_update_mask()->add_paths("amount_cents");
          if (!Call(&Stub::UpdateBudgetLine, update, &created).ok()) ++failures;
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);

  int64_t charges = 0, income = 0;
  int count = 0;
  v1::ListBudgetLinesRequest list;
  list.set_parent(budget.name());
  list.set_page_size(7);
  v1::ListBudgetLinesResponse page;
  do {
    ASSERT_THAT(Call(&Stub::ListBudgetLines, list, &page), IsOk());
    for (const auto& line : page.budget_lines()) {
      (line.side() == v1::SIDE_CHARGE ? charges : income) += line.amount_cents();
      ++count;
    }
    list.set_page_token(page.next_page_token());
  } while (!page.next_page_token().empty());
  int64_t expected_charges = 0, expected_income = 0;
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kLinesPerWriter; ++i) {
      (i % 2 == 0 ? expected_charges : expected_income) += 100 * (w + 1) + i + 2;
    }
  }
  EXPECT_EQ(count, kWriters * kLinesPerWriter);
  EXPECT_EQ(charges, expected_charges);
  EXPECT_EQ(income, expected_income);
  v1::GetBudgetRequest get;
  get.set_name(budget.name());
  ASSERT_THAT(Call(&Stub::GetBudget, get, &budget), IsOk());
  EXPECT_EQ(budget.computed_totals().charges_cents(), expected_charges);
  EXPECT_EQ(budget.computed_totals().income_cents(), expected_income);
  EXPECT_EQ(budget.computed_totals().line_count(), kWriters * kLinesPerWriter);
  // One revision per write: 1 at creation, then 3 writes per line.
  EXPECT_EQ(budget.etag(), std::to_string(1 + 3 * kWriters * kLinesPerWriter));
}

}  // namespace
}  // namespace maillage::budget::testing
