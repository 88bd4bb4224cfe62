// The validation rules of validation.proto, one block per rule.
#include "services/budget/budget_validator.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/budget/money.h"

namespace maillage::budget {
namespace {

using v1::Finding;

// A finding with where it sorts: the table index of its first line (budget-wide: after all).
struct Pending {
  Finding finding;
  size_t order;
};

const char* SideName(v1::Side side) {
  return side == v1::SIDE_INCOME ? "des produits" : "des charges";
}

class Run {
 public:
  Run(const ChartOfAccounts& chart, const ValidationInput& input)
      : chart_(chart), in_(input), lines_(*input.lines) {
    for (size_t i = 0; i < lines_.size(); ++i) index_[lines_[i].name()] = i;
    for (size_t i = 0; i < lines_.size(); ++i) {
      auto chapter = index_.find(lines_[i].chapter_line());
      if (!lines_[i].chapter_line().empty() && chapter != index_.end()) {
        details_[chapter->second].push_back(i);
      }
    }
  }

  std::vector<Finding> Go() {
    const v1::Budget& budget = *in_.budget;
    bool forecast = budget.kind() != v1::BUDGET_KIND_ACTUAL;
    const v1::Action& action = *in_.action;
    if (budget.year() < action.start_year() || budget.year() > action.end_year()) {
      Add(v1::FINDING_RULE_YEAR_OUTSIDE_PERIOD, v1::SEVERITY_WARNING, {},
          absl::StrCat("L'année ", budget.year(), " est hors de la période de l'action (",
                       action.start_year(), "–", action.end_year(), ")."));
    }
    if (lines_.empty()) {
      Add(v1::FINDING_RULE_EMPTY_BUDGET, v1::SEVERITY_ERROR, {}, "Le budget n'a aucune ligne.");
      return Sorted();
    }
    for (size_t i = 0; i < lines_.size(); ++i) CheckLine(i);
    CheckChapters();
    bool totals_ok = CheckTotals(forecast);
    if (totals_ok) CheckAction(forecast);
    if (!forecast) {
      CheckGrants();
      CheckGaps();
    }
    return Sorted();
  }

 private:
  Finding& Add(v1::FindingRule rule, v1::Severity severity, std::vector<size_t> lines,
               std::string message) {
    Pending pending;
    pending.finding.set_rule(rule);
    pending.finding.set_severity(severity);
    pending.finding.set_message(std::move(message));
    pending.finding.set_budget(in_.budget->name());
    pending.order = lines.empty() ? lines_.size() + 1 : lines.front();
    for (size_t i : lines) {
      pending.finding.add_lines(lines_[i].name());
      if (lines_[i].source_row() > 0) pending.finding.add_source_rows(lines_[i].source_row());
    }
    if (!lines.empty()) {
      pending.finding.set_side(lines_[lines.front()].side());
      pending.finding.set_account_code(lines_[lines.front()].account_code());
    }
    found_.push_back(std::move(pending));
    return found_.back().finding;
  }

  static void SetAmounts(Finding& f, int64_t expected, int64_t actual) {
    f.set_expected_cents(expected);
    f.set_actual_cents(actual);
    int64_t difference = 0;
    if (!__builtin_sub_overflow(actual, expected, &difference)) f.set_difference_cents(difference);
  }

  std::string Describe(size_t i) const {
    const v1::BudgetLine& line = lines_[i];
    return line.account_code().empty()
               ? absl::StrCat("« ", line.label(), " »")
               : absl::StrCat("« ", line.account_code(), " - ", line.label(), " »");
  }

