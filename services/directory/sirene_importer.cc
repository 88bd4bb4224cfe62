// ImportSireneExtract (see sirene_importer.h): the stream read into kept rows, then applied in
// batches that each commit.
#include "services/directory/sirene_importer.h"

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/csv/csv_reader.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/ids/french_ids.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"
#include "services/directory/actor_store.h"
#include "services/directory/change_feed.h"
#include "services/directory/import_reports.h"
#include "services/directory/reference_data.h"
#include "services/directory/reference_store.h"

namespace maillage::directory {
namespace {

using v1::Actor;
// INSEE code (current or former) → current code of the commune.
using CommuneCodes = std::map<std::string, std::string>;

// The columns read, named exactly as INSEE names them in its files StockEtablissement and
// StockUniteLegale (INSEE, "Base Sirene des entreprises et de leurs établissements (SIREN,
// SIRET)", published on data.gouv.fr; variables described in INSEE's "Description des
// fichiers" of the stock files, sirene.fr). A column absent from a file reads as empty.
//
// The establishments file: the first four are required.
const char* const kEstablishmentColumns[] = {"siren",
                                             "siret",
                                             "codeCommuneEtablissement",
                                             "etatAdministratifEtablissement",
                                             "numeroVoieEtablissement",
                                             "indiceRepetitionEtablissement",
                                             "typeVoieEtablissement",
                                             "libelleVoieEtablissement",
                                             "complementAdresseEtablissement",
                                             "codePostalEtablissement",
                                             "libelleCommuneEtablissement",
                                             "enseigne1Etablissement",
                                             "denominationUsuelleEtablissement"};
enum EstablishmentColumn {
  kSiren,
  kSiret,
  kCommune,
  kState,
  kStreetNumber,
  kRepetition,
  kStreetType,
  kStreetName,
  kAddressComplement,
  kPostalCode,
  kCity,
  kSign,
  kUsualName,
};
constexpr size_t kRequiredEstablishmentColumns = 4;
// The legal unit: in StockUniteLegale (joined by siren), or in an establishments file that
// already carries them (a joined extract). All five, with siren in StockUniteLegale.
const char* const kLegalUnitColumns[] = {
    "denominationUniteLegale", "categorieJuridiqueUniteLegale", "activitePrincipaleUniteLegale",
    "economieSocialeSolidaireUniteLegale", "identifiantAssociationUniteLegale"};
enum LegalUnitColumn { kName, kLegalCategory, kNaf, kEssFlag, kRna };

// An active establishment of the territory, as read from the extract.
struct Establishment {
  std::string siren, siret, name, legal_category, naf, rna, commune;
  bool ess_flag = false;
  std::string display_name;  // the establishment's own name (usual name or sign), if any
  v1::PostalAddress address;
  int64_t line = 0;
};

// The legal unit's values of an establishment.
void SetLegalUnit(Establishment& e, const std::vector<std::string>& unit) {
  e.name = unit[kName];
  e.legal_category = unit[kLegalCategory];
  e.naf = unit[kNaf];
  e.ess_flag = unit[kEssFlag] == "O";
  e.rna = ids::NormalizeIdentifier(unit[kRna]);
}

// The street type as a word: INSEE writes the codes of its list (AV, BD, CHE...).
std::string StreetType(const std::string& code) {
  static const auto* const kWords = new std::map<std::string, std::string>{
      {"ALL", "ALLEE"},       {"AV", "AVENUE"},     {"BD", "BOULEVARD"}, {"CAR", "CARREFOUR"},
      {"CHE", "CHEMIN"},      {"CHS", "CHAUSSEE"},  {"CRS", "COURS"},    {"ESP", "ESPLANADE"},
      {"FG", "FAUBOURG"},     {"HAM", "HAMEAU"},    {"IMP", "IMPASSE"},  {"LD", "LIEU-DIT"},
      {"LOT", "LOTISSEMENT"}, {"PASS", "PASSAGE"},  {"PL", "PLACE"},     {"PRO", "PROMENADE"},
      {"QUA", "QUARTIER"},    {"RES", "RESIDENCE"}, {"RLE", "RUELLE"},   {"RPT", "ROND-POINT"},
      {"RTE", "ROUTE"},       {"SQ", "SQUARE"},     {"TRA", "TRAVERSE"}, {"VLGE", "VILLAGE"}};
  auto it = kWords->find(code);
  return it == kWords->end() ? code : it->second;
}

// The postal address of an establishment from its address columns, as INSEE writes it
// ("2 B RUE DES CORROYEURS"); empty when the file has none.
v1::PostalAddress AddressOf(const std::function<const std::string&(EstablishmentColumn)>& cell) {
  v1::PostalAddress address;
  std::vector<std::string> street;
  for (const std::string& part :
       {cell(kStreetNumber), cell(kRepetition), StreetType(cell(kStreetType)), cell(kStreetName)}) {
    if (!part.empty()) street.push_back(part);
  }
  if (!street.empty()) address.add_lines(absl::StrJoin(street, " "));
  if (!cell(kAddressComplement).empty()) address.add_lines(cell(kAddressComplement));
  address.set_postal_code(cell(kPostalCode));
  address.set_city(cell(kCity));
  return address;
}

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

// What the batches that committed did, merged into the report once each batch commits (a
// batch's transaction may run more than once).
struct BatchOutcome {
  int64_t enriched = 0, unchanged = 0, created = 0;
  std::vector<v1::SireneConflict> conflicts;
  std::map<v1::SireneSkipReason, int64_t> skipped;

