// Integration tests of the comparisons and documents: DiffBudgetVersions, GetFinancialReport,
// ExportBudget (CSV read back by the importer, XLSX unzipped), and grants.
#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "services/budget/budget_test_server.h"

using maillage::testing::IsOk;

namespace maillage::budget::testing {
namespace {

using Stub = v1::BudgetService::Stub;
using ::testing::HasSubstr;

class DocumentsTest : public BudgetServiceTest {
 protected:
  void SetUp() override {
    BudgetServiceTest::SetUp();
    CreateSeedAction();
    forecast_ = ImportSeedTable(2024);
  }

  // A new draft version copied from `budget` (submitted or approved).
  v1::Budget Revise(const std::string& budget) {
    v1::ReviseBudgetRequest revise;
    revise.set_name(budget);
    v1::Budget draft;
    EXPECT_THAT(Call(&Stub::ReviseBudget, revise, &draft), IsOk());
    return draft;
  }

  std::string Export(const std::string& name, v1::ExportFormat format, v1::ExportLayout layout,
                     std::string* content_type = nullptr) {
    v1::ExportBudgetRequest request;
    request.set_name(name);
    request.set_format(format);
    request.set_layout(layout);
    google::api::HttpBody body;
    absl::Status status = Call(&Stub::ExportBudget, request, &body);
    EXPECT_THAT(status, IsOk()) << status;
    if (content_type) *content_type = body.content_type();
    return body.data();
  }

