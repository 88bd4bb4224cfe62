// A funder's key reads the actions that list its funder, and only those: through the gRPC stub
// of the budget service on a real PostgreSQL, calls signed as the gateway signs them for a
// ROLE_FUNDER key of Dijon Métropole.
#include "common/auth/caller.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "services/budget/budget_test_server.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

namespace maillage::budget::testing {
namespace {

using Stub = v1::BudgetService::Stub;
using ::testing::ElementsAre;

class FunderScopeTest : public BudgetServiceTest {
 protected:
  void SetUp() override {
    BudgetServiceTest::SetUp();
    CreateSeedAction();  // FA3, funded by "dijon-metropole"
    ImportSeedTable(2023);
    v1::CreateActionRequest other;
    other.set_action_id("fa7");
    other.mutable_action()->set_code("FA7");
    other.mutable_action()->set_title("Tiers-lieux de l'ESS");
    other.mutable_action()->set_start_year(2024);
    other.mutable_action()->set_end_year(2025);
    v1::ActionFunder* region = other.mutable_action()->add_funders();
    region->set_funder_id("region-bfc");
    region->set_display_name("Région Bourgogne-Franche-Comté");
    region->set_kind(v1::FUNDER_KIND_REGION);
    v1::Action created;
    ASSERT_THAT(Call(&Stub::CreateAction, other, &created), IsOk());
  }

  // The principal the gateway signs for a funder key.
  static auth::Principal Funder(const std::string& funder_id) {
    auth::Principal principal;
    principal.key_name = "apiKeys/12";
    principal.role = ::maillage::gateway::v1::ROLE_FUNDER;
    principal.funder_id = funder_id;
    return principal;
  }

  template <typename Request, typename Response, typename Method>
  absl::Status CallAs(const auth::Principal& principal, Method method, const Request& request,
                      Response* response) {
    auth::CallerScope scope(principal);
    return Call(method, request, response);
  }

  // The ErrorInfo reason of a refusal of `request` to `principal`.
  template <typename Request, typename Response, typename Method>
  std::string RefusalOf(const auth::Principal& principal, Method method, const Request& request) {
    Response response;
    absl::Status status = CallAs(principal, method, request, &response);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied));
    return Reason(status);
  }
};

TEST_F(FunderScopeTest, DijonMetropoleReadsFa3AndIsRefusedTheOthers) {
  const auth::Principal metropole = Funder("dijon-metropole");
  v1::GetActionRequest fa3;
  fa3.set_name("actions/fa3");
  v1::Action action;
  ASSERT_THAT(CallAs(metropole, &Stub::GetAction, fa3, &action), IsOk());
  EXPECT_EQ(action.code(), "FA3");
  v1::ListBudgetsRequest budgets;
  budgets.set_parent("actions/fa3");
  v1::ListBudgetsResponse listed;
  ASSERT_THAT(CallAs(metropole, &Stub::ListBudgets, budgets, &listed), IsOk());
  ASSERT_EQ(listed.budgets_size(), 1);
  v1::ValidateBudgetRequest validate;
  validate.set_name(listed.budgets(0).name());
  v1::ValidateBudgetResponse findings;
  EXPECT_THAT(CallAs(metropole, &Stub::ValidateBudget, validate, &findings), IsOk());
  v1::GetFinancialReportRequest report;
  report.set_action("actions/fa3");
  report.set_year(2023);
  v1::FinancialReport financial;
  EXPECT_THAT(CallAs(metropole, &Stub::GetFinancialReport, report, &financial), IsOk());
  v1::GetAccountRequest account;
  account.set_name("accounts/871");
  v1::Account read_account;
  EXPECT_THAT(CallAs(metropole, &Stub::GetAccount, account, &read_account), IsOk());

  // FA7 is funded by the Région alone: every read of it is refused, and so is an action that
  // does not exist (permission before existence) or every action at once.
  v1::GetActionRequest fa7;
  fa7.set_name("actions/fa7");
  EXPECT_EQ((RefusalOf<v1::GetActionRequest, v1::Action>(metropole, &Stub::GetAction, fa7)),
            "ACTION_NOT_FUNDED");
  v1::GetActionRequest missing;
  missing.set_name("actions/fa99");
  EXPECT_EQ((RefusalOf<v1::GetActionRequest, v1::Action>(metropole, &Stub::GetAction, missing)),
            "ACTION_NOT_FUNDED");
  v1::ListGrantsRequest grants;
  grants.set_parent("actions/fa7");
  EXPECT_EQ((RefusalOf<v1::ListGrantsRequest, v1::ListGrantsResponse>(metropole, &Stub::ListGrants,
                                                                      grants)),
            "ACTION_NOT_FUNDED");
  grants.set_parent("actions/-");
  EXPECT_EQ((RefusalOf<v1::ListGrantsRequest, v1::ListGrantsResponse>(metropole, &Stub::ListGrants,
                                                                      grants)),
            "ACTION_NOT_FUNDED");
  report.set_action("actions/fa7");
  EXPECT_EQ((RefusalOf<v1::GetFinancialReportRequest, v1::FinancialReport>(
                metropole, &Stub::GetFinancialReport, report)),
            "ACTION_NOT_FUNDED");
  v1::GetBudgetRequest budget_of_fa7;
  budget_of_fa7.set_name("actions/fa7/budgets/1");
  EXPECT_EQ(
      (RefusalOf<v1::GetBudgetRequest, v1::Budget>(metropole, &Stub::GetBudget, budget_of_fa7)),
      "ACTION_NOT_FUNDED");
}