  void MergeInto(v1::ImportSireneExtractResponse& report,
                 std::map<v1::SireneSkipReason, int64_t>& skips) const {
    report.set_enriched_count(report.enriched_count() + enriched);
    report.set_unchanged_count(report.unchanged_count() + unchanged);
    report.set_created_count(report.created_count() + created);
    for (const v1::SireneConflict& conflict : conflicts) *report.add_conflicts() = conflict;
    for (const auto& [reason, count] : skipped) skips[reason] += count;
  }
};

// The skip counts of a report, in reason order.
void SetSkipped(v1::ImportSireneExtractResponse& report,
                const std::map<v1::SireneSkipReason, int64_t>& skips) {
  report.clear_skipped();
  for (const auto& [reason, count] : skips) {
    v1::SireneSkipCount* skip = report.add_skipped();
    skip->set_reason(reason);
    skip->set_count(count);
  }
}

// The actor a missing establishment of the ESS becomes.
Actor NewActorOf(const Establishment& e, v1::EssFamily family) {
  Actor actor;
  actor.set_display_name(!e.display_name.empty() ? e.display_name
                         : e.name.empty()        ? e.siret
                                                 : e.name);
  actor.set_legal_name(e.name);
  actor.set_siren(e.siren);
  actor.set_siret(e.siret);
  actor.set_rna(e.rna);
  actor.set_legal_category_code(e.legal_category);
  actor.set_naf_code(e.naf);
  actor.set_ess_family(family);
  *actor.mutable_address() = e.address;
  actor.mutable_address()->set_commune_insee_code(e.commune);
  actor.mutable_provenance()->set_source("sirene");
  NormalizeActor(actor);
  return actor;
}

// Applies one kept establishment in `txn`: enriches the actor it matches, or creates one
// (create_missing, in the ESS), or counts it skipped; the change goes to `changes`.
absl::Status ApplyEstablishment(pqxx::work& txn, const Establishment& e,
                                const v1::SireneImportOptions& options,
                                const std::string& extract_date, BatchOutcome& outcome,
                                std::vector<PendingChange>& changes) {
  auto change = [&](v1::ChangeKind kind, const Actor& actor) {
    changes.push_back(
        {kind, v1::CHANGED_RESOURCE_TYPE_ACTOR, actor.name(), true, actor.SerializeAsString(), ""});
  };
  int64_t id = ActorStore::MatchEstablishment(txn, e.siret, e.siren, e.rna);
  v1::EssFamily family = FamilyOf(e);
  if (id == 0) {
    bool in_ess = e.ess_flag || family != v1::ESS_FAMILY_UNSPECIFIED;
    if (!in_ess) {
      ++outcome.skipped[v1::SIRENE_SKIP_REASON_NOT_ESS];
      return absl::OkStatus();
    }
    if (!options.create_missing()) {
      ++outcome.skipped[v1::SIRENE_SKIP_REASON_NOT_IN_DIRECTORY];
      return absl::OkStatus();
    }
    Actor actor = NewActorOf(e, family);
    FieldViolations violations;
    CheckActorFields(actor, "", violations);
    if (!violations.empty()) {
      ++outcome.skipped[v1::SIRENE_SKIP_REASON_MALFORMED];
      return absl::OkStatus();
    }
    Actor created = ActorStore::Insert(txn, actor);
    int64_t created_id = std::stoll(created.name().substr(7));
    ActorStore::SetSireneExtractDate(txn, created_id, extract_date);
    MAILLAGE_ASSIGN_OR_RETURN(created, ActorStore::Get(txn, created_id));
    change(v1::CHANGE_KIND_CREATED, created);
    ++outcome.created;
    return absl::OkStatus();
  }
  MAILLAGE_ASSIGN_OR_RETURN(Actor current, ActorStore::Get(txn, id, true));
  Actor enriched = current;
  auto fill = [&](const char* field, std::string* held, const std::string& value) {
    if (value.empty()) return;
    if (held->empty()) {
      *held = value;
    } else if (*held != value) {
      v1::SireneConflict& conflict = outcome.conflicts.emplace_back();
      conflict.set_actor(current.name());
      conflict.set_field(field);
      conflict.set_directory_value(*held);
      conflict.set_extract_value(value);
    }
  };
  fill("siren", enriched.mutable_siren(), e.siren);
  fill("siret", enriched.mutable_siret(), e.siret);
  fill("rna", enriched.mutable_rna(), e.rna);
  fill("legal_name", enriched.mutable_legal_name(), e.name);
  if (!e.legal_category.empty()) enriched.set_legal_category_code(e.legal_category);
  if (!e.naf.empty()) enriched.set_naf_code(e.naf);
  if (enriched.ess_family() == v1::ESS_FAMILY_UNSPECIFIED) enriched.set_ess_family(family);
  // The address when the actor has none (a different one is the network's to keep).
  const v1::PostalAddress& held = current.address();
  if (held.lines_size() == 0 && held.postal_code().empty() && held.city().empty() &&
      e.address.lines_size() > 0) {
    std::string commune = held.commune_insee_code();
    *enriched.mutable_address() = e.address;
    enriched.mutable_address()->set_commune_insee_code(commune.empty() ? e.commune : commune);
  }
  NormalizeActor(enriched);
  FieldViolations violations;
  CheckActorFields(enriched, "", violations);
  if (!violations.empty() || SameWritableFields(enriched, current)) {
    ++outcome.unchanged;
    return absl::OkStatus();
  }
  ActorStore::Update(txn, id, enriched);
  ActorStore::SetSireneExtractDate(txn, id, extract_date);
  MAILLAGE_ASSIGN_OR_RETURN(Actor stored, ActorStore::Get(txn, id));
  change(v1::CHANGE_KIND_UPDATED, stored);
  ++outcome.enriched;
  return absl::OkStatus();
}

// `error` of the batch that failed, telling what the committed batches before it did.
absl::Status Interrupted(const absl::Status& error, const v1::ImportSireneExtractResponse& report,
                         size_t applied, size_t kept) {
  absl::Status status(
      error.code(),
      absl::StrCat(error.message(), " (the SIRENE import stopped after ", applied, " of ", kept,
                   " kept rows, committed by earlier batches: ", report.enriched_count(),
                   " enriched, ", report.created_count(), " created, ", report.unchanged_count(),
                   " unchanged; importing the same extract again is safe)"));
  error.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    status.SetPayload(type_url, payload);
  });
  google::rpc::ErrorInfo info;
  if (auto existing = GetErrorInfo(error)) {
    info = *existing;
  } else {
    info.set_reason("SIRENE_IMPORT_INTERRUPTED");
    info.set_domain(std::string(kDomain));
  }
  auto& metadata = *info.mutable_metadata();
  metadata["applied_rows"] = absl::StrCat(applied);
  metadata["kept_rows"] = absl::StrCat(kept);
  metadata["enriched_count"] = absl::StrCat(report.enriched_count());
  metadata["created_count"] = absl::StrCat(report.created_count());
  metadata["unchanged_count"] = absl::StrCat(report.unchanged_count());
  SetErrorInfo(status, info);
  return status;
}

}  // namespace

