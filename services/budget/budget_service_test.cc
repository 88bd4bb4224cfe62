// Integration tests of the budget service through its gRPC stub on a real PostgreSQL:
// actions, budgets and their states, lines and totals, the chart, validation and import.
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/budget/budget_test_server.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

namespace maillage::budget::testing {
namespace {

using Stub = v1::BudgetService::Stub;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ActionsTest : public BudgetServiceTest {};

TEST_F(ActionsTest, CreatesGetsAndRefusesADuplicateCode) {
  v1::Action created = CreateSeedAction();
  EXPECT_EQ(created.name(), "actions/fa3");
  EXPECT_EQ(created.state(), v1::ACTION_STATE_ACTIVE);
  EXPECT_EQ(created.etag(), "1");
  EXPECT_EQ(created.funders(0).commitments(2).amount_cents(), 600000);
  EXPECT_EQ(created.years(0).staffing_fte_hundredths(), 13);
  v1::GetActionRequest get;
  get.set_name("actions/fa3");
  v1::Action read;
  ASSERT_THAT(Call(&Stub::GetAction, get, &read), IsOk());
  EXPECT_EQ(read.SerializeAsString(), created.SerializeAsString());

  v1::CreateActionRequest again;
  *again.mutable_action() = SeedAction();
  v1::Action ignored;
  absl::Status status = Call(&Stub::CreateAction, again, &ignored);
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Reason(status), "ACTION_CODE_EXISTS");
  EXPECT_EQ(GetErrorInfo(status)->metadata().at("action"), "actions/fa3");

  get.set_name("actions/nope");
  EXPECT_EQ(Reason(Call(&Stub::GetAction, get, &read)), "ACTION_NOT_FOUND");
}

TEST_F(ActionsTest, NamesEveryBadFieldAtOnce) {
  v1::CreateActionRequest request;
  request.mutable_action()->set_start_year(2025);
  request.mutable_action()->set_end_year(2023);
  v1::ActionFunder* funder = request.mutable_action()->add_funders();
  funder->set_funder_id("Bad Id");
  request.set_action_id("9x");
  v1::Action ignored;
  absl::Status status = Call(&Stub::CreateAction, request, &ignored);
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  auto bad = GetBadRequest(status);
  ASSERT_TRUE(bad.has_value());
  for (const auto& v : bad->field_violations()) fields.push_back(v.field());
  EXPECT_THAT(fields, ElementsAre("action.code", "action.title", "action.end_year",
                                  "action.funders[0].funder_id", "action.funders[0].display_name",
                                  "action.funders[0].kind", "action_id"));
  v1::ListActionsRequest list;
  v1::ListActionsResponse listed;
  ASSERT_THAT(Call(&Stub::ListActions, list, &listed), IsOk());
  EXPECT_EQ(listed.actions_size(), 0);  // nothing written
}

TEST_F(ActionsTest, RequestIdReplaysAndRefusesReuse) {
  v1::CreateActionRequest request;
  *request.mutable_action() = SeedAction();
  request.set_request_id("6f1c2a8e-1b7d-4c1e-9a53-0f5a2c7d9e11");
  v1::Action first, second;
  ASSERT_THAT(Call(&Stub::CreateAction, request, &first), IsOk());
  ASSERT_THAT(Call(&Stub::CreateAction, request, &second), IsOk());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  request.mutable_action()->set_title("Autre titre");
  absl::Status reused = Call(&Stub::CreateAction, request, &second);
  EXPECT_EQ(reused.code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ActionsTest, UpdatesByMaskWithEtagsAndListsWithFiltersAndPages) {
  CreateSeedAction();
  for (int i = 0; i < 4; ++i) {
    v1::CreateActionRequest request;
    *request.mutable_action() = SeedAction();
    request.mutable_action()->set_code(absl::StrCat("FA", 10 + i));
    request.mutable_action()->set_start_year(2020 + i);
    request.mutable_action()->set_end_year(2020 + i);
    request.mutable_action()->clear_years();
    request.mutable_action()->clear_funders();
    v1::Action ignored;
    ASSERT_THAT(Call(&Stub::CreateAction, request, &ignored), IsOk());
  }
  v1::UpdateActionRequest update;
  update.mutable_action()->set_name("actions/fa3");
  update.mutable_action()->set_title("Nouveau titre");
  update.mutable_action()->set_code("IGNORED");
  update.mutable_action()->set_etag("1");
  update.mutable_update_mask()->add_paths("title");
  v1::Action updated;
  ASSERT_THAT(Call(&Stub::UpdateAction, update, &updated), IsOk());
  EXPECT_EQ(updated.title(), "Nouveau titre");
  EXPECT_EQ(updated.code(), "FA3");
  EXPECT_EQ(updated.funders_size(), 1);
  EXPECT_EQ(updated.etag(), "2");
  absl::Status stale = Call(&Stub::UpdateAction, update, &updated);
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Reason(stale), "ETAG_MISMATCH");
  // An output-only path (the etag among them) is ignored; an unknown one is refused.
  update.mutable_update_mask()->set_paths(0, "etag");
  update.mutable_action()->set_etag("");
  ASSERT_THAT(Call(&Stub::UpdateAction, update, &updated), IsOk());
  EXPECT_EQ(updated.code(), "FA3");
  update.mutable_update_mask()->set_paths(0, "colour");
  EXPECT_EQ(Call(&Stub::UpdateAction, update, &updated).code(), absl::StatusCode::kInvalidArgument);

  v1::ListActionsRequest list;
  list.set_filter("year = 2024 AND funders.kind = INTERCOMMUNALITY");
  v1::ListActionsResponse page;
  ASSERT_THAT(Call(&Stub::ListActions, list, &page), IsOk());
  ASSERT_EQ(page.actions_size(), 1);
  EXPECT_EQ(page.actions(0).code(), "FA3");

  list.set_filter("");
  list.set_page_size(2);
  std::vector<std::string> codes;
  do {
    ASSERT_THAT(Call(&Stub::ListActions, list, &page), IsOk());
    for (const auto& a : page.actions()) codes.push_back(a.code());
    list.set_page_token(page.next_page_token());
  } while (!page.next_page_token().empty());
  EXPECT_THAT(codes, ElementsAre("FA10", "FA11", "FA12", "FA13", "FA3"));
  list.set_page_size(2);
  list.set_page_token("");
  ASSERT_THAT(Call(&Stub::ListActions, list, &page), IsOk());
  list.set_page_token(page.next_page_token());
  list.set_filter("state = ACTIVE");
  EXPECT_EQ(Call(&Stub::ListActions, list, &page).code(), absl::StatusCode::kInvalidArgument);
  list.set_page_token("");
  list.set_page_size(-1);
  EXPECT_EQ(Call(&Stub::ListActions, list, &page).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ActionsTest, DeletesOnlyAnEmptyAction) {
  CreateSeedAction();
  ImportSeedTable(2023);
  v1::DeleteActionRequest del;
  del.set_name("actions/fa3");
  google::protobuf::Empty empty;
  absl::Status status = Call(&Stub::DeleteAction, del, &empty);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(status), "ACTION_NOT_EMPTY");
  v1::CreateActionRequest other;
  *other.mutable_action() = SeedAction();
  other.mutable_action()->set_code("FA9");
  v1::Action created;
  ASSERT_THAT(Call(&Stub::CreateAction, other, &created), IsOk());
  EXPECT_EQ(created.name(), "actions/fa9");
  del.set_name(created.name());
  EXPECT_THAT(Call(&Stub::DeleteAction, del, &empty), IsOk());
  v1::GetActionRequest get;
  get.set_name(created.name());
  EXPECT_EQ(Call(&Stub::GetAction, get, &created).code(), absl::StatusCode::kNotFound);
}

class BudgetsTest : public BudgetServiceTest {
 protected:
  // A draft forecast 2023 of fa3 holding a balanced, rule-abiding table.
  v1::Budget CleanBudget() {
    v1::CreateBudgetRequest create;
    create.set_parent("actions/fa3");
    create.mutable_budget()->set_year(2023);
    create.mutable_budget()->set_kind(v1::BUDGET_KIND_FORECAST);
    create.mutable_budget()->set_title("Budget 2023");
    v1::Budget budget;
    EXPECT_THAT(Call(&Stub::CreateBudget, create, &budget), IsOk());
    v1::BudgetLine staff =
        AddLine(budget.name(), v1::SIDE_CHARGE, "64", "Charges de personnel", 1000000, true, "");
    AddLine(budget.name(), v1::SIDE_CHARGE, "641", "Rémunération des personnels", 1000000, false,
            staff.name());
    v1::BudgetLine subsidies = AddLine(budget.name(), v1::SIDE_INCOME, "74",
                                       "Subventions d'exploitation", 1000000, true, "");
    AddLine(budget.name(), v1::SIDE_INCOME, "", "Dijon Métropole", 600000, false, subsidies.name(),
            "dijon-metropole");
    AddLine(budget.name(), v1::SIDE_INCOME, "", "Région", 400000, false, subsidies.name(),
            "region");
    return Get(budget.name());
  }

