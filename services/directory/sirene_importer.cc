// ImportSireneExtract (see sirene_importer.h).
#include "services/directory/sirene_importer.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/csv/csv_reader.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/ids/french_ids.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"
#include "services/directory/actor_store.h"
#include "services/directory/change_feed.h"
#include "services/directory/reference_data.h"

namespace maillage::directory {
namespace {

using v1::Actor;
// INSEE code (current or former) → current code of the commune.
using CommuneCodes = std::map<std::string, std::string>;

const char* const kColumns[] = {"siren",
                                "siret",
                                "denominationUniteLegale",
                                "categorieJuridiqueUniteLegale",
                                "activitePrincipaleUniteLegale",
                                "economieSocialeSolidaireUniteLegale",
                                "identifiantAssociationUniteLegale",
                                "codeCommuneEtablissement",
                                "etatAdministratifEtablissement"};
enum Column { kSiren, kSiret, kName, kLegalCategory, kNaf, kEssFlag, kRna, kCommune, kState };

// An active establishment of the territory, as read from the extract.
struct Establishment {
  std::string siren, siret, name, legal_category, naf, rna, commune;
  bool ess_flag = false;
};

// The ESS family of an establishment: from its legal category, or a commercial company of the
// ESS when flagged "O" without an ESS legal category; unspecified otherwise.
v1::EssFamily FamilyOf(const Establishment& e) {
  v1::EssFamily family = EssFamilyOfLegalCategory(e.legal_category);
  if (family == v1::ESS_FAMILY_UNSPECIFIED && e.ess_flag &&
      absl::StartsWith(e.legal_category, "5")) {
    family = v1::ESS_FAMILY_ESS_COMMERCIAL_COMPANY;
  }
  return family;
}

constexpr char kSetExtractDate[] = "UPDATE actors SET sirene_extract_date = $2::date WHERE id = $1";
constexpr char kMatchSiret[] =
    "SELECT id FROM actors WHERE siret = $1 AND state <> 'ACTOR_STATE_MERGED' LIMIT 1";
constexpr char kMatchSiren[] =
    "SELECT id FROM actors WHERE siren = $1 AND siret = '' AND state <> 'ACTOR_STATE_MERGED' "
    "ORDER BY id LIMIT 1";
constexpr char kMatchRna[] =
    "SELECT id FROM actors WHERE rna = $1 AND state <> 'ACTOR_STATE_MERGED' LIMIT 1";

int64_t FirstId(const pqxx::result& rows) { return rows.empty() ? 0 : rows[0][0].as<int64_t>(); }

}  // namespace

absl::StatusOr<v1::ImportSireneExtractResponse> SireneImporter::Import(
    db::Deadline deadline, const v1::SireneImportOptions& options,
    const std::function<bool(std::string*)>& next_chunk) {
  if (!options.has_extract_date() || !IsValidDate(options.extract_date())) {
    return InvalidField(kDomain, "options.extract_date", "required, the day of the extract");
  }
  // The territory: current codes and former codes mapped to the current one.
  MAILLAGE_ASSIGN_OR_RETURN(
      auto territory,
      pool_.ReadOnly<CommuneCodes>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<CommuneCodes> {
        CommuneCodes codes;
        for (const auto& row : txn.exec("SELECT insee_code, former_insee_codes FROM communes")) {
          std::string code = row[0].as<std::string>();
          codes[code] = code;
          for (const std::string& former : db::ReadTextArray(row[1])) codes[former] = code;
        }
        return codes;
      }));

