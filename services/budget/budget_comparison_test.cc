// Tests of the version diff and of the forecast/actual comparison.
#include "services/budget/budget_comparison.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace maillage::budget {
namespace {

using ::testing::ElementsAre;

v1::BudgetLine Line(const std::string& name, v1::Side side, const std::string& code,
                    const std::string& label, int64_t cents, const std::string& chapter = "",
                    const std::string& lineage = "") {
  v1::BudgetLine line;
  line.set_name(name);
  line.set_side(side);
  line.set_account_code(code);
  line.set_label(label);
  line.set_amount_cents(cents);
  line.set_is_chapter(chapter.empty() && code.size() == 2);
  line.set_chapter_line(chapter);
  line.set_effective_account_code(code.empty() ? "64" : code);
  line.set_lineage(lineage);
  return line;
}

TEST(GapBasisPointsTest, RoundsHalfAwayFromZero) {
  EXPECT_EQ(GapBasisPoints(-54000, 540000), -1000);
  EXPECT_EQ(GapBasisPoints(1, 3), 3333);
  EXPECT_EQ(GapBasisPoints(2, 3), 6667);
  EXPECT_EQ(GapBasisPoints(-1, 8000), -1);   // -1.25 → -1
  EXPECT_EQ(GapBasisPoints(-1, 20000), -1);  // -0.5 → -1
  EXPECT_EQ(GapBasisPoints(1, 20000), 1);
}

TEST(DiffLinesTest, PairsByLineageThenByAccountAndLabel) {
  std::vector<v1::BudgetLine> base = {
      Line("b/1", v1::SIDE_CHARGE, "64", "Personnel", 100, "", "L1"),
      Line("b/2", v1::SIDE_CHARGE, "", "Salaires", 100, "b/1", "L2"),
      Line("b/3", v1::SIDE_CHARGE, "62", "Autres services extérieurs", 50),
      Line("b/4", v1::SIDE_INCOME, "74", "Subventions", 150)};
  std::vector<v1::BudgetLine> target = {
      Line("t/1", v1::SIDE_CHARGE, "64", "Charges de personnel", 120, "", "L1"),
      Line("t/2", v1::SIDE_CHARGE, "", "Salaires", 120, "t/1", "L2"),
      Line("t/3", v1::SIDE_CHARGE, "62", "AUTRES services exterieurs", 50),
      Line("t/4", v1::SIDE_INCOME, "75", "Cotisations", 20)};
  std::vector<std::string> shown;
  for (const v1::LineChange& c : DiffLines(base, target, true)) {
    shown.push_back(absl::StrCat(v1::LineChangeKind_Name(c.kind()).substr(17), " ",
                                 c.base_line().name(), ">", c.target_line().name(), " ",
                                 c.difference_cents(), " ",
                                 absl::StrJoin(c.changed_fields(), ",")));
  }
  EXPECT_THAT(
      shown, ElementsAre("CHANGED b/1>t/1 20 amount_cents,label", "CHANGED b/2>t/2 20 amount_cents",
                         "CHANGED b/3>t/3 0 label", "ADDED >t/4 20 ", "REMOVED b/4> -150 "));
  EXPECT_EQ(DiffLines(base, base, false).size(), 0u);
  EXPECT_EQ(DiffLines(base, base, true).size(), 4u);
}

TEST(CompareForecastWithActualTest, PairsChaptersAndDetailsAndKeepsForecastOrder) {
  std::vector<v1::BudgetLine> forecast = {
      Line("f/1", v1::SIDE_CHARGE, "64", "Charges de personnel", 540000),
      Line("f/2", v1::SIDE_CHARGE, "", "Rémunération", 385600, "f/1"),
      Line("f/3", v1::SIDE_INCOME, "74", "Subventions", 540000)};
  std::vector<v1::BudgetLine> actual = {
      Line("a/1", v1::SIDE_INCOME, "74", "Subventions", 540000),
      Line("a/2", v1::SIDE_CHARGE, "64", "Charges de personnel", 500000),
      Line("a/3", v1::SIDE_CHARGE, "", "REMUNERATION", 400000, "a/2"),
      Line("a/4", v1::SIDE_CHARGE, "", "Primes", 100000, "a/2"),
      Line("a/5", v1::SIDE_CHARGE, "65", "Autres", 1000)};
  actual[2].set_note("Hausse du SMIC");
  std::vector<std::string> shown;
  for (const v1::FinancialReportRow& row : CompareForecastWithActual(forecast, actual)) {
    shown.push_back(absl::StrCat(
        row.account_code(), " ", row.label(), " ",
        row.has_forecast_cents() ? std::to_string(row.forecast_cents()) : "-", " ",
        row.has_actual_cents() ? std::to_string(row.actual_cents()) : "-", " ", row.gap_cents(),
        " ", row.has_gap_basis_points() ? std::to_string(row.gap_basis_points()) : "-", " ",
        row.explanation()));
  }
  EXPECT_THAT(shown, ElementsAre("64 Charges de personnel 540000 500000 -40000 -741 ",
                                 "64 Rémunération 385600 400000 14400 373 Hausse du SMIC",
                                 "64 Primes - 100000 100000 - ", "65 Autres - 1000 1000 - ",
                                 "74 Subventions 540000 540000 0 0 "));
}

}  // namespace
}  // namespace maillage::budget