  v1::BudgetLine AddLine(const std::string& budget, v1::Side side, const std::string& code,
                         const std::string& label, int64_t cents, bool chapter,
                         const std::string& chapter_line, const std::string& funder = "") {
    v1::CreateBudgetLineRequest request;
    request.set_parent(budget);
    v1::BudgetLine* line = request.mutable_budget_line();
    line->set_side(side);
    line->set_account_code(code);
    line->set_label(label);
    line->set_amount_cents(cents);
    line->set_is_chapter(chapter);
    line->set_chapter_line(chapter_line);
    line->set_funder_id(funder);
    v1::BudgetLine created;
    absl::Status status = Call(&Stub::CreateBudgetLine, request, &created);
    EXPECT_THAT(status, IsOk()) << status;
    return created;
  }

  v1::Budget Get(const std::string& name) {
    v1::GetBudgetRequest get;
    get.set_name(name);
    v1::Budget budget;
    EXPECT_THAT(Call(&Stub::GetBudget, get, &budget), IsOk());
    return budget;
  }

  void SetUp() override {
    BudgetServiceTest::SetUp();
    v1::CreateActionRequest request;
    *request.mutable_action() = SeedAction();
    request.set_action_id("fa3");
    v1::ActionFunder* region = request.mutable_action()->add_funders();
    region->set_funder_id("region");
    region->set_display_name("Région Bourgogne-Franche-Comté");
    region->set_kind(v1::FUNDER_KIND_REGION);
    region->add_commitments()->set_year(2023);
    region->mutable_commitments(0)->set_amount_cents(400000);
    request.mutable_action()->clear_in_kind_resources();
    v1::Action action;
    ASSERT_THAT(Call(&Stub::CreateAction, request, &action), IsOk());
  }
};

TEST_F(BudgetsTest, LinesKeepTheTotalsAndEtagsInStep) {
  v1::Budget budget = CleanBudget();
  EXPECT_EQ(budget.version(), 1);
  EXPECT_TRUE(budget.latest());
  EXPECT_EQ(budget.state(), v1::BUDGET_STATE_DRAFT);
  EXPECT_EQ(budget.computed_totals().charges_cents(), 1000000);
  EXPECT_EQ(budget.computed_totals().income_cents(), 1000000);
  EXPECT_EQ(budget.computed_totals().subsidies_cents(), 1000000);
  EXPECT_EQ(budget.computed_totals().line_count(), 5);
  EXPECT_EQ(budget.etag(), "6");  // created, then five line writes

  v1::ListBudgetLinesRequest list;
  list.set_parent(budget.name());
  v1::ListBudgetLinesResponse lines;
  ASSERT_THAT(Call(&Stub::ListBudgetLines, list, &lines), IsOk());
  ASSERT_EQ(lines.budget_lines_size(), 5);
  EXPECT_EQ(lines.budget_lines(3).effective_account_code(), "74");
  EXPECT_EQ(lines.budget_lines(3).account_label(), "Subventions d'exploitation");
  EXPECT_EQ(lines.budget_lines(3).position(), 2);
  list.set_filter("side = INCOME AND is_chapter = false");
  ASSERT_THAT(Call(&Stub::ListBudgetLines, list, &lines), IsOk());
  EXPECT_EQ(lines.budget_lines_size(), 2);
  list.set_filter(absl::StrCat("chapter_line = \"", lines.budget_lines(0).chapter_line(), "\""));
  ASSERT_THAT(Call(&Stub::ListBudgetLines, list, &lines), IsOk());
  EXPECT_EQ(lines.budget_lines_size(), 2);

  // An update moves the totals and checks the line's etag.
  v1::UpdateBudgetLineRequest update;
  *update.mutable_budget_line() = lines.budget_lines(0);
  update.mutable_budget_line()->set_amount_cents(650000);
  update.mutable_update_mask()->add_paths("amount_cents");
  v1::BudgetLine updated;
  ASSERT_THAT(Call(&Stub::UpdateBudgetLine, update, &updated), IsOk());
  EXPECT_EQ(updated.amount_cents(), 650000);
  EXPECT_EQ(updated.etag(), "2");
  EXPECT_EQ(Reason(Call(&Stub::UpdateBudgetLine, update, &updated)), "ETAG_MISMATCH");
  EXPECT_EQ(Get(budget.name()).computed_totals().income_cents(), 1000000);  // chapter unchanged

  // A chapter with details is deleted only with force, its details with it.
  v1::DeleteBudgetLineRequest del;
  del.set_name(lines.budget_lines(0).chapter_line());
  google::protobuf::Empty empty;
  EXPECT_EQ(Reason(Call(&Stub::DeleteBudgetLine, del, &empty)), "CHAPTER_NOT_EMPTY");
  del.set_force(true);
  ASSERT_THAT(Call(&Stub::DeleteBudgetLine, del, &empty), IsOk());
  v1::Budget after = Get(budget.name());
  EXPECT_EQ(after.computed_totals().income_cents(), 0);
  EXPECT_EQ(after.computed_totals().line_count(), 2);
}

TEST_F(BudgetsTest, GetsALineByItsFullNameAndSaysWhatIsMissing) {
  v1::Budget budget = CleanBudget();
  v1::ListBudgetLinesRequest list;
  list.set_parent(budget.name());
  v1::ListBudgetLinesResponse lines;
  ASSERT_THAT(Call(&Stub::ListBudgetLines, list, &lines), IsOk());
  ASSERT_GE(lines.budget_lines_size(), 4);
  v1::GetBudgetLineRequest get;
  v1::BudgetLine line;
  for (const v1::BudgetLine& listed : lines.budget_lines()) {
    get.set_name(listed.name());
    ASSERT_THAT(Call(&Stub::GetBudgetLine, get, &line), IsOk());
    EXPECT_EQ(line.SerializeAsString(), listed.SerializeAsString());
  }
  // A detail line reads its chapter's account as its effective one, as listed.
  EXPECT_EQ(lines.budget_lines(3).effective_account_code(), "74");

  const std::string& name = lines.budget_lines(0).name();  // actions/fa3/budgets/B/lines/L
  const std::string budget_prefix = budget.name() + "/lines/";
  get.set_name(budget_prefix + "999999");
  EXPECT_EQ(Reason(Call(&Stub::GetBudgetLine, get, &line)), "LINE_NOT_FOUND");
  get.set_name("actions/fa3/budgets/999999/lines/" + name.substr(budget_prefix.size()));
  EXPECT_EQ(Reason(Call(&Stub::GetBudgetLine, get, &line)), "BUDGET_NOT_FOUND");
  get.set_name("actions/other/" + name.substr(std::string("actions/fa3/").size()));
  EXPECT_EQ(Reason(Call(&Stub::GetBudgetLine, get, &line)), "BUDGET_NOT_FOUND");

  v1::GetBudgetRequest get_budget;
  get_budget.set_name("actions/other/" + budget.name().substr(std::string("actions/fa3/").size()));
  v1::Budget ignored;
  EXPECT_EQ(Reason(Call(&Stub::GetBudget, get_budget, &ignored)), "BUDGET_NOT_FOUND");
}

TEST_F(BudgetsTest, RefusesBadLines) {
  v1::Budget budget = CleanBudget();
  v1::CreateBudgetLineRequest request;
  request.set_parent(budget.name());
  request.mutable_budget_line()->set_account_code("6x");
  request.mutable_budget_line()->set_amount_cents(int64_t{2000000000000000});
  v1::BudgetLine line;
  absl::Status status = Call(&Stub::CreateBudgetLine, request, &line);
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetBadRequest(status)->field_violations_size(), 4);  // side, code, label, amount
  request.mutable_budget_line()->set_side(v1::SIDE_CHARGE);
  request.mutable_budget_line()->set_account_code("");
  request.mutable_budget_line()->set_label("Détail");
  request.mutable_budget_line()->set_amount_cents(100);
  request.mutable_budget_line()->set_chapter_line(budget.name() + "/lines/3");  // an income chapter
  EXPECT_EQ(Reason(Call(&Stub::CreateBudgetLine, request, &line)), "CHAPTER_NOT_FOUND");
}

