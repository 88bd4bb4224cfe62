// Many writers on the lines of one budget: every write is acknowledged once, none is lost,
// and the stored totals equal the sums of the lines afterwards. The totals are kept
// incrementally by each line write: after every kind of write, alone or concurrent, they equal
// ComputeTotals over the lines as listed.
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/testing/status_matchers.h"
#include "services/budget/budget_test_server.h"
#include "services/budget/budget_totals.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

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

class BudgetTotalsTest : public BudgetServiceTest {
 protected:
  void SetUp() override {
    BudgetServiceTest::SetUp();
    CreateSeedAction();
    v1::CreateBudgetRequest create;
    create.set_parent("actions/fa3");
    create.mutable_budget()->set_year(2026);
    create.mutable_budget()->set_kind(v1::BUDGET_KIND_FORECAST);
    ASSERT_THAT(Call(&Stub::CreateBudget, create, &budget_), IsOk());
  }

  v1::BudgetLine Create(v1::Side side, const std::string& code, int64_t amount, bool chapter,
                        const std::string& chapter_line = "") {
    v1::CreateBudgetLineRequest request;
    request.set_parent(budget_.name());
    v1::BudgetLine* line = request.mutable_budget_line();
    line->set_side(side);
    line->set_account_code(code);
    line->set_is_chapter(chapter);
    line->set_chapter_line(chapter_line);
    line->set_label(absl::StrCat("Ligne ", code));
    if (amount != kBlank) line->set_amount_cents(amount);
    v1::BudgetLine created;
    EXPECT_THAT(Call(&Stub::CreateBudgetLine, request, &created), IsOk());
    return created;
  }

  // Writes the fields of `paths` from `line` over the stored line.
  absl::Status Update(v1::BudgetLine& line, std::vector<std::string> paths) {
    v1::UpdateBudgetLineRequest request;
    *request.mutable_budget_line() = line;
    for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
    return Call(&Stub::UpdateBudgetLine, request, &line);
  }

  absl::Status Delete(const v1::BudgetLine& line, bool force = false) {
    v1::DeleteBudgetLineRequest request;
    request.set_name(line.name());
    request.set_force(force);
    google::protobuf::Empty empty;
    return Call(&Stub::DeleteBudgetLine, request, &empty);
  }

  // The stored totals against ComputeTotals over every line of the budget as listed.
  void ExpectTotalsMatchLines(const std::string& when) {
    SCOPED_TRACE(when);
    std::vector<v1::BudgetLine> lines;
    v1::ListBudgetLinesRequest list;
    list.set_parent(budget_.name());
    list.set_page_size(50);
    v1::ListBudgetLinesResponse page;
    do {
      ASSERT_THAT(Call(&Stub::ListBudgetLines, list, &page), IsOk());
      lines.insert(lines.end(), page.budget_lines().begin(), page.budget_lines().end());
      list.set_page_token(page.next_page_token());
    } while (!page.next_page_token().empty());
    absl::StatusOr<v1::ComputedTotals> expected = ComputeTotals(lines);
    ASSERT_THAT(expected.status(), IsOk());
    v1::GetBudgetRequest get;
    get.set_name(budget_.name());
    v1::Budget stored;
    ASSERT_THAT(Call(&Stub::GetBudget, get, &stored), IsOk());
    const v1::ComputedTotals& got = stored.computed_totals();
    EXPECT_EQ(got.charges_cents(), expected->charges_cents());
    EXPECT_EQ(got.income_cents(), expected->income_cents());
    EXPECT_EQ(got.balance_cents(), expected->balance_cents());
    EXPECT_EQ(got.contributions_used_cents(), expected->contributions_used_cents());
    EXPECT_EQ(got.contributions_received_cents(), expected->contributions_received_cents());
    EXPECT_EQ(got.subsidies_cents(), expected->subsidies_cents());
    EXPECT_EQ(got.line_count(), expected->line_count());
  }

  static constexpr int64_t kBlank = -1;
  v1::Budget budget_;
};