  v1::ImportSireneExtractResponse response;
  std::map<v1::SireneSkipReason, int64_t> skipped;
  std::vector<Establishment> kept;
  std::vector<int> index;  // file column of each of kColumns
  absl::optional<csv::CsvReader> reader;
  auto consume = [&](const csv::CsvRecord& record) -> absl::Status {
    if (index.empty()) {
      for (const char* column : kColumns) {
        auto it = std::find(record.fields.begin(), record.fields.end(), column);
        if (it == record.fields.end()) {
          return InvalidField(kDomain, "data", absl::StrCat("missing column ", column));
        }
        index.push_back(static_cast<int>(it - record.fields.begin()));
      }
      return absl::OkStatus();
    }
    response.set_rows_read(response.rows_read() + 1);
    auto cell = [&](Column c) -> const std::string& {
      static const std::string kEmpty;
      size_t i = static_cast<size_t>(index[c]);
      return i < record.fields.size() ? record.fields[i] : kEmpty;
    };
    for (const std::string& field : record.fields) {
      if (!csv::IsValidUtf8(field)) return InvalidField(kDomain, "data", "not valid UTF-8");
    }
    if (cell(kState) != "A") {
      ++skipped[v1::SIRENE_SKIP_REASON_INACTIVE];
      return absl::OkStatus();
    }
    auto commune = territory.find(cell(kCommune));
    if (commune == territory.end()) {
      ++skipped[v1::SIRENE_SKIP_REASON_OUTSIDE_TERRITORY];
      return absl::OkStatus();
    }
    Establishment e{cell(kSiren),    cell(kSiret),
                    cell(kName),     cell(kLegalCategory),
                    cell(kNaf),      ids::NormalizeIdentifier(cell(kRna)),
                    commune->second, cell(kEssFlag) == "O"};
    if (!ids::IsValidSiret(e.siret) || (!e.rna.empty() && !ids::IsValidRna(e.rna))) {
      ++skipped[v1::SIRENE_SKIP_REASON_MALFORMED];
      if (response.issues_size() < 100) {
        v1::ImportIssue* issue = response.add_issues();
        issue->set_row(static_cast<int32_t>(record.line));
        issue->set_field(ids::IsValidSiret(e.siret) ? "rna" : "siret");
        issue->set_reason("identifiant invalide");
      }
      return absl::OkStatus();
    }
    e.siren = std::string(ids::SirenOfSiret(e.siret));
    kept.push_back(std::move(e));
    return absl::OkStatus();
  };
  std::string chunk;
  while (next_chunk(&chunk)) {
    if (!reader) {
      char separator = options.separator() == v1::CSV_SEPARATOR_SEMICOLON ? ';'
                       : options.separator() == v1::CSV_SEPARATOR_COMMA
                           ? ','
                           : csv::DetectSeparator(chunk.substr(0, chunk.find('\n')));
      reader.emplace(separator);
    }
    reader->Feed(chunk);
    while (auto record = reader->Next()) MAILLAGE_RETURN_IF_ERROR(consume(*record));
  }
  if (!reader) return InvalidField(kDomain, "data", "empty file");
  reader->Finish();
  while (auto record = reader->Next()) MAILLAGE_RETURN_IF_ERROR(consume(*record));
  if (!reader->status().ok()) return InvalidField(kDomain, "data", reader->status().message());
  if (index.empty()) return InvalidField(kDomain, "data", "no header line");
  response.set_kept_count(static_cast<int64_t>(kept.size()));
  response.mutable_provenance()->set_source("sirene");
  *response.mutable_provenance()->mutable_sirene_extract_date() = options.extract_date();
  std::string extract_date = db::DateParam(true, options.extract_date());