// Submission and approval are appended to the outbox in their transaction, in commit order,
// read back after a cursor (common/api/change_outbox.h).
TEST_F(BudgetsTest, SubmissionAndApprovalReachTheChangeFeedInOrder) {
  v1::Budget budget = CleanBudget();
  v1::ListBudgetChangesRequest feed;
  v1::ListBudgetChangesResponse before;
  ASSERT_THAT(Call(&Stub::ListBudgetChanges, feed, &before), IsOk());
  EXPECT_TRUE(before.changes().empty()) << "a draft is not an event";
  EXPECT_TRUE(before.caught_up());

  v1::SubmitBudgetRequest submit;
  submit.set_name(budget.name());
  v1::Budget submitted;
  ASSERT_THAT(Call(&Stub::SubmitBudget, submit, &submitted), IsOk());
  v1::ApproveBudgetRequest approve;
  approve.set_name(budget.name());
  v1::Budget approved;
  ASSERT_THAT(Call(&Stub::ApproveBudget, approve, &approved), IsOk());

  feed.set_since(before.next_cursor());
  v1::ListBudgetChangesResponse changes;
  ASSERT_THAT(Call(&Stub::ListBudgetChanges, feed, &changes), IsOk());
  ASSERT_EQ(changes.changes_size(), 2);
  EXPECT_EQ(changes.changes(0).event_type(), "budget.submitted");
  EXPECT_EQ(changes.changes(0).resource_name(), budget.name());
  EXPECT_EQ(changes.changes(0).budget().state(), v1::BUDGET_STATE_SUBMITTED);
  EXPECT_EQ(changes.changes(1).event_type(), "budget.approved");
  EXPECT_EQ(changes.changes(1).budget().state(), v1::BUDGET_STATE_APPROVED);
  EXPECT_GT(changes.changes(1).sequence(), changes.changes(0).sequence());
  EXPECT_TRUE(changes.changes(1).has_commit_time());

  // From the last cursor: nothing more. A made-up cursor: INVALID_ARGUMENT.
  feed.set_since(changes.next_cursor());
  v1::ListBudgetChangesResponse after;
  ASSERT_THAT(Call(&Stub::ListBudgetChanges, feed, &after), IsOk());
  EXPECT_TRUE(after.changes().empty());
  EXPECT_EQ(after.next_cursor(), changes.next_cursor());
  feed.set_since("not-a-cursor");
  EXPECT_THAT(Call(&Stub::ListBudgetChanges, feed, &after),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A rejected submission writes nothing (the transaction is undone, its event with it).
  EXPECT_EQ(Reason(Call(&Stub::ApproveBudget, approve, &approved)), "INVALID_STATE_TRANSITION");
  feed.set_since(changes.next_cursor());
  ASSERT_THAT(Call(&Stub::ListBudgetChanges, feed, &after), IsOk());
  EXPECT_TRUE(after.changes().empty());
}

TEST_F(BudgetsTest, VersionsMoveFromDraftToApprovedAndReviseIntoANewDraft) {
  v1::Budget budget = CleanBudget();
  v1::CreateBudgetRequest second;
  second.set_parent("actions/fa3");
  second.mutable_budget()->set_year(2023);
  second.mutable_budget()->set_kind(v1::BUDGET_KIND_FORECAST);
  v1::Budget ignored;
  absl::Status draft_exists = Call(&Stub::CreateBudget, second, &ignored);
  EXPECT_EQ(Reason(draft_exists), "DRAFT_EXISTS");
  EXPECT_EQ(GetErrorInfo(draft_exists)->metadata().at("draft"), budget.name());

  v1::ApproveBudgetRequest approve;
  approve.set_name(budget.name());
  EXPECT_EQ(Reason(Call(&Stub::ApproveBudget, approve, &ignored)), "INVALID_STATE_TRANSITION");

  v1::ValidateBudgetRequest validate;
  validate.set_name(budget.name());
  v1::ValidateBudgetResponse findings;
  ASSERT_THAT(Call(&Stub::ValidateBudget, validate, &findings), IsOk());
  EXPECT_EQ(findings.error_count(), 0) << findings.DebugString();
  v1::SubmitBudgetRequest submit;
  submit.set_name(budget.name());
  submit.set_etag(findings.etag());
  v1::Budget submitted;
  ASSERT_THAT(Call(&Stub::SubmitBudget, submit, &submitted), IsOk());
  EXPECT_EQ(submitted.state(), v1::BUDGET_STATE_SUBMITTED);
  EXPECT_TRUE(submitted.has_submit_time());

  // Frozen: neither the budget nor its lines change.
  v1::UpdateBudgetRequest update;
  update.mutable_budget()->set_name(budget.name());
  update.mutable_budget()->set_title("x");
  EXPECT_EQ(Reason(Call(&Stub::UpdateBudget, update, &ignored)), "BUDGET_NOT_EDITABLE");
  v1::CreateBudgetLineRequest line;
  line.set_parent(budget.name());
  line.mutable_budget_line()->set_side(v1::SIDE_CHARGE);
  line.mutable_budget_line()->set_label("x");
  v1::BudgetLine created;
  EXPECT_EQ(Reason(Call(&Stub::CreateBudgetLine, line, &created)), "BUDGET_NOT_EDITABLE");

  approve.set_approval_note("Dijon Métropole, conseil du 12/04/2023");
  v1::Budget approved;
  ASSERT_THAT(Call(&Stub::ApproveBudget, approve, &approved), IsOk());
  EXPECT_EQ(approved.state(), v1::BUDGET_STATE_APPROVED);
  EXPECT_EQ(approved.approval_note(), "Dijon Métropole, conseil du 12/04/2023");
  v1::DeleteBudgetRequest del;
  del.set_name(budget.name());
  google::protobuf::Empty empty;
  EXPECT_EQ(Reason(Call(&Stub::DeleteBudget, del, &empty)), "BUDGET_NOT_EDITABLE");

  v1::ReviseBudgetRequest revise;
  revise.set_name(budget.name());
  revise.set_title("Budget 2023 révisé");
  v1::Budget revision;
  ASSERT_THAT(Call(&Stub::ReviseBudget, revise, &revision), IsOk());
  EXPECT_EQ(revision.version(), 2);
  EXPECT_EQ(revision.state(), v1::BUDGET_STATE_DRAFT);
  EXPECT_TRUE(revision.latest());
  EXPECT_EQ(revision.source().origin(), v1::BUDGET_ORIGIN_REVISION);
  EXPECT_EQ(revision.source().revised_from(), budget.name());
  EXPECT_EQ(revision.computed_totals().SerializeAsString(),
            approved.computed_totals().SerializeAsString());
  EXPECT_FALSE(Get(budget.name()).latest());
  EXPECT_EQ(Get(budget.name()).state(), v1::BUDGET_STATE_APPROVED);
  EXPECT_EQ(Reason(Call(&Stub::ReviseBudget, revise, &ignored)), "DRAFT_EXISTS");
  revise.set_name(revision.name());
  EXPECT_EQ(Reason(Call(&Stub::ReviseBudget, revise, &ignored)), "INVALID_STATE_TRANSITION");

  v1::ListBudgetsRequest list;
  list.set_parent("actions/-");
  list.set_filter("year = 2023 AND latest = true");
  v1::ListBudgetsResponse budgets;
  ASSERT_THAT(Call(&Stub::ListBudgets, list, &budgets), IsOk());
  ASSERT_EQ(budgets.budgets_size(), 1);
  EXPECT_EQ(budgets.budgets(0).name(), revision.name());
}

TEST_F(BudgetsTest, UpdatesStatedTotalsOfADraftByMask) {
  v1::Budget budget = CleanBudget();
  v1::UpdateBudgetRequest update;
  update.mutable_budget()->set_name(budget.name());
  update.mutable_budget()->mutable_stated_totals()->set_charges_cents(999);
  update.mutable_budget()->set_title("not in the mask");
  update.mutable_update_mask()->add_paths("stated_totals.charges_cents");
  update.mutable_budget()->set_etag(budget.etag());
  v1::Budget updated;
  ASSERT_THAT(Call(&Stub::UpdateBudget, update, &updated), IsOk());
  EXPECT_EQ(updated.stated_totals().charges_cents(), 999);
  EXPECT_FALSE(updated.stated_totals().has_income_cents());
  EXPECT_EQ(updated.title(), "Budget 2023");
  // An output-only path is ignored; an immutable one is refused.
  update.mutable_update_mask()->set_paths(0, "version");
  update.mutable_budget()->set_version(7);
  update.mutable_budget()->set_etag(updated.etag());
  ASSERT_THAT(Call(&Stub::UpdateBudget, update, &updated), IsOk());
  EXPECT_EQ(updated.version(), budget.version());
  update.mutable_update_mask()->set_paths(0, "year");
  EXPECT_EQ(Call(&Stub::UpdateBudget, update, &updated).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(BudgetServiceTest, SeedTablesImportAsWrittenAndSubmissionListsTheirErrors) {
  CreateSeedAction();
  v1::ImportBudgetTableResponse imported = ImportSeedTable(2023);
  EXPECT_EQ(imported.lines_created(), 19);
  EXPECT_EQ(imported.rows_read(), 18);
  EXPECT_EQ(imported.budget().source().origin(), v1::BUDGET_ORIGIN_IMPORT);
  EXPECT_EQ(imported.budget().stated_totals().charges_cents(), 600000);
  EXPECT_EQ(imported.budget().computed_totals().charges_cents(), 1000000);
  EXPECT_EQ(imported.budget().computed_totals().income_cents(), 600000);
  EXPECT_EQ(imported.lines(16).funder_id(), "dijon-metropole");
  EXPECT_EQ(imported.lines(16).source_row(), 5);
  std::vector<std::string> rules;
  for (const auto& f : imported.findings()) {
    if (f.severity() == v1::SEVERITY_ERROR) rules.push_back(v1::FindingRule_Name(f.rule()));
  }
  EXPECT_THAT(rules,
              ElementsAre("FINDING_RULE_DETAIL_SUM_MISMATCH", "FINDING_RULE_DUPLICATE_CHAPTER",
                          "FINDING_RULE_CHAPTERS_SUM_MISMATCH", "FINDING_RULE_UNBALANCED",
                          "FINDING_RULE_ANNOUNCED_AMOUNT_MISMATCH"));
  EXPECT_EQ(imported.findings(0).lines(0), imported.lines(9).name());

  v1::ValidateBudgetRequest validate;
  validate.set_name(imported.budget().name());
  validate.set_minimum_severity(v1::SEVERITY_ERROR);
  v1::ValidateBudgetResponse validated;
  ASSERT_THAT(Call(&v1::BudgetService::Stub::ValidateBudget, validate, &validated), IsOk());
  EXPECT_EQ(validated.findings_size(), 5);
  EXPECT_EQ(validated.error_count(), 5);
  EXPECT_EQ(validated.warning_count(), 6);

  v1::SubmitBudgetRequest submit;
  submit.set_name(imported.budget().name());
  v1::Budget ignored;
  absl::Status refused = Call(&v1::BudgetService::Stub::SubmitBudget, submit, &ignored);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(refused), "BUDGET_HAS_ERRORS");
  auto failure = GetPreconditionFailure(refused);
  ASSERT_TRUE(failure.has_value());
  ASSERT_EQ(failure->violations_size(), 5);
  EXPECT_EQ(failure->violations(0).type(), "FINDING_RULE_DETAIL_SUM_MISMATCH");
  EXPECT_EQ(failure->violations(0).subject(), imported.lines(9).name());
  EXPECT_THAT(failure->violations(0).description(), HasSubstr("Le chapitre 64 indique 9"));
  EXPECT_EQ(failure->violations(4).subject(), imported.budget().name());

  // 2024 differs from 2023: only the duplicate chapter and the announced amount remain.
  v1::ImportBudgetTableResponse y2024 = ImportSeedTable(2024);
  rules.clear();
  for (const auto& f : y2024.findings()) {
    if (f.severity() == v1::SEVERITY_ERROR) rules.push_back(v1::FindingRule_Name(f.rule()));
  }
  EXPECT_THAT(rules, ElementsAre("FINDING_RULE_DUPLICATE_CHAPTER",
                                 "FINDING_RULE_ANNOUNCED_AMOUNT_MISMATCH"));
}

TEST_F(BudgetServiceTest, AnImportReplayedWithItsRequestIdCreatesNothingTwice) {
  CreateSeedAction();
  v1::ImportBudgetTableRequest request;
  request.set_parent("actions/fa3");
  request.set_table(SeedTable(2025));
  request.set_year(2025);
  request.set_kind(v1::BUDGET_KIND_FORECAST);
  request.set_request_id("1b4e28ba-2fa1-41d2-883f-0016d3cca427");
  v1::ImportBudgetTableResponse first, replay;
  ASSERT_THAT(Call(&v1::BudgetService::Stub::ImportBudgetTable, request, &first), IsOk());
  ASSERT_THAT(Call(&v1::BudgetService::Stub::ImportBudgetTable, request, &replay), IsOk());
  EXPECT_EQ(replay.budget().name(), first.budget().name());
  EXPECT_EQ(replay.lines_created(), 19);
  // Without the request id the same import is a second draft of 2025: refused.
  request.clear_request_id();
  absl::Status again = Call(&v1::BudgetService::Stub::ImportBudgetTable, request, &replay);
  EXPECT_EQ(Reason(again), "DRAFT_EXISTS");
  v1::ListBudgetsRequest list;
  list.set_parent("actions/fa3");
  v1::ListBudgetsResponse budgets;
  ASSERT_THAT(Call(&v1::BudgetService::Stub::ListBudgets, list, &budgets), IsOk());
  EXPECT_EQ(budgets.budgets_size(), 1);
}

TEST_F(BudgetServiceTest, AnUnreadableTableWritesNothingAndValidateOnlyReports) {
  CreateSeedAction();
  v1::ImportBudgetTableRequest request;
  request.set_parent("actions/fa3");
  request.set_table("DÉPENSES\t\tRECETTES\t\n60 - Achats\tdouze\t\t\n\t500\t74 - Subventions\t1\n");
  request.set_year(2023);
  request.set_kind(v1::BUDGET_KIND_FORECAST);
  v1::ImportBudgetTableResponse response;
  absl::Status status = Call(&v1::BudgetService::Stub::ImportBudgetTable, request, &response);
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(status), "TABLE_UNREADABLE");
  auto bad = GetBadRequest(status);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 2);
  EXPECT_EQ(bad->field_violations(0).field(), "table");
  EXPECT_THAT(bad->field_violations(0).description(), HasSubstr("row 2, column 2"));
  EXPECT_THAT(bad->field_violations(1).description(), HasSubstr("row 3, column 1"));
  v1::ListBudgetsRequest list;
  list.set_parent("actions/fa3");
  v1::ListBudgetsResponse budgets;
  ASSERT_THAT(Call(&v1::BudgetService::Stub::ListBudgets, list, &budgets), IsOk());
  EXPECT_EQ(budgets.budgets_size(), 0);

  request.set_validate_only(true);
  ASSERT_THAT(Call(&v1::BudgetService::Stub::ImportBudgetTable, request, &response), IsOk());
  int errors = 0;
  for (const auto& issue : response.issues()) {
    errors += issue.severity() == v1::IMPORT_ISSUE_SEVERITY_ERROR;
  }
  EXPECT_EQ(errors, 2);
  request.set_table(SeedTable(2023));
  ASSERT_THAT(Call(&v1::BudgetService::Stub::ImportBudgetTable, request, &response), IsOk());
  EXPECT_EQ(response.lines_size(), 19);
  EXPECT_TRUE(response.budget().name().empty());
  EXPECT_EQ(response.findings_size(), 11);
  ASSERT_THAT(Call(&v1::BudgetService::Stub::ListBudgets, list, &budgets), IsOk());
  EXPECT_EQ(budgets.budgets_size(), 0);
}