  void CheckLine(size_t i) {
    const v1::BudgetLine& line = lines_[i];
    const std::string& effective = line.effective_account_code();
    if (line.has_amount_cents() && line.amount_cents() < 0) {
      Finding& f = Add(v1::FINDING_RULE_NEGATIVE_AMOUNT, v1::SEVERITY_ERROR, {i},
                       absl::StrCat("La ligne ", Describe(i), " a un montant négatif (",
                                    FormatEuros(line.amount_cents()), ")."));
      f.set_actual_cents(line.amount_cents());
    }
    if (line.amount_cents() % 100 != 0) {
      Finding& f = Add(v1::FINDING_RULE_AMOUNT_NOT_WHOLE_EUROS, v1::SEVERITY_INFO, {i},
                       absl::StrCat("La ligne ", Describe(i), " a des centimes (",
                                    FormatEuros(line.amount_cents()),
                                    ") ; les formulaires l'arrondissent à l'euro."));
      f.set_actual_cents(line.amount_cents());
    }
    if (effective.empty()) {
      bool has_amount = line.has_amount_cents() && line.amount_cents() != 0;
      Add(v1::FINDING_RULE_ACCOUNT_MISSING, has_amount ? v1::SEVERITY_ERROR : v1::SEVERITY_WARNING,
          {i},
          absl::StrCat("La ligne ", Describe(i),
                       " n'a pas de numéro de compte et n'est sous aucun chapitre."));
      return;
    }
    if (!line.account_code().empty()) {
      const v1::Account* account = chart_.Find(line.account_code());
      if (account == nullptr) {
        Add(v1::FINDING_RULE_UNKNOWN_ACCOUNT, v1::SEVERITY_ERROR, {i},
            absl::StrCat("Le compte ", line.account_code(), " de la ligne ", Describe(i),
                         " n'existe pas dans le plan comptable des associations."));
      }
      v1::Side code_side = account != nullptr ? account->side() : SideOfCode(line.account_code());
      if (code_side != v1::SIDE_UNSPECIFIED && code_side != line.side()) {
        Add(v1::FINDING_RULE_WRONG_SIDE, v1::SEVERITY_ERROR, {i},
            absl::StrCat("Le compte ", line.account_code(), " est un compte ", SideName(code_side),
                         " mais la ligne ", Describe(i), " est dans la colonne ",
                         SideName(line.side()), "."));
      }
      auto chapter = index_.find(line.chapter_line());
      if (!line.is_chapter() && chapter != index_.end() &&
          !lines_[chapter->second].account_code().empty() &&
          ChapterOf(line.account_code()) != ChapterOf(lines_[chapter->second].account_code())) {
        Finding& f =
            Add(v1::FINDING_RULE_DETAIL_OUTSIDE_CHAPTER, v1::SEVERITY_ERROR, {chapter->second, i},
                absl::StrCat("La ligne ", Describe(i), " est sous le chapitre ",
                             lines_[chapter->second].account_code(),
                             " mais son compte appartient au chapitre ",
                             ChapterOf(line.account_code()), "."));
        f.set_account_code(line.account_code());
        f.set_suggested_account_code(ChapterOf(line.account_code()));
      }
    }
    CheckLabel(i);
    CheckFunder(i);
  }

  void CheckLabel(size_t i) {
    const v1::BudgetLine& line = lines_[i];
    const std::string chapter = ChapterOf(line.effective_account_code());
    std::vector<const v1::Account*> suggestions = chart_.SuggestFor(line.label(), line.side());
    bool fits = suggestions.empty();
    for (const v1::Account* account : suggestions) fits = fits || account->chapter() == chapter;
    std::string suggested;
    if (!fits) {
      suggested = suggestions.front()->code();
    } else if (!line.funder_id().empty() && chapter != "74") {
      suggested = "74";  // a line naming a funder is a subsidy
    }
    if (suggested.empty()) return;
    const v1::Account* target = chart_.Find(suggested);
    Finding& f =
        Add(v1::FINDING_RULE_MISCLASSIFIED_LABEL, v1::SEVERITY_WARNING, {i},
            absl::StrCat("La ligne ", Describe(i), " est classée en ",
                         line.effective_account_code(), " mais relève du compte ", suggested,
                         target ? absl::StrCat(" (", target->label(), ")") : "", "."));
    f.set_account_code(line.effective_account_code());
    f.set_suggested_account_code(suggested);
  }