  v1::ImportBudgetTableResponse forecast_;
};

TEST_F(DocumentsTest, ExportedCerfaCsvReadsBackAsTheSameTable) {
  std::string type;
  std::string csv = Export(forecast_.budget().name(), v1::EXPORT_FORMAT_CSV,
                           v1::EXPORT_LAYOUT_CERFA_12156, &type);
  EXPECT_EQ(type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_THAT(csv, HasSubstr("64 - Charges de personnel;5\xE2\x80\xAF"
                             "400\xE2\x80\xAF\xE2\x82\xAC;"));
  EXPECT_THAT(csv, HasSubstr("TOTAL DES CHARGES;6\xE2\x80\xAF"
                             "000\xE2\x80\xAF\xE2\x82\xAC;"
                             "TOTAL DES PRODUITS;6\xE2\x80\xAF"
                             "000\xE2\x80\xAF\xE2\x82\xAC\r\n"));

  v1::ImportBudgetTableRequest reimport;
  reimport.set_parent("actions/fa3");
  reimport.set_table(csv);
  reimport.set_year(2024);
  reimport.set_kind(v1::BUDGET_KIND_FORECAST);
  reimport.set_layout(v1::IMPORT_LAYOUT_CERFA_12156);
  reimport.set_validate_only(true);
  v1::ImportBudgetTableResponse back;
  ASSERT_THAT(Call(&Stub::ImportBudgetTable, reimport, &back), IsOk());
  ASSERT_EQ(back.lines_size(), forecast_.lines_size());
  for (int i = 0; i < back.lines_size(); ++i) {
    const v1::BudgetLine& a = forecast_.lines(i);
    const v1::BudgetLine& b = back.lines(i);
    EXPECT_EQ(a.side(), b.side()) << i;
    EXPECT_EQ(a.account_code(), b.account_code()) << i;
    EXPECT_EQ(a.label(), b.label()) << i;
    EXPECT_EQ(a.has_amount_cents(), b.has_amount_cents()) << i;
    EXPECT_EQ(a.amount_cents(), b.amount_cents()) << i;
    EXPECT_EQ(a.is_chapter(), b.is_chapter()) << i;
    EXPECT_EQ(a.effective_account_code(), b.effective_account_code()) << i;
  }
  EXPECT_EQ(back.budget().stated_totals().SerializeAsString(),
            forecast_.budget().stated_totals().SerializeAsString());
  EXPECT_EQ(back.findings_size(), forecast_.findings_size());
}

TEST_F(DocumentsTest, ExportedXlsxHoldsTheFigures) {
  std::string type;
  std::string xlsx = Export(forecast_.budget().name(), v1::EXPORT_FORMAT_XLSX,
                            v1::EXPORT_LAYOUT_CERFA_12156, &type);
  EXPECT_EQ(type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  ASSERT_EQ(xlsx.substr(0, 2), "PK");
  std::string path = ::testing::TempDir() + "/budget_export.xlsx";
  std::ofstream(path, std::ios::binary) << xlsx;
  auto unzip = [&](const std::string& member) {
    std::string command = absl::StrCat("unzip -p '", path, "' ", member);
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    char buffer[4096];
    for (size_t n; pipe && (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    if (pipe) pclose(pipe);
    return out;
  };
  std::string sheet = unzip("xl/worksheets/sheet1.xml");
  std::string strings = unzip("xl/sharedStrings.xml");
  EXPECT_THAT(sheet, HasSubstr("<v>5400</v>"));
  EXPECT_THAT(sheet, HasSubstr("<v>3856</v>"));
  EXPECT_THAT(sheet, HasSubstr("<v>6000</v>"));
  EXPECT_THAT(strings, HasSubstr("64 - Charges de personnel"));
  EXPECT_THAT(strings, HasSubstr("TOTAL DES PRODUITS"));
  EXPECT_THAT(unzip("xl/styles.xml"), HasSubstr("#,##0 &quot;\xE2\x82\xAC&quot;"));
  std::remove(path.c_str());
}

TEST_F(DocumentsTest, FinancialReportComparesForecastWithActualPerChapter) {
  v1::CreateBudgetRequest create;
  create.set_parent("actions/fa3");
  create.mutable_budget()->set_year(2024);
  create.mutable_budget()->set_kind(v1::BUDGET_KIND_ACTUAL);
  create.mutable_budget()->set_note("Année de lancement.");
  v1::Budget actual;
  ASSERT_THAT(Call(&Stub::CreateBudget, create, &actual), IsOk());
  v1::CreateBudgetLineRequest line;
  line.set_parent(actual.name());
  line.mutable_budget_line()->set_side(v1::SIDE_CHARGE);
  line.mutable_budget_line()->set_account_code("64");
  line.mutable_budget_line()->set_label("Charges de personnel");
  line.mutable_budget_line()->set_is_chapter(true);
  line.mutable_budget_line()->set_amount_cents(486000);
  line.mutable_budget_line()->set_note("Moins d'heures que prévu");
  v1::BudgetLine created;
  ASSERT_THAT(Call(&Stub::CreateBudgetLine, line, &created), IsOk());
  line.mutable_budget_line()->set_account_code("65");
  line.mutable_budget_line()->set_label("Autres charges de gestion courante");
  line.mutable_budget_line()->set_amount_cents(10000);
  line.mutable_budget_line()->clear_note();
  ASSERT_THAT(Call(&Stub::CreateBudgetLine, line, &created), IsOk());

  v1::GetFinancialReportRequest request;
  request.set_action("actions/fa3");
  request.set_year(2024);
  v1::FinancialReport report;
  ASSERT_THAT(Call(&Stub::GetFinancialReport, request, &report), IsOk());
  EXPECT_EQ(report.forecast_budget(), forecast_.budget().name());
  EXPECT_EQ(report.actual_budget(), actual.name());
  EXPECT_EQ(report.comment(), "Année de lancement.");
  const v1::FinancialReportRow* staff = nullptr;
  const v1::FinancialReportRow* other = nullptr;
  for (const auto& row : report.rows()) {
    if (row.is_chapter() && row.account_code() == "64") staff = &row;
    if (row.account_code() == "65") other = &row;
  }
  ASSERT_NE(staff, nullptr);
  EXPECT_EQ(staff->forecast_cents(), 540000);
  EXPECT_EQ(staff->actual_cents(), 486000);
  EXPECT_EQ(staff->gap_cents(), -54000);
  EXPECT_EQ(staff->gap_basis_points(), -1000);
  EXPECT_EQ(staff->explanation(), "Moins d'heures que prévu");
  ASSERT_NE(other, nullptr);
  EXPECT_FALSE(other->has_forecast_cents());
  EXPECT_FALSE(other->has_gap_basis_points());
  EXPECT_EQ(report.rows(0).account_code(), "60");  // forecast order first

  std::string csv =
      Export(actual.name(), v1::EXPORT_FORMAT_CSV, v1::EXPORT_LAYOUT_FINANCIAL_REPORT_15059);
  EXPECT_THAT(csv, HasSubstr("64;Charges de personnel;5\xE2\x80\xAF"
                             "400\xE2\x80\xAF\xE2\x82\xAC;"
                             "4\xE2\x80\xAF"
                             "860\xE2\x80\xAF\xE2\x82\xAC;'-540\xE2\x80\xAF\xE2\x82\xAC;"
                             "'-10,00\xE2\x80\xAF%;Moins d'heures que prévu\r\n"))
      << "negative gaps start with '-': neutralised like any cell a spreadsheet would run";
  std::string xlsx =
      Export(actual.name(), v1::EXPORT_FORMAT_XLSX, v1::EXPORT_LAYOUT_FINANCIAL_REPORT_15059);
  EXPECT_EQ(xlsx.substr(0, 2), "PK");

  // The actual budget's own validation sees the unexplained 65 gap, not the explained 64 one.
  v1::ValidateBudgetRequest validate;
  validate.set_name(actual.name());
  v1::ValidateBudgetResponse findings;
  ASSERT_THAT(Call(&Stub::ValidateBudget, validate, &findings), IsOk());
  std::vector<std::string> gaps;
  for (const auto& f : findings.findings()) {
    if (f.rule() == v1::FINDING_RULE_GAP_NOT_EXPLAINED) gaps.push_back(f.account_code());
  }
  EXPECT_THAT(gaps, ::testing::ElementsAre("65"));
}

TEST_F(DocumentsTest, DiffPairsRevisedLinesByLineage) {
  // The 2024 table with its error-level mistakes corrected (subsidies in 74, no second 70),
  // imported as an actual budget so that it can be submitted.
  std::string table = SeedTable(2024);
  table.replace(table.find("70 - Prestations"), strlen("70 - Prestations"), "75 - Cotisations");
  table.replace(table.find("70 - Subventions"), strlen("70 - Subventions"), "74 - Subventions");
  v1::UpdateActionRequest update;
  update.mutable_action()->set_name("actions/fa3");
  update.mutable_action()->add_years()->set_year(2024);
  update.mutable_update_mask()->add_paths("years");
  v1::Action action;
  ASSERT_THAT(Call(&Stub::UpdateAction, update, &action), IsOk());
  v1::ImportBudgetTableRequest import;
  import.set_parent("actions/fa3");
  import.set_table(table);
  import.set_year(2024);
  import.set_kind(v1::BUDGET_KIND_ACTUAL);
  v1::ImportBudgetTableResponse clean;
  ASSERT_THAT(Call(&Stub::ImportBudgetTable, import, &clean), IsOk());
  v1::SubmitBudgetRequest submit;
  submit.set_name(clean.budget().name());
  v1::Budget submitted;
  absl::Status status = Call(&Stub::SubmitBudget, submit, &submitted);
  ASSERT_THAT(status, IsOk()) << status;
  v1::Budget draft = Revise(clean.budget().name());

  v1::ListBudgetLinesRequest list;
  list.set_parent(draft.name());
  list.set_filter("account_code = \"64\"");
  v1::ListBudgetLinesResponse lines;
  ASSERT_THAT(Call(&Stub::ListBudgetLines, list, &lines), IsOk());
  ASSERT_EQ(lines.budget_lines_size(), 1);
  v1::UpdateBudgetLineRequest change;
  *change.mutable_budget_line() = lines.budget_lines(0);
  change.mutable_budget_line()->set_amount_cents(600000);
  change.mutable_budget_line()->set_label("Personnel");
  change.mutable_update_mask()->add_paths("amount_cents");
  change.mutable_update_mask()->add_paths("label");
  v1::BudgetLine changed;
  ASSERT_THAT(Call(&Stub::UpdateBudgetLine, change, &changed), IsOk());
  v1::DeleteBudgetLineRequest del;
  google::protobuf::Empty empty;
  list.set_filter("");
  ASSERT_THAT(Call(&Stub::ListBudgetLines, list, &lines), IsOk());
  del.set_name(lines.budget_lines(1).name());  // "Location salles"
  ASSERT_THAT(Call(&Stub::DeleteBudgetLine, del, &empty), IsOk());

  v1::DiffBudgetVersionsRequest diff;
  diff.set_base_budget(clean.budget().name());
  diff.set_target_budget(draft.name());
  v1::DiffBudgetVersionsResponse response;
  ASSERT_THAT(Call(&Stub::DiffBudgetVersions, diff, &response), IsOk());
  ASSERT_EQ(response.changes_size(), 2);
  EXPECT_EQ(response.changes(0).kind(), v1::LINE_CHANGE_KIND_CHANGED);
  EXPECT_EQ(response.changes(0).difference_cents(), 60000);
  EXPECT_THAT(response.changes(0).changed_fields(),
              ::testing::ElementsAre("amount_cents", "label"));
  EXPECT_EQ(response.changes(1).kind(), v1::LINE_CHANGE_KIND_REMOVED);
  EXPECT_EQ(response.changes(1).base_line().label(), "Location salles");
  EXPECT_EQ(response.target_totals().charges_cents(), 660000);
  diff.set_include_unchanged(true);
  ASSERT_THAT(Call(&Stub::DiffBudgetVersions, diff, &response), IsOk());
  EXPECT_EQ(response.changes_size(), 19);
}

TEST_F(DocumentsTest, GrantsMoveForwardOnly) {
  v1::CreateGrantRequest create;
  create.set_parent("actions/fa3");
  v1::Grant* grant = create.mutable_grant();
  grant->set_funder_id("dijon-metropole");
  grant->set_year(2024);
  grant->set_state(v1::GRANT_STATE_NOTIFIED);
  grant->set_requested_amount_cents(600000);
  v1::Grant created;
  absl::Status missing = Call(&Stub::CreateGrant, create, &created);
  ASSERT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetBadRequest(missing)->field_violations_size(), 3);  // both dates and the amount
  grant->mutable_request_date()->set_year(2024);
  grant->mutable_request_date()->set_month(1);
  grant->mutable_request_date()->set_day(15);
  *grant->mutable_notify_date() = grant->request_date();
  grant->mutable_notify_date()->set_month(4);
  grant->set_notified_amount_cents(600000);
  grant->set_funder_id("region");
  EXPECT_EQ(Reason(Call(&Stub::CreateGrant, create, &created)), "FUNDER_NOT_FOUND");
  grant->set_funder_id("dijon-metropole");
  ASSERT_THAT(Call(&Stub::CreateGrant, create, &created), IsOk());
  EXPECT_EQ(created.name(), "actions/fa3/grants/1");

  v1::UpdateGrantRequest pay;
  *pay.mutable_grant() = created;
  pay.mutable_grant()->set_state(v1::GRANT_STATE_PAID);
  for (int64_t cents : {300000, 400000}) {
    v1::Instalment* i = pay.mutable_grant()->add_instalments();
    *i->mutable_paid_date() = created.notify_date();
    i->set_amount_cents(cents);
  }
  pay.mutable_update_mask()->add_paths("state");
  pay.mutable_update_mask()->add_paths("instalments");
  v1::Grant paid;
  EXPECT_EQ(Call(&Stub::UpdateGrant, pay, &paid).code(), absl::StatusCode::kInvalidArgument);
  pay.mutable_grant()->mutable_instalments(1)->set_amount_cents(300000);
  ASSERT_THAT(Call(&Stub::UpdateGrant, pay, &paid), IsOk());
  EXPECT_EQ(paid.paid_amount_cents(), 600000);
  EXPECT_EQ(paid.state(), v1::GRANT_STATE_PAID);
  EXPECT_EQ(paid.etag(), "2");

  v1::UpdateGrantRequest back;
  *back.mutable_grant() = paid;
  back.mutable_grant()->set_state(v1::GRANT_STATE_NOTIFIED);
  back.mutable_update_mask()->add_paths("state");
  EXPECT_EQ(Reason(Call(&Stub::UpdateGrant, back, &paid)), "INVALID_STATE_TRANSITION");

  v1::ListGrantsRequest list;
  list.set_parent("actions/-");
  list.set_filter("year = 2024 AND state = PAID");
  v1::ListGrantsResponse grants;
  ASSERT_THAT(Call(&Stub::ListGrants, list, &grants), IsOk());
  ASSERT_EQ(grants.grants_size(), 1);
  EXPECT_EQ(grants.grants(0).instalments_size(), 2);
  EXPECT_EQ(grants.grants(0).request_date().day(), 15);
}

}  // namespace
}  // namespace maillage::budget::testing