// The import report speaks French to people (fr-FR): each issue, and a summary, for a dry run
// and for an import that writes.
TEST_F(BudgetServiceTest, ImportReportsCarryFrenchMessages) {
  CreateSeedAction();
  v1::ImportBudgetTableRequest request;
  request.set_parent("actions/fa3");
  request.set_table("DÉPENSES\t\tRECETTES\t\n60 - Achats\tdouze\t\t\n");
  request.set_year(2023);
  request.set_kind(v1::BUDGET_KIND_FORECAST);
  request.set_validate_only(true);
  v1::ImportBudgetTableResponse response;
  ASSERT_THAT(Call(&v1::BudgetService::Stub::ImportBudgetTable, request, &response), IsOk());
  bool unreadable = false;
  for (const auto& issue : response.issues()) {
    EXPECT_EQ(issue.localized_message().locale(), "fr-FR") << issue.message();
    if (issue.reason() == v1::IMPORT_ISSUE_REASON_UNREADABLE_AMOUNT) {
      unreadable = true;
      EXPECT_THAT(issue.localized_message().message(),
                  HasSubstr("Ligne 2, colonne 2 : montant illisible"));
      EXPECT_THAT(issue.localized_message().message(), HasSubstr("« douze »"));
    }
  }
  EXPECT_TRUE(unreadable);
  EXPECT_EQ(response.summary().locale(), "fr-FR");
  EXPECT_THAT(response.summary().message(),
              HasSubstr("Vérification (rien n'est écrit) du tableau : 2 lignes lues"));
  EXPECT_THAT(response.summary().message(), HasSubstr("1 erreur"));

  request.set_validate_only(false);
  request.set_table(SeedTable(2023));
  ASSERT_THAT(Call(&v1::BudgetService::Stub::ImportBudgetTable, request, &response), IsOk());
  EXPECT_THAT(response.summary().message(),
              HasSubstr("lignes lues, 19 lignes de budget créées ; 0 erreur"));
  EXPECT_THAT(response.summary().message(), ::testing::StartsWith("Tableau importé : "));
}

