// ImportSireneExtract (see sirene_importer.h): the stream read into kept rows, then applied in
// batches that each commit.
#include "services/directory/sirene_importer.h"

#include <algorithm>
#include <map>
#include <vector>

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
#include "services/directory/reference_store.h"

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
    const std::function<bool(std::string*)>& next_chunk) {
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
  return report;
}

}  // namespace maillage::directory
