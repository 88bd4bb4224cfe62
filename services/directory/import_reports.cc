// The French of the import reports (see import_reports.h).
#include "services/directory/import_reports.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/localized.h"

namespace maillage::directory {
namespace {

// "1 234 567": French thousands, with a narrow no-break space.
std::string Number(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += "\u202f";
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// "1 acteur créé", "3 acteurs créés", "0 acteur créé" (French: 0 and 1 take the singular).
std::string Count(int64_t n, const char* one, const char* many) {
  return absl::StrCat(Number(n), " ", n > 1 ? many : one);
}

std::string Lines(int64_t n) { return Count(n, "ligne", "lignes"); }

// " ; 2 problèmes signalés" when there are issues.
std::string IssuesPart(int issues) {
  return issues == 0 ? ""
                     : absl::StrCat(" ; ", Count(issues, "problème signalé", "problèmes signalés"));
}

}  // namespace

void AddFrench(v1::ImportActorsResponse& report, bool validate_only) {
  for (v1::ImportIssue& issue : *report.mutable_issues()) {
    if (issue.has_localized_message()) continue;  // the importer's, naming the file's column
    const std::string field =
        absl::StrCat("rows[", issue.row(), "]", issue.field().empty() ? "" : ".", issue.field());
    *issue.mutable_localized_message() = French(FrenchFieldViolation(field, issue.reason()));
  }
  std::vector<std::string> parts;
  if (validate_only) {
    parts.push_back(Count(report.created_count(), "acteur serait créé", "acteurs seraient créés"));
    parts.push_back(Count(report.updated_count(), "serait modifié", "seraient modifiés"));
    parts.push_back(Count(report.unchanged_count(), "resterait inchangé", "resteraient inchangés"));
    parts.push_back(Count(report.rejected_count(), "ligne refusée", "lignes refusées"));
  } else {
    parts.push_back(Count(report.created_count(), "acteur créé", "acteurs créés"));
    parts.push_back(Count(report.updated_count(), "modifié", "modifiés"));
    parts.push_back(Count(report.unchanged_count(), "inchangé", "inchangés"));
  }
  const char* encoding =
      report.detected_encoding() == v1::TEXT_ENCODING_WINDOWS_1252 ? "windows-1252" : "UTF-8";
  *report.mutable_summary() =
      French(absl::StrCat(validate_only ? "Vérification (rien n'est écrit) de " : "Import de ",
                          Lines(report.rows_size()), " : ", absl::StrJoin(parts, ", "),
                          IssuesPart(report.issues_size()), ". Fichier lu en ", encoding, "."));
}

void AddFrench(v1::ImportSireneExtractResponse& report, bool validate_only) {
  for (v1::ImportIssue& issue : *report.mutable_issues()) {
    // The SIRENE importer's reasons are French already ("identifiant invalide").
    if (issue.has_localized_message()) continue;
    *issue.mutable_localized_message() = French(
        absl::StrCat("Ligne ", issue.row(), issue.field().empty() ? "" : ", « ", issue.field(),
                     issue.field().empty() ? "" : " »", " : ", issue.reason(), "."));
  }
  *report.mutable_summary() = French(absl::StrCat(
      validate_only ? "Vérification (rien n'est écrit) de l'extrait SIRENE : "
                    : "Extrait SIRENE : ",
      Count(report.rows_read(), "ligne lue", "lignes lues"), ", ",
      Count(report.kept_count(), "établissement retenu", "établissements retenus"),
      " (actifs, dans les communes du territoire) ; ",
      validate_only
          ? Count(report.enriched_count(), "acteur serait enrichi", "acteurs seraient enrichis")
          : Count(report.enriched_count(), "acteur enrichi", "acteurs enrichis"),
      ", ",
      validate_only ? Count(report.created_count(), "serait créé", "seraient créés")
                    : Count(report.created_count(), "créé", "créés"),
      ", ", Count(report.unchanged_count(), "déjà à jour", "déjà à jour"), " ; ",
      Count(report.conflicts_size(), "valeur divergente laissée telle quelle",
            "valeurs divergentes laissées telles quelles"),
      IssuesPart(report.issues_size()), "."));
}

}  // namespace maillage::directory