  bool IsFunder(const std::string& funder_id) const {
    for (const v1::ActionFunder& funder : in_.action->funders()) {
      if (funder.funder_id() == funder_id) return true;
    }
    return false;
  }

  void CheckFunder(size_t i) {
    const v1::BudgetLine& line = lines_[i];
    if (!line.funder_id().empty() && !IsFunder(line.funder_id())) {
      Finding& f =
          Add(v1::FINDING_RULE_UNKNOWN_FUNDER, v1::SEVERITY_ERROR, {i},
              absl::StrCat("La ligne ", Describe(i), " nomme le financeur « ", line.funder_id(),
                           " » qui n'est pas un financeur de l'action."));
      f.set_funder_id(line.funder_id());
    }
    bool subsidy = ChapterOf(line.effective_account_code()) == "74";
    bool chapter_with_details = line.is_chapter() && details_.count(i) > 0;
    if (!subsidy || !line.funder_id().empty() || chapter_with_details) return;
    if (const v1::ActionFunder* named = FunderNamedBy(line.label())) {
      Finding& f = Add(
          v1::FINDING_RULE_MISSING_FUNDER, v1::SEVERITY_ERROR, {i},
          absl::StrCat("La ligne de subvention ", Describe(i), " nomme ", named->display_name(),
                       ", financeur de l'action, mais n'y est pas rattachée (funder_id vide) : ",
                       "ses montants ne comptent pas dans l'engagement de ce financeur."));
      f.set_funder_id(named->funder_id());
    } else if (NamesNoBody(line.label())) {
      Add(v1::FINDING_RULE_MISSING_FUNDER, v1::SEVERITY_ERROR, {i},
          absl::StrCat("La ligne de subvention ", Describe(i), " ne nomme pas son financeur."));
    } else {
      Add(v1::FINDING_RULE_FUNDER_NOT_LISTED, v1::SEVERITY_WARNING, {i},
          absl::StrCat("La ligne de subvention ", Describe(i),
                       " nomme un financeur que l'action ne compte pas parmi ses financeurs (",
                       FunderNames(),
                       ") : ajoutez-le à l'action pour que ses engagements et ses "
                       "subventions soient vérifiés."));
    }
  }

  // The action's funder whose display name is `label` (accents and case ignored), or null.
  const v1::ActionFunder* FunderNamedBy(const std::string& label) const {
    const std::string folded(absl::StripAsciiWhitespace(FoldLabel(label)));
    for (const v1::ActionFunder& funder : in_.action->funders()) {
      if (FoldLabel(funder.display_name()) == folded) return &funder;
    }
    return nullptr;
  }

  // True when a subsidy line's label names no body: empty, an account's own label
  // ("Subventions d'exploitation"), or only words of the kind "subvention(s) d'exploitation".
  bool NamesNoBody(const std::string& label) const {
    const std::string folded = FoldLabel(label);
    for (const v1::Account& account : chart_.accounts()) {
      if (FoldLabel(account.label()) == absl::StripAsciiWhitespace(folded)) return true;
    }
    static const std::set<std::string> kGeneric = {
        "subvention",     "subventions", "d'exploitation", "exploitation", "de",     "d'",
        "fonctionnement", "publique",    "publiques",      "autre",        "autres", "a",
        "obtenir",        "demandee",    "demandees",      "demande",      "-",      ":"};
    for (absl::string_view word : absl::StrSplit(folded, ' ', absl::SkipWhitespace())) {
      if (kGeneric.count(std::string(word)) == 0) return false;
    }
    return true;
  }

  // The action's funders as forms print them, "Dijon Métropole, Ville de Dijon"; "aucun" when
  // it lists none.
  std::string FunderNames() const {
    std::vector<std::string> names;
    for (const v1::ActionFunder& funder : in_.action->funders()) {
      names.push_back(funder.display_name());
    }
    return names.empty() ? std::string("aucun") : absl::StrJoin(names, ", ");
  }

