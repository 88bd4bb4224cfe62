// Tests of the budget table reader on the seed's tables and on malformed ones.
#include "services/budget/table_importer.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/budget/seed_fixture.h"

namespace maillage::budget {
namespace {

using ::testing::ElementsAre;

ImportedTable Read(const std::string& text,
                   v1::ImportLayout layout = v1::IMPORT_LAYOUT_UNSPECIFIED) {
  return ImportBudgetTable(text, v1::TABLE_DELIMITER_UNSPECIFIED, layout, testing::SeedAction(),
                           ChartOfAccounts::Pca2018());
}

std::string Show(const v1::BudgetLine& line) {
  return absl::StrCat(line.side() == v1::SIDE_CHARGE ? "C " : "I ", line.is_chapter() ? "[" : "",
                      line.account_code(), "|", line.label(), "|",
                      line.has_amount_cents() ? std::to_string(line.amount_cents()) : "blank",
                      line.chapter_line().empty() ? "" : " under", line.is_chapter() ? "]" : "",
                      line.funder_id().empty() ? "" : " funder=" + line.funder_id());
}

TEST(TableImporterTest, ReadsTheSeed2023TableAsWritten) {
  ImportedTable table = Read(testing::SeedTable(2023));
  EXPECT_FALSE(table.has_errors);
  std::vector<std::string> shown;
  for (const auto& line : table.lines) shown.push_back(Show(line));
  EXPECT_THAT(
      shown,
      ElementsAre("C [60|Achats|20000]", "C |Location salles|0 under",
                  "C |Achat matières et fournitures|20000 under", "C [61|Services extérieurs|0]",
                  "C [62|Autres services extérieurs|40000]", "C |Déplacements|10000 under",
                  "C |Communication, publicité|blank under",
                  "C |Autres (tél, internet, missions, réception)|30000 under",
                  "C [63|Impôts et taxes|blank]", "C [64|Charges de personnel|940000]",
                  "C |Rémunération des personnels|385600 under", "C |Charges sociales|148800 under",
                  "C |Autres charges|5600 under", "C |Mutuelle, chèque déjeuner|blank under",
                  "C |Formation|0 under", "I [70|Subventions d'exploitation|600000]",
                  "I |Dijon Métropole|600000 under funder=dijon-metropole",
                  "I |Financements privés|blank", "I [70|Prestations|blank]"));
  EXPECT_EQ(table.stated_totals.charges_cents(), 600000);
  EXPECT_EQ(table.stated_totals.income_cents(), 600000);
  EXPECT_EQ(table.rows_read, 18);  // 19 lines, one empty
  // Source rows are the rows of the text; details point to their chapter.
  EXPECT_EQ(table.lines[0].source_row(), 4);
  EXPECT_EQ(table.lines[1].chapter_line(), table.lines[0].name());
  EXPECT_EQ(table.lines[1].effective_account_code(), "60");
  EXPECT_EQ(table.lines[10].effective_account_code(), "64");
  EXPECT_EQ(table.lines[16].source_row(), 5);
  EXPECT_EQ(table.lines[15].position(), 1);
  EXPECT_EQ(table.lines[18].position(), 4);
  // The report: title and header skipped, the heading without code, the totals.
  int skipped = 0, headings = 0, totals = 0, blanks = 0, funders = 0;
  for (const auto& issue : table.issues) {
    skipped += issue.reason() == v1::IMPORT_ISSUE_REASON_SKIPPED_ROW;
    headings += issue.reason() == v1::IMPORT_ISSUE_REASON_HEADING_WITHOUT_CODE;
    totals += issue.reason() == v1::IMPORT_ISSUE_REASON_STATED_TOTAL;
    blanks += issue.reason() == v1::IMPORT_ISSUE_REASON_BLANK_AMOUNT;
    funders += issue.reason() == v1::IMPORT_ISSUE_REASON_FUNDER_MATCHED;
  }
  EXPECT_EQ(skipped, 2);
  EXPECT_EQ(headings, 1);
  EXPECT_EQ(totals, 2);
  EXPECT_EQ(blanks, 5);
  EXPECT_EQ(funders, 1);
}

TEST(TableImporterTest, The2024TableDiffersOnlyByChapter64) {
  ImportedTable a = Read(testing::SeedTable(2023));
  ImportedTable b = Read(testing::SeedTable(2024));
  ASSERT_EQ(a.lines.size(), b.lines.size());
  for (size_t i = 0; i < a.lines.size(); ++i) {
    if (i == 9) {
      EXPECT_EQ(b.lines[i].amount_cents(), 540000);
    } else {
      EXPECT_EQ(Show(a.lines[i]), Show(b.lines[i])) << i;
    }
  }
}

TEST(TableImporterTest, ReportsEachUnreadableRowWithItsPlace) {
  std::string text =
      "DÉPENSES;;RECETTES;\n"
      "60 - Achats;douze;74 - Subventions;6 000\n"
      ";500;Dijon Métropole;6 000,123\n"
      "61 - Services;1;2;3;4\n"
      "62 - Autres;\"open\n";
  ImportedTable table = Read(text);
  EXPECT_TRUE(table.has_errors);
  std::vector<std::string> errors;
  for (const auto& issue : table.issues) {
    if (issue.severity() != v1::IMPORT_ISSUE_SEVERITY_ERROR) continue;
    errors.push_back(absl::StrCat(issue.row(), ":", issue.column(), ":",
                                  v1::ImportIssueReason_Name(issue.reason())));
  }
  EXPECT_THAT(errors, ElementsAre("2:2:IMPORT_ISSUE_REASON_UNREADABLE_AMOUNT",
                                  "3:1:IMPORT_ISSUE_REASON_MISSING_LABEL",
                                  "3:4:IMPORT_ISSUE_REASON_AMOUNT_OUT_OF_RANGE",
                                  "4:5:IMPORT_ISSUE_REASON_TOO_MANY_COLUMNS",
                                  "5:0:IMPORT_ISSUE_REASON_UNCLOSED_QUOTE"));
}

TEST(TableImporterTest, RefusesInvalidUtf8AndOversizedInput) {
  ImportedTable bad = Read("60 - Achats\t2\xff\t\t\n");
  ASSERT_TRUE(bad.has_errors);
  EXPECT_EQ(bad.issues[0].reason(), v1::IMPORT_ISSUE_REASON_INVALID_ENCODING);
  EXPECT_EQ(bad.issues[0].column(), 2);
  ImportedTable huge = Read(std::string(kMaxTableBytes + 1, 'a'));
  ASSERT_TRUE(huge.has_errors);
  EXPECT_EQ(huge.issues[0].reason(), v1::IMPORT_ISSUE_REASON_TOO_LARGE);
  EXPECT_TRUE(huge.lines.empty());
}

TEST(TableImporterTest, ReadsASingleColumnTableBySideHeadings) {
  std::string text =
      "CHARGES;\n"
      "Frais divers;50\n"
      "64 - Charges de personnel;1 000\n"
      "641 - Salaires;1 000\n"
      "TOTAL;1 050\n"
      "PRODUITS;\n"
      "74 - Subventions d'exploitation;1 050 €\n"
      "TOTAL;1 050\n";
  ImportedTable table = Read(text);
  ASSERT_FALSE(table.has_errors);
  std::vector<std::string> shown;
  for (const auto& line : table.lines) shown.push_back(Show(line));
  EXPECT_THAT(shown, ElementsAre("C |Frais divers|5000", "C [64|Charges de personnel|100000]",
                                 "C 641|Salaires|100000 under",
                                 "I [74|Subventions d'exploitation|105000]"));
  EXPECT_EQ(table.stated_totals.charges_cents(), 105000);
  EXPECT_EQ(table.stated_totals.income_cents(), 105000);
  EXPECT_EQ(table.issues.front().reason(), v1::IMPORT_ISSUE_REASON_SKIPPED_ROW);
  bool warned = false;
  for (const auto& issue : table.issues) {
    warned = warned ||
             (issue.reason() == v1::IMPORT_ISSUE_REASON_DETAIL_WITHOUT_CHAPTER && issue.row() == 2);
  }
  EXPECT_TRUE(warned);
}

}  // namespace
}  // namespace maillage::budget