  auto apply = [&](pqxx::work& txn) -> absl::StatusOr<v1::ImportSireneExtractResponse> {
    v1::ImportSireneExtractResponse report = response;
    std::map<v1::SireneSkipReason, int64_t> skips = skipped;
    if (options.validate_only()) txn.exec("SAVEPOINT validate_only");
    for (const Establishment& e : kept) {
      int64_t id = FirstId(txn.exec_params(kMatchSiret, e.siret));
      if (id == 0) id = FirstId(txn.exec_params(kMatchSiren, e.siren));
      if (id == 0 && !e.rna.empty()) id = FirstId(txn.exec_params(kMatchRna, e.rna));
      v1::EssFamily family = FamilyOf(e);
      if (id == 0) {
        bool in_ess = e.ess_flag || family != v1::ESS_FAMILY_UNSPECIFIED;
        if (!in_ess) {
          ++skips[v1::SIRENE_SKIP_REASON_NOT_ESS];
        } else if (!options.create_missing()) {
          ++skips[v1::SIRENE_SKIP_REASON_NOT_IN_DIRECTORY];
        } else {
          Actor actor;
          actor.set_display_name(e.name.empty() ? e.siret : e.name);
          actor.set_legal_name(e.name);
          actor.set_siren(e.siren);
          actor.set_siret(e.siret);
          actor.set_rna(e.rna);
          actor.set_legal_category_code(e.legal_category);
          actor.set_naf_code(e.naf);
          actor.set_ess_family(family);
          actor.mutable_address()->set_commune_insee_code(e.commune);
          actor.mutable_provenance()->set_source("sirene");
          NormalizeActor(actor);
          FieldViolations violations;
          CheckActorFields(actor, "", violations);
          if (!violations.empty()) {
            ++skips[v1::SIRENE_SKIP_REASON_MALFORMED];
            continue;
          }
          Actor created = ActorStore::Insert(txn, actor);
          int64_t created_id = std::stoll(created.name().substr(7));
          txn.exec_params(kSetExtractDate, created_id, extract_date);
          MAILLAGE_ASSIGN_OR_RETURN(created, ActorStore::Get(txn, created_id));
          AppendChange(txn, v1::CHANGE_KIND_CREATED, v1::CHANGED_RESOURCE_TYPE_ACTOR,
                       created.name(), &created);
          report.set_created_count(report.created_count() + 1);
        }
        continue;
      }
      MAILLAGE_ASSIGN_OR_RETURN(Actor current, ActorStore::Get(txn, id, true));
      Actor enriched = current;
      auto fill = [&](const char* field, std::string* held, const std::string& value) {
        if (value.empty()) return;
        if (held->empty()) {
          *held = value;
        } else if (*held != value) {
          v1::SireneConflict* conflict = report.add_conflicts();
          conflict->set_actor(current.name());
          conflict->set_field(field);
          conflict->set_directory_value(*held);
          conflict->set_extract_value(value);
        }
      };
      fill("siren", enriched.mutable_siren(), e.siren);
      fill("siret", enriched.mutable_siret(), e.siret);
      fill("rna", enriched.mutable_rna(), e.rna);
      fill("legal_name", enriched.mutable_legal_name(), e.name);
      if (!e.legal_category.empty()) enriched.set_legal_category_code(e.legal_category);
      if (!e.naf.empty()) enriched.set_naf_code(e.naf);
      if (enriched.ess_family() == v1::ESS_FAMILY_UNSPECIFIED) enriched.set_ess_family(family);
      NormalizeActor(enriched);
      FieldViolations violations;
      CheckActorFields(enriched, "", violations);
      if (!violations.empty() || SameWritableFields(enriched, current)) {
        report.set_unchanged_count(report.unchanged_count() + 1);
        continue;
      }
      ActorStore::Update(txn, id, enriched);
      txn.exec_params(kSetExtractDate, id, extract_date);
      MAILLAGE_ASSIGN_OR_RETURN(Actor stored, ActorStore::Get(txn, id));
      AppendChange(txn, v1::CHANGE_KIND_UPDATED, v1::CHANGED_RESOURCE_TYPE_ACTOR, stored.name(),
                   &stored);
      report.set_enriched_count(report.enriched_count() + 1);
    }
    for (const auto& [reason, count] : skips) {
      v1::SireneSkipCount* skip = report.add_skipped();
      skip->set_reason(reason);
      skip->set_count(count);
    }
    if (options.validate_only()) txn.exec("ROLLBACK TO SAVEPOINT validate_only");
    return report;
  };
  return pool_.Transact<v1::ImportSireneExtractResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ImportSireneExtractResponse> {
        if (options.validate_only()) return apply(txn);
        return db::RunIdempotent<v1::ImportSireneExtractResponse>(
            txn, options.request_id(), "ImportSireneExtract", options, kDomain,
            [&]() { return apply(txn); });
      });
}

}  // namespace maillage::directory