  void CheckChapters() {
    std::map<std::pair<int, std::string>, size_t> first_chapter;
    for (size_t i = 0; i < lines_.size(); ++i) {
      const v1::BudgetLine& line = lines_[i];
      if (!line.is_chapter()) continue;
      if (!line.account_code().empty()) {
        auto key = std::make_pair(static_cast<int>(line.side()), line.account_code());
        auto [it, inserted] = first_chapter.emplace(key, i);
        if (!inserted) {
          Add(v1::FINDING_RULE_DUPLICATE_CHAPTER, v1::SEVERITY_ERROR, {it->second, i},
              absl::StrCat("Le chapitre ", line.account_code(),
                           " apparaît deux fois dans la "
                           "colonne ",
                           SideName(line.side()), "."));
        }
      }
      auto details = details_.find(i);
      if (details == details_.end()) continue;
      int64_t sum = 0;
      bool ok = true;
      for (size_t d : details->second) ok = ok && CheckedAdd(sum, lines_[d].amount_cents(), sum);
      if (!ok) {
        Add(v1::FINDING_RULE_AMOUNT_OVERFLOW, v1::SEVERITY_ERROR, {i},
            absl::StrCat("La somme des lignes du chapitre ", Describe(i), " dépasse les limites."));
        continue;
      }
      if (sum == line.amount_cents()) continue;
      std::vector<size_t> concerned = {i};
      concerned.insert(concerned.end(), details->second.begin(), details->second.end());
      Finding& f =
          Add(v1::FINDING_RULE_DETAIL_SUM_MISMATCH, v1::SEVERITY_ERROR, concerned,
              absl::StrCat("Le chapitre ", line.account_code(), " indique ",
                           FormatEuros(line.amount_cents()),
                           " mais ses lignes de détail totalisent ", FormatEuros(sum), "."));
      SetAmounts(f, line.amount_cents(), sum);
    }
  }

  // The sum of the top-level lines of `side` whose effective code starts with `prefix` (all
  // when empty); false on overflow.
  bool SumTopLevel(v1::Side side, absl::string_view prefix, int64_t& sum) const {
    sum = 0;
    for (const v1::BudgetLine& line : lines_) {
      if (!line.chapter_line().empty()) continue;
      if (side != v1::SIDE_UNSPECIFIED && line.side() != side) continue;
      if (!absl::StartsWith(line.effective_account_code(), prefix)) continue;
      if (!CheckedAdd(sum, line.amount_cents(), sum)) return false;
    }
    return true;
  }

