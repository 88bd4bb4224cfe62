// Tests of the embedded chart of accounts and its label hints.
#include "services/budget/chart_of_accounts.h"

#include "gtest/gtest.h"

namespace maillage::budget {
namespace {

TEST(ChartOfAccountsTest, EmbedsEveryRowOfTheReferenceFile) {
  const ChartOfAccounts& chart = ChartOfAccounts::Pca2018();
  EXPECT_EQ(chart.accounts().size(), 52u);  // 53 lines minus the header
  const v1::Account* staff = chart.Find("641");
  ASSERT_NE(staff, nullptr);
  EXPECT_EQ(staff->name(), "accounts/641");
  EXPECT_EQ(staff->chapter(), "64");
  EXPECT_FALSE(staff->is_chapter());
  EXPECT_EQ(staff->side(), v1::SIDE_CHARGE);
  EXPECT_EQ(staff->account_class(), 6);
  const v1::Account* contributions = chart.Find("87");
  ASSERT_NE(contributions, nullptr);
  EXPECT_EQ(contributions->side(), v1::SIDE_INCOME);
  EXPECT_TRUE(contributions->is_chapter());
  EXPECT_EQ(chart.Find("86")->side(), v1::SIDE_CHARGE);
  EXPECT_EQ(chart.Find("618")->label(), "Divers (documentation, colloques)");
  EXPECT_EQ(chart.Find("999"), nullptr);
  EXPECT_EQ(chart.Find("6"), nullptr);
}

TEST(ChartOfAccountsTest, SuggestsTheAccountALabelBelongsTo) {
  const ChartOfAccounts& chart = ChartOfAccounts::Pca2018();
  auto first = [&](const char* label, v1::Side side) {
    auto found = chart.SuggestFor(label, side);
    return found.empty() ? std::string() : found.front()->code();
  };
  EXPECT_EQ(first("Location salles", v1::SIDE_CHARGE), "613");
  EXPECT_EQ(first("Formation", v1::SIDE_CHARGE), "633");
  EXPECT_EQ(first("Subventions d'exploitation", v1::SIDE_INCOME), "74");
  EXPECT_EQ(first("Déplacements", v1::SIDE_CHARGE), "625");
  EXPECT_EQ(first("Autres charges", v1::SIDE_CHARGE), "");
  EXPECT_EQ(first("Subventions d'exploitation", v1::SIDE_CHARGE), "");  // side matters
  EXPECT_EQ(first("Hôtel", v1::SIDE_CHARGE), "");  // "tel" only at the start of a word
}

// An account's own label belongs to it, whatever its words hint at: "Prestations en nature"
// is 871 (ANC 2018-06), not 706 "Prestations de services".
TEST(ChartOfAccountsTest, EveryLabelOfTheChartSuggestsItsOwnAccount) {
  const ChartOfAccounts& chart = ChartOfAccounts::Pca2018();
  for (const v1::Account& account : chart.accounts()) {
    auto found = chart.SuggestFor(account.label(), account.side());
    ASSERT_EQ(found.size(), 1u) << account.code() << " " << account.label();
    EXPECT_EQ(found.front()->code(), account.code()) << account.label();
  }
  EXPECT_EQ(chart.SuggestFor(" PRESTATIONS EN NATURE ", v1::SIDE_INCOME).front()->code(), "871");
  EXPECT_EQ(chart.SuggestFor("Prestations", v1::SIDE_CHARGE).front()->code(), "862");
  EXPECT_EQ(chart.SuggestFor("Prestations d'animation", v1::SIDE_INCOME).front()->code(), "706");
}

TEST(FoldLabelTest, RemovesAccentsAndCase) {
  EXPECT_EQ(FoldLabel("DÉPENSES"), "depenses");
  EXPECT_EQ(FoldLabel("Électricité, chèque"), "electricite, cheque");
  EXPECT_EQ(FoldLabel("Cœur d’Œuvre"), "coeur d'oeuvre");
}

}  // namespace
}  // namespace maillage::budget
