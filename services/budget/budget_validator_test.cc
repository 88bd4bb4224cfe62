// Tests of BudgetValidator: the seed's three tables as written, then each rule on its own
// small fixture.
#include "services/budget/budget_validator.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/budget/seed_fixture.h"
#include "services/budget/table_importer.h"

namespace maillage::budget {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// "RULE SEVERITY code expected actual" with the prefixes cut, amounts in euros.
std::string Show(const v1::Finding& f) {
  std::string rule = v1::FindingRule_Name(f.rule()).substr(strlen("FINDING_RULE_"));
  std::string severity = v1::Severity_Name(f.severity()).substr(strlen("SEVERITY_"));
  std::string out = absl::StrCat(severity, " ", rule);
  if (!f.account_code().empty()) absl::StrAppend(&out, " ", f.account_code());
  if (!f.suggested_account_code().empty()) absl::StrAppend(&out, "->", f.suggested_account_code());
  if (f.has_expected_cents()) absl::StrAppend(&out, " expected=", f.expected_cents() / 100);
  if (f.has_actual_cents()) absl::StrAppend(&out, " actual=", f.actual_cents() / 100);
  if (f.has_left_to_finance_cents())
    absl::StrAppend(&out, " left=", f.left_to_finance_cents() / 100);
  return out;
}

struct Fixture {
  v1::Action action = testing::SeedAction();
  v1::Budget budget;
  std::vector<v1::BudgetLine> lines;
};

Fixture SeedBudget(int year) {
  Fixture fx;
  ImportedTable table =
      ImportBudgetTable(testing::SeedTable(year), v1::TABLE_DELIMITER_TAB,
                        v1::IMPORT_LAYOUT_UNSPECIFIED, fx.action, ChartOfAccounts::Pca2018());
  fx.budget.set_name("actions/fa3/budgets/1");
  fx.budget.set_year(year);
  fx.budget.set_kind(v1::BUDGET_KIND_FORECAST);
  *fx.budget.mutable_stated_totals() = table.stated_totals;
  fx.lines = table.lines;
  return fx;
}

std::vector<std::string> Validate(const Fixture& fx, std::vector<v1::Grant> grants = {},
                                  const std::vector<v1::BudgetLine>* forecast = nullptr) {
  ValidationInput input{&fx.action, &fx.budget, &fx.lines, std::move(grants), forecast};
  std::vector<std::string> shown;
  for (const v1::Finding& f : BudgetValidator(ChartOfAccounts::Pca2018()).Validate(input)) {
    shown.push_back(Show(f));
  }
  return shown;
}

TEST(SeedBudgetValidationTest, Table2023HasTheErrorsFoundByReadingIt) {
  EXPECT_THAT(Validate(SeedBudget(2023)),
              ElementsAre(
                  // Chapter 64 says 9 400, its details sum to 5 400.
                  "ERROR DETAIL_SUM_MISMATCH 64 expected=9400 actual=5400",
                  // 70 appears twice on the income side.
                  "ERROR DUPLICATE_CHAPTER 70",
                  // Charges chapters sum to 10 000, the total says 6 000.
                  "ERROR CHAPTERS_SUM_MISMATCH expected=6000 actual=10000",
                  // 10 000 of charges for 6 000 of income: 4 000 left to finance.
                  "ERROR UNBALANCED expected=10000 actual=6000 left=4000",
                  // 10 000 announced, the table says 6 000.
                  "ERROR ANNOUNCED_AMOUNT_MISMATCH expected=10000 actual=6000",
                  // Room hire under 60 (rentals are 613).
                  "WARNING MISCLASSIFIED_LABEL 60->613",
                  // Training under 64 (633).
                  "WARNING MISCLASSIFIED_LABEL 64->633",
                  // Subsidies coded 70, twice: the chapter and the funder's line.
                  "WARNING MISCLASSIFIED_LABEL 70->74", "WARNING MISCLASSIFIED_LABEL 70->74",
                  // "Financements privés": a heading without an account, left blank.
                  "WARNING ACCOUNT_MISSING",
                  // Free premises lent by the city not valued in 86/87.
                  "WARNING IN_KIND_NOT_VALUED"));
}

TEST(SeedBudgetValidationTest, Tables2024And2025AddUpButStillMissTheAnnouncedAmount) {
  for (int year : {2024, 2025}) {
    EXPECT_THAT(
        Validate(SeedBudget(year)),
        ElementsAre("ERROR DUPLICATE_CHAPTER 70",
                    "ERROR ANNOUNCED_AMOUNT_MISMATCH expected=10000 actual=6000",
                    "WARNING MISCLASSIFIED_LABEL 60->613", "WARNING MISCLASSIFIED_LABEL 64->633",
                    "WARNING MISCLASSIFIED_LABEL 70->74", "WARNING MISCLASSIFIED_LABEL 70->74",
                    "WARNING ACCOUNT_MISSING",
                    // 0,13 FTE is given for 2023 only; these years pay 5 400 of staff.
                    "WARNING STAFFING_MISSING 64 actual=5400", "WARNING IN_KIND_NOT_VALUED"))
        << year;
  }
}

TEST(SeedBudgetValidationTest, FindingsNameTheLinesAndSourceRows) {
  Fixture fx = SeedBudget(2023);
  ValidationInput input{&fx.action, &fx.budget, &fx.lines, {}, nullptr};
  std::vector<v1::Finding> findings = BudgetValidator(ChartOfAccounts::Pca2018()).Validate(input);
  ASSERT_FALSE(findings.empty());
  const v1::Finding& detail = findings[0];
  ASSERT_EQ(detail.rule(), v1::FINDING_RULE_DETAIL_SUM_MISMATCH);
  EXPECT_THAT(detail.source_rows(), ElementsAre(13, 14, 15, 16, 17, 18));
  EXPECT_EQ(detail.lines_size(), 6);
  EXPECT_EQ(detail.difference_cents(), -400000);
  EXPECT_EQ(detail.side(), v1::SIDE_CHARGE);
  EXPECT_EQ(detail.budget(), "actions/fa3/budgets/1");
  EXPECT_EQ(detail.message(),
            "Le chapitre 64 indique 9\xE2\x80\xAF"
            "400\xE2\x80\xAF\xE2\x82\xAC mais ses lignes de "
            "détail totalisent 5\xE2\x80\xAF"
            "400\xE2\x80\xAF\xE2\x82\xAC.");
  FindingCounts counts = CountFindings(findings);
  EXPECT_EQ(counts.errors, 5);
  EXPECT_EQ(counts.warnings, 6);
  EXPECT_EQ(counts.infos, 0);
}

// A small balanced table that breaks no rule, to which each test adds one fault.
class RuleTest : public ::testing::Test {
 protected:
  RuleTest() {
    fx_.action = testing::SeedAction();
    fx_.action.clear_in_kind_resources();
    fx_.action.mutable_years(0)->set_announced_amount_cents(600000);
    fx_.budget.set_name("actions/fa3/budgets/9");
    fx_.budget.set_year(2023);
    fx_.budget.set_kind(v1::BUDGET_KIND_FORECAST);
    fx_.budget.mutable_stated_totals()->set_charges_cents(600000);
    fx_.budget.mutable_stated_totals()->set_income_cents(600000);
    Chapter(v1::SIDE_CHARGE, "64", "Charges de personnel", 600000);
    Detail("641", "Rémunération des personnels", 600000);
    Chapter(v1::SIDE_INCOME, "74", "Subventions d'exploitation", 600000);
    Detail("", "Dijon Métropole", 600000).set_funder_id("dijon-metropole");
  }