TEST_F(BudgetServiceTest, ServesTheChartOfAccounts) {
  v1::ListAccountsRequest list;
  list.set_page_size(1000);
  v1::ListAccountsResponse accounts;
  ASSERT_THAT(Call(&v1::BudgetService::Stub::ListAccounts, list, &accounts), IsOk());
  EXPECT_EQ(accounts.accounts_size(), 52);
  EXPECT_EQ(accounts.accounts(0).code(), "60");
  list.set_filter("side = INCOME AND is_chapter = true");
  ASSERT_THAT(Call(&v1::BudgetService::Stub::ListAccounts, list, &accounts), IsOk());
  EXPECT_EQ(accounts.accounts_size(), 11);  // 70 to 79 and 87
  v1::GetAccountRequest get;
  get.set_name("accounts/613");
  v1::Account account;
  ASSERT_THAT(Call(&v1::BudgetService::Stub::GetAccount, get, &account), IsOk());
  EXPECT_EQ(account.label(), "Locations");
  EXPECT_THAT(account.label_hints(), ElementsAre("location", "loyer", "salle"));
  get.set_name("accounts/999");
  EXPECT_EQ(Reason(Call(&v1::BudgetService::Stub::GetAccount, get, &account)), "ACCOUNT_NOT_FOUND");
}