  bool CheckTotals(bool forecast) {
    int64_t charges, income, used, received;
    if (!SumTopLevel(v1::SIDE_CHARGE, "", charges) || !SumTopLevel(v1::SIDE_INCOME, "", income) ||
        !SumTopLevel(v1::SIDE_UNSPECIFIED, "86", used) ||
        !SumTopLevel(v1::SIDE_UNSPECIFIED, "87", received)) {
      Add(v1::FINDING_RULE_AMOUNT_OVERFLOW, v1::SEVERITY_ERROR, {},
          "Un total du budget dépasse les limites des montants : les totaux ne sont pas calculés.");
      return false;
    }
    charges_ = charges;
    const v1::StatedTotals& stated = in_.budget->stated_totals();
    for (v1::Side side : {v1::SIDE_CHARGE, v1::SIDE_INCOME}) {
      bool has = side == v1::SIDE_CHARGE ? stated.has_charges_cents() : stated.has_income_cents();
      int64_t written = side == v1::SIDE_CHARGE ? stated.charges_cents() : stated.income_cents();
      int64_t computed = side == v1::SIDE_CHARGE ? charges : income;
      if (!has) {
        Finding& f = Add(v1::FINDING_RULE_STATED_TOTAL_MISSING, v1::SEVERITY_INFO, {},
                         absl::StrCat("Le tableau n'indique pas de total ", SideName(side), "."));
        f.set_side(side);
      } else if (written != computed) {
        Finding& f = Add(
            v1::FINDING_RULE_CHAPTERS_SUM_MISMATCH, v1::SEVERITY_ERROR, {},
            absl::StrCat("Les chapitres ", SideName(side), " totalisent ", FormatEuros(computed),
                         " mais le total indiqué est de ", FormatEuros(written), "."));
        f.set_side(side);
        SetAmounts(f, written, computed);
      }
    }
    if (charges != income) {
      // The difference splits into money (charges and income outside 86/87) and contributions
      // in kind (86 - 87): only the first is left to finance.
      int64_t charged_86 = 0, income_87 = 0, money_charges = 0, money_income = 0, money_gap = 0;
      if (SumTopLevel(v1::SIDE_CHARGE, "86", charged_86) &&
          SumTopLevel(v1::SIDE_INCOME, "87", income_87) &&
          !__builtin_sub_overflow(charges, charged_86, &money_charges) &&
          !__builtin_sub_overflow(income, income_87, &money_income) &&
          !__builtin_sub_overflow(money_charges, money_income, &money_gap) &&
          money_gap != INT64_MIN) {
        Finding& f =
            Add(v1::FINDING_RULE_UNBALANCED, forecast ? v1::SEVERITY_ERROR : v1::SEVERITY_WARNING,
                {}, UnbalancedMessage(charges, income, money_gap, charged_86, income_87));
        SetAmounts(f, charges, income);
        if (money_gap > 0) f.set_left_to_finance_cents(money_gap);
      }
    }
    if (used != received) {
      Finding& f = Add(
          v1::FINDING_RULE_CONTRIBUTIONS_MISMATCH, v1::SEVERITY_ERROR, {},
          absl::StrCat("Les emplois des contributions volontaires (86 : ", FormatEuros(used),
                       ") diffèrent des contributions reçues (87 : ", FormatEuros(received), ")."));
      SetAmounts(f, used, received);
    }
    used_ = used;
    received_ = received;
    return true;
  }

  // What an UNBALANCED finding says: the totals, then what their difference is made of.
  static std::string UnbalancedMessage(int64_t charges, int64_t income, int64_t money_gap,
                                       int64_t used, int64_t received) {
    std::string out = absl::StrCat("Le total des charges (", FormatEuros(charges),
                                   ") diffère du total des produits (", FormatEuros(income), ")");
    const std::string in_kind =
        absl::StrCat("les contributions volontaires en nature (86 : ", FormatEuros(used),
                     ", 87 : ", FormatEuros(received), ")");
    if (money_gap == 0) {
      absl::StrAppend(&out, " seulement parce que ", in_kind,
                      " diffèrent : hors contributions en nature, le budget est équilibré et "
                      "rien ne reste à financer.");
      return out;
    }
    // Without any contribution in kind, there is nothing to set apart.
    const char* outside = used == 0 && received == 0 ? " : " : " : hors contributions en nature, ";
    if (money_gap > 0) {
      absl::StrAppend(&out, outside, FormatEuros(money_gap), " de charges restent à financer");
    } else {
      absl::StrAppend(&out, outside, "les produits dépassent les charges de ",
                      FormatEuros(-money_gap));
    }
    if (used != received) absl::StrAppend(&out, " ; ", in_kind, " diffèrent aussi");
    absl::StrAppend(&out, ".");
    return out;
  }

  // The sum of the lines carrying `funder_id`, a detail not counted when its chapter carries
  // the same funder.
  bool FunderLines(const std::string& funder_id, int64_t& sum, std::vector<size_t>& lines) const {
    sum = 0;
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (lines_[i].funder_id() != funder_id) continue;
      auto chapter = index_.find(lines_[i].chapter_line());
      if (chapter != index_.end() && lines_[chapter->second].funder_id() == funder_id) continue;
      lines.push_back(i);
      if (!CheckedAdd(sum, lines_[i].amount_cents(), sum)) return false;
    }
    return true;
  }