  v1::BudgetLine& Chapter(v1::Side side, const std::string& code, const std::string& label,
                          int64_t cents) {
    v1::BudgetLine& line = Add(side, code, label, cents);
    line.set_is_chapter(true);
    chapter_ = line.name();
    chapter_code_ = code;
    return line;
  }
  v1::BudgetLine& Detail(const std::string& code, const std::string& label, int64_t cents) {
    v1::BudgetLine& line = Add(fx_.lines.back().side(), code, label, cents);
    line.set_chapter_line(chapter_);
    line.set_effective_account_code(code.empty() ? chapter_code_ : code);
    return line;
  }
  v1::BudgetLine& Add(v1::Side side, const std::string& code, const std::string& label,
                      int64_t cents) {
    v1::BudgetLine line;
    line.set_name(absl::StrCat("actions/fa3/budgets/9/lines/", fx_.lines.size() + 1));
    line.set_side(side);
    line.set_account_code(code);
    line.set_effective_account_code(code);
    line.set_label(label);
    line.set_amount_cents(cents);
    fx_.lines.push_back(line);
    return fx_.lines.back();
  }
  v1::BudgetLine& Line(int i) { return fx_.lines[i]; }

  Fixture fx_;
  std::string chapter_, chapter_code_;
};

TEST_F(RuleTest, ACleanTableHasNoFinding) { EXPECT_THAT(Validate(fx_), IsEmpty()); }

TEST_F(RuleTest, DetailSumMismatch) {
  Line(1).set_amount_cents(500000);
  Line(2).set_amount_cents(500000);
  Line(3).set_amount_cents(500000);
  fx_.budget.mutable_stated_totals()->set_income_cents(500000);
  fx_.action.mutable_funders(0)->mutable_commitments(0)->set_amount_cents(500000);
  EXPECT_THAT(Validate(fx_), ElementsAre("ERROR DETAIL_SUM_MISMATCH 64 expected=6000 actual=5000",
                                         "ERROR UNBALANCED expected=6000 actual=5000 left=1000"));
}

TEST_F(RuleTest, ChaptersSumMismatchAndMissingStatedTotal) {
  fx_.budget.mutable_stated_totals()->set_charges_cents(700000);
  fx_.budget.mutable_stated_totals()->clear_income_cents();
  EXPECT_THAT(Validate(fx_),
              ElementsAre("ERROR CHAPTERS_SUM_MISMATCH expected=7000 actual=6000",
                          "ERROR ANNOUNCED_AMOUNT_MISMATCH expected=6000 actual=7000",
                          "INFO STATED_TOTAL_MISSING"));
}

TEST_F(RuleTest, UnbalancedIsAWarningForAnActualBudget) {
  Add(v1::SIDE_CHARGE, "65", "Autres charges de gestion courante", 10000);
  fx_.budget.set_kind(v1::BUDGET_KIND_ACTUAL);
  fx_.budget.mutable_stated_totals()->set_charges_cents(610000);
  EXPECT_THAT(Validate(fx_), ElementsAre("WARNING UNBALANCED expected=6100 actual=6000 left=100"));
}

TEST_F(RuleTest, ContributionsMismatchAndInKindNotValued) {
  Add(v1::SIDE_CHARGE, "86", "Emplois des contributions volontaires", 50000).set_is_chapter(true);
  Add(v1::SIDE_INCOME, "87", "Contributions volontaires", 40000).set_is_chapter(true);
  fx_.budget.clear_stated_totals();
  fx_.action.mutable_years(0)->clear_announced_amount_cents();
  std::vector<std::string> findings = Validate(fx_);
  // Charges and income differ only because 86 != 87: nothing is left to finance.
  EXPECT_THAT(findings, ElementsAre("ERROR UNBALANCED expected=6500 actual=6400",
                                    "ERROR CONTRIBUTIONS_MISMATCH expected=500 actual=400",
                                    "INFO STATED_TOTAL_MISSING", "INFO STATED_TOTAL_MISSING"));
  // Resources given in kind and nothing in 86/87.
  fx_.lines.resize(4);
  fx_.action.add_in_kind_resources()->set_description("salle prêtée");
  EXPECT_THAT(Validate(fx_), ElementsAre("WARNING IN_KIND_NOT_VALUED", "INFO STATED_TOTAL_MISSING",
                                         "INFO STATED_TOTAL_MISSING"));
  // Given in other years only: nothing to value this year.
  fx_.action.mutable_in_kind_resources(0)->add_years(2024);
  EXPECT_THAT(Validate(fx_), ElementsAre("INFO STATED_TOTAL_MISSING", "INFO STATED_TOTAL_MISSING"));
}

// An amount as the messages write it: "6 500" -> "6 500 €" with narrow no-break spaces.
std::string Euros(std::string figure) {
  const std::string nnbsp = "\xE2\x80\xAF";
  std::string out;
  for (char c : figure) out += c == ' ' ? nnbsp : std::string(1, c);
  return out + nnbsp + "\xE2\x82\xAC";
}

std::vector<std::string> Messages(const Fixture& fx, v1::FindingRule rule) {
  ValidationInput input{&fx.action, &fx.budget, &fx.lines, {}, nullptr};
  std::vector<std::string> messages;
  for (const v1::Finding& f : BudgetValidator(ChartOfAccounts::Pca2018()).Validate(input)) {
    if (f.rule() == rule) messages.push_back(f.message());
  }
  return messages;
}

TEST_F(RuleTest, UnbalancedSaysWhatTheDifferenceIsMadeOf) {
  fx_.budget.clear_stated_totals();
  fx_.action.mutable_years(0)->clear_announced_amount_cents();
  // Only the contributions in kind differ (86: 500, 87: 400).
  Add(v1::SIDE_CHARGE, "86", "Emplois des contributions volontaires en nature", 50000)
      .set_is_chapter(true);
  Add(v1::SIDE_INCOME, "87", "Contributions volontaires en nature", 40000).set_is_chapter(true);
  const std::string in_kind = "les contributions volontaires en nature (86 : " + Euros("500") +
                              ", 87 : " + Euros("400") + ")";
  EXPECT_THAT(
      Messages(fx_, v1::FINDING_RULE_UNBALANCED),
      ElementsAre("Le total des charges (" + Euros("6 500") + ") diffère du total des produits (" +
                  Euros("6 400") + ") seulement parce que " + in_kind +
                  " diffèrent : hors contributions en nature, le budget est équilibré et "
                  "rien ne reste à financer."));
  EXPECT_THAT(Messages(fx_, v1::FINDING_RULE_CONTRIBUTIONS_MISMATCH),
              ElementsAre("Les emplois des contributions volontaires (86 : " + Euros("500") +
                          ") diffèrent des contributions reçues (87 : " + Euros("400") + ")."));
  // Money missing as well: 1 000 € left to finance, the in-kind difference said apart.
  Line(3).set_amount_cents(500000);
  Line(2).set_amount_cents(500000);
  fx_.action.mutable_funders(0)->mutable_commitments(0)->set_amount_cents(500000);
  EXPECT_THAT(Validate(fx_),
              ::testing::Contains("ERROR UNBALANCED expected=6500 actual=5400 left=1000"));
  EXPECT_THAT(
      Messages(fx_, v1::FINDING_RULE_UNBALANCED),
      ElementsAre("Le total des charges (" + Euros("6 500") + ") diffère du total des produits (" +
                  Euros("5 400") + ") : hors contributions en nature, " + Euros("1 000") +
                  " de charges restent à financer ; " + in_kind + " diffèrent aussi."));
  // Income above charges, no contribution in kind: nothing left to finance, nothing set apart.
  fx_.lines.resize(4);
  Line(3).set_amount_cents(700000);
  Line(2).set_amount_cents(700000);
  fx_.action.mutable_funders(0)->mutable_commitments(0)->set_amount_cents(700000);
  EXPECT_THAT(Validate(fx_), ElementsAre("ERROR UNBALANCED expected=6000 actual=7000",
                                         "INFO STATED_TOTAL_MISSING", "INFO STATED_TOTAL_MISSING"));
  EXPECT_THAT(Messages(fx_, v1::FINDING_RULE_UNBALANCED),
              ElementsAre("Le total des charges (" + Euros("6 000") +
                          ") diffère du total des produits (" + Euros("7 000") +
                          ") : les produits dépassent les charges de " + Euros("1 000") + "."));
  // The seed's case: 10 000 of charges for 6 000 of income, no contribution in kind.
  Line(0).set_amount_cents(1000000);
  Line(1).set_amount_cents(1000000);
  Line(2).set_amount_cents(600000);
  Line(3).set_amount_cents(600000);
  fx_.action.mutable_funders(0)->mutable_commitments(0)->set_amount_cents(600000);
  EXPECT_THAT(
      Messages(fx_, v1::FINDING_RULE_UNBALANCED),
      ElementsAre("Le total des charges (" + Euros("10 000") + ") diffère du total des produits (" +
                  Euros("6 000") + ") : " + Euros("4 000") + " de charges restent à financer."));
}

// Every account of classes 86 and 87 of the association chart, used with its own label, under
// its chapter (with and without its own code): no MISCLASSIFIED_LABEL, no finding at all.
TEST_F(RuleTest, EveryLabelOfTheContributionsInKindFitsItsAccount) {
  fx_.budget.clear_stated_totals();
  fx_.action.mutable_years(0)->clear_announced_amount_cents();
  const std::vector<v1::BudgetLine> base = fx_.lines;
  int checked = 0;
  for (const v1::Account& account : ChartOfAccounts::Pca2018().accounts()) {
    if (account.chapter() != "86" && account.chapter() != "87") continue;
    for (bool own_code : {true, false}) {
      if (account.is_chapter() && !own_code) continue;
      fx_.lines = base;
      const bool charge = account.side() == v1::SIDE_CHARGE;
      // The side of the account, then the other side balancing it with 861/871.
      Chapter(v1::SIDE_CHARGE, "86", "Emplois des contributions volontaires en nature", 30000);
      if (charge && !account.is_chapter()) {
        Detail(own_code ? account.code() : "", account.label(), 30000);
      } else if (!charge) {
        Detail("861", "Mises à disposition gratuites de biens", 30000);
      }
      Chapter(v1::SIDE_INCOME, "87", "Contributions volontaires en nature", 30000);
      if (!charge && !account.is_chapter()) {
        Detail(own_code ? account.code() : "", account.label(), 30000);
      } else if (charge) {
        Detail("871", "Prestations en nature", 30000);
      }
      if (account.is_chapter()) {
        (charge ? Line(4) : Line(6)).set_label(account.label());
      }
      EXPECT_THAT(Validate(fx_),
                  ElementsAre("INFO STATED_TOTAL_MISSING", "INFO STATED_TOTAL_MISSING"))
          << account.code() << " " << account.label() << (own_code ? " coded" : " uncoded");
      ++checked;
    }
  }
  EXPECT_EQ(checked, 16);  // 86, 860, 861, 862, 864, 87, 870, 871, 875: 2 chapters + 7 x 2
}

TEST_F(RuleTest, PrestationsEnNatureUnder87IsNotAService) {
  // The line of the issue: "Prestations en nature" under 87 without a code of its own.
  fx_.budget.clear_stated_totals();
  fx_.action.mutable_years(0)->clear_announced_amount_cents();
  Chapter(v1::SIDE_CHARGE, "86", "Emplois des contributions volontaires en nature", 40000);
  Detail("862", "Prestations", 40000);
  Chapter(v1::SIDE_INCOME, "87", "Contributions volontaires en nature", 40000);
  Detail("", "Prestations en nature", 40000);
  EXPECT_THAT(Validate(fx_), ElementsAre("INFO STATED_TOTAL_MISSING", "INFO STATED_TOTAL_MISSING"));
  // Under 70 a service is still a service.
  Line(7).set_label("Prestations de services");
  EXPECT_THAT(Validate(fx_), ::testing::Contains("WARNING MISCLASSIFIED_LABEL 87->706"));
}

TEST_F(RuleTest, SubsidyLinesWithoutFunderSayWhatIsTrue) {
  fx_.budget.clear_stated_totals();
  fx_.action.mutable_years(0)->clear_announced_amount_cents();
  // 1 000 € more of staff, asked of the Région on a detail of chapter 74.
  Line(0).set_amount_cents(700000);
  Line(1).set_amount_cents(700000);
  Line(2).set_amount_cents(700000);
  Detail("", "Région Bourgogne-Franche-Comté", 100000);
  // A body the action does not list: a warning that says so, no claim that it names no one.
  std::vector<std::string> messages = Messages(fx_, v1::FINDING_RULE_FUNDER_NOT_LISTED);
  EXPECT_THAT(messages,
              ElementsAre("La ligne de subvention « Région Bourgogne-Franche-Comté » nomme un "
                          "financeur que l'action ne compte pas parmi ses financeurs (Dijon "
                          "Métropole) : ajoutez-le à l'action pour que ses engagements et ses "
                          "subventions soient vérifiés."));
  EXPECT_THAT(Validate(fx_), ElementsAre("WARNING FUNDER_NOT_LISTED", "INFO STATED_TOTAL_MISSING",
                                         "INFO STATED_TOTAL_MISSING"));
  EXPECT_THAT(Messages(fx_, v1::FINDING_RULE_MISSING_FUNDER), IsEmpty());
  // Once the action lists it (and the line carries it), nothing to say.
  v1::ActionFunder* region = fx_.action.add_funders();
  region->set_funder_id("region-bfc");
  region->set_display_name("Région Bourgogne-Franche-Comté");
  region->set_kind(v1::FUNDER_KIND_REGION);
  // Listed but not carried by the line: an error naming the funder.
  EXPECT_THAT(Validate(fx_), ElementsAre("ERROR MISSING_FUNDER", "INFO STATED_TOTAL_MISSING",
                                         "INFO STATED_TOTAL_MISSING"));
  EXPECT_THAT(Messages(fx_, v1::FINDING_RULE_MISSING_FUNDER),
              ElementsAre("La ligne de subvention « Région Bourgogne-Franche-Comté » nomme Région "
                          "Bourgogne-Franche-Comté, financeur de l'action, mais n'y est pas "
                          "rattachée (funder_id vide) : ses montants ne comptent pas dans "
                          "l'engagement de ce financeur."));
  Line(4).set_funder_id("region-bfc");
  EXPECT_THAT(Validate(fx_), ElementsAre("INFO STATED_TOTAL_MISSING", "INFO STATED_TOTAL_MISSING"));
  // A label naming no body at all: the error it always was.
  for (const char* label :
       {"", "Subventions d'exploitation", "Subvention de fonctionnement", "Autres subventions"}) {
    Line(4).set_funder_id("");
    Line(4).set_label(label);
    EXPECT_THAT(Messages(fx_, v1::FINDING_RULE_MISSING_FUNDER),
                ElementsAre(::testing::EndsWith(" ne nomme pas son financeur.")))
        << label;
    EXPECT_THAT(Messages(fx_, v1::FINDING_RULE_FUNDER_NOT_LISTED), IsEmpty()) << label;
  }
}

TEST_F(RuleTest, UnknownAccountWrongSideAndDetailOutsideChapter) {
  Line(1).set_account_code("649");
  Line(1).set_effective_account_code("649");
  EXPECT_THAT(Validate(fx_), ElementsAre("ERROR UNKNOWN_ACCOUNT 649"));
  Line(1).set_account_code("613");
  Line(1).set_effective_account_code("613");
  Line(1).set_label("Locations");
  EXPECT_THAT(Validate(fx_), ElementsAre("ERROR DETAIL_OUTSIDE_CHAPTER 613->61"));
  Line(1).set_account_code("706");
  Line(1).set_effective_account_code("706");
  Line(1).set_label("Ventes");
  EXPECT_THAT(Validate(fx_),
              ElementsAre("ERROR DETAIL_OUTSIDE_CHAPTER 706->70", "ERROR WRONG_SIDE 706"));
}

TEST_F(RuleTest, MisclassifiedLabels) {
  Line(1).set_label("Formation des salariés");
  EXPECT_THAT(Validate(fx_), ElementsAre("WARNING MISCLASSIFIED_LABEL 641->633"));
  Line(1).set_label("Salaires");
  Line(2).set_account_code("70");
  Line(2).set_effective_account_code("70");
  Line(3).set_effective_account_code("70");
  // The chapter's label says subsidy, and its detail names a funder: both belong in 74.
  EXPECT_THAT(Validate(fx_), ElementsAre("WARNING MISCLASSIFIED_LABEL 70->74",
                                         "WARNING MISCLASSIFIED_LABEL 70->74"));
}

TEST_F(RuleTest, DuplicateChapter) {
  Add(v1::SIDE_INCOME, "74", "Subventions d'exploitation", 0).set_is_chapter(true);
  EXPECT_THAT(Validate(fx_), ElementsAre("ERROR DUPLICATE_CHAPTER 74", "ERROR MISSING_FUNDER 74"));
}

TEST_F(RuleTest, AnnouncedAmountOnlyForForecasts) {
  fx_.action.mutable_years(0)->set_announced_amount_cents(1000000);
  EXPECT_THAT(Validate(fx_),
              ElementsAre("ERROR ANNOUNCED_AMOUNT_MISMATCH expected=10000 actual=6000"));
  fx_.budget.set_kind(v1::BUDGET_KIND_ACTUAL);
  EXPECT_THAT(Validate(fx_), IsEmpty());
}

TEST_F(RuleTest, FunderRules) {
  Line(3).set_amount_cents(500000);
  Line(2).set_amount_cents(500000);
  fx_.budget.mutable_stated_totals()->set_income_cents(500000);
  Add(v1::SIDE_INCOME, "75", "Autres produits de gestion courante", 100000).set_is_chapter(true);
  fx_.budget.mutable_stated_totals()->set_income_cents(600000);
  EXPECT_THAT(Validate(fx_),
              ElementsAre("ERROR FUNDER_COMMITMENT_MISMATCH expected=6000 actual=5000"));
  Line(3).set_funder_id("");
  EXPECT_THAT(Validate(fx_),
              ElementsAre("ERROR MISSING_FUNDER",
                          "ERROR FUNDER_COMMITMENT_MISMATCH expected=6000 actual=0"));
  Line(3).set_funder_id("region-bfc");
  EXPECT_THAT(Validate(fx_),
              ElementsAre("ERROR UNKNOWN_FUNDER",
                          "ERROR FUNDER_COMMITMENT_MISMATCH expected=6000 actual=0"));
}

TEST_F(RuleTest, StaffingMissing) {
  fx_.action.mutable_years(0)->clear_staffing_fte_hundredths();
  EXPECT_THAT(Validate(fx_), ElementsAre("WARNING STAFFING_MISSING 64 actual=6000"));
  fx_.action.mutable_years(0)->set_staffing_fte_hundredths(13);
  Line(0).set_account_code("62");
  Line(0).set_effective_account_code("62");
  Line(0).set_label("Autres services extérieurs");
  Line(1).set_account_code("622");
  Line(1).set_effective_account_code("622");
  Line(1).set_label("Honoraires");
  EXPECT_THAT(Validate(fx_), ElementsAre("WARNING STAFFING_MISSING 64 actual=0"));
}

TEST_F(RuleTest, AccountMissingNegativeAndCents) {
  Add(v1::SIDE_INCOME, "", "Financements privés", 0).clear_amount_cents();
  EXPECT_THAT(Validate(fx_), ElementsAre("WARNING ACCOUNT_MISSING"));
  fx_.lines.back().set_amount_cents(-1050);
  fx_.budget.mutable_stated_totals()->set_income_cents(598950);
  EXPECT_THAT(Validate(fx_),
              ElementsAre("ERROR NEGATIVE_AMOUNT actual=-10", "ERROR ACCOUNT_MISSING",
                          "ERROR UNBALANCED expected=6000 actual=5989 left=10",
                          "INFO AMOUNT_NOT_WHOLE_EUROS actual=-10"));
}

TEST_F(RuleTest, OverflowIsReportedNotComputed) {
  Line(0).set_amount_cents(INT64_MAX);
  Add(v1::SIDE_CHARGE, "65", "Autres charges", INT64_MAX).set_is_chapter(true);
  std::vector<std::string> findings = Validate(fx_);
  EXPECT_THAT(findings, ::testing::Contains("ERROR AMOUNT_OVERFLOW"));
  for (const std::string& f : findings) EXPECT_EQ(f.find("UNBALANCED"), std::string::npos);
}

TEST_F(RuleTest, EmptyBudgetAndYearOutsidePeriod) {
  fx_.lines.clear();
  fx_.budget.set_year(2030);
  EXPECT_THAT(Validate(fx_), ElementsAre("ERROR EMPTY_BUDGET", "WARNING YEAR_OUTSIDE_PERIOD"));
}

TEST_F(RuleTest, GrantMismatchAndUnexplainedGapsForActuals) {
  fx_.budget.set_kind(v1::BUDGET_KIND_ACTUAL);
  std::vector<v1::BudgetLine> forecast = fx_.lines;
  forecast[0].set_amount_cents(800000);
  v1::Grant grant;
  grant.set_funder_id("dijon-metropole");
  grant.set_year(2023);
  grant.set_notified_amount_cents(550000);
  EXPECT_THAT(Validate(fx_, {grant}, &forecast),
              ElementsAre("WARNING GAP_NOT_EXPLAINED 64 expected=8000 actual=6000",
                          "WARNING GRANT_MISMATCH expected=5500 actual=6000"));
  Line(1).set_note("Départ d'une salariée en cours d'année");
  grant.set_notified_amount_cents(600000);
  EXPECT_THAT(Validate(fx_, {grant}, &forecast), IsEmpty());
  // Under 10 %: nothing to explain.
  Line(1).clear_note();
  forecast[0].set_amount_cents(650000);
  EXPECT_THAT(Validate(fx_, {grant}, &forecast), IsEmpty());
}

}  // namespace
}  // namespace maillage::budget
