// ImportActors: CSV rows → actors, matched and upserted in one transaction (see
// actor_importer.h).
#include "services/directory/actor_importer.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/db/idempotency.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_csv.h"
#include "services/directory/actor_fields.h"
#include "services/directory/actor_registry.h"
#include "services/directory/actor_store.h"
#include "services/directory/change_feed.h"

namespace maillage::directory {
namespace {

using v1::Actor;

constexpr int kMaxIssuesInError = 100;

// The actor a row designates, with the rule, or 0.
struct Match {
  int64_t id = 0;
  v1::ImportMatchRule rule = v1::IMPORT_MATCH_RULE_UNSPECIFIED;
};

constexpr char kBySiret[] =
    "SELECT id FROM actors WHERE siret = $1 AND state <> 'ACTOR_STATE_MERGED' LIMIT 1";
constexpr char kByRna[] =
    "SELECT id FROM actors WHERE rna = $1 AND state <> 'ACTOR_STATE_MERGED' LIMIT 1";
constexpr char kByNameAndCommune[] =
    "SELECT id FROM actors WHERE directory_fold(display_name) = directory_fold($1) AND "
    "insee_code = COALESCE((SELECT insee_code FROM communes WHERE insee_code = $2 OR "
    "$2 = ANY(former_insee_codes) LIMIT 1), $2) AND state <> 'ACTOR_STATE_MERGED' "
    "ORDER BY id LIMIT 1";

Match FindMatch(pqxx::work& txn, const Actor& normalized) {
  auto id_of = [](const pqxx::result& rows) {
    return rows.empty() ? int64_t{0} : rows[0][0].as<int64_t>();
  };
  if (!normalized.siret().empty()) {
    if (int64_t id = id_of(txn.exec_params(kBySiret, normalized.siret()))) {
      return {id, v1::IMPORT_MATCH_RULE_SIRET};
    }
  }
  if (!normalized.rna().empty()) {
    if (int64_t id = id_of(txn.exec_params(kByRna, normalized.rna()))) {
      return {id, v1::IMPORT_MATCH_RULE_RNA};
    }
  }
  if (!normalized.display_name().empty()) {
    if (int64_t id = id_of(txn.exec_params(kByNameAndCommune, normalized.display_name(),
                                           normalized.address().commune_insee_code()))) {
      return {id, v1::IMPORT_MATCH_RULE_NAME_AND_COMMUNE};
    }
  }
  return {};
}

// Field violations of a status as (field, reason), or the status message for the whole row.
std::vector<std::pair<std::string, std::string>> Problems(const absl::Status& status) {
  std::vector<std::pair<std::string, std::string>> problems;
  if (auto bad = GetBadRequest(status)) {
    for (const auto& v : bad->field_violations()) {
      problems.emplace_back(v.field(), v.description());
    }
  }
  if (problems.empty()) problems.emplace_back("", std::string(status.message()));
  return problems;
}

}  // namespace

absl::StatusOr<v1::ImportActorsResponse> ActorImporter::Import(
    db::Deadline deadline, const v1::ImportActorsRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(ParsedActorFile file, ParseActorFile(request));
  const v1::ImportActorsResponse& response = file.report;
  const std::map<std::string, std::string>& header_of = file.header_of;
  std::vector<ParsedActorRow>& rows = file.rows;
  std::string source = request.source().empty() ? "csv-import" : request.source();
  bool file_has_source = file.has_source_column;

  auto run = [&](pqxx::work& txn) -> absl::StatusOr<v1::ImportActorsResponse> {
    v1::ImportActorsResponse report = response;
    if (request.validate_only()) txn.exec("SAVEPOINT validate_only");
    for (ParsedActorRow& row : rows) {
      v1::ImportRowResult* result = report.add_rows();
      result->set_row(row.line);
      auto reject = [&](const std::vector<std::pair<std::string, std::string>>& problems) {
        result->set_outcome(v1::IMPORT_ROW_OUTCOME_REJECTED);
        result->clear_actor();
        result->set_matched_by(v1::IMPORT_MATCH_RULE_UNSPECIFIED);
        for (const auto& [field, reason] : problems) {
          v1::ImportIssue* issue = report.add_issues();
          issue->set_row(row.line);
          issue->set_field(field);
          auto it = header_of.find(field);
          if (it != header_of.end()) issue->set_column(it->second);
          issue->set_reason(reason);
        }
      };
      if (!row.problems.empty()) {
        reject(row.problems);
        continue;
      }
      Actor incoming = row.actor;
      if (!file_has_source) incoming.mutable_provenance()->set_source(source);
      google::protobuf::FieldMask mask = row.mask;
      if (!file_has_source) mask.add_paths("provenance.source");
      Actor normalized = incoming;
      NormalizeActor(normalized);
      Match match;
      if (!row.name.empty()) {
        absl::StatusOr<int64_t> id = api::ParseResourceId(row.name, "actors", "name", kDomain);
        absl::StatusOr<Actor> found =
            id.ok() ? ActorStore::Get(txn, *id) : absl::StatusOr<Actor>(id.status());
        if (!found.ok()) {
          reject({{"name", absl::StrCat("no actor ", row.name)}});
          continue;
        }
        if (found->state() == v1::ACTOR_STATE_MERGED) {
          reject({{"name", absl::StrCat(row.name, " was merged into ", found->merged_into())}});
          continue;
        }
        match = {*id, v1::IMPORT_MATCH_RULE_RESOURCE_NAME};
      } else {
        match = FindMatch(txn, normalized);
      }
      if (match.id == 0) {
        absl::Status checked = CheckActorAgainstDirectory(txn, normalized, 0, "");
        if (!checked.ok()) {
          reject(Problems(checked));
          continue;
        }
        Actor created = ActorStore::Insert(txn, normalized);
        AppendChange(txn, v1::CHANGE_KIND_CREATED, v1::CHANGED_RESOURCE_TYPE_ACTOR, created.name(),
                     &created);
        result->set_outcome(v1::IMPORT_ROW_OUTCOME_CREATED);
        if (!request.validate_only()) result->set_actor(created.name());
        report.set_created_count(report.created_count() + 1);
        continue;
      }
      MAILLAGE_ASSIGN_OR_RETURN(Actor current, ActorStore::Get(txn, match.id, true));
      absl::StatusOr<Actor> updated = ApplyActorMask(current, incoming, mask);
      if (!updated.ok()) {
        reject(Problems(updated.status()));
        continue;
      }
      NormalizeActor(*updated);
      absl::Status checked = CheckActorAgainstDirectory(txn, *updated, match.id, "");
      if (!checked.ok()) {
        reject(Problems(checked));
        continue;
      }
      result->set_actor(current.name());
      result->set_matched_by(match.rule);
      if (SameWritableFields(*updated, current)) {
        result->set_outcome(v1::IMPORT_ROW_OUTCOME_UNCHANGED);
        report.set_unchanged_count(report.unchanged_count() + 1);
        continue;
      }
      Actor stored = ActorStore::Update(txn, match.id, *updated);
      AppendChange(txn, v1::CHANGE_KIND_UPDATED, v1::CHANGED_RESOURCE_TYPE_ACTOR, stored.name(),
                   &stored);
      result->set_outcome(v1::IMPORT_ROW_OUTCOME_UPDATED);
      report.set_updated_count(report.updated_count() + 1);
    }
    for (const auto& r : report.rows()) {
      if (r.outcome() == v1::IMPORT_ROW_OUTCOME_REJECTED) {
        report.set_rejected_count(report.rejected_count() + 1);
      }
    }
    if (request.validate_only()) {
      txn.exec("ROLLBACK TO SAVEPOINT validate_only");
      return report;
    }
    if (report.rejected_count() > 0) {
      FieldViolations violations;
      for (int i = 0; i < report.issues_size() && i < kMaxIssuesInError; ++i) {
        const v1::ImportIssue& issue = report.issues(i);
        violations.Add(absl::StrCat("rows[", issue.row(), "]", issue.field().empty() ? "" : ".",
                                    issue.field()),
                       issue.reason());
      }
      return violations.ToStatus(kDomain);
    }
    return report;
  };
  return pool_.Transact<v1::ImportActorsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ImportActorsResponse> {
        if (request.validate_only()) return run(txn);
        return db::RunIdempotent<v1::ImportActorsResponse>(txn, request.request_id(),
                                                           "ImportActors", request, kDomain,
                                                           [&]() { return run(txn); });
      });
}

}  // namespace maillage::directory
