// Tests of the CSV writer of the forms, read back by the table importer.
#include "services/budget/budget_export.h"

#include "common/csv/csv_reader.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/budget/seed_fixture.h"
#include "services/budget/table_importer.h"

using maillage::testing::IsOk;

namespace maillage::budget {
namespace {

using ::testing::HasSubstr;

TEST(BudgetExportTest, CerfaCsvQuotesAndReadsBack) {
  v1::Action action = testing::SeedAction();
  ImportedTable table =
      ImportBudgetTable(testing::SeedTable(2023), v1::TABLE_DELIMITER_TAB,
                        v1::IMPORT_LAYOUT_UNSPECIFIED, action, ChartOfAccounts::Pca2018());
  table.lines[5].set_label("Déplacements; missions \"A\"");
  v1::Budget budget;
  budget.set_year(2023);
  budget.set_version(1);
  *budget.mutable_stated_totals() = table.stated_totals;
  std::string csv = GridToCsv(Cerfa12156Grid(action, budget, table.lines));
  EXPECT_THAT(csv, HasSubstr("\"Déplacements; missions \"\"A\"\"\";100\xE2\x80\xAF\xE2\x82\xAC;"));
  EXPECT_THAT(csv, HasSubstr("64 - Charges de personnel;9\xE2\x80\xAF"
                             "400\xE2\x80\xAF\xE2\x82\xAC;"));
  ImportedTable back =
      ImportBudgetTable(csv, v1::TABLE_DELIMITER_UNSPECIFIED, v1::IMPORT_LAYOUT_CERFA_12156, action,
                        ChartOfAccounts::Pca2018());
  ASSERT_FALSE(back.has_errors);
  ASSERT_EQ(back.lines.size(), table.lines.size());
  for (size_t i = 0; i < back.lines.size(); ++i) {
    EXPECT_EQ(back.lines[i].label(), table.lines[i].label()) << i;
    EXPECT_EQ(back.lines[i].amount_cents(), table.lines[i].amount_cents()) << i;
    EXPECT_EQ(back.lines[i].chapter_line().empty(), table.lines[i].chapter_line().empty()) << i;
  }
  EXPECT_EQ(back.stated_totals.charges_cents(), 600000);
}

// OWASP CSV injection: labels a spreadsheet would run are written as text, negative amounts
// too, and the importer reads the form back as it was.
TEST(BudgetExportTest, CerfaCsvNeutralisesFormulasAndReadsBack) {
  v1::Action action = testing::SeedAction();
  ImportedTable table =
      ImportBudgetTable(testing::SeedTable(2023), v1::TABLE_DELIMITER_TAB,
                        v1::IMPORT_LAYOUT_UNSPECIFIED, action, ChartOfAccounts::Pca2018());
  table.lines[5].set_label("=HYPERLINK(\"http://attacker.example\";\"Déplacements\")");
  table.lines[6].set_label("@SUM(1+1)*cmd|' /C calc'!A0");
  table.lines[7].set_label("+ frais divers");
  v1::Budget budget;
  budget.set_year(2023);
  budget.set_version(1);
  *budget.mutable_stated_totals() = table.stated_totals;
  std::string csv = GridToCsv(Cerfa12156Grid(action, budget, table.lines));
  EXPECT_THAT(csv, HasSubstr("\"'=HYPERLINK(\"\"http://attacker.example\"\";"));
  EXPECT_THAT(csv, HasSubstr("\r\n'@SUM(1+1)*cmd|' /C calc'!A0;"));
  EXPECT_THAT(csv, HasSubstr("\r\n'+ frais divers;"));
  maillage::csv::CsvReader reader(';');
  reader.Feed(csv);
  reader.Finish();
  while (auto record = reader.Next()) {
    for (const std::string& cell : record->fields) {
      ASSERT_TRUE(cell.empty() || std::string("=+-@\t\r").find(cell[0]) == std::string::npos)
          << cell;
    }
  }
  ImportedTable back =
      ImportBudgetTable(csv, v1::TABLE_DELIMITER_UNSPECIFIED, v1::IMPORT_LAYOUT_CERFA_12156, action,
                        ChartOfAccounts::Pca2018());
  ASSERT_FALSE(back.has_errors);
  ASSERT_EQ(back.lines.size(), table.lines.size());
  for (size_t i = 0; i < back.lines.size(); ++i) {
    EXPECT_EQ(back.lines[i].label(), table.lines[i].label()) << i;
    EXPECT_EQ(back.lines[i].amount_cents(), table.lines[i].amount_cents()) << i;
  }
}

// The financial report's gaps are negative when less was spent: written as text, not run.
TEST(BudgetExportTest, NegativeAmountsAreNeutralisedToo) {
  FormGrid grid = {
      {FormCell{"Écart", false, false, 0, false}, FormCell{"", true, true, -40000, false}}};
  EXPECT_EQ(GridToCsv(grid),
            "\xEF\xBB\xBF\xC3\x89"
            "cart;'-400\xE2\x80\xAF\xE2\x82\xAC\r\n");
}

TEST(BudgetExportTest, XlsxIsAZipWorkbook) {
  FormGrid grid = {
      {FormCell{"Titre", false, false, 0, true}},
      {FormCell{"64 - Charges", false, false, 0, false}, FormCell{"", true, true, 540000, false}}};
  absl::StatusOr<std::string> xlsx = GridToXlsx(grid, "Budget");
  ASSERT_THAT(xlsx, IsOk()) << xlsx.status();
  EXPECT_EQ(xlsx->substr(0, 2), "PK");
  EXPECT_GT(xlsx->size(), 1000u);
}

}  // namespace
}  // namespace maillage::budget
