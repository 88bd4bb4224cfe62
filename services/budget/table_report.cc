// The French of the budget table import report (see table_report.h).
#include "services/budget/table_report.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/localized.h"

namespace maillage::budget {
namespace {

// What the importer found, by reason, as a French sentence (without the position).
std::string FrenchReason(v1::ImportIssueReason reason) {
  switch (reason) {
    case v1::IMPORT_ISSUE_REASON_INVALID_ENCODING:
      return "le texte n'est pas en UTF-8";
    case v1::IMPORT_ISSUE_REASON_UNREADABLE_AMOUNT:
      return "montant illisible (attendu : « 6 000 », « 6 000 € » ou « 1 234,56 »)";
    case v1::IMPORT_ISSUE_REASON_AMOUNT_OUT_OF_RANGE:
      return "montant hors limites (plus de 10^13 euros, ou plus de deux décimales)";
    case v1::IMPORT_ISSUE_REASON_TOO_MANY_COLUMNS:
      return "la ligne a plus de colonnes que la disposition du tableau";
    case v1::IMPORT_ISSUE_REASON_MISSING_LABEL:
      return "un montant sans libellé";
    case v1::IMPORT_ISSUE_REASON_UNCLOSED_QUOTE:
      return "une cellule entre guillemets n'est pas refermée";
    case v1::IMPORT_ISSUE_REASON_TOO_LARGE:
      return "cellule ou tableau trop long pour le service";
    case v1::IMPORT_ISSUE_REASON_HEADING_WITHOUT_CODE:
      return "intitulé sans numéro de chapitre, gardé comme ligne sans compte";
    case v1::IMPORT_ISSUE_REASON_DETAIL_WITHOUT_CHAPTER:
      return "ligne de détail placée avant le premier chapitre de son côté, gardée hors chapitre";
    case v1::IMPORT_ISSUE_REASON_BLANK_AMOUNT:
      return "montant vide, gardé vide";
    case v1::IMPORT_ISSUE_REASON_SKIPPED_ROW:
      return "ligne d'en-tête, de titre ou vide, ignorée";
    case v1::IMPORT_ISSUE_REASON_STATED_TOTAL:
      return "ligne TOTAL, gardée comme total annoncé de son côté";
    case v1::IMPORT_ISSUE_REASON_FUNDER_MATCHED:
      return "ligne de subvention rattachée à l'un des financeurs de l'action";
    default:
      return "à vérifier";
  }
}

std::string Count(int64_t n, const char* one, const char* many) {
  return absl::StrCat(n, " ", n > 1 ? many : one);
}

}  // namespace

void AddFrench(v1::ImportBudgetTableResponse& response, bool validate_only) {
  int errors = 0, warnings = 0;
  for (v1::ImportIssue& issue : *response.mutable_issues()) {
    std::string where = absl::StrCat("Ligne ", issue.row());
    if (issue.column() > 0) absl::StrAppend(&where, ", colonne ", issue.column());
    std::string text = absl::StrCat(where, " : ", FrenchReason(issue.reason()));
    if (!issue.text().empty()) absl::StrAppend(&text, " (« ", issue.text(), " »)");
    *issue.mutable_localized_message() = French(absl::StrCat(text, "."));
    errors += issue.severity() == v1::IMPORT_ISSUE_SEVERITY_ERROR;
    warnings += issue.severity() == v1::IMPORT_ISSUE_SEVERITY_WARNING;
  }
  const int lines = validate_only ? response.lines_size() : response.lines_created();
  *response.mutable_summary() = French(absl::StrCat(
      validate_only ? "Vérification (rien n'est écrit) du tableau : " : "Tableau importé : ",
      Count(response.rows_read(), "ligne lue", "lignes lues"), ", ",
      validate_only
          ? Count(lines, "ligne de budget serait créée", "lignes de budget seraient créées")
          : Count(lines, "ligne de budget créée", "lignes de budget créées"),
      " ; ", Count(errors, "erreur", "erreurs"), ", ",
      Count(warnings, "avertissement", "avertissements"), ", ",
      Count(response.findings_size(), "constat de validation", "constats de validation"), "."));
}

}  // namespace maillage::budget