  void CheckAction(bool forecast) {
    const v1::Action& action = *in_.action;
    const int year = in_.budget->year();
    const v1::ActionYear* plan = nullptr;
    for (const v1::ActionYear& y : action.years()) {
      if (y.year() == year) plan = &y;
    }
    const v1::StatedTotals& stated = in_.budget->stated_totals();
    int64_t table_total = stated.has_charges_cents() ? stated.charges_cents() : charges_;
    if (forecast && plan != nullptr && plan->has_announced_amount_cents() &&
        plan->announced_amount_cents() != table_total) {
      Finding& f = Add(v1::FINDING_RULE_ANNOUNCED_AMOUNT_MISMATCH, v1::SEVERITY_ERROR, {},
                       absl::StrCat("L'action annonce un budget de ",
                                    FormatEuros(plan->announced_amount_cents()), " pour ", year,
                                    " mais le tableau totalise ", FormatEuros(table_total), "."));
      SetAmounts(f, plan->announced_amount_cents(), table_total);
    }
    for (const v1::ActionFunder& funder : action.funders()) {
      for (const v1::YearAmount& commitment : funder.commitments()) {
        if (commitment.year() != year) continue;
        int64_t sum;
        std::vector<size_t> lines;
        if (!FunderLines(funder.funder_id(), sum, lines) || sum == commitment.amount_cents()) {
          continue;
        }
        Finding& f =
            Add(v1::FINDING_RULE_FUNDER_COMMITMENT_MISMATCH,
                forecast ? v1::SEVERITY_ERROR : v1::SEVERITY_WARNING, lines,
                lines.empty()
                    ? absl::StrCat(funder.display_name(), " s'est engagé pour ",
                                   FormatEuros(commitment.amount_cents()), " en ", year,
                                   " mais aucune ligne ne porte ce financeur.")
                    : absl::StrCat("Les lignes de ", funder.display_name(), " totalisent ",
                                   FormatEuros(sum), " pour un engagement de ",
                                   FormatEuros(commitment.amount_cents()), " en ", year, "."));
        f.set_funder_id(funder.funder_id());
        SetAmounts(f, commitment.amount_cents(), sum);
      }
    }
    int64_t staff;
    if (SumTopLevel(v1::SIDE_CHARGE, "64", staff)) {
      bool states_fte = plan != nullptr && plan->has_staffing_fte_hundredths() &&
                        plan->staffing_fte_hundredths() > 0;
      if (staff > 0 && !states_fte) {
        Finding& f = Add(v1::FINDING_RULE_STAFFING_MISSING, v1::SEVERITY_WARNING, {},
                         absl::StrCat("Le budget prévoit ", FormatEuros(staff),
                                      " de charges de personnel mais l'action n'indique pas "
                                      "d'ETP pour ",
                                      year, "."));
        f.set_account_code("64");
        f.set_actual_cents(staff);
      } else if (staff == 0 && states_fte) {
        Finding& f = Add(v1::FINDING_RULE_STAFFING_MISSING, v1::SEVERITY_WARNING, {},
                         absl::StrCat("L'action indique du temps de personnel pour ", year,
                                      " mais le chapitre 64 est vide."));
        f.set_account_code("64");
        f.set_actual_cents(0);
      }
    }
    bool in_kind = false;
    for (const v1::InKindResource& resource : action.in_kind_resources()) {
      in_kind = in_kind || resource.years().empty() ||
                std::find(resource.years().begin(), resource.years().end(), year) !=
                    resource.years().end();
    }
    if (in_kind && used_ == 0 && received_ == 0) {
      Add(v1::FINDING_RULE_IN_KIND_NOT_VALUED, v1::SEVERITY_WARNING, {},
          "L'action bénéficie de ressources en nature (locaux mis à disposition...) qui ne "
          "sont pas valorisées aux comptes 86 et 87.");
    }
  }