TEST_F(BudgetTotalsTest, InsertsUpdatesAndDeletesKeepTheTotalsEqualToTheLines) {
  v1::BudgetLine purchases = Create(v1::SIDE_CHARGE, "60", 10000, true);
  v1::BudgetLine detail_a = Create(v1::SIDE_CHARGE, "606", 4000, false, purchases.name());
  v1::BudgetLine detail_b = Create(v1::SIDE_CHARGE, "", 6000, false, purchases.name());
  v1::BudgetLine services = Create(v1::SIDE_CHARGE, "622", 2500, false);
  v1::BudgetLine used = Create(v1::SIDE_CHARGE, "86", 1500, true);
  v1::BudgetLine received = Create(v1::SIDE_INCOME, "87", 1500, true);
  v1::BudgetLine subsidies = Create(v1::SIDE_INCOME, "74", 50000, true);
  v1::BudgetLine blank = Create(v1::SIDE_INCOME, "75", kBlank, true);
  ExpectTotalsMatchLines("after the inserts");

  purchases.set_amount_cents(12000);
  ASSERT_THAT(Update(purchases, {"amount_cents"}), IsOk());
  ExpectTotalsMatchLines("after a chapter's amount changed");
  services.set_chapter_line(purchases.name());
  ASSERT_THAT(Update(services, {"chapter_line"}), IsOk());
  ExpectTotalsMatchLines("after a top-level line moved under a chapter");
  detail_b.set_chapter_line("");
  detail_b.set_account_code("618");
  ASSERT_THAT(Update(detail_b, {"chapter_line", "account_code"}), IsOk());
  ExpectTotalsMatchLines("after a detail line left its chapter");
  used.set_account_code("87");
  ASSERT_THAT(Update(used, {"account_code"}), IsOk());
  ExpectTotalsMatchLines("after an account code changed");
  subsidies.clear_amount_cents();
  ASSERT_THAT(Update(subsidies, {"amount_cents"}), IsOk());
  blank.set_amount_cents(700);
  ASSERT_THAT(Update(blank, {"amount_cents"}), IsOk());
  ExpectTotalsMatchLines("after amounts cleared and set");

  ASSERT_THAT(Delete(detail_a), IsOk());
  ExpectTotalsMatchLines("after a detail line was deleted");
  ASSERT_THAT(Delete(received), IsOk());
  ExpectTotalsMatchLines("after a top-level line was deleted");
  EXPECT_THAT(Delete(purchases), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_THAT(Delete(purchases, true), IsOk());
  ExpectTotalsMatchLines("after a chapter was deleted with its detail lines");
}

TEST_F(BudgetTotalsTest, ConcurrentInsertsUpdatesAndDeletesKeepTheTotalsEqualToTheLines) {
  v1::BudgetLine chapter = Create(v1::SIDE_CHARGE, "61", 1000, true);
  constexpr int kWriters = 6;
  constexpr int kRounds = 8;
  const char* codes[] = {"74", "86", "87", "62", "75", "64"};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kRounds; ++i) {
        const std::string code = codes[(w + i) % 6];
        const bool under_chapter = (w + i) % 4 == 0;
        v1::CreateBudgetLineRequest request;
        request.set_parent(budget_.name());
        v1::BudgetLine* line = request.mutable_budget_line();
        line->set_side(code[0] == '7' ? v1::SIDE_INCOME : v1::SIDE_CHARGE);
        if (under_chapter) {
          line->set_side(v1::SIDE_CHARGE);
          line->set_chapter_line(chapter.name());
        } else {
          line->set_account_code(code);
          line->set_is_chapter(true);
        }
        line->set_label(absl::StrCat("Ligne ", w, "-", i));
        line->set_amount_cents(1000 * (w + 1) + i);
        v1::BudgetLine created;
        if (!Call(&Stub::CreateBudgetLine, request, &created).ok()) {
          ++failures;
          continue;
        }
        created.set_amount_cents(created.amount_cents() * 3);
        if (!Update(created, {"amount_cents"}).ok()) ++failures;
        if (i % 3 == 2 && !Delete(created).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);
  ExpectTotalsMatchLines("after concurrent writers");
  ASSERT_THAT(Delete(chapter, true), IsOk());
  ExpectTotalsMatchLines("after the shared chapter went with its details");
}

}  // namespace
}  // namespace maillage::budget::testing