TEST_F(FunderScopeTest, ListActionsShowsOnlyTheFundedActions) {
  auto codes = [&](const auth::Principal* principal, const std::string& filter) {
    v1::ListActionsRequest request;
    request.set_filter(filter);
    request.set_page_size(1);
    std::vector<std::string> seen;
    for (int page = 0; page < 5; ++page) {
      v1::ListActionsResponse response;
      absl::Status status = principal ? CallAs(*principal, &Stub::ListActions, request, &response)
                                      : Call(&Stub::ListActions, request, &response);
      EXPECT_THAT(status, IsOk());
      for (const v1::Action& a : response.actions()) seen.push_back(a.code());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return seen;
  };
  const auth::Principal metropole = Funder("dijon-metropole");
  const auth::Principal region = Funder("region-bfc");
  EXPECT_THAT(codes(nullptr, ""), ElementsAre("FA3", "FA7"));  // staff (the tests' ADMIN)
  EXPECT_THAT(codes(&metropole, ""), ElementsAre("FA3"));
  EXPECT_THAT(codes(&region, ""), ElementsAre("FA7"));
  // The funder's own filter narrows its actions further, never widens them.
  EXPECT_THAT(codes(&metropole, "funders.funder_id:\"region-bfc\" OR code = \"FA7\""),
              ElementsAre());
  EXPECT_THAT(codes(&metropole, "state = ACTIVE"), ElementsAre("FA3"));
  const auth::Principal nameless = Funder("");
  EXPECT_THAT(codes(&nameless, ""), ElementsAre());
  v1::GetActionRequest fa3;
  fa3.set_name("actions/fa3");
  EXPECT_EQ((RefusalOf<v1::GetActionRequest, v1::Action>(nameless, &Stub::GetAction, fa3)),
            "FUNDER_NOT_NAMED");
}

TEST(FunderScopeFilterTest, FunderFilterWrapsTheRequestsOwn) {
  auth::Principal funder;
  funder.role = ::maillage::gateway::v1::ROLE_FUNDER;
  funder.funder_id = "dijon-metropole";
  EXPECT_EQ(FunderScope::ScopedActionFilter(funder, ""), "funders.funder_id:\"dijon-metropole\"");
  EXPECT_EQ(FunderScope::ScopedActionFilter(funder, "a = 1 OR b = 2"),
            "funders.funder_id:\"dijon-metropole\" AND (a = 1 OR b = 2)");
  funder.funder_id = "x\" OR code:\"";
  EXPECT_EQ(FunderScope::ScopedActionFilter(funder, ""), "funders.funder_id:\"-\"");
  auth::Principal staff;
  staff.role = ::maillage::gateway::v1::ROLE_STAFF;
  EXPECT_EQ(FunderScope::ScopedActionFilter(staff, "state = ACTIVE"), "state = ACTIVE");
}

}  // namespace
}  // namespace maillage::budget::testing
