// The update conventions (common/api/update_mask.h, etag.h) as the budget service applies them,
// through its gRPC stub. An empty mask used to mean "replace everything" here, so a partial
// update over gRPC cleared the fields it did not carry.
#include "common/testing/api_conventions.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "services/budget/budget_test_server.h"

namespace maillage::budget::testing {
namespace {

using maillage::testing::IsOk;
using maillage::testing::IsRefusedMaskPath;
using maillage::testing::IsStaleEtagError;
using Stub = v1::BudgetService::Stub;

class UpdateConventionsTest : public BudgetServiceTest {
 protected:
  v1::Budget CreateBudget() {
    CreateSeedAction();
    v1::CreateBudgetRequest create;
    create.set_parent("actions/fa3");
    create.mutable_budget()->set_year(2025);
    create.mutable_budget()->set_kind(v1::BUDGET_KIND_FORECAST);
    create.mutable_budget()->set_title("Budget 2025");
    create.mutable_budget()->set_note("Note gardée");
    create.mutable_budget()->mutable_stated_totals()->set_charges_cents(500000);
    v1::Budget budget;
    EXPECT_THAT(Call(&Stub::CreateBudget, create, &budget), IsOk());
    return budget;
  }

  v1::BudgetLine CreateLine(const v1::Budget& budget) {
    v1::CreateBudgetLineRequest request;
    request.set_parent(budget.name());
    v1::BudgetLine* line = request.mutable_budget_line();
    line->set_side(v1::SIDE_CHARGE);
    line->set_account_code("62");
    line->set_is_chapter(true);
    line->set_label("Autres services extérieurs");
    line->set_note("Note de ligne");
    line->set_amount_cents(1000);
    v1::BudgetLine created;
    EXPECT_THAT(Call(&Stub::CreateBudgetLine, request, &created), IsOk());
    return created;
  }
};

TEST_F(UpdateConventionsTest, EmptyMaskWritesOnlyTheFieldsInTheRequest) {
  v1::Budget budget = CreateBudget();
  v1::UpdateBudgetRequest update;
  update.mutable_budget()->set_name(budget.name());
  update.mutable_budget()->set_title("Budget 2025 révisé");
  v1::Budget updated;
  ASSERT_THAT(Call(&Stub::UpdateBudget, update, &updated), IsOk());
  EXPECT_EQ(updated.title(), "Budget 2025 révisé");
  EXPECT_EQ(updated.note(), "Note gardée");
  EXPECT_EQ(updated.stated_totals().charges_cents(), 500000);

  v1::BudgetLine line = CreateLine(budget);
  v1::UpdateBudgetLineRequest change;
  change.mutable_budget_line()->set_name(line.name());
  change.mutable_budget_line()->set_amount_cents(2000);
  v1::BudgetLine changed;
  ASSERT_THAT(Call(&Stub::UpdateBudgetLine, change, &changed), IsOk());
  EXPECT_EQ(changed.amount_cents(), 2000);
  EXPECT_EQ(changed.label(), "Autres services extérieurs");
  EXPECT_EQ(changed.note(), "Note de ligne");
  EXPECT_EQ(changed.account_code(), "62");

  v1::UpdateActionRequest action;
  action.mutable_action()->set_name("actions/fa3");
  action.mutable_action()->set_description("Nouvelle description");
  v1::Action updated_action;
  ASSERT_THAT(Call(&Stub::UpdateAction, action, &updated_action), IsOk());
  EXPECT_EQ(updated_action.description(), "Nouvelle description");
  EXPECT_EQ(updated_action.code(), "FA3");
  EXPECT_EQ(updated_action.funders_size(), SeedAction().funders_size());
}

TEST_F(UpdateConventionsTest, StarReplacesEveryWritableField) {
  v1::Budget budget = CreateBudget();
  v1::UpdateBudgetRequest update;
  update.mutable_budget()->set_name(budget.name());
  update.mutable_budget()->set_title("Seul titre");
  update.mutable_update_mask()->add_paths("*");
  v1::Budget updated;
  ASSERT_THAT(Call(&Stub::UpdateBudget, update, &updated), IsOk());
  EXPECT_EQ(updated.title(), "Seul titre");
  EXPECT_EQ(updated.note(), "");
  EXPECT_FALSE(updated.stated_totals().has_charges_cents());
  EXPECT_EQ(updated.year(), 2025);  // immutable: kept
}

TEST_F(UpdateConventionsTest, OutputOnlyIgnoredImmutableRefusedNamingThePath) {
  v1::Budget budget = CreateBudget();
  v1::BudgetLine line = CreateLine(budget);
  v1::UpdateBudgetLineRequest change;
  change.mutable_budget_line()->set_name(line.name());
  change.mutable_budget_line()->set_label("Libellé");
  change.mutable_budget_line()->set_lineage("forged");
  change.mutable_update_mask()->add_paths("label");
  change.mutable_update_mask()->add_paths("lineage");
  change.mutable_update_mask()->add_paths("create_time");
  v1::BudgetLine changed;
  ASSERT_THAT(Call(&Stub::UpdateBudgetLine, change, &changed), IsOk());
  EXPECT_EQ(changed.label(), "Libellé");
  EXPECT_EQ(changed.lineage(), line.lineage());

  for (const char* path : {"side", "is_chapter"}) {
    change.mutable_update_mask()->Clear();
    change.mutable_update_mask()->add_paths(path);
    EXPECT_TRUE(IsRefusedMaskPath(Call(&Stub::UpdateBudgetLine, change, &changed), path));
  }
  v1::UpdateBudgetRequest update;
  update.mutable_budget()->set_name(budget.name());
  update.mutable_update_mask()->add_paths("kind");
  v1::Budget updated;
  EXPECT_TRUE(IsRefusedMaskPath(Call(&Stub::UpdateBudget, update, &updated), "kind"));
}

TEST_F(UpdateConventionsTest, StaleEtagNamesRequestedAndCurrent) {
  v1::Budget budget = CreateBudget();
  v1::UpdateBudgetRequest update;
  update.mutable_budget()->set_name(budget.name());
  update.mutable_budget()->set_title("Budget 2025 révisé");
  update.mutable_budget()->set_etag(budget.etag());
  v1::Budget updated;
  ASSERT_THAT(Call(&Stub::UpdateBudget, update, &updated), IsOk());
  EXPECT_TRUE(
      IsStaleEtagError(Call(&Stub::UpdateBudget, update, &updated), budget.etag(), updated.etag()));

  v1::UpdateActionRequest action;
  action.mutable_action()->set_name("actions/fa3");
  action.mutable_action()->set_description("x");
  action.mutable_action()->set_etag("999");
  v1::Action out;
  v1::GetActionRequest get;
  get.set_name("actions/fa3");
  v1::Action current;
  ASSERT_THAT(Call(&Stub::GetAction, get, &current), IsOk());
  EXPECT_TRUE(IsStaleEtagError(Call(&Stub::UpdateAction, action, &out), "999", current.etag()));
}

}  // namespace
}  // namespace maillage::budget::testing