absl::StatusOr<v1::ImportSireneExtractResponse> SireneImporter::Import(
    const v1::SireneImportOptions& options, db::Deadline deadline,
    const std::function<bool(SireneChunk*)>& next_chunk) {
  if (!options.has_extract_date() || !IsValidDate(options.extract_date())) {
    return InvalidField(kDomain, "options.extract_date", "required, the day of the extract");
  }
  // The territory: current codes and former codes mapped to the current one.
  MAILLAGE_ASSIGN_OR_RETURN(
      auto territory,
      pool_.ReadOnly<CommuneCodes>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<CommuneCodes> {
        return ReferenceStore::CurrentCommunes(txn);
      }));

  v1::ImportSireneExtractResponse response;
  std::map<v1::SireneSkipReason, int64_t> skipped;
  std::vector<Establishment> kept;
  std::vector<int> index;       // file column of each of kEstablishmentColumns, -1 if absent
  std::vector<int> unit_index;  // file column of each of kLegalUnitColumns in that file
  bool joined = false;          // the establishments file carries the legal unit columns
  auto consume = [&](const csv::CsvRecord& record) -> absl::Status {
    auto column_of = [&](const char* column) {
      auto it = std::find(record.fields.begin(), record.fields.end(), column);
      return it == record.fields.end() ? -1 : static_cast<int>(it - record.fields.begin());
    };
    if (index.empty()) {
      for (const char* column : kEstablishmentColumns) {
        index.push_back(column_of(column));
        if (index.size() <= kRequiredEstablishmentColumns && index.back() < 0) {
          return InvalidField(kDomain, "data", absl::StrCat("missing column ", column));
        }
      }
      for (const char* column : kLegalUnitColumns) unit_index.push_back(column_of(column));
      joined = std::count(unit_index.begin(), unit_index.end(), -1) == 0;
      return absl::OkStatus();
    }
    response.set_rows_read(response.rows_read() + 1);
    static const std::string kEmpty;
    auto field = [&](int i) -> const std::string& {
      return i >= 0 && static_cast<size_t>(i) < record.fields.size() ? record.fields[i] : kEmpty;
    };
    auto cell = [&](EstablishmentColumn c) -> const std::string& { return field(index[c]); };
    for (const std::string& value : record.fields) {
      if (!csv::IsValidUtf8(value)) return InvalidField(kDomain, "data", "not valid UTF-8");
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
    Establishment e;
    e.siren = cell(kSiren);
    e.siret = cell(kSiret);
    e.commune = commune->second;
    e.display_name = !cell(kUsualName).empty() ? cell(kUsualName) : cell(kSign);
    e.address = AddressOf(cell);
    e.line = record.line;
    if (joined) {
      std::vector<std::string> unit;
      for (int i : unit_index) unit.push_back(field(i));
      SetLegalUnit(e, unit);
    }
    if (!ids::IsValidSiret(e.siret)) {
      ++skipped[v1::SIRENE_SKIP_REASON_MALFORMED];
      if (response.issues_size() < 100) {
        v1::ImportIssue* issue = response.add_issues();
        issue->set_row(static_cast<int32_t>(record.line));
        issue->set_field("siret");
        issue->set_reason("identifiant invalide");
      }
      return absl::OkStatus();
    }
    e.siren = std::string(ids::SirenOfSiret(e.siret));
    kept.push_back(std::move(e));
    return absl::OkStatus();
  };

  // StockUniteLegale, after the establishments: only the legal units of kept establishments
  // are used, so memory stays with the kept rows however large the national file is.
  std::map<std::string, std::vector<size_t>> kept_of_siren;
  std::vector<int> units_index;  // file column of siren then of each of kLegalUnitColumns
  auto consume_unit = [&](const csv::CsvRecord& record) -> absl::Status {
    if (units_index.empty()) {
      std::vector<const char*> wanted = {"siren"};
      wanted.insert(wanted.end(), std::begin(kLegalUnitColumns), std::end(kLegalUnitColumns));
      for (const char* column : wanted) {
        auto it = std::find(record.fields.begin(), record.fields.end(), column);
        if (it == record.fields.end()) {
          return InvalidField(kDomain, "legal_units_data", absl::StrCat("missing column ", column));
        }
        units_index.push_back(static_cast<int>(it - record.fields.begin()));
      }
      for (size_t i = 0; i < kept.size(); ++i) kept_of_siren[kept[i].siren].push_back(i);
      return absl::OkStatus();
    }
    auto field = [&](int i) -> std::string {
      return static_cast<size_t>(i) < record.fields.size() ? record.fields[i] : std::string();
    };
    auto establishments = kept_of_siren.find(field(units_index[0]));
    if (establishments == kept_of_siren.end()) return absl::OkStatus();
    std::vector<std::string> unit;
    for (size_t c = 1; c < units_index.size(); ++c) unit.push_back(field(units_index[c]));
    for (const std::string& value : unit) {
      if (!csv::IsValidUtf8(value)) {
        return InvalidField(kDomain, "legal_units_data", "not valid UTF-8");
      }
    }
    for (size_t i : establishments->second) SetLegalUnit(kept[i], unit);
    return absl::OkStatus();
  };

  auto separator_of = [&](const std::string& chunk) {
    return options.separator() == v1::CSV_SEPARATOR_SEMICOLON ? ';'
           : options.separator() == v1::CSV_SEPARATOR_COMMA
               ? ','
               : csv::DetectSeparator(chunk.substr(0, chunk.find('\n')));
  };
  absl::optional<csv::CsvReader> reader, units;
  SireneChunk chunk;
  auto finish_establishments = [&]() -> absl::Status {
    if (!reader) return InvalidField(kDomain, "data", "empty file");
    reader->Finish();
    while (auto record = reader->Next()) MAILLAGE_RETURN_IF_ERROR(consume(*record));
    if (!reader->status().ok()) return InvalidField(kDomain, "data", reader->status().message());
    if (index.empty()) return InvalidField(kDomain, "data", "no header line");
    return absl::OkStatus();
  };
  bool establishments_done = false;
  while (next_chunk(&chunk)) {
    if (!chunk.legal_units) {
      if (establishments_done) {
        return InvalidField(kDomain, "data", "the establishments file comes before legal units");
      }
      if (!reader) reader.emplace(separator_of(chunk.data));
      reader->Feed(chunk.data);
      while (auto record = reader->Next()) MAILLAGE_RETURN_IF_ERROR(consume(*record));
      continue;
    }
    if (!establishments_done) {
      MAILLAGE_RETURN_IF_ERROR(finish_establishments());
      establishments_done = true;
    }
    if (!units) units.emplace(separator_of(chunk.data));
    units->Feed(chunk.data);
    while (auto record = units->Next()) MAILLAGE_RETURN_IF_ERROR(consume_unit(*record));
  }
  if (!establishments_done) MAILLAGE_RETURN_IF_ERROR(finish_establishments());
  if (units) {
    units->Finish();
    while (auto record = units->Next()) MAILLAGE_RETURN_IF_ERROR(consume_unit(*record));
    if (!units->status().ok()) {
      return InvalidField(kDomain, "legal_units_data", units->status().message());
    }
  }
  if (!joined && units_index.empty()) {
    return InvalidField(kDomain, "legal_units_data",
                        absl::StrCat("the establishments file has no column ", kLegalUnitColumns[0],
                                     ": send INSEE's StockUniteLegale file after it"));
  }
  // An RNA of the legal unit that is not one: the row is malformed.
  std::vector<Establishment> valid;
  valid.reserve(kept.size());
  for (Establishment& e : kept) {
    if (!e.rna.empty() && !ids::IsValidRna(e.rna)) {
      ++skipped[v1::SIRENE_SKIP_REASON_MALFORMED];
      if (response.issues_size() < 100) {
        v1::ImportIssue* issue = response.add_issues();
        issue->set_row(static_cast<int32_t>(e.line));
        issue->set_field("rna");
        issue->set_reason("identifiant invalide");
      }
      continue;
    }
    valid.push_back(std::move(e));
  }
  kept = std::move(valid);
  response.set_kept_count(static_cast<int64_t>(kept.size()));
  response.mutable_provenance()->set_source("sirene");
  *response.mutable_provenance()->mutable_sirene_extract_date() = options.extract_date();
  std::string extract_date = db::DateParam(true, options.extract_date());

  const bool record = !options.request_id().empty() && !options.validate_only();
  const std::string fingerprint = db::RequestFingerprint(options);
  if (record) {  // a replay of an import that completed
    MAILLAGE_ASSIGN_OR_RETURN(
        absl::optional<std::string> seen,
        pool_.Transact<absl::optional<std::string>>(deadline, [&](pqxx::work& txn) {
          return db::LookupRequest(txn, options.request_id(), "ImportSireneExtract", fingerprint,
                                   kDomain);
        }));
    v1::ImportSireneExtractResponse replayed;
    if (seen && replayed.ParseFromString(*seen)) return replayed;
  }

  // The kept rows in batches, each one transaction that commits (validate_only: rolled back),
  // its changes appended last.
  v1::ImportSireneExtractResponse report = response;
  size_t applied = 0;
  do {
    const size_t end = std::min(kept.size(), applied + batch_size_);
    const bool last = end == kept.size();
    absl::StatusOr<BatchOutcome> outcome = pool_.Transact<BatchOutcome>(
        deadline, [&](pqxx::work& txn) -> absl::StatusOr<BatchOutcome> {
          BatchOutcome batch;
          std::vector<PendingChange> changes;
          if (options.validate_only()) txn.exec("SAVEPOINT validate_only");
          for (size_t i = applied; i < end; ++i) {
            MAILLAGE_RETURN_IF_ERROR(
                ApplyEstablishment(txn, kept[i], options, extract_date, batch, changes));
          }
          if (options.validate_only()) {
            txn.exec("ROLLBACK TO SAVEPOINT validate_only");
            return batch;
          }
          AppendChanges(txn, changes);
          if (last && record) {  // the whole report, recorded with the last batch
            MAILLAGE_ASSIGN_OR_RETURN(
                absl::optional<std::string> seen,
                db::LookupRequest(txn, options.request_id(), "ImportSireneExtract", fingerprint,
                                  kDomain));
            if (!seen) {
              v1::ImportSireneExtractResponse whole = report;
              std::map<v1::SireneSkipReason, int64_t> skips = skipped;
              batch.MergeInto(whole, skips);
              SetSkipped(whole, skips);
              AddFrench(whole, /*validate_only=*/false);
              db::RecordRequest(txn, options.request_id(), "ImportSireneExtract", fingerprint,
                                whole);
            }
          }
          return batch;
        });
    if (!outcome.ok()) return Interrupted(outcome.status(), report, applied, kept.size());
    outcome->MergeInto(report, skipped);
    applied = end;
  } while (applied < kept.size());
  SetSkipped(report, skipped);
  AddFrench(report, options.validate_only());
  return report;
}

}  // namespace maillage::directory
