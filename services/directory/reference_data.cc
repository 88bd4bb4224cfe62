// Reference lists: parsing of the embedded CSV files and their upsert at start-up.
#include "services/directory/reference_data.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/csv/coded_list.h"
#include "common/db/values.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"

namespace maillage::directory {
namespace {

using v1::Commune;

using csv::BadCell;
using csv::NamedRow;
using csv::ReadNamedRows;

std::vector<std::string> SplitList(absl::string_view cell) {
  return absl::StrSplit(cell, absl::ByAnyChar("| "), absl::SkipEmpty());
}

bool IsInseeCode(absl::string_view code) {
  return code.size() == 5 && absl::ascii_isdigit(code[0]) &&
         (absl::ascii_isdigit(code[1]) || code[1] == 'A' || code[1] == 'B') &&
         absl::ascii_isdigit(code[2]) && absl::ascii_isdigit(code[3]) &&
         absl::ascii_isdigit(code[4]);
}

// The content of the file at `path` named by `variable`, or the embedded file `embedded` when
// `path` is empty. NOT_FOUND naming both when it cannot be read.
absl::StatusOr<std::string> ReadReferenceFile(absl::string_view variable, const std::string& path,
                                              absl::string_view embedded) {
  if (path.empty()) return std::string(EmbeddedReferenceFile(embedded));
  return csv::ReadListFile(variable, path, kDomain);
}

// The name of a reference file in errors: "VARIABLE /path" or "embedded reference/<name>".
std::string SourceName(absl::string_view variable, const std::string& path,
                       absl::string_view embedded) {
  return path.empty() ? absl::StrCat("embedded reference/", embedded)
                      : absl::StrCat(variable, " ", path);
}

constexpr char kUpsertCommune[] =
    "INSERT INTO communes (insee_code, display_name, postal_codes, former_insee_codes) "
    "VALUES ($1, $2, $3::text[], $4::text[]) ON CONFLICT (insee_code) DO UPDATE SET "
    "display_name = excluded.display_name, postal_codes = excluded.postal_codes, "
    "former_insee_codes = excluded.former_insee_codes";
constexpr char kStaleCommunes[] =
    "SELECT c.insee_code, EXISTS (SELECT 1 FROM actors a WHERE a.insee_code = c.insee_code) "
    "FROM communes c WHERE NOT (c.insee_code = ANY($1::text[]))";
constexpr char kDeleteCommune[] = "DELETE FROM communes WHERE insee_code = $1";

absl::Status SyncCoded(pqxx::work& txn, const std::string& table, const std::string& actor_column,
                       const std::vector<CodedEntry>& entries) {
  std::vector<std::string> codes;
  for (size_t i = 0; i < entries.size(); ++i) {
    const CodedEntry& e = entries[i];
    txn.exec_params("INSERT INTO " + table +
                        " (code, display_name, description, position) VALUES ($1, $2, $3, $4) "
                        "ON CONFLICT (code) DO UPDATE SET display_name = excluded.display_name, "
                        "description = excluded.description, position = excluded.position",
                    e.code, e.display_name, e.description, static_cast<int>(i + 1));
    codes.push_back(e.code);
  }
  pqxx::result stale = txn.exec_params(
      "SELECT t.code, EXISTS (SELECT 1 FROM actors a WHERE t.code = ANY(a." + actor_column +
          ")) FROM " + table + " t WHERE NOT (t.code = ANY($1::text[]))",
      db::PgArray(codes));
  for (const auto& row : stale) {
    if (row[1].as<bool>()) {
      log::Warn("reference entry removed from the data but still used by actors; kept",
                {{"table", table}, {"code", row[0].as<std::string>()}});
    } else {
      txn.exec_params("DELETE FROM " + table + " WHERE code = $1", row[0].as<std::string>());
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Commune>> ParseCommunes(absl::string_view csv,
                                                   absl::string_view source) {
  MAILLAGE_ASSIGN_OR_RETURN(
      auto rows,
      ReadNamedRows(csv, {"insee_code", "display_name", "postal_codes", "former_insee_codes"},
                    source, kDomain));
  std::vector<Commune> communes;
  std::set<std::string> seen;
  for (const auto& row : rows) {
    Commune commune;
    commune.set_insee_code(row.at("insee_code"));
    commune.set_display_name(row.at("display_name"));
    commune.set_name(absl::StrCat("communes/", commune.insee_code()));
    if (!IsInseeCode(commune.insee_code())) {
      return BadCell(source, row, "insee_code", "not an INSEE code (5 characters, e.g. 21231)",
                     kDomain);
    }
    if (commune.display_name().empty()) {
      return BadCell(source, row, "display_name", "empty", kDomain);
    }
    for (const std::string& p : SplitList(row.at("postal_codes"))) commune.add_postal_codes(p);
    for (const std::string& f : SplitList(row.at("former_insee_codes"))) {
      if (!IsInseeCode(f)) {
        return BadCell(source, row, "former_insee_codes",
                       absl::StrCat("'", f, "' is not an INSEE code"), kDomain);
      }
      commune.add_former_insee_codes(f);
    }
    if (!seen.insert(commune.insee_code()).second) {
      return BadCell(source, row, "insee_code", "duplicate", kDomain);
    }
    communes.push_back(std::move(commune));
  }
  for (const Commune& c : communes) {
    for (const std::string& f : c.former_insee_codes()) {
      if (seen.count(f)) {
        return InvalidField(
            kDomain, "former_insee_codes",
            absl::StrCat(source, ", commune ", c.insee_code(), ", field former_insee_codes: ", f,
                         " is also a current commune"));
      }
    }
  }
  return communes;
}

absl::StatusOr<std::vector<CodedEntry>> ParseCodedEntries(absl::string_view csv,
                                                          absl::string_view source) {
  return csv::ParseCodedEntries(csv, source, kDomain);
}

const std::vector<v1::EssFamilyDescription>& EssFamilies() {
  static const auto* const kFamilies = [] {
    struct Row {
      v1::EssFamily family;
      const char* label;
      const char* description;
      std::vector<std::string> codes;
    };
    const std::vector<Row> rows = {
        {v1::ESS_FAMILY_ASSOCIATION,
         "Association",
         "Associations régies par la loi de 1901 ou le droit local (catégories juridiques 92xx)",
         {"92"}},
        {v1::ESS_FAMILY_COOPERATIVE,
         "Coopérative",
         "Sociétés coopératives : SCOP, SCIC, CAE, coopératives d'usagers, agricoles...",
         {"5458", "5459", "5460", "5551", "5552", "5553", "5554", "5555", "5558", "5559", "5560",
          "6316", "6317", "6318"}},
        {v1::ESS_FAMILY_MUTUAL,
         "Mutuelle",
         "Mutuelles du code de la mutualité et sociétés d'assurance mutuelles",
         {"8210", "8250", "8290", "6411"}},
        {v1::ESS_FAMILY_FOUNDATION, "Fondation", "Fondations (catégorie juridique 9300)", {"9300"}},
        {v1::ESS_FAMILY_ESS_COMMERCIAL_COMPANY,
         "Société commerciale de l'ESS",
         "Sociétés commerciales qui remplissent les conditions de l'article 1 de la loi "
         "2014-856 (repérées par l'indicateur ESS de SIRENE)",
         {}},
        {v1::ESS_FAMILY_OUTSIDE_ESS,
         "Hors ESS",
         "Partenaires hors de l'ESS : chambres consulaires, universités, collectivités...",
         {}},
    };
    auto* families = new std::vector<v1::EssFamilyDescription>;
    for (const Row& row : rows) {
      v1::EssFamilyDescription d;
      d.set_family(row.family);
      d.set_display_name(row.label);
      d.set_description(row.description);
      for (const std::string& code : row.codes) d.add_legal_category_codes(code);
      families->push_back(std::move(d));
    }
    return families;
  }();
  return *kFamilies;
}

v1::EssFamily EssFamilyOfLegalCategory(absl::string_view legal_category_code) {
  for (const v1::EssFamilyDescription& family : EssFamilies()) {
    for (const std::string& code : family.legal_category_codes()) {
      if (absl::StartsWith(legal_category_code, code)) return family.family();
    }
  }
  return v1::ESS_FAMILY_UNSPECIFIED;
}

absl::StatusOr<ReferenceLists> LoadReferenceLists(const ReferenceFiles& files) {
  struct File {
    const char* variable;
    const std::string& path;
    const char* embedded;
  };
  const File communes{"MAILLAGE_TERRITORY_FILE", files.communes, "communes.csv"};
  const File categories{"MAILLAGE_CATEGORIES_FILE", files.categories, "network_categories.csv"};
  const File themes{"MAILLAGE_THEMES_FILE", files.themes, "themes.csv"};
  ReferenceLists lists;
  for (const File* f : {&communes, &categories, &themes}) {
    MAILLAGE_ASSIGN_OR_RETURN(std::string csv,
                              ReadReferenceFile(f->variable, f->path, f->embedded));
    std::string source = SourceName(f->variable, f->path, f->embedded);
    if (f == &communes) {
      MAILLAGE_ASSIGN_OR_RETURN(lists.communes, ParseCommunes(csv, source));
    } else {
      MAILLAGE_ASSIGN_OR_RETURN(std::vector<CodedEntry> entries, ParseCodedEntries(csv, source));
      if (entries.empty()) {
        return InvalidField(kDomain, "code", absl::StrCat(source, ": no entry"));
      }
      (f == &categories ? lists.categories : lists.themes) = std::move(entries);
    }
  }
  if (lists.communes.empty()) {
    return InvalidField(
        kDomain, "insee_code",
        absl::StrCat(SourceName(communes.variable, communes.path, communes.embedded),
                     ": no commune"));
  }
  return lists;
}

absl::Status SyncReferenceData(db::Pool& pool, const std::string& territory_file) {
  return SyncReferenceData(pool, ReferenceFiles{territory_file, "", ""});
}

absl::Status SyncReferenceData(db::Pool& pool, const ReferenceFiles& files) {
  MAILLAGE_ASSIGN_OR_RETURN(ReferenceLists lists, LoadReferenceLists(files));
  const std::vector<Commune>& communes = lists.communes;
  const std::vector<CodedEntry>& categories = lists.categories;
  const std::vector<CodedEntry>& themes = lists.themes;
  return pool.Transact(db::Deadline::max(), [&](pqxx::work& txn) -> absl::Status {
    std::vector<std::string> codes;
    for (const Commune& c : communes) {
      txn.exec_params(kUpsertCommune, c.insee_code(), c.display_name(),
                      db::PgArray(c.postal_codes()), db::PgArray(c.former_insee_codes()));
      codes.push_back(c.insee_code());
    }
    for (const auto& row : txn.exec_params(kStaleCommunes, db::PgArray(codes))) {
      if (row[1].as<bool>()) {
        log::Warn("commune removed from the territory but still used by actors; kept",
                  {{"insee_code", row[0].as<std::string>()}});
      } else {
        txn.exec_params(kDeleteCommune, row[0].as<std::string>());
      }
    }
    MAILLAGE_RETURN_IF_ERROR(
        SyncCoded(txn, "network_categories", "network_categories", categories));
    return SyncCoded(txn, "themes", "themes", themes);
  });
}

}  // namespace maillage::directory