  void CheckGrants() {
    std::map<std::string, int64_t> notified;
    for (const v1::Grant& grant : in_.grants) {
      if (grant.year() != in_.budget->year() || !grant.has_notified_amount_cents()) continue;
      int64_t& total = notified[grant.funder_id()];
      if (!CheckedAdd(total, grant.notified_amount_cents(), total)) return;
    }
    for (const auto& [funder_id, amount] : notified) {
      int64_t sum;
      std::vector<size_t> lines;
      if (!FunderLines(funder_id, sum, lines) || sum == amount) continue;
      Finding& f = Add(v1::FINDING_RULE_GRANT_MISMATCH, v1::SEVERITY_WARNING, lines,
                       absl::StrCat("Les lignes du financeur « ", funder_id, " » totalisent ",
                                    FormatEuros(sum), " mais ses subventions notifiées pour ",
                                    in_.budget->year(), " s'élèvent à ", FormatEuros(amount), "."));
      f.set_funder_id(funder_id);
      SetAmounts(f, amount, sum);
    }
  }

  void CheckGaps() {
    if (in_.compared_forecast == nullptr) return;
    std::map<std::pair<int, std::string>, int64_t> forecast;
    for (const v1::BudgetLine& line : *in_.compared_forecast) {
      if (!line.is_chapter()) continue;
      int64_t& total = forecast[{static_cast<int>(line.side()), line.account_code()}];
      if (!CheckedAdd(total, line.amount_cents(), total)) return;
    }
    for (size_t i = 0; i < lines_.size(); ++i) {
      const v1::BudgetLine& line = lines_[i];
      if (!line.is_chapter()) continue;
      auto it = forecast.find({static_cast<int>(line.side()), line.account_code()});
      int64_t planned = it == forecast.end() ? 0 : it->second;
      int64_t gap;
      if (__builtin_sub_overflow(line.amount_cents(), planned, &gap)) continue;
      bool large = planned == 0 ? gap != 0
                                : static_cast<__int128>(gap < 0 ? -gap : gap) * 10 >=
                                      static_cast<__int128>(planned < 0 ? -planned : planned);
      if (!large) continue;
      bool explained = !line.note().empty();
      for (size_t d : details_[i]) explained = explained || !lines_[d].note().empty();
      if (explained) continue;
      Finding& f = Add(v1::FINDING_RULE_GAP_NOT_EXPLAINED, v1::SEVERITY_WARNING, {i},
                       absl::StrCat("Le chapitre ", line.account_code(), " réalise ",
                                    FormatEuros(line.amount_cents()), " pour ",
                                    FormatEuros(planned), " prévus, sans explication de l'écart."));
      SetAmounts(f, planned, line.amount_cents());
    }
  }

  std::vector<Finding> Sorted() {
    std::stable_sort(found_.begin(), found_.end(), [](const Pending& a, const Pending& b) {
      if (a.finding.severity() != b.finding.severity()) {
        return a.finding.severity() < b.finding.severity();
      }
      return a.order < b.order;
    });
    std::vector<Finding> out;
    out.reserve(found_.size());
    for (Pending& p : found_) out.push_back(std::move(p.finding));
    return out;
  }

  const ChartOfAccounts& chart_;
  const ValidationInput& in_;
  const std::vector<v1::BudgetLine>& lines_;
  std::map<std::string, size_t> index_;
  std::map<size_t, std::vector<size_t>> details_;
  std::vector<Pending> found_;
  int64_t charges_ = 0;
  int64_t used_ = 0;
  int64_t received_ = 0;
};

}  // namespace

FindingCounts CountFindings(const std::vector<v1::Finding>& findings) {
  FindingCounts counts;
  for (const v1::Finding& f : findings) {
    if (f.severity() == v1::SEVERITY_ERROR) ++counts.errors;
    if (f.severity() == v1::SEVERITY_WARNING) ++counts.warnings;
    if (f.severity() == v1::SEVERITY_INFO) ++counts.infos;
  }
  return counts;
}

std::vector<v1::Finding> BudgetValidator::Validate(const ValidationInput& input) const {
  return Run(chart_, input).Go();
}

}  // namespace maillage::budget