// The budget writes answer from their own statement (an INSERT or UPDATE returning the row,
// the line written with the totals): each answer equals what a Get reads right after. A create
// refused (unknown or archived action, a draft already there) writes nothing.
TEST_F(BudgetServiceTest, EveryBudgetWriteAnswersWhatAGetReadsNext) {
  auto expect_as_read = [&](const auto& answered, const std::string& what) {
    using Message = std::decay_t<decltype(answered)>;
    Message read;
    if constexpr (std::is_same_v<Message, v1::Budget>) {
      v1::GetBudgetRequest get;
      get.set_name(answered.name());
      ASSERT_THAT(Call(&Stub::GetBudget, get, &read), IsOk()) << what;
    } else if constexpr (std::is_same_v<Message, v1::Grant>) {
      v1::GetGrantRequest get;
      get.set_name(answered.name());
      ASSERT_THAT(Call(&Stub::GetGrant, get, &read), IsOk()) << what;
    } else {
      v1::GetBudgetLineRequest get;
      get.set_name(answered.name());
      ASSERT_THAT(Call(&Stub::GetBudgetLine, get, &read), IsOk()) << what;
    }
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(answered, read))
        << what << "\nanswered: " << answered.DebugString() << "\nread: " << read.DebugString();
  };
  auto count_budgets = [&] {
    return *pool_->ReadOnly<int64_t>(Deadline(), [](pqxx::work& txn) -> absl::StatusOr<int64_t> {
      return txn.exec("SELECT count(*) FROM budgets")[0][0].as<int64_t>();
    });
  };
  v1::CreateActionRequest create_action;
  *create_action.mutable_action() = SeedAction();
  create_action.mutable_action()->set_code("S0");
  create_action.set_action_id("submit-0");
  v1::Action action;
  ASSERT_THAT(Call(&Stub::CreateAction, create_action, &action), IsOk());

  v1::CreateBudgetRequest create;
  create.set_parent(action.name());
  create.mutable_budget()->set_year(2000);
  create.mutable_budget()->set_kind(v1::BUDGET_KIND_FORECAST);
  create.mutable_budget()->set_title("Budget");
  v1::Budget budget;
  ASSERT_THAT(Call(&Stub::CreateBudget, create, &budget), IsOk());
  EXPECT_TRUE(budget.latest());
  EXPECT_EQ(budget.version(), 1);
  expect_as_read(budget, "CreateBudget");

  v1::UpdateBudgetRequest update;
  update.mutable_budget()->set_name(budget.name());
  update.mutable_budget()->set_title("Budget 2000");
  update.mutable_update_mask()->add_paths("title");
  ASSERT_THAT(Call(&Stub::UpdateBudget, update, &budget), IsOk());
  expect_as_read(budget, "UpdateBudget");

  auto add_line = [&](v1::Side side, const std::string& code, int64_t cents,
                      const std::string& chapter) {
    v1::CreateBudgetLineRequest request;
    request.set_parent(budget.name());
    v1::BudgetLine* line = request.mutable_budget_line();
    line->set_side(side);
    line->set_account_code(code);
    line->set_is_chapter(chapter.empty() && code.size() == 2);
    line->set_chapter_line(chapter);
    line->set_label(code == "74" ? "Subventions" : "Services");
    line->set_amount_cents(cents);
    if (code == "74") line->set_funder_id("dijon-metropole");
    v1::BudgetLine created;
    EXPECT_THAT(Call(&Stub::CreateBudgetLine, request, &created), IsOk());
    expect_as_read(created, "CreateBudgetLine " + code);
    return created;
  };
  v1::BudgetLine services = add_line(v1::SIDE_CHARGE, "62", 5000, "");
  v1::BudgetLine detail = add_line(v1::SIDE_CHARGE, "622", 5000, services.name());
  add_line(v1::SIDE_INCOME, "74", 5000, "");
  v1::UpdateBudgetLineRequest update_line;
  update_line.mutable_budget_line()->set_name(detail.name());
  update_line.mutable_budget_line()->set_label("Honoraires");
  update_line.mutable_update_mask()->add_paths("label");
  ASSERT_THAT(Call(&Stub::UpdateBudgetLine, update_line, &detail), IsOk());
  expect_as_read(detail, "UpdateBudgetLine");
  EXPECT_EQ(detail.effective_account_code(), "622");

  v1::SubmitBudgetRequest submit;
  submit.set_name(budget.name());
  ASSERT_THAT(Call(&Stub::SubmitBudget, submit, &budget), IsOk());
  expect_as_read(budget, "SubmitBudget");
  EXPECT_EQ(budget.computed_totals().line_count(), 3);
  v1::ApproveBudgetRequest approve;
  approve.set_name(budget.name());
  approve.set_approval_note("Validé");
  ASSERT_THAT(Call(&Stub::ApproveBudget, approve, &budget), IsOk());
  expect_as_read(budget, "ApproveBudget");
  v1::ReviseBudgetRequest revise;
  revise.set_name(budget.name());
  v1::Budget revised;
  ASSERT_THAT(Call(&Stub::ReviseBudget, revise, &revised), IsOk());
  EXPECT_TRUE(revised.latest());
  EXPECT_EQ(revised.version(), 2);
  expect_as_read(revised, "ReviseBudget");

  v1::CreateGrantRequest create_grant;
  create_grant.set_parent(action.name());
  v1::Grant* grant = create_grant.mutable_grant();
  grant->set_funder_id("dijon-metropole");
  grant->set_year(2024);
  grant->set_state(v1::GRANT_STATE_REQUESTED);
  grant->set_requested_amount_cents(100000);
  grant->mutable_request_date()->set_year(2024);
  grant->mutable_request_date()->set_month(1);
  grant->mutable_request_date()->set_day(15);
  v1::Grant created_grant;
  ASSERT_THAT(Call(&Stub::CreateGrant, create_grant, &created_grant), IsOk());
  expect_as_read(created_grant, "CreateGrant");
  v1::UpdateGrantRequest update_grant;
  update_grant.mutable_grant()->set_name(created_grant.name());
  update_grant.mutable_grant()->set_note("Relance");
  update_grant.mutable_update_mask()->add_paths("note");
  ASSERT_THAT(Call(&Stub::UpdateGrant, update_grant, &created_grant), IsOk());
  expect_as_read(created_grant, "UpdateGrant");
  EXPECT_EQ(created_grant.etag(), "2");

  // Refusals write nothing: a draft is there, no such action, an archived action.
  const int64_t budgets = count_budgets();
  create.mutable_budget()->set_year(2000);
  v1::Budget ignored;
  EXPECT_EQ(Reason(Call(&Stub::CreateBudget, create, &ignored)), "DRAFT_EXISTS");
  create.set_parent("actions/nowhere");
  EXPECT_EQ(Reason(Call(&Stub::CreateBudget, create, &ignored)), "ACTION_NOT_FOUND");
  v1::UpdateActionRequest archive;
  archive.mutable_action()->set_name(action.name());
  archive.mutable_action()->set_state(v1::ACTION_STATE_ARCHIVED);
  archive.mutable_update_mask()->add_paths("state");
  ASSERT_THAT(Call(&Stub::UpdateAction, archive, &action), IsOk());
  create.set_parent(action.name());
  create.mutable_budget()->set_year(2001);
  EXPECT_EQ(Reason(Call(&Stub::CreateBudget, create, &ignored)), "ACTION_ARCHIVED");
  EXPECT_EQ(count_budgets(), budgets);
}

}  // namespace
}  // namespace maillage::budget::testing
